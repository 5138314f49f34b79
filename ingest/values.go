package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/layout"
)

// ConfigureParser sets up a parser of binlog files so that Canonical can
// convert the values it decodes. flavor is "mysql" or "mariadb" and must
// match the source (see ColumnsFromTableMap). The settings:
//   - ParseTime false: dates and times stay strings, zero dates included;
//   - UseDecimal false: DECIMAL stays the exact text the binlog encodes;
//   - TimestampStringLocation UTC: TIMESTAMP text in UTC, not in the
//     machine's local zone (the default);
//   - UseFloatWithTrailingZero false, RenderJSONAsMySQLText true: JSON text
//     keeps each JSONB value's type (1.0 stays a double) and key order;
//   - IgnoreJSONDecodeError false: a bad JSON document is an error;
//   - rows events decode through DecodeRows, so corrupt rows are an error;
//   - VerifyChecksum false: the server's current binlog file has
//     LOG_EVENT_BINLOG_IN_USE_F set in its format description event, whose
//     CRC32 was computed without the flag, so go-mysql would reject every
//     file still being written. (The server clears the flag when it closes
//     a file, and in what it sends to replicas: ConfigureSyncer verifies.)
func ConfigureParser(p *replication.BinlogParser, flavor string) {
	p.SetFlavor(flavor)
	p.SetParseTime(false)
	p.SetUseDecimal(false)
	p.SetTimestampStringLocation(time.UTC)
	p.SetUseFloatWithTrailingZero(false)
	p.SetRenderJSONAsMySQLText(true)
	p.SetIgnoreJSONDecodeError(false)
	p.SetVerifyChecksum(false)
	p.SetRowsEventDecodeFunc(DecodeRows)
}

// ConfigureSyncer applies the settings of ConfigureParser to a syncer
// configuration, except that it verifies checksums: a corrupt event then
// fails its CRC32 before go-mysql decodes it (go-mysql panics on some
// corrupt table maps). c.Flavor must already name the source's flavor.
func ConfigureSyncer(c *replication.BinlogSyncerConfig) {
	c.ParseTime = false
	c.UseDecimal = false
	c.TimestampStringLocation = time.UTC
	c.UseFloatWithTrailingZero = false
	c.RenderJSONAsMySQLText = true
	c.VerifyChecksum = true
	c.RowsEventDecodeFunc = DecodeRows
}

// configureIngestParser is ConfigureParser for ingest's own file source:
// rows are left undecoded for the assembler (see decodeRowsLazily).
func configureIngestParser(p *replication.BinlogParser, flavor string) {
	ConfigureParser(p, flavor)
	p.SetRowsEventDecodeFunc(decodeRowsLazily)
}

// configureIngestSyncer is ConfigureSyncer for ingest's live source.
func configureIngestSyncer(c *replication.BinlogSyncerConfig) {
	ConfigureSyncer(c)
	c.RowsEventDecodeFunc = decodeRowsLazily
}

// DecodeRows decodes a rows event as go-mysql does, but turns a panic on
// malformed bytes into an error, so a corrupt event stops ingest with a
// message instead of crashing it. It also refuses an event whose columns do
// not match its table map or whose column bitmap is empty: go-mysql would
// loop for ever on such an event, adding empty rows.
func DecodeRows(e *replication.RowsEvent, data []byte) (err error) {
	defer recoverMalformed(&err, len(data))
	pos, err := decodeRowsHeader(e, data)
	if err != nil {
		return err
	}
	return e.DecodeData(pos, data)
}

// decodeRowsHeader decodes and checks a rows event's header and returns
// where its rows data starts.
func decodeRowsHeader(e *replication.RowsEvent, data []byte) (int, error) {
	pos, err := e.DecodeHeader(data)
	if err != nil {
		return 0, err
	}
	return pos, checkRowsHeader(e)
}

// recoverMalformed, deferred, turns a panic of go-mysql's decoding of an
// event of n bytes into the error *err.
func recoverMalformed(err *error, n int) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("decode rows event of %d bytes: malformed event: %v", n, r)
	}
}

func checkRowsHeader(e *replication.RowsEvent) error {
	name := string(e.Table.Schema) + "." + string(e.Table.Table)
	n := e.ColumnCount
	if n == 0 || n != e.Table.ColumnCount {
		return fmt.Errorf("decode rows event for %s: malformed event: %d columns, the table map has %d", name, n, e.Table.ColumnCount)
	}
	for _, bitmap := range [][]byte{e.ColumnBitmap1, e.ColumnBitmap2} {
		if bitmap == nil {
			continue
		}
		named := false
		for i := uint64(0); i < n && !named; i++ {
			named = bitmap[i/8]&(1<<(i%8)) != 0
		}
		if !named {
			return fmt.Errorf("decode rows event for %s: malformed event: its column bitmap names no column", name)
		}
	}
	return nil
}

// Canonical converts a value of column col, as go-mysql decodes it from a
// rows event under ConfigureParser's settings, into the column's canonical
// value (see layout.Kind). The result never shares memory with the event.
func Canonical(col *layout.Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	out, err := canonical(col, v)
	if err != nil {
		return nil, fmt.Errorf("binlog value of column %s (%s, kind %s): %w", col.Name, col.SQLType, col.Kind, err)
	}
	return out, nil
}

func canonical(col *layout.Column, v any) (any, error) {
	switch col.Kind {
	case layout.KindInt:
		return binlogInt(col, v)
	case layout.KindFloat:
		if f, ok := v.(float32); ok {
			return float32(positiveZero(float64(f))), nil
		}
	case layout.KindDouble:
		if f, ok := v.(float64); ok {
			return positiveZero(f), nil
		}
	case layout.KindDecimal:
		if s, ok := v.(string); ok {
			return canonicalDecimal(col, s)
		}
	case layout.KindBit:
		if i, ok := v.(int64); ok {
			return canonicalBit(col, uint64(i))
		}
	case layout.KindYear:
		if i, ok := v.(int); ok {
			return canonicalYear(int64(i))
		}
	case layout.KindDate, layout.KindDatetime, layout.KindTimestamp, layout.KindTime:
		if s, ok := v.(string); ok {
			return canonicalTemporal(col, s)
		}
	case layout.KindString:
		if b, ok := rawBytes(v); ok {
			return decodeText(col.Charset, b)
		}
	case layout.KindBytes:
		if b, ok := rawBytes(v); ok {
			return canonicalBytes(col, b)
		}
	case layout.KindEnum:
		if i, ok := v.(int64); ok {
			return enumLabel(col, i)
		}
	case layout.KindSet:
		if i, ok := v.(int64); ok {
			return setLabels(col, uint64(i))
		}
	case layout.KindJSON:
		return binlogJSON(v)
	case layout.KindGeometry:
		if b, ok := v.([]byte); ok {
			return cloneBytes(b), nil
		}
	default:
		return nil, fmt.Errorf("unknown kind")
	}
	return nil, unexpectedType(v)
}

func unexpectedType(v any) error {
	return fmt.Errorf("unexpected Go type %T", v)
}

// rawBytes returns the bytes of a string or []byte value (go-mysql decodes
// CHAR and VARCHAR as string, TEXT and BLOB as []byte).
func rawBytes(v any) ([]byte, bool) {
	switch x := v.(type) {
	case string:
		return []byte(x), true
	case []byte:
		return x, true
	}
	return nil, false
}

// positiveZero turns -0 into 0. A FLOAT can hold -0 (an underflow such as
// -1e-50 stores it, and the binlog carries it) but MariaDB's SELECT returns
// 0, so a snapshot and the binlog would disagree about the same row.
func positiveZero(f float64) float64 {
	if f == 0 {
		return 0
	}
	return f
}

// binlogInt widens go-mysql's sized integers; their signedness must match
// the column's.
func binlogInt(col *layout.Column, v any) (any, error) {
	var signed, unsigned bool
	var i int64
	var u uint64
	switch x := v.(type) {
	case int8:
		i, signed = int64(x), true
	case int16:
		i, signed = int64(x), true
	case int32:
		i, signed = int64(x), true
	case int64:
		i, signed = x, true
	case uint8:
		u, unsigned = uint64(x), true
	case uint16:
		u, unsigned = uint64(x), true
	case uint32:
		u, unsigned = uint64(x), true
	case uint64:
		u, unsigned = x, true
	}
	switch {
	case signed && !col.Unsigned:
		return i, nil
	case unsigned && col.Unsigned:
		return u, nil
	case signed || unsigned:
		return nil, fmt.Errorf("value of Go type %T does not match the column's signedness (unsigned=%t)", v, col.Unsigned)
	}
	return nil, unexpectedType(v)
}

func canonicalBit(col *layout.Column, u uint64) (any, error) {
	if col.Width > 0 && col.Width < 64 && u>>col.Width != 0 {
		return nil, fmt.Errorf("value %#x has more than %d bits", u, col.Width)
	}
	return u, nil
}

func canonicalYear(y int64) (any, error) {
	if y != 0 && (y < 1901 || y > 2155) {
		return nil, fmt.Errorf("year %d outside 0 and 1901..2155", y)
	}
	return y, nil
}

// canonicalDecimal checks MySQL decimal text and gives it exactly col.Scale
// fraction digits; extra digits must be zeros.
func canonicalDecimal(col *layout.Column, s string) (string, error) {
	b, err := appendDecimalText(nil, col.Scale, s)
	return string(b), err
}

// appendDecimalText appends decimal text s with exactly scale fraction
// digits; extra digits must be zeros. The binlog decoders share it, so that
// both give the same text for the same value.
func appendDecimalText[T ~string | ~[]byte](dst []byte, scale int, s T) ([]byte, error) {
	rest := s
	negative := len(rest) > 0 && rest[0] == '-'
	if negative {
		rest = rest[1:]
	}
	whole, frac, _ := cutByte(rest, '.')
	if len(whole) == 0 || !allDigits(whole) || !allDigits(frac) {
		return dst, fmt.Errorf("%q is not decimal text", s)
	}
	if negative {
		dst = append(dst, '-')
	}
	dst = append(dst, whole...)
	dst, err := appendFraction(dst, frac, scale)
	if err != nil {
		return dst, fmt.Errorf("decimal %q: %w", s, err)
	}
	return dst, nil
}

// appendFraction appends "." and a fraction padded with zeros, or cut of
// zeros, to n digits; nothing when n is 0.
func appendFraction[T ~string | ~[]byte](dst []byte, frac T, n int) ([]byte, error) {
	if n < 0 || n > 30 {
		return dst, fmt.Errorf("the column's scale %d is outside 0..30", n)
	}
	if len(frac) > n {
		for i := n; i < len(frac); i++ {
			if frac[i] != '0' {
				return dst, fmt.Errorf("more than %d fraction digits", n)
			}
		}
		frac = frac[:n]
	}
	if n == 0 {
		return dst, nil
	}
	dst = append(dst, '.')
	dst = append(dst, frac...)
	for i := len(frac); i < n; i++ {
		dst = append(dst, '0')
	}
	return dst, nil
}

// cutByte slices s around the first sep, like strings.Cut.
func cutByte[T ~string | ~[]byte](s T, sep byte) (before, after T, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, s[len(s):], false
}

func allDigits[T ~string | ~[]byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// temporalShapes are the texts of each temporal kind before the fraction;
// 9 stands for a digit. TIME has two: hours run to 838.
var temporalShapes = map[layout.Kind][]string{
	layout.KindDate:      {"9999-99-99"},
	layout.KindDatetime:  {"9999-99-99 99:99:99"},
	layout.KindTimestamp: {"9999-99-99 99:99:99"},
	layout.KindTime:      {"99:99:99", "999:99:99"},
}

// canonicalTemporal checks date and time text and gives it exactly
// col.Scale fraction digits (go-mysql and the binary protocol both drop the
// fraction when it is zero; the protocol always sends 6 digits otherwise).
func canonicalTemporal(col *layout.Column, s string) (string, error) {
	b, err := appendTemporalText(nil, col.Kind, col.Scale, s)
	return string(b), err
}

// appendTemporalText appends the canonical form of date or time text s of
// kind k (see canonicalTemporal).
func appendTemporalText[T ~string | ~[]byte](dst []byte, k layout.Kind, scale int, s T) ([]byte, error) {
	body, frac, hasFrac := cutByte(s, '.')
	negative := k == layout.KindTime && len(body) > 0 && body[0] == '-'
	if negative {
		body = body[1:]
	}
	if !matchesShape(body, temporalShapes[k]) || (hasFrac && (k == layout.KindDate || len(frac) == 0 || !allDigits(frac))) {
		return dst, fmt.Errorf("%q is not %s text", s, k)
	}
	if negative {
		dst = append(dst, '-')
	}
	dst = append(dst, body...)
	if k == layout.KindDate {
		return dst, nil
	}
	dst, err := appendFraction(dst, frac, scale)
	if err != nil {
		return dst, fmt.Errorf("%s %q: %w", k, s, err)
	}
	return dst, nil
}

func matchesShape[T ~string | ~[]byte](s T, shapes []string) bool {
	for _, shape := range shapes {
		if len(s) != len(shape) {
			continue
		}
		ok := true
		for i := 0; i < len(s) && ok; i++ {
			if shape[i] == '9' {
				ok = s[i] >= '0' && s[i] <= '9'
			} else {
				ok = s[i] == shape[i]
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// canonicalBytes copies a binary value and pads BINARY(n) back to n bytes:
// the binlog strips trailing 0x00 from BINARY values.
func canonicalBytes(col *layout.Column, b []byte) ([]byte, error) {
	if !col.Fixed || len(b) == col.Width {
		return cloneBytes(b), nil
	}
	if len(b) > col.Width {
		return nil, fmt.Errorf("%d bytes in a binary(%d) column", len(b), col.Width)
	}
	out := make([]byte, col.Width)
	copy(out, b)
	return out, nil
}

// cloneBytes copies b; an empty value is an empty slice, never nil (nil is
// NULL).
func cloneBytes(b []byte) []byte {
	return append([]byte{}, b...)
}

// enumLabel maps an enum index to its label; 0 is the invalid value "".
func enumLabel(col *layout.Column, i int64) (string, error) {
	if i == 0 {
		return "", nil
	}
	if i < 0 || i > int64(len(col.Members)) {
		return "", fmt.Errorf("enum index %d, the column has %d members", i, len(col.Members))
	}
	return col.Members[i-1], nil
}

// setLabels maps a set bitmask to its labels in definition order.
func setLabels(col *layout.Column, mask uint64) (string, error) {
	if n := len(col.Members); n < 64 && mask>>n != 0 {
		return "", fmt.Errorf("set bitmask %#x names members beyond the %d the column has", mask, n)
	}
	labels := make([]string, 0, bits.OnesCount64(mask))
	for j := range col.Members {
		if mask&(1<<j) != 0 {
			labels = append(labels, col.Members[j])
		}
	}
	return strings.Join(labels, ","), nil
}

// binlogJSON converts MySQL's binary JSON as go-mysql renders it: text, or
// an empty []byte for an empty document, which MySQL reads as null.
func binlogJSON(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return canonicalJSON([]byte(x))
	case []byte:
		if len(x) == 0 {
			return "null", nil
		}
		return canonicalJSON(x)
	case *replication.JsonDiff:
		return nil, errors.New("partial JSON update: the source must run with binlog_row_value_options='' (no PARTIAL_JSON)")
	}
	return nil, unexpectedType(v)
}

// canonicalJSON removes the whitespace between tokens: go-mysql writes
// compact JSON, MySQL's SELECT puts a space after ',' and ':'.
func canonicalJSON(b []byte) (string, error) {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return "", fmt.Errorf("JSON text: %w", err)
	}
	return out.String(), nil
}

// decodeText converts text in a MySQL character set to UTF-8, losslessly.
func decodeText(charset string, b []byte) (string, error) {
	switch charset {
	case "utf8mb4", "utf8mb3", "utf8", "ascii":
		if !utf8.Valid(b) {
			return "", fmt.Errorf("text is not valid %s", charset)
		}
		return string(b), nil
	case "latin1":
		return decodeLatin1(b), nil
	}
	return "", fmt.Errorf("character set %s is not supported yet (supported: utf8mb4, utf8mb3, ascii, latin1, binary)", charset)
}

// decodeLatin1 decodes MySQL's latin1, which is Windows-1252 with the five
// bytes 1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) mapped to the
// C1 controls of the same number, so every byte has its own rune.
func decodeLatin1(b []byte) string {
	var out strings.Builder
	out.Grow(len(b))
	for _, c := range b {
		out.WriteRune(latin1Rune(c))
	}
	return out.String()
}

func latin1Rune(c byte) rune {
	if c >= 0x80 && c < 0xA0 {
		return cp1252High[c-0x80]
	}
	return rune(c)
}

// cp1252High are the runes of bytes 0x80..0x9F.
var cp1252High = [32]rune{
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
}
