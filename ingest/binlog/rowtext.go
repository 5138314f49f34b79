package binlog

import (
	"encoding/binary"
	"errors"
	"strconv"
	"time"
)

// The text go-mysql gives for decimal and temporal binlog values (under
// ConfigureParser's settings), built into a reused buffer instead of a new
// string. Canonical's appendDecimalText and appendTemporalText then turn it
// into the canonical value, exactly as they do go-mysql's strings.

var errBadDecimal = errors.New("malformed decimal")

// decimalBytes is the stored size of each count of leftover digits.
var decimalBytes = [10]int{0, 1, 1, 2, 2, 3, 3, 4, 4, 4}

// rawDecimal appends a binary DECIMAL(prec, dec) as go-mysql's decodeDecimal
// spells it, and returns its stored length.
func rawDecimal(dst, data []byte, prec, dec int) ([]byte, int, error) {
	const perWord = 9
	integral := prec - dec
	fullInt, fullFrac := integral/perWord, dec/perWord
	leftInt, leftFrac := integral-fullInt*perWord, dec-fullFrac*perWord
	size := fullInt*4 + decimalBytes[leftInt] + fullFrac*4 + decimalBytes[leftFrac]
	if size == 0 || size > 64 {
		return dst, 0, errBadDecimal
	}
	if len(data) < size {
		return dst, 0, errShortRow
	}
	var buf [64]byte
	v := buf[:size]
	copy(v, data)
	var mask uint32
	if v[0]&0x80 == 0 {
		mask = math32
		dst = append(dst, '-')
	}
	v[0] ^= 0x80
	word := func(pos, n int) uint32 {
		var x uint32
		for _, b := range v[pos : pos+n] {
			x = x<<8 | uint32(b^byte(mask))
		}
		return x
	}
	pos := decimalBytes[leftInt]
	leading := true
	if x := word(0, pos); x != 0 {
		leading = false
		dst = strconv.AppendUint(dst, uint64(x), 10)
	}
	var err error
	for range fullInt {
		x := binary.BigEndian.Uint32(v[pos:]) ^ mask
		pos += 4
		switch {
		case leading && x != 0:
			leading = false
			dst = strconv.AppendUint(dst, uint64(x), 10)
		case !leading:
			if dst, err = appendWord(dst, x, perWord); err != nil {
				return dst, 0, err
			}
		}
	}
	if leading {
		dst = append(dst, '0')
	}
	if pos < size {
		dst = append(dst, '.')
		for range fullFrac {
			x := binary.BigEndian.Uint32(v[pos:]) ^ mask
			pos += 4
			if dst, err = appendWord(dst, x, perWord); err != nil {
				return dst, 0, err
			}
		}
		if n := decimalBytes[leftFrac]; n > 0 {
			// Padded to leftFrac digits; more digits than that go as they are.
			dst = appendPadded(dst, uint64(word(pos, n)), leftFrac)
			pos += n
		}
	}
	return dst, pos, nil
}

const math32 = 1<<32 - 1

// appendWord appends a nine-digit group, zero padded; a larger number is
// malformed (go-mysql fails on it).
func appendWord(dst []byte, x uint32, digits int) ([]byte, error) {
	if x >= 1_000_000_000 {
		return dst, errBadDecimal
	}
	return appendPadded(dst, uint64(x), digits), nil
}

// appendPadded appends x in decimal with at least width digits, as
// fmt's %0*d does.
func appendPadded(dst []byte, x uint64, width int) []byte {
	var buf [20]byte
	s := strconv.AppendUint(buf[:0], x, 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// appendCut appends x as %06d and drops its last 6-dec characters, which is
// how go-mysql prints fractions of dec digits.
func appendCut(dst []byte, x uint64, dec int) []byte {
	start := len(dst)
	dst = appendPadded(dst, x, 6)
	if keep := len(dst) - (6 - dec); keep >= start {
		dst = dst[:keep]
	} else {
		dst = dst[:start]
	}
	return dst
}

// appendDateFields appends "%04d-%02d-%02d".
func appendDateFields(dst []byte, y, m, d uint64) []byte {
	dst = appendPadded(dst, y, 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, m, 2)
	dst = append(dst, '-')
	return appendPadded(dst, d, 2)
}

// appendClock appends "%02d:%02d:%02d".
func appendClock(dst []byte, h, m, s uint64) []byte {
	dst = appendPadded(dst, h, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, m, 2)
	dst = append(dst, ':')
	return appendPadded(dst, s, 2)
}

// appendZeroDatetime is go-mysql's formatZeroTime.
func appendZeroDatetime(dst []byte, frac uint64, dec int) []byte {
	dst = append(dst, "0000-00-00 00:00:00"...)
	if dec == 0 {
		return dst
	}
	return appendCut(append(dst, '.'), frac, dec)
}

// binlogFraction reads the fractional-second part of a *2 temporal value: its
// bytes and go-mysql's microseconds.
func binlogFraction(data []byte, dec int) uint64 {
	switch dec {
	case 1, 2:
		return uint64(data[0]) * 10000
	case 3, 4:
		return uint64(binary.BigEndian.Uint16(data)) * 100
	case 5, 6:
		return bigEndian(data[:3])
	}
	return 0
}

// rawDate appends a DATE as go-mysql spells it.
func rawDate(dst, data []byte) ([]byte, int, error) {
	if len(data) < 3 {
		return dst, 0, errShortRow
	}
	v := littleEndian(data[:3])
	if v == 0 {
		return append(dst, "0000-00-00"...), 3, nil
	}
	return appendDateFields(dst, v/(16*32), v/32%16, v%32), 3, nil
}

// rawDatetime2 appends a DATETIME(dec) as go-mysql's decodeDatetime2 spells
// it with ParseTime off.
func rawDatetime2(dst, data []byte, dec int) ([]byte, int, error) {
	n := 5 + (dec+1)/2
	if len(data) < n {
		return dst, 0, errShortRow
	}
	intPart := int64(bigEndian(data[:5])) - 0x8000000000
	frac := binlogFraction(data[5:], dec)
	if intPart == 0 {
		return appendZeroDatetime(dst, frac, dec), n, nil
	}
	tmp := intPart<<24 + int64(frac)
	if tmp < 0 {
		tmp = -tmp
	}
	ymdhms := uint64(tmp >> 24)
	ymd, hms := ymdhms>>17, ymdhms%(1<<17)
	ym := ymd >> 5
	dst = appendDateFields(dst, ym/13, ym%13, ymd%(1<<5))
	dst = append(dst, ' ')
	dst = appendClock(dst, hms>>12, (hms>>6)%(1<<6), hms%(1<<6))
	if dec > 0 {
		dst = appendCut(append(dst, '.'), frac, dec)
	}
	return dst, n, nil
}

// rawTimestamp2 appends a TIMESTAMP(dec) as go-mysql's decodeTimestamp2
// spells it, in UTC.
func rawTimestamp2(dst, data []byte, dec int) ([]byte, int, error) {
	n := 4 + (dec+1)/2
	if len(data) < n {
		return dst, 0, errShortRow
	}
	sec := int64(binary.BigEndian.Uint32(data))
	usec := binlogFraction(data[4:], dec)
	if sec == 0 {
		return appendZeroDatetime(dst, usec, dec), n, nil
	}
	t := time.Unix(sec, int64(usec)*1000).UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = appendDateFields(dst, uint64(y), uint64(mo), uint64(d))
	dst = append(dst, ' ')
	dst = appendClock(dst, uint64(h), uint64(mi), uint64(s))
	if dec > 0 {
		// time.Format's fraction: the first dec of nine digits.
		var nanos [9]byte
		appendPadded(nanos[:0], uint64(t.Nanosecond()), 9)
		dst = append(append(dst, '.'), nanos[:dec]...)
	}
	return dst, n, nil
}

// rawTime2 appends a TIME(dec) as go-mysql's decodeTime2 spells it.
func rawTime2(dst, data []byte, dec int) ([]byte, int, error) {
	n := 3 + (dec+1)/2
	if len(data) < n {
		return dst, 0, errShortRow
	}
	const intOffset, offset = 0x800000, 0x800000000000
	var tmp, intPart, frac int64
	switch dec {
	case 1, 2, 3, 4:
		// One or two bytes of fraction, in hundredths or ten-thousandths;
		// negative values store it reversed, for binary sort order.
		nb := (dec + 1) / 2
		intPart = int64(bigEndian(data[:3])) - intOffset
		frac = int64(bigEndian(data[3 : 3+nb]))
		if intPart < 0 && frac != 0 {
			intPart++
			frac -= 1 << (8 * nb)
		}
		tmp = intPart<<24 + frac*[...]int64{10000, 100}[nb-1]
	case 5, 6:
		tmp = int64(bigEndian(data[:6])) - offset
		return appendTimeOfDay(dst, tmp, dec), n, nil
	default:
		intPart = int64(bigEndian(data[:3])) - intOffset
		tmp = intPart << 24
	}
	if intPart == 0 && frac == 0 {
		return append(dst, "00:00:00"...), n, nil
	}
	return appendTimeOfDay(dst, tmp, dec), n, nil
}

// appendTimeOfDay is go-mysql's timeFormat.
func appendTimeOfDay(dst []byte, tmp int64, dec int) []byte {
	if tmp < 0 {
		tmp = -tmp
		dst = append(dst, '-')
	}
	hms := uint64(tmp >> 24)
	dst = appendClock(dst, (hms>>12)%(1<<10), (hms>>6)%(1<<6), hms%(1<<6))
	if part := uint64(tmp % (1 << 24)); part != 0 {
		dst = appendCut(append(dst, '.'), part, dec)
	}
	return dst
}
