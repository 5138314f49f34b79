package ddl

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/binlake/binlake/layout"
)

// dateTime is a DATE, DATETIME or TIMESTAMP value; zero parts are allowed,
// as in MySQL's "0000-00-00".
type dateTime struct {
	year, month, day, hour, min, sec, nsec int
}

// nowValue is CURRENT_TIMESTAMP at the commit time, in UTC, truncated to the
// column's fractional digits as NOW(fsp) is.
func nowValue(col layout.Column, at time.Time) (string, error) {
	t := at.UTC()
	dt := dateTime{t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond()}
	dt.nsec -= dt.nsec % pow10(9-col.Scale)
	switch col.Kind {
	case layout.KindDate, layout.KindDatetime, layout.KindTimestamp:
		return dt.format(col), nil
	case layout.KindTime:
		return fmt.Sprintf("%02d:%02d:%02d", dt.hour, dt.min, dt.sec) + fraction(dt.nsec, col.Scale), nil
	}
	return "", fmt.Errorf("%w: CURRENT_TIMESTAMP for a %s column", errNoConversion, col.Kind)
}

// dateTimeValue converts a literal to a DATE, DATETIME or TIMESTAMP
// column's text. Fractional seconds beyond the column's digits are cut, as
// MariaDB does (MySQL rounds unless TIME_TRUNCATE_FRACTIONAL is set).
func dateTimeValue(col layout.Column, lit literal) (string, error) {
	dt, err := parseDateTime(lit.asString())
	if err != nil {
		return "", err
	}
	return dt.format(col), nil
}

func (dt dateTime) format(col layout.Column) string {
	s := fmt.Sprintf("%04d-%02d-%02d", dt.year, dt.month, dt.day)
	if col.Kind == layout.KindDate {
		return s
	}
	return s + fmt.Sprintf(" %02d:%02d:%02d", dt.hour, dt.min, dt.sec) + fraction(dt.nsec, col.Scale)
}

// parseDateTime reads MySQL's date and datetime literals: "YYYY-MM-DD",
// "YYYY-MM-DD hh:mm:ss[.f]" with any punctuation as delimiter and a space
// or T before the time, two-digit years, and the digit-only forms YYYYMMDD,
// YYMMDD, YYYYMMDDhhmmss and YYMMDDhhmmss[.f].
func parseDateTime(s string) (dateTime, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%w: %q is not a date or datetime", errNoConversion, s)
	whole, frac, _ := strings.Cut(s, ".")
	var parts []int
	var yearDigits int
	if strings.Trim(whole, "0") == "" && whole != "" && strings.Trim(frac, "0") == "" {
		return dateTime{}, nil // 0: the zero date
	}
	if digitsOnly(whole) {
		parts, yearDigits = digitDateParts(whole)
		if parts == nil {
			return dateTime{}, bad
		}
	} else {
		parts, frac, yearDigits = delimitedParts(s)
		if len(parts) < 3 {
			return dateTime{}, bad
		}
	}
	parts = append(parts, 0, 0, 0)
	dt := dateTime{year: parts[0], month: parts[1], day: parts[2], hour: parts[3], min: parts[4], sec: parts[5]}
	if yearDigits <= 2 {
		dt.year = twoDigitYear(dt.year)
	}
	ns, ok := fractionNanos(frac)
	if !ok || dt.month > 12 || dt.day > 31 || dt.hour > 23 || dt.min > 59 || dt.sec > 59 {
		return dateTime{}, bad
	}
	dt.nsec = ns
	return dt, nil
}

// digitDateParts splits YYYYMMDD[hhmmss] or YYMMDD[hhmmss].
func digitDateParts(s string) ([]int, int) {
	var widths []int
	switch len(s) {
	case 8:
		widths = []int{4, 2, 2}
	case 6:
		widths = []int{2, 2, 2}
	case 14:
		widths = []int{4, 2, 2, 2, 2, 2}
	case 12:
		widths = []int{2, 2, 2, 2, 2, 2}
	default:
		return nil, 0
	}
	var parts []int
	for _, w := range widths {
		n, _ := strconv.Atoi(s[:w])
		parts, s = append(parts, n), s[w:]
	}
	return parts, widths[0]
}

// delimitedParts reads the numbers of a delimited date and time and the
// fraction after the seconds.
func delimitedParts(s string) (parts []int, frac string, yearDigits int) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i := strings.LastIndexByte(s, '.'); len(fields) == 7 && i > 0 && strings.Count(s[:i], ":") == 2 {
		frac, fields = fields[6], fields[:6]
	}
	if len(fields) > 6 || len(fields) == 0 {
		return nil, "", 0
	}
	for _, f := range fields {
		n, _ := strconv.Atoi(f)
		parts = append(parts, n)
	}
	return parts, frac, len(fields[0])
}

func twoDigitYear(y int) int {
	if y < 70 {
		return 2000 + y
	}
	return 1900 + y
}

// timeValue converts a literal to a TIME column's text: "[-][D ]hh:mm[:ss][.f]"
// or the digits "[-]hhmmss[.f]", "mmss", "ss"; extra fractional digits are
// cut.
func timeValue(col layout.Column, lit literal) (string, error) {
	s := strings.TrimSpace(lit.asString())
	bad := fmt.Errorf("%w: %q is not a time", errNoConversion, s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	h, m, sec, ok := timeParts(whole)
	ns, ok2 := fractionNanos(frac)
	if !ok || !ok2 || m > 59 || sec > 59 {
		return "", bad
	}
	sign := ""
	if neg && (h != 0 || m != 0 || sec != 0 || ns >= pow10(9-col.Scale)) {
		sign = "-"
	}
	return fmt.Sprintf("%s%02d:%02d:%02d", sign, h, m, sec) + fraction(ns, col.Scale), nil
}

// timeParts reads hours, minutes and seconds of "[D ]hh:mm[:ss]" or of
// right-aligned digits.
func timeParts(s string) (h, m, sec int, ok bool) {
	days := 0
	if d, rest, found := strings.Cut(s, " "); found {
		n, err := strconv.Atoi(d)
		if err != nil {
			return 0, 0, 0, false
		}
		days, s = n, strings.TrimSpace(rest)
	}
	if strings.Contains(s, ":") {
		var nums []int
		for _, f := range strings.Split(s, ":") {
			n, err := strconv.Atoi(f)
			if err != nil {
				return 0, 0, 0, false
			}
			nums = append(nums, n)
		}
		nums = append(nums, 0)
		if len(nums) > 4 {
			return 0, 0, 0, false
		}
		return days*24 + nums[0], nums[1], nums[2], true
	}
	if !digitsOnly(s) || days != 0 {
		return 0, 0, 0, false
	}
	n, _ := strconv.Atoi(s)
	return n / 10000, n / 100 % 100, n % 100, true
}

// fractionNanos reads the digits after a decimal point as nanoseconds.
func fractionNanos(frac string) (int, bool) {
	if frac == "" {
		return 0, true
	}
	if !digitsOnly(frac) {
		return 0, false
	}
	if len(frac) > 9 {
		frac = frac[:9]
	}
	n, _ := strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
	return n, true
}

// fraction formats nanoseconds as "." and scale digits; "" for scale 0.
func fraction(nsec, scale int) string {
	if scale <= 0 {
		return ""
	}
	return "." + fmt.Sprintf("%09d", nsec)[:scale]
}

func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func pow10(n int) int {
	p := 1
	for range n {
		p *= 10
	}
	return p
}
