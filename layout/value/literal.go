package value

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

// QuoteIdent quotes a MySQL identifier in backticks, doubling backticks.
func QuoteIdent(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// QuoteTable quotes db.table as `db`.`table`.
func QuoteTable(db, table string) string { return QuoteIdent(db) + "." + QuoteIdent(table) }

// Literal returns a MySQL literal that stores exactly the canonical value
// v in column c (NULL for nil):
//   - integers, BIT and YEAR as decimal numbers; DECIMAL as its text, unquoted
//     (a quoted decimal would be compared as a DOUBLE);
//   - FLOAT and DOUBLE in exponent form with enough digits to name the exact
//     binary value (a FLOAT as the double it widens to), so the server parses
//     the same bits back and an equality on the literal matches;
//   - dates and times as quoted text (zero dates need PatchSessionSQL);
//   - text, ENUM and SET as the column's own bytes, with the introducer of
//     its character set: readable (_utf8mb4'café', _sjis'abc') when
//     Readable allows, else as hex (_sjis X'…'), so that neither a
//     conversion nor an escaping rule of the session can change a byte;
//   - bytes and GEOMETRY (MySQL's internal SRID + WKB) as X'…';
//   - MySQL JSON as CAST(text AS JSON).
func Literal(c *layout.Column, v any) (string, error) {
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
			return HexLiteral(b), nil
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
		return "0e0", nil // -0 is stored as 0 (see ingest's PositiveZero)
	}
	return strconv.FormatFloat(f, 'e', -1, 64), nil
}

func HexLiteral(b []byte) string { return "X'" + hex.EncodeToString(b) + "'" }

// textLiteralOf writes s, canonical UTF-8 text, as a literal in charset.
func textLiteralOf(charset, s string) (string, error) {
	intro, raw, err := Encode(charset, s)
	if err != nil {
		return "", err
	}
	if Readable(intro, s) {
		return intro + "'" + strings.ReplaceAll(s, "'", "''") + "'", nil
	}
	return intro + " " + HexLiteral(raw), nil
}

// Readable reports whether s can be written between quotes as it is after
// introducer intro (the patch file is UTF-8, and its session SET NAMES
// utf8mb4): every character printable (no controls, format characters,
// escapes or backslash); for a literal in anything but utf8mb4, utf8mb3 or
// binary only ASCII, and not at all for character sets that do not spell
// ASCII as ASCII (ucs2, utf16, utf16le, utf32, swe7).
func Readable(intro, s string) bool {
	cs := CharsetNamed(strings.TrimPrefix(intro, "_"))
	if !cs.Known() || !cs.codec.ascii() {
		return s == ""
	}
	wide := cs.Name == "utf8mb4" || cs.Name == "utf8mb3" || cs.Name == "binary"
	for _, r := range s {
		if r == '\\' || r != ' ' && !unicode.IsGraphic(r) || r > 0x7e && !wide {
			return false
		}
	}
	return true
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

// QuoteMembers spells enum or set members as SHOW CREATE TABLE does:
// single-quoted, with ' doubled and \ escaped.
func QuoteMembers(members []string) string {
	esc := strings.NewReplacer(`\`, `\\`, `'`, `''`)
	var b strings.Builder
	for j, s := range members {
		if j > 0 {
			b.WriteByte(',')
		}
		b.WriteString("'" + esc.Replace(s) + "'")
	}
	return b.String()
}

// KeyText describes a row for reports: its primary key as col=literal, or
// for a table without one, its first few columns.
func KeyText(s *layout.TableSchema, img []any) string {
	idx := s.PrimaryKey
	if len(idx) == 0 {
		for i := range min(3, len(s.Columns)) {
			idx = append(idx, i)
		}
	}
	parts := make([]string, 0, len(idx))
	for _, k := range idx {
		parts = append(parts, s.Columns[k].Name+"="+ShortLiteral(&s.Columns[k], img[k]))
	}
	text := strings.Join(parts, " ")
	if len(s.PrimaryKey) == 0 && len(s.Columns) > len(idx) {
		text += " ..."
	}
	return text
}

// ShortLiteral is value.Literal cut to a length fit for a one-line report.
func ShortLiteral(c *layout.Column, v any) string {
	lit, err := Literal(c, v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return Clip(lit, 60)
}

// Clip cuts s to at most n bytes on a rune boundary, marking the cut.
func Clip(s string, n int) string {
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

// ExactKey is an exact text for the values at idx (all of them when idx is
// nil): two images have the same key exactly when those values are equal.
func ExactKey(idx []int, img []any) string {
	var b strings.Builder
	put := func(v any) {
		switch x := v.(type) {
		case nil:
			b.WriteString("N")
		case []byte:
			b.WriteString("B" + strconv.Itoa(len(x)) + ":")
			b.Write(x)
		case string:
			b.WriteString("S" + strconv.Itoa(len(x)) + ":" + x)
		default:
			fmt.Fprintf(&b, "%T:%v", v, v)
		}
		b.WriteByte('|')
	}
	if idx == nil {
		for _, v := range img {
			put(v)
		}
	} else {
		for _, k := range idx {
			put(img[k])
		}
	}
	return b.String()
}
