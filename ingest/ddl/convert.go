package ddl

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/binlake/binlake/layout"
)

// canonicalValue converts a DEFAULT literal to the canonical text of the
// column's kind (see layout.Kind), as MySQL would store it.
func canonicalValue(col layout.Column, lit literal, at time.Time) (string, error) {
	if lit.kind == litNow {
		return nowValue(col, at)
	}
	switch col.Kind {
	case layout.KindInt:
		return integerValue(lit)
	case layout.KindBit:
		return bitValue(lit)
	case layout.KindFloat, layout.KindDouble:
		return floatValue(lit, col.Kind == layout.KindFloat)
	case layout.KindDecimal:
		return decimalValue(lit, col.Scale)
	case layout.KindYear:
		return yearValue(lit)
	case layout.KindDate, layout.KindDatetime, layout.KindTimestamp:
		return dateTimeValue(col, lit)
	case layout.KindTime:
		return timeValue(col, lit)
	case layout.KindEnum:
		return enumValue(col.Members, lit)
	case layout.KindSet:
		return setValue(col.Members, lit)
	case layout.KindString, layout.KindJSON:
		s := lit.asString()
		if col.Fixed {
			s = strings.TrimRight(s, " ") // CHAR values are read without trailing spaces
		}
		return s, nil
	case layout.KindBytes:
		s := lit.asString()
		if col.Fixed && len(s) < col.Width {
			s += strings.Repeat("\x00", col.Width-len(s))
		}
		return s, nil
	}
	return "", fmt.Errorf("%w: %s columns take no default", ErrValuesUnknown, col.Kind)
}

// asString is the literal as a string column stores it.
func (l literal) asString() string {
	if l.kind == litBits {
		return string(l.bits)
	}
	return l.text
}

// rational reads a numeric literal (or a string holding a number).
func (l literal) rational() (*big.Rat, error) {
	if l.kind == litBits {
		return new(big.Rat).SetInt(new(big.Int).SetBytes(l.bits)), nil
	}
	r, ok := new(big.Rat).SetString(strings.TrimSpace(l.text))
	if !ok {
		return nil, fmt.Errorf("%w: %q is not a number", errNoConversion, l.text)
	}
	return r, nil
}

// integerValue rounds half away from zero, as MySQL does.
func integerValue(lit literal) (string, error) {
	r, err := lit.rational()
	if err != nil {
		return "", err
	}
	return trimNegativeZero(r.FloatString(0)), nil
}

func bitValue(lit literal) (string, error) {
	if lit.kind == litString {
		lit = literal{kind: litBits, bits: []byte(lit.text)}
	}
	s, err := integerValue(lit)
	if err != nil {
		return "", err
	}
	if _, err := strconv.ParseUint(s, 10, 64); err != nil {
		return "", fmt.Errorf("%w: %s does not fit a BIT column", errNoConversion, s)
	}
	return s, nil
}

func floatValue(lit literal, single bool) (string, error) {
	r, err := lit.rational()
	if err != nil {
		return "", err
	}
	f, _ := r.Float64()
	if single {
		return strconv.FormatFloat(float64(float32(f)), 'g', -1, 32), nil
	}
	return strconv.FormatFloat(f, 'g', -1, 64), nil
}

func decimalValue(lit literal, scale int) (string, error) {
	r, err := lit.rational()
	if err != nil {
		return "", err
	}
	return trimNegativeZero(r.FloatString(scale)), nil
}

// trimNegativeZero turns "-0" and "-0.00" into "0" and "0.00".
func trimNegativeZero(s string) string {
	if strings.HasPrefix(s, "-") && strings.Trim(s[1:], "0.") == "" {
		return s[1:]
	}
	return s
}

// yearValue follows MySQL's YEAR conversion: 1..69 → 2001..2069, 70..99 →
// 1970..1999, and the strings "0" and "00" → 2000 where the number 0 → 0.
func yearValue(lit literal) (string, error) {
	s, err := integerValue(lit)
	if err != nil {
		return "", err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return "", fmt.Errorf("%w: %s is not a year", errNoConversion, s)
	}
	short := lit.kind != litString || len(strings.TrimSpace(lit.text)) < 4
	switch {
	case n == 0 && lit.kind == litString && short:
		n = 2000
	case n > 0 && n < 70 && short:
		n += 2000
	case n >= 70 && n < 100 && short:
		n += 1900
	}
	return strconv.Itoa(n), nil
}

// enumValue finds the member a default names (case-insensitively) or
// numbers (from 1).
func enumValue(members []string, lit literal) (string, error) {
	if lit.kind == litNumber {
		n, err := strconv.Atoi(lit.text)
		if err != nil || n < 0 || n > len(members) {
			return "", fmt.Errorf("%w: %s is not an ENUM index", errNoConversion, lit.text)
		}
		if n == 0 {
			return "", nil
		}
		return members[n-1], nil
	}
	if i := labelIndex(members, lit.asString()); i >= 0 {
		return members[i], nil
	}
	return "", fmt.Errorf("%w: %q is not a member", errNoConversion, lit.asString())
}

// setValue lists the members a default names, in definition order.
func setValue(members []string, lit literal) (string, error) {
	var mask uint64
	if lit.kind == litNumber {
		n, err := strconv.ParseUint(lit.text, 10, 64)
		if err != nil {
			return "", fmt.Errorf("%w: %s is not a SET value", errNoConversion, lit.text)
		}
		mask = n
	} else if s := lit.asString(); s != "" {
		for _, label := range strings.Split(s, ",") {
			i := labelIndex(members, label)
			if i < 0 {
				return "", fmt.Errorf("%w: %q is not a member", errNoConversion, label)
			}
			mask |= 1 << i
		}
	}
	var out []string
	for i, m := range members {
		if mask&(1<<i) != 0 {
			out = append(out, m)
		}
	}
	return strings.Join(out, ","), nil
}

func labelIndex(members []string, label string) int {
	label = strings.TrimRight(label, " ")
	for i, m := range members {
		if strings.EqualFold(m, label) {
			return i
		}
	}
	return -1
}
