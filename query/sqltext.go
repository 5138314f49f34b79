package query

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/binlake/binlake/layout"
)

// This file turns canonical values (layout.Kind) back into MySQL SQL text
// that a MySQL or MariaDB server reads as exactly the same value. Patches
// run with PatchSessionSQL, which these literals rely on: no
// NO_BACKSLASH_ESCAPES (none are produced anyway), zero and invalid dates
// allowed, TIMESTAMPs in UTC.

// QuoteIdent quotes a MySQL identifier in backticks, doubling backticks.
func QuoteIdent(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// QuoteTable quotes db.table as `db`.`table`.
func QuoteTable(db, table string) string { return QuoteIdent(db) + "." + QuoteIdent(table) }

// SQLLiteral returns a MySQL literal that stores exactly the canonical value
// v in column c (NULL for nil):
//   - integers, BIT and YEAR as decimal numbers; DECIMAL as its text, unquoted
//     (a quoted decimal would be compared as a DOUBLE);
//   - FLOAT and DOUBLE in exponent form with enough digits to name the exact
//     binary value (a FLOAT as the double it widens to), so the server parses
//     the same bits back and an equality on the literal matches;
//   - dates and times as quoted text (zero dates need PatchSessionSQL);
//   - text, ENUM and SET in the column's character set with an introducer:
//     readable (_utf8mb4'café') when every character is printable, else as
//     hex (_utf8mb4 X'…'), so no escaping rule of the session matters;
//   - bytes and GEOMETRY (MySQL's internal SRID + WKB) as X'…';
//   - MySQL JSON as CAST(text AS JSON).
func SQLLiteral(c *layout.Column, v any) (string, error) {
	if v == nil {
		return "NULL", nil
	}
	s, err := literalOf(c, v)
	if err != nil {
		return "", fmt.Errorf("SQL literal for column %s (%s): %w", c.Name, c.Kind, err)
	}
	return s, nil
}

func literalOf(c *layout.Column, v any) (string, error) {
	switch c.Kind {
	case layout.KindInt, layout.KindBit, layout.KindYear:
		switch x := v.(type) {
		case int64:
			return strconv.FormatInt(x, 10), nil
		case uint64:
			return strconv.FormatUint(x, 10), nil
		}
	case layout.KindFloat:
		if f, ok := v.(float32); ok {
			return floatLiteralOf(float64(f))
		}
	case layout.KindDouble:
		if f, ok := v.(float64); ok {
			return floatLiteralOf(f)
		}
	case layout.KindDecimal:
		if s, ok := v.(string); ok {
			if !isDecimalLiteral(s) {
				return "", fmt.Errorf("%q is not decimal text", s)
			}
			return s, nil
		}
	case layout.KindDate, layout.KindDatetime, layout.KindTimestamp, layout.KindTime:
		if s, ok := v.(string); ok {
			if !isTemporalLiteral(s) {
				return "", fmt.Errorf("%q is not date or time text", s)
			}
			return "'" + s + "'", nil
		}
	case layout.KindString, layout.KindEnum, layout.KindSet:
		if s, ok := v.(string); ok {
			return textLiteralOf(c.Charset, s)
		}
	case layout.KindJSON:
		if s, ok := v.(string); ok {
			lit, err := textLiteralOf("utf8mb4", s)
			if err != nil {
				return "", err
			}
			return "CAST(" + lit + " AS JSON)", nil
		}
	case layout.KindBytes, layout.KindGeometry:
		if b, ok := v.([]byte); ok {
			return hexLiteralOf(b), nil
		}
	default:
		return "", fmt.Errorf("unknown kind")
	}
	return "", fmt.Errorf("unexpected Go type %T", v)
}

// floatLiteralOf writes f in exponent form, which MySQL parses as a DOUBLE
// (correctly rounded), with the fewest digits that name f exactly.
func floatLiteralOf(f float64) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", fmt.Errorf("%v has no SQL literal", f)
	}
	if f == 0 {
		return "0e0", nil // -0 is stored as 0 (see ingest's positiveZero)
	}
	return strconv.FormatFloat(f, 'e', -1, 64), nil
}

func hexLiteralOf(b []byte) string { return "X'" + hex.EncodeToString(b) + "'" }

// textLiteralOf writes s, canonical UTF-8 text, as a literal in charset.
func textLiteralOf(charset, s string) (string, error) {
	intro, raw, err := encodeCharset(charset, s)
	if err != nil {
		return "", err
	}
	if readableText(intro, s) {
		return intro + "'" + strings.ReplaceAll(s, "'", "''") + "'", nil
	}
	return intro + " " + hexLiteralOf(raw), nil
}

// encodeCharset returns the introducer and the bytes of s in the column's
// character set: the inverse of ingest's decodeText.
func encodeCharset(charset, s string) (intro string, raw []byte, err error) {
	if !utf8.ValidString(s) {
		return "", nil, fmt.Errorf("text is not valid UTF-8")
	}
	switch charset {
	case "utf8mb4", "utf8mb3", "utf8", "ascii", "binary", "":
		return "_utf8mb4", []byte(s), nil
	case "latin1":
		raw, err := encodeLatin1(s)
		return "_latin1", raw, err
	}
	return "", nil, fmt.Errorf("character set %s is not supported (supported: utf8mb4, utf8mb3, ascii, latin1, binary)", charset)
}

// readableText reports whether s can be written between quotes as it is: every
// character printable (no controls, format characters or backslash), and
// for a latin1 literal only ASCII, since the file itself is UTF-8.
func readableText(intro, s string) bool {
	for _, r := range s {
		if r == '\\' || r != ' ' && !unicode.IsGraphic(r) || intro == "_latin1" && r > 0x7e {
			return false
		}
	}
	return true
}

// encodeLatin1 encodes text into MySQL's latin1 (cp1252 with the five
// undefined bytes mapped to the C1 controls of the same number).
func encodeLatin1(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		b, ok := latin1Byte(r)
		if !ok {
			return nil, fmt.Errorf("character %U has no latin1 byte", r)
		}
		out = append(out, b)
	}
	return out, nil
}

func latin1Byte(r rune) (byte, bool) {
	if r < 0x80 || r >= 0xA0 && r <= 0xFF {
		return byte(r), true
	}
	for i, h := range cp1252High {
		if h == r {
			return byte(0x80 + i), true
		}
	}
	return 0, false
}

// cp1252High are the runes of latin1 bytes 0x80..0x9F (as ingest decodes
// them).
var cp1252High = [32]rune{
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
}

func isDecimalLiteral(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	return whole != "" && asciiDigits(whole) && (!dot || frac != "" && asciiDigits(frac))
}

func asciiDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isTemporalLiteral allows only the characters of canonical date and time
// text, which is all the quoting they need.
func isTemporalLiteral(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '-', c == ':', c == '.', c == ' ':
		default:
			return false
		}
	}
	return true
}

// sqlMatch returns a condition that is true exactly when column c of the
// row holds v, byte for byte: NULL by IS NULL; text, ENUM, SET and
// GEOMETRY by their bytes (a plain = would follow the collation, so 'a'
// would match 'A' and 'a '); everything else by = on its exact literal.
func sqlMatch(c *layout.Column, v any) (string, error) {
	col := QuoteIdent(c.Name)
	if v == nil {
		return col + " IS NULL", nil
	}
	lit, err := SQLLiteral(c, v)
	if err != nil {
		return "", err
	}
	switch c.Kind {
	case layout.KindString, layout.KindEnum, layout.KindSet:
		intro, raw, _ := encodeCharset(c.Charset, v.(string))
		if readableText(intro, v.(string)) {
			return "CAST(" + col + " AS BINARY) = CAST(" + lit + " AS BINARY)", nil
		}
		return "CAST(" + col + " AS BINARY) = " + hexLiteralOf(raw), nil
	case layout.KindGeometry:
		return "CAST(" + col + " AS BINARY) = " + lit, nil
	}
	return col + " = " + lit, nil
}

// keyMatch is the condition for a primary-key column: sqlMatch, preceded
// for text by a plain = the server can look up in the index.
func keyMatch(c *layout.Column, v any) (string, error) {
	m, err := sqlMatch(c, v)
	if err != nil || v == nil {
		return m, err
	}
	switch c.Kind {
	case layout.KindString, layout.KindEnum, layout.KindSet, layout.KindGeometry:
		lit, _ := SQLLiteral(c, v)
		return QuoteIdent(c.Name) + " = " + lit + " AND " + m, nil
	}
	return m, nil
}

// rowMatch is the WHERE condition that matches a row whose full image is
// img: key columns first, so the server finds the row by its key.
func rowMatch(s *layout.TableSchema, img []any) (string, error) {
	conds := make([]string, 0, len(img))
	isKey := make([]bool, len(s.Columns))
	for _, k := range s.PrimaryKey {
		isKey[k] = true
		m, err := keyMatch(&s.Columns[k], img[k])
		if err != nil {
			return "", err
		}
		conds = append(conds, m)
	}
	for i := range s.Columns {
		if isKey[i] {
			continue
		}
		m, err := sqlMatch(&s.Columns[i], img[i])
		if err != nil {
			return "", err
		}
		conds = append(conds, m)
	}
	return strings.Join(conds, " AND "), nil
}

// sqlTuple returns "(lit, lit, ...)" for a row image.
func sqlTuple(s *layout.TableSchema, img []any) (string, error) {
	lits := make([]string, len(img))
	for i := range img {
		lit, err := SQLLiteral(&s.Columns[i], img[i])
		if err != nil {
			return "", err
		}
		lits[i] = lit
	}
	return "(" + strings.Join(lits, ", ") + ")", nil
}

// sqlColumns returns "(`a`, `b`, ...)".
func sqlColumns(s *layout.TableSchema) string {
	names := make([]string, len(s.Columns))
	for i := range s.Columns {
		names[i] = QuoteIdent(s.Columns[i].Name)
	}
	return "(" + strings.Join(names, ", ") + ")"
}

// rowKeyText describes a row for reports: its primary key as col=literal, or
// for a table without one, its first few columns.
func rowKeyText(s *layout.TableSchema, img []any) string {
	idx := s.PrimaryKey
	if len(idx) == 0 {
		for i := range min(3, len(s.Columns)) {
			idx = append(idx, i)
		}
	}
	parts := make([]string, 0, len(idx))
	for _, k := range idx {
		parts = append(parts, s.Columns[k].Name+"="+shortLiteralOf(&s.Columns[k], img[k]))
	}
	text := strings.Join(parts, " ")
	if len(s.PrimaryKey) == 0 && len(s.Columns) > len(idx) {
		text += " ..."
	}
	return text
}

// shortLiteralOf is SQLLiteral cut to a length fit for a one-line report.
func shortLiteralOf(c *layout.Column, v any) string {
	lit, err := SQLLiteral(c, v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return clipLine(lit, 60)
}

// clipLine cuts s to at most n bytes on a rune boundary, marking the cut.
func clipLine(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
