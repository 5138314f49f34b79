package value

import (
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// The East Asian character sets. Each has the shape MySQL gives its
// characters (which lead bytes take which trail bytes: a byte outside the
// shape starts no character and is escaped alone) and a table of what the
// characters decode to, built on first use from golang.org/x/text's
// decoder with the places MySQL's table differs fixed (the runs in
// charset_multi_fix.go). x/text follows the WHATWG encodings, which are
// supersets: its Shift_JIS is Windows-31J, its EUC-KR is Windows-949, its
// GBK has the GB18030 additions, its Big5 is Big5-HKSCS; MySQL's sjis,
// ujis, gb2312 and big5 hold less, and map a few characters differently
// (sjis 0x8160 is U+301C WAVE DASH, not U+FF5E). MariaDB 10.11's own
// conversion of every sequence is the reference (charset_mariadb_test.go).
var (
	big5    = newMultiByte(big5Shape, 0, traditionalchinese.Big5, big5Fix)
	sjis    = newMultiByte(sjisShape, 0, japanese.ShiftJIS, sjisFix)
	cp932   = newMultiByte(sjisShape, 0, japanese.ShiftJIS, cp932Fix)
	ujis    = newMultiByte(eucjpShape, 0x8F, japanese.EUCJP, ujisFix)
	eucjpms = newMultiByte(eucjpShape, 0x8F, japanese.EUCJP, eucjpmsFix)
	euckr   = newMultiByte(euckrShape, 0, korean.EUCKR, nil)
	gb2312  = newMultiByte(gb2312Shape, 0, simplifiedchinese.GBK, gb2312Fix)
	gbk     = newMultiByte(gbkShape, 0, simplifiedchinese.GBK, gbkFix)
	gb18030 = &gb18030Codec{multiByte: newMultiByte(gb18030Shape, 0, simplifiedchinese.GB18030, nil)}
)

func in(c, lo, hi byte) bool { return c >= lo && c <= hi }

// A shape returns the length of the character b starts (len(b) > 0), or 0
// when b starts none (a byte the set does not use, a lead byte without its
// trail bytes).
type shape func(b []byte) int

func big5Shape(b []byte) int {
	switch c := b[0]; {
	case c < 0x80:
		return 1
	case in(c, 0xA1, 0xF9) && len(b) > 1 && (in(b[1], 0x40, 0x7E) || in(b[1], 0xA1, 0xFE)):
		return 2
	}
	return 0
}

// sjisShape is Shift JIS and cp932: half-width katakana at 0xA1..0xDF.
func sjisShape(b []byte) int {
	switch c := b[0]; {
	case c < 0x80 || in(c, 0xA1, 0xDF):
		return 1
	case (in(c, 0x81, 0x9F) || in(c, 0xE0, 0xFC)) && len(b) > 1 && (in(b[1], 0x40, 0x7E) || in(b[1], 0x80, 0xFC)):
		return 2
	}
	return 0
}

// eucjpShape is EUC-JP (ujis, eucjpms): JIS X 0208 in two bytes,
// half-width katakana after 0x8E, JIS X 0212 in three bytes after 0x8F.
func eucjpShape(b []byte) int {
	switch c := b[0]; {
	case c < 0x80:
		return 1
	case len(b) < 2:
		return 0
	case c == 0x8E:
		if in(b[1], 0xA1, 0xDF) {
			return 2
		}
	case c == 0x8F:
		if len(b) > 2 && in(b[1], 0xA1, 0xFE) && in(b[2], 0xA1, 0xFE) {
			return 3
		}
	case in(c, 0xA1, 0xFE) && in(b[1], 0xA1, 0xFE):
		return 2
	}
	return 0
}

// euckrShape is EUC-KR with the Windows-949 (UHC) trail bytes, which
// MySQL's euckr accepts.
func euckrShape(b []byte) int {
	switch c := b[0]; {
	case c < 0x80:
		return 1
	case in(c, 0x81, 0xFE) && len(b) > 1 && (in(b[1], 0x41, 0x5A) || in(b[1], 0x61, 0x7A) || in(b[1], 0x81, 0xFE)):
		return 2
	}
	return 0
}

func gb2312Shape(b []byte) int {
	switch c := b[0]; {
	case c < 0x80:
		return 1
	case in(c, 0xA1, 0xF7) && len(b) > 1 && in(b[1], 0xA1, 0xFE):
		return 2
	}
	return 0
}

func gbkShape(b []byte) int {
	switch c := b[0]; {
	case c < 0x80:
		return 1
	case in(c, 0x81, 0xFE) && len(b) > 1 && (in(b[1], 0x40, 0x7E) || in(b[1], 0x80, 0xFE)):
		return 2
	}
	return 0
}

// gb18030Shape is GBK's shape plus four-byte characters: 81..FE 30..39
// 81..FE 30..39.
func gb18030Shape(b []byte) int {
	if n := gbkShape(b); n > 0 {
		return n
	}
	if len(b) > 3 && in(b[0], 0x81, 0xFE) && in(b[1], 0x30, 0x39) && in(b[2], 0x81, 0xFE) && in(b[3], 0x30, 0x39) {
		return 4
	}
	return 0
}

// multiByte is a character set of one to three bytes a character.
type multiByte struct {
	shape shape
	table func() *seqTable
}

// seqTable holds what each sequence decodes to (none for nothing) and the
// way back.
type seqTable struct {
	one   [256]rune
	two   []rune // (b0-0x80)<<8 | b1
	three []rune // b0 is lead3: (b1-0x80)<<7 | (b2-0x80)
	enc   map[rune]seq
}

// seq is a byte sequence of up to 4 bytes.
type seq struct {
	b [4]byte
	n uint8
}

// newMultiByte builds the table on first use: every sequence of the shape
// (three-byte ones only after lead3) through base's decoder, then fix.
func newMultiByte(sh shape, lead3 byte, base encoding.Encoding, fix []run) *multiByte {
	return &multiByte{shape: sh, table: sync.OnceValue(func() *seqTable {
		t := &seqTable{two: make([]rune, 0x8000), enc: map[rune]seq{}}
		if lead3 != 0 {
			t.three = make([]rune, 0x4000)
		}
		dec := base.NewDecoder()
		out := make([]byte, 32)
		decode := func(b []byte) rune {
			if sh(b) != len(b) {
				return none
			}
			dec.Reset()
			n, _, err := dec.Transform(out, b, true)
			r, size := utf8.DecodeRune(out[:n])
			if err != nil || size != n || r == utf8.RuneError {
				return none
			}
			return r
		}
		t.forEach(lead3, func(s []byte, slot *rune) { *slot = decode(s) })
		for _, f := range fix {
			for k := range uint32(f.n) {
				r := rune(none)
				if f.r != none {
					r = f.r + rune(k)
				}
				s := f.seq + k
				b := []byte{byte(s >> 16), byte(s >> 8), byte(s)}
				switch {
				case s < 0x100:
					b = b[2:]
				case s < 0x10000:
					b = b[1:]
				}
				if slot := t.slot(lead3, b); slot != nil {
					*slot = r
				}
			}
		}
		t.forEach(lead3, func(s []byte, slot *rune) {
			if _, dup := t.enc[*slot]; *slot == none || dup {
				*slot = none // a second spelling would make decoding lose which one it was
				return
			}
			var q seq
			q.n = uint8(copy(q.b[:], s))
			t.enc[*slot] = q
		})
		return t
	})}
}

// slot returns the table entry of sequence b, nil if there is none.
func (t *seqTable) slot(lead3 byte, b []byte) *rune {
	switch {
	case len(b) == 1:
		return &t.one[b[0]]
	case len(b) == 2 && b[0] >= 0x80:
		return &t.two[int(b[0]-0x80)<<8|int(b[1])]
	case len(b) == 3 && lead3 != 0 && b[0] == lead3 && b[1] >= 0x80 && b[2] >= 0x80:
		return &t.three[int(b[1]-0x80)<<7|int(b[2]-0x80)]
	}
	return nil
}

// forEach calls f for every entry in sequence order.
func (t *seqTable) forEach(lead3 byte, f func(s []byte, slot *rune)) {
	s := make([]byte, 3)
	for c := range 0x100 {
		s[0] = byte(c)
		f(s[:1], &t.one[c])
	}
	for c := 0x80; c < 0x100; c++ {
		for d := range 0x100 {
			s[0], s[1] = byte(c), byte(d)
			f(s[:2], &t.two[(c-0x80)<<8|d])
		}
	}
	if lead3 != 0 {
		for c := 0x80; c < 0x100; c++ {
			for d := 0x80; d < 0x100; d++ {
				s[0], s[1], s[2] = lead3, byte(c), byte(d)
				f(s, &t.three[(c-0x80)<<7|(d-0x80)])
			}
		}
	}
}

func (m *multiByte) next(b []byte) (rune, int, bool) {
	n := m.shape(b)
	if n == 0 {
		return 0, 1, false
	}
	t := m.table()
	var r rune
	switch n {
	case 1:
		r = t.one[b[0]]
	case 2:
		r = t.two[int(b[0]-0x80)<<8|int(b[1])]
	case 3:
		r = t.three[int(b[1]-0x80)<<7|int(b[2]-0x80)]
	default:
		return 0, n, false
	}
	return r, n, r != none
}

func (m *multiByte) appendRune(dst []byte, r rune) ([]byte, bool) {
	q, ok := m.table().enc[r]
	if !ok {
		return dst, false
	}
	return append(dst, q.b[:q.n]...), true
}

func (m *multiByte) ascii() bool { return true }

// gb18030Codec is MySQL 8's gb18030: GBK's shape and table, and four-byte
// characters decoded one at a time by x/text (whose GB18030 is the 2005
// standard as WHATWG adopted it; no MariaDB has gb18030 to compare with).
// A four-byte sequence decodes only if x/text encodes its character back
// to the same bytes.
type gb18030Codec struct{ *multiByte }

func (g *gb18030Codec) next(b []byte) (rune, int, bool) {
	if g.shape(b) != 4 {
		return g.multiByte.next(b)
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b[:4])
	r, size := utf8.DecodeRune(out)
	if err != nil || size != len(out) || r == utf8.RuneError {
		return 0, 4, false
	}
	if _, two := g.table().enc[r]; two {
		return 0, 4, false
	}
	back, err := simplifiedchinese.GB18030.NewEncoder().Bytes(out)
	if err != nil || string(back) != string(b[:4]) {
		return 0, 4, false
	}
	return r, 4, true
}

func (g *gb18030Codec) appendRune(dst []byte, r rune) ([]byte, bool) {
	if out, ok := g.multiByte.appendRune(dst, r); ok {
		return out, true
	}
	if r < 0x80 || r > utf8.MaxRune || r >= 0xD800 && r <= 0xDFFF {
		return dst, false
	}
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes(utf8.AppendRune(nil, r))
	if err != nil || len(b) != 4 {
		return dst, false
	}
	if got, n, ok := g.next(b); !ok || n != 4 || got != r {
		return dst, false
	}
	return append(dst, b...), true
}
