package value

import (
	"unicode/utf8"
)

// The Unicode character sets, decoded by hand: utf8mb4 and utf8mb3 (UTF-8
// of at most 4 or 3 bytes a character), ucs2 (UTF-16BE of the BMP),
// utf16 (UTF-16BE), utf16le and utf32 (UTF-32BE). MariaDB accepts a few
// byte sequences that are not Unicode (UTF-8 of a surrogate, ED A0 80; a
// surrogate in ucs2): they are not characters, so their bytes are escaped.
var (
	utf8mb4 = utf8Codec{max: 4}
	utf8mb3 = utf8Codec{max: 3}
	ucs2    = utf16Codec{ucs2: true}
	utf16be = utf16Codec{}
	utf16le = utf16Codec{little: true}
	utf32be = utf32Codec{}
)

type utf8Codec struct{ max int }

func (c utf8Codec) next(b []byte) (rune, int, bool) {
	r, n := utf8.DecodeRune(b)
	if r == utf8.RuneError && n <= 1 || n > c.max {
		return 0, 1, false
	}
	return r, n, true
}

func (c utf8Codec) appendRune(dst []byte, r rune) ([]byte, bool) {
	if utf8.RuneLen(r) > c.max {
		return dst, false
	}
	return utf8.AppendRune(dst, r), true
}

func (utf8Codec) ascii() bool { return true }

// plainUTF8 reports whether b is valid UTF-8 of characters of at most max
// bytes, none of them an escape (F4 8F BC..BF xx): text that is its own
// canonical form. ASCII goes 8 bytes at a time.
func plainUTF8[T ~string | ~[]byte](b T, max int) bool {
	i := 0
	for i < len(b) {
		if i+8 <= len(b) {
			w := uint64(b[i]) | uint64(b[i+1])<<8 | uint64(b[i+2])<<16 | uint64(b[i+3])<<24 |
				uint64(b[i+4])<<32 | uint64(b[i+5])<<40 | uint64(b[i+6])<<48 | uint64(b[i+7])<<56
			if w&0x8080808080808080 == 0 {
				i += 8
				continue
			}
		}
		c := b[i]
		if c < 0x80 {
			i++
			continue
		}
		r, n := decodeUTF8(b, i)
		if n == 0 || n > max || IsEscape(r) {
			return false
		}
		i += n
	}
	return true
}

// decodeUTF8 decodes the character at b[i], b[i] >= 0x80, as
// utf8.DecodeRune does, with n 0 for anything but valid UTF-8.
func decodeUTF8[T ~string | ~[]byte](b T, i int) (r rune, n int) {
	c := b[i]
	lo, hi := byte(0x80), byte(0xBF) // the range of the second byte
	switch {
	case c < 0xC2 || c > 0xF4:
		return 0, 0
	case c < 0xE0:
		n, r = 2, rune(c&0x1F)
	case c < 0xF0:
		n, r = 3, rune(c&0x0F)
		if c == 0xE0 {
			lo = 0xA0
		} else if c == 0xED {
			hi = 0x9F
		}
	default:
		n, r = 4, rune(c&0x07)
		if c == 0xF0 {
			lo = 0x90
		} else if c == 0xF4 {
			hi = 0x8F
		}
	}
	if i+n > len(b) || b[i+1] < lo || b[i+1] > hi {
		return 0, 0
	}
	for k := 1; k < n; k++ {
		x := b[i+k]
		if x < 0x80 || x > 0xBF {
			return 0, 0
		}
		r = r<<6 | rune(x&0x3F)
	}
	return r, n
}

// utf16Codec is UTF-16, big-endian unless little; ucs2 allows no
// surrogate pairs. An unpaired surrogate or a lone last byte is
// undecodable, a unit (2 bytes) at a time.
type utf16Codec struct{ little, ucs2 bool }

func (c utf16Codec) unit(b []byte) rune {
	if c.little {
		return rune(b[1])<<8 | rune(b[0])
	}
	return rune(b[0])<<8 | rune(b[1])
}

func (c utf16Codec) next(b []byte) (rune, int, bool) {
	if len(b) < 2 {
		return 0, len(b), false
	}
	u := c.unit(b)
	switch {
	case u < 0xD800 || u > 0xDFFF:
		return u, 2, true
	case c.ucs2 || u > 0xDBFF || len(b) < 4:
		return 0, 2, false
	}
	u2 := c.unit(b[2:])
	if u2 < 0xDC00 || u2 > 0xDFFF {
		return 0, 2, false
	}
	return 0x10000 + (u-0xD800)<<10 + (u2 - 0xDC00), 4, true
}

func (c utf16Codec) appendRune(dst []byte, r rune) ([]byte, bool) {
	put := func(dst []byte, u rune) []byte {
		if c.little {
			return append(dst, byte(u), byte(u>>8))
		}
		return append(dst, byte(u>>8), byte(u))
	}
	switch {
	case r < 0 || r >= 0xD800 && r <= 0xDFFF || r > utf8.MaxRune || c.ucs2 && r > 0xFFFF:
		return dst, false
	case r <= 0xFFFF:
		return put(dst, r), true
	}
	r -= 0x10000
	return put(put(dst, 0xD800+r>>10), 0xDC00+r&0x3FF), true
}

func (utf16Codec) ascii() bool { return false }

// utf32Codec is UTF-32BE: 4 bytes a character, undecodable 4 at a time.
type utf32Codec struct{}

func (utf32Codec) next(b []byte) (rune, int, bool) {
	if len(b) < 4 {
		return 0, len(b), false
	}
	u := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	if u > utf8.MaxRune || u >= 0xD800 && u <= 0xDFFF {
		return 0, 4, false
	}
	return rune(u), 4, true
}

func (utf32Codec) appendRune(dst []byte, r rune) ([]byte, bool) {
	if r < 0 || r > utf8.MaxRune || r >= 0xD800 && r <= 0xDFFF {
		return dst, false
	}
	return append(dst, byte(r>>24), byte(r>>16), byte(r>>8), byte(r)), true
}

func (utf32Codec) ascii() bool { return false }
