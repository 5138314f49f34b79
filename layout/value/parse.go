package value

import (
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/binlake/binlake/layout"
)

var (
	reDecimal  = regexp.MustCompile(`^([+-]?)(\d*)(?:\.(\d*))?$`)
	reDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	reDatetime = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$`)
	reTime     = regexp.MustCompile(`^(-?\d{2,3}:\d{2}:\d{2})(?:\.(\d{1,6}))?$`)
	reBitText  = regexp.MustCompile(`^[bB]'([01]+)'$`)
)

// Parse turns the text of a value given on a command line into the
// canonical value of column c (see layout.Kind): integers and years as
// numbers, decimals as text with exactly the column's scale, dates and
// times with exactly its fractional digits, binary values from 0x-hex (or
// the text's bytes), BINARY(n) padded to n bytes. \N is NULL.
func Parse(c *layout.Column, text string) (any, error) {
	if text == `\N` {
		return nil, nil
	}
	bad := func(form string) error {
		return fmt.Errorf("column %s is %s: %q is not %s", c.Name, c.SQLType, text, form)
	}
	switch c.Kind {
	case layout.KindInt:
		bits := map[int]int{1: 8, 2: 16, 3: 24, 4: 32, 8: 64}[c.Width]
		if bits == 0 {
			bits = 64
		}
		if c.Unsigned {
			u, err := strconv.ParseUint(text, 10, 64)
			if err != nil || bits < 64 && u >= 1<<bits {
				return nil, bad(fmt.Sprintf("an integer from 0 to %d", uint64(math.MaxUint64)>>(64-bits)))
			}
			return u, nil
		}
		i, err := strconv.ParseInt(text, 10, 64)
		if err != nil || bits < 64 && (i < -(1<<(bits-1)) || i >= 1<<(bits-1)) {
			return nil, bad(fmt.Sprintf("an integer from %d to %d", int64(-1)<<(bits-1), int64(uint64(1)<<(bits-1)-1)))
		}
		return i, nil
	case layout.KindFloat:
		f, err := strconv.ParseFloat(text, 32)
		if err != nil {
			return nil, bad("a number like 1.5 or 1e-3")
		}
		return float32(f), nil
	case layout.KindDouble:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, bad("a number like 1.5 or 1e-3")
		}
		return f, nil
	case layout.KindDecimal:
		return parseDecimal(c, text, bad)
	case layout.KindBit, layout.KindYear:
		var u uint64
		var err error
		if m := reBitText.FindStringSubmatch(text); m != nil && c.Kind == layout.KindBit {
			u, err = strconv.ParseUint(m[1], 2, 64)
		} else if strings.HasPrefix(text, "0x") && c.Kind == layout.KindBit {
			u, err = strconv.ParseUint(text[2:], 16, 64)
		} else {
			u, err = strconv.ParseUint(text, 10, 64)
		}
		if c.Kind == layout.KindYear {
			if err != nil || u != 0 && (u < 1901 || u > 2155) {
				return nil, bad("a year: 0 or 1901 to 2155")
			}
			return int64(u), nil
		}
		if err != nil || c.Width > 0 && c.Width < 64 && u >= 1<<c.Width {
			return nil, bad(fmt.Sprintf("a %d-bit value: a number, 0x-hex or b'0101'", c.Width))
		}
		return u, nil
	case layout.KindDate:
		if !reDate.MatchString(text) {
			return nil, bad("a date YYYY-MM-DD")
		}
		return text, nil
	case layout.KindDatetime, layout.KindTimestamp:
		m := reDatetime.FindStringSubmatch(text)
		if m == nil {
			return nil, bad("a date and time YYYY-MM-DD hh:mm:ss[.ffffff]")
		}
		frac, ok := fracDigits(m[3], c.Scale)
		if !ok {
			return nil, bad(fmt.Sprintf("a time with at most %d fractional digits", c.Scale))
		}
		return m[1] + " " + m[2] + frac, nil
	case layout.KindTime:
		m := reTime.FindStringSubmatch(text)
		if m == nil {
			return nil, bad("a time [-]hh:mm:ss[.ffffff]")
		}
		frac, ok := fracDigits(m[2], c.Scale)
		if !ok {
			return nil, bad(fmt.Sprintf("a time with at most %d fractional digits", c.Scale))
		}
		return m[1] + frac, nil
	case layout.KindBytes, layout.KindGeometry:
		b := []byte(text)
		if strings.HasPrefix(text, "0x") || strings.HasPrefix(text, "0X") {
			var err error
			if b, err = hex.DecodeString(text[2:]); err != nil {
				return nil, bad("0x followed by hex digits")
			}
		}
		if c.Fixed && c.Width > len(b) {
			b = append(b, make([]byte, c.Width-len(b))...)
		}
		return b, nil
	}
	return text, nil
}

// parseDecimal normalizes a decimal to exactly the column's scale.
func parseDecimal(c *layout.Column, text string, bad func(string) error) (any, error) {
	form := fmt.Sprintf("a decimal with at most %d digits after the point", c.Scale)
	m := reDecimal.FindStringSubmatch(text)
	if m == nil || m[2] == "" && m[3] == "" {
		return nil, bad(form)
	}
	sign, ip, fp := m[1], strings.TrimLeft(m[2], "0"), m[3]
	if len(fp) > c.Scale {
		if strings.Trim(fp[c.Scale:], "0") != "" {
			return nil, bad(form)
		}
		fp = fp[:c.Scale]
	}
	fp += strings.Repeat("0", c.Scale-len(fp))
	if c.Width > 0 && len(ip) > c.Width-c.Scale {
		return nil, bad(fmt.Sprintf("a decimal with at most %d digits before the point", c.Width-c.Scale))
	}
	if ip == "" {
		ip = "0"
	}
	if sign == "+" || strings.Trim(ip+fp, "0") == "" {
		sign = ""
	}
	out := sign + ip
	if c.Scale > 0 {
		out += "." + fp
	}
	return out, nil
}

// fraction pads or trims (zeros only) fractional-second digits to scale.
func fracDigits(f string, scale int) (string, bool) {
	if len(f) > scale {
		if strings.Trim(f[scale:], "0") != "" {
			return "", false
		}
		f = f[:scale]
	}
	if scale == 0 {
		return "", true
	}
	return "." + f + strings.Repeat("0", scale-len(f)), true
}
