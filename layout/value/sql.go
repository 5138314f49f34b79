package value

import (
	"fmt"
	"math"
	"strings"

	"github.com/binlake/binlake/layout"
)

// SessionSQL are the statements a connection must run before it
// reads rows for FromSQL: TIMESTAMP values in UTC, and text sent as the
// bytes the table holds (no conversion to the connection's character set),
// so that FromSQL decodes it exactly as the binlog path does.
var SessionSQL = []string{
	"SET time_zone = '+00:00'",
	"SET character_set_results = NULL",
}

// FromSQL converts a value of column col read with go-mysql's client over
// the binary protocol (a prepared statement; mysql.FieldValue.Value()) on a
// connection set up with SessionSQL, into the same canonical value
// Canonical gives for the binlog. The text protocol will not do: it rounds
// FLOAT to 6 digits.
func FromSQL(col *layout.Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	out, err := fromSQL(col, v)
	if err != nil {
		return nil, fmt.Errorf("SQL value of column %s (%s, kind %s): %w", col.Name, col.SQLType, col.Kind, err)
	}
	return out, nil
}

func fromSQL(col *layout.Column, v any) (any, error) {
	switch col.Kind {
	case layout.KindInt:
		return sqlInt(col, v)
	case layout.KindYear:
		y, err := sqlInt(&layout.Column{}, v)
		if err != nil {
			return nil, err
		}
		return checkYear(y.(int64))
	case layout.KindFloat:
		return sqlFloat(v)
	case layout.KindDouble:
		if f, ok := v.(float64); ok {
			return PositiveZero(f), nil
		}
		return nil, unexpectedType(v)
	}
	b, ok := rawBytes(v)
	if !ok {
		return nil, unexpectedType(v)
	}
	switch col.Kind {
	case layout.KindDecimal:
		return canonicalDecimal(col, string(b))
	case layout.KindBit:
		return sqlBit(col, b)
	case layout.KindDate, layout.KindDatetime, layout.KindTimestamp, layout.KindTime:
		return canonicalTemporal(col, string(b))
	case layout.KindString:
		return Decode(col.Charset, b)
	case layout.KindBytes:
		return canonicalBytes(col, b)
	case layout.KindEnum:
		return sqlEnum(col, b)
	case layout.KindSet:
		return sqlSet(col, b)
	case layout.KindJSON:
		return canonicalJSON(b)
	case layout.KindGeometry:
		return cloneBytes(b), nil
	}
	return nil, fmt.Errorf("unknown kind")
}

// sqlInt takes the int64 or uint64 the protocol gives (it follows the
// column's UNSIGNED flag) to the column's signedness, if the value fits.
func sqlInt(col *layout.Column, v any) (any, error) {
	switch x := v.(type) {
	case int64:
		if !col.Unsigned {
			return x, nil
		}
		if x >= 0 {
			return uint64(x), nil
		}
	case uint64:
		if col.Unsigned {
			return x, nil
		}
		if x <= math.MaxInt64 {
			return int64(x), nil
		}
	default:
		return nil, unexpectedType(v)
	}
	return nil, fmt.Errorf("%v does not fit the column's signedness (unsigned=%t)", v, col.Unsigned)
}

// sqlFloat narrows the float64 go-mysql widens a FLOAT to; the binary
// protocol sent 4 bytes, so nothing is lost.
func sqlFloat(v any) (any, error) {
	f, ok := v.(float64)
	if !ok {
		return nil, unexpectedType(v)
	}
	f32 := float32(f)
	if float64(f32) != f && !math.IsNaN(f) {
		return nil, fmt.Errorf("%v is not a float32 (was the text protocol used?)", f)
	}
	return float32(PositiveZero(f)), nil
}

// sqlBit reads BIT(n) as the protocol sends it: ceil(n/8) big-endian bytes.
func sqlBit(col *layout.Column, b []byte) (any, error) {
	if len(b) > 8 {
		return nil, fmt.Errorf("%d bytes for a bit value, at most 8", len(b))
	}
	var u uint64
	for _, c := range b {
		u = u<<8 | uint64(c)
	}
	return checkBit(col, u)
}

// sqlEnum checks that a label is a member, or the invalid value "".
func sqlEnum(col *layout.Column, b []byte) (any, error) {
	label, err := Decode(col.Charset, b)
	if err != nil || label == "" {
		return label, err
	}
	for _, m := range col.Members {
		if m == label {
			return label, nil
		}
	}
	return nil, fmt.Errorf("%q is not a member", label)
}

// sqlSet rebuilds a set's text from its bitmask, so the labels come out in
// definition order whatever order the server used.
func sqlSet(col *layout.Column, b []byte) (any, error) {
	text, err := Decode(col.Charset, b)
	if err != nil || text == "" {
		return text, err
	}
	var mask uint64
	for _, label := range strings.Split(text, ",") {
		j := memberIndex(col.Members, label)
		if j < 0 || j >= 64 {
			return nil, fmt.Errorf("%q is not a member", label)
		}
		mask |= 1 << j
	}
	return setLabels(col, mask)
}

func memberIndex(members []string, label string) int {
	for j, m := range members {
		if m == label {
			return j
		}
	}
	return -1
}
