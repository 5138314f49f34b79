package value

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/bits"
	"strings"

	"github.com/binlake/binlake/layout"
)

// PositiveZero turns -0 into 0. A FLOAT can hold -0 (an underflow such as
// -1e-50 stores it, and the binlog carries it) but MariaDB's SELECT returns
// 0, so a snapshot and the binlog would disagree about the same row.
func PositiveZero(f float64) float64 {
	if f == 0 {
		return 0
	}
	return f
}

func checkBit(col *layout.Column, u uint64) (any, error) {
	if col.Width > 0 && col.Width < 64 && u>>col.Width != 0 {
		return nil, fmt.Errorf("value %#x has more than %d bits", u, col.Width)
	}
	return u, nil
}

func checkYear(y int64) (any, error) {
	if y != 0 && (y < 1901 || y > 2155) {
		return nil, fmt.Errorf("year %d outside 0 and 1901..2155", y)
	}
	return y, nil
}

// canonicalDecimal checks MySQL decimal text and gives it exactly col.Scale
// fraction digits; extra digits must be zeros.
func canonicalDecimal(col *layout.Column, s string) (string, error) {
	b, err := AppendDecimal(nil, col.Scale, s)
	return string(b), err
}

// AppendDecimal appends decimal text s with exactly scale fraction
// digits; extra digits must be zeros. The binlog decoders share it, so that
// both give the same text for the same value.
func AppendDecimal[T ~string | ~[]byte](dst []byte, scale int, s T) ([]byte, error) {
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
	b, err := AppendTemporal(nil, col.Kind, col.Scale, s)
	return string(b), err
}

// AppendTemporal appends the canonical form of date or time text s of
// kind k (see canonicalTemporal).
func AppendTemporal[T ~string | ~[]byte](dst []byte, k layout.Kind, scale int, s T) ([]byte, error) {
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

// canonicalJSON removes the whitespace between tokens: go-mysql writes
// compact JSON, MySQL's SELECT puts a space after ',' and ':'.
func canonicalJSON(b []byte) (string, error) {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return "", fmt.Errorf("JSON text: %w", err)
	}
	return out.String(), nil
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

// FromBinlog converts a value of column col, as go-mysql decodes it from a
// rows event (with ingest's parser settings: dates, times and decimals as
// text, JSON as MySQL's text, sized Go integers), into the column's
// canonical value (see layout.Kind). The result never shares memory with
// the event.
func FromBinlog(col *layout.Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	out, err := fromBinlog(col, v)
	if err != nil {
		return nil, fmt.Errorf("binlog value of column %s (%s, kind %s): %w", col.Name, col.SQLType, col.Kind, err)
	}
	return out, nil
}

func fromBinlog(col *layout.Column, v any) (any, error) {
	switch col.Kind {
	case layout.KindInt:
		return binlogInt(col, v)
	case layout.KindFloat:
		if f, ok := v.(float32); ok {
			return float32(PositiveZero(float64(f))), nil
		}
	case layout.KindDouble:
		if f, ok := v.(float64); ok {
			return PositiveZero(f), nil
		}
	case layout.KindDecimal:
		if s, ok := v.(string); ok {
			return canonicalDecimal(col, s)
		}
	case layout.KindBit:
		if i, ok := v.(int64); ok {
			return checkBit(col, uint64(i))
		}
	case layout.KindYear:
		if i, ok := v.(int); ok {
			return checkYear(int64(i))
		}
	case layout.KindDate, layout.KindDatetime, layout.KindTimestamp, layout.KindTime:
		if s, ok := v.(string); ok {
			return canonicalTemporal(col, s)
		}
	case layout.KindString:
		if b, ok := rawBytes(v); ok {
			return Decode(col.Charset, b)
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
	}
	return nil, unexpectedType(v)
}
