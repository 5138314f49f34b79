package value

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"
)

// BinaryCollation is the id of the binary character set and collation.
const BinaryCollation = 63

// Charset is a MySQL character set: its name, the most bytes one character
// takes, and how binlake decodes and encodes it (nil for a name binlake
// does not know).
type Charset struct {
	Name   string
	MaxLen int
	codec  codec
}

// collationRanges maps collation ids to character sets, MySQL's and
// MariaDB's together (they agree on every id both use), sorted by lo.
// MariaDB numbers the NO PAD variant of collation id as id+1024 and its
// UCA 14.0.0 collations from 2048 (see CharsetOfCollation).
var collationRanges = []struct {
	lo, hi uint64
	cs     string
}{
	{1, 1, "big5"}, {2, 2, "latin2"}, {3, 3, "dec8"}, {4, 4, "cp850"}, {5, 5, "latin1"},
	{6, 6, "hp8"}, {7, 7, "koi8r"}, {8, 8, "latin1"}, {9, 9, "latin2"}, {10, 10, "swe7"},
	{11, 11, "ascii"}, {12, 12, "ujis"}, {13, 13, "sjis"}, {14, 14, "cp1251"}, {15, 15, "latin1"},
	{16, 16, "hebrew"}, {18, 18, "tis620"}, {19, 19, "euckr"}, {20, 20, "latin7"}, {21, 21, "latin2"},
	{22, 22, "koi8u"}, {23, 23, "cp1251"}, {24, 24, "gb2312"}, {25, 25, "greek"}, {26, 26, "cp1250"},
	{27, 27, "latin2"}, {28, 28, "gbk"}, {29, 29, "cp1257"}, {30, 30, "latin5"}, {31, 31, "latin1"},
	{32, 32, "armscii8"}, {33, 33, "utf8mb3"}, {34, 34, "cp1250"}, {35, 35, "ucs2"}, {36, 36, "cp866"},
	{37, 37, "keybcs2"}, {38, 38, "macce"}, {39, 39, "macroman"}, {40, 40, "cp852"}, {41, 42, "latin7"},
	{43, 43, "macce"}, {44, 44, "cp1250"}, {45, 46, "utf8mb4"}, {47, 49, "latin1"}, {50, 52, "cp1251"},
	{53, 53, "macroman"}, {54, 55, "utf16"}, {56, 56, "utf16le"}, {57, 57, "cp1256"}, {58, 59, "cp1257"},
	{60, 61, "utf32"}, {62, 62, "utf16le"}, {63, 63, "binary"}, {64, 64, "armscii8"}, {65, 65, "ascii"},
	{66, 66, "cp1250"}, {67, 67, "cp1256"}, {68, 68, "cp866"}, {69, 69, "dec8"}, {70, 70, "greek"},
	{71, 71, "hebrew"}, {72, 72, "hp8"}, {73, 73, "keybcs2"}, {74, 74, "koi8r"}, {75, 75, "koi8u"},
	{76, 76, "utf8mb3"}, {77, 77, "latin2"}, {78, 78, "latin5"}, {79, 79, "latin7"}, {80, 80, "cp850"},
	{81, 81, "cp852"}, {82, 82, "swe7"}, {83, 83, "utf8mb3"}, {84, 84, "big5"}, {85, 85, "euckr"},
	{86, 86, "gb2312"}, {87, 87, "gbk"}, {88, 88, "sjis"}, {89, 89, "tis620"}, {90, 90, "ucs2"},
	{91, 91, "ujis"}, {92, 93, "geostd8"}, {94, 94, "latin1"}, {95, 96, "cp932"}, {97, 98, "eucjpms"},
	{99, 99, "cp1250"}, {101, 124, "utf16"}, {128, 151, "ucs2"}, {159, 159, "ucs2"}, {160, 183, "utf32"},
	{192, 215, "utf8mb3"}, {223, 223, "utf8mb3"}, {224, 247, "utf8mb4"}, {248, 250, "gb18030"},
	{255, 323, "utf8mb4"}, {576, 578, "utf8mb3"}, {608, 610, "utf8mb4"}, {640, 642, "ucs2"},
	{672, 674, "utf16"}, {736, 738, "utf32"},
}

// uca1400Charsets are the character sets of MariaDB's UCA 14.0.0
// collations, whose ids are 2048 + charset<<8 + tailoring and flags.
var uca1400Charsets = []string{"utf8mb3", "utf8mb4", "ucs2", "utf16", "utf32"}

// CharsetOfCollation returns the character set of a collation id.
func CharsetOfCollation(id uint64) (Charset, error) {
	orig := id
	switch {
	case id >= 2048 && id < 2048+uint64(len(uca1400Charsets))<<8:
		return CharsetNamed(uca1400Charsets[(id-2048)>>8]), nil
	case id >= 1024 && id < 2048:
		id -= 1024 // MariaDB's NO PAD variants
	}
	k := sort.Search(len(collationRanges), func(k int) bool { return collationRanges[k].hi >= id })
	if k < len(collationRanges) && collationRanges[k].lo <= id {
		return CharsetNamed(collationRanges[k].cs), nil
	}
	return Charset{}, fmt.Errorf("unknown collation id %s: binlake does not know its character set", strconv.FormatUint(orig, 10))
}

// CharsetNamed returns the character set of a name as MySQL spells it
// ("utf8" is utf8mb3). A name binlake does not know has MaxLen 1 and no
// codec: Decode and Encode refuse it.
func CharsetNamed(name string) Charset {
	if name == "utf8" {
		name = "utf8mb3"
	}
	info, ok := charsets[name]
	if !ok {
		return Charset{Name: name, MaxLen: 1}
	}
	return Charset{Name: name, MaxLen: info.maxLen, codec: info.codec}
}

// CharsetNames lists the character sets binlake knows, sorted.
func CharsetNames() []string {
	names := make([]string, 0, len(charsets))
	for name := range charsets {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Known reports whether binlake decodes and encodes the character set.
func (cs Charset) Known() bool { return cs.codec != nil }

// charsetInfo is what binlake knows of one character set.
type charsetInfo struct {
	maxLen int
	codec  codec
}

// charsets are every character set MariaDB 10.11 and MySQL 8 list in SHOW
// CHARACTER SET. "binary" is here for ENUM and SET columns declared in it,
// whose labels binlake reads as utf8mb4.
var charsets = map[string]charsetInfo{
	"utf8mb4": {4, utf8mb4}, "utf8mb3": {3, utf8mb3}, "binary": {1, utf8mb4},
	"ucs2": {2, ucs2}, "utf16": {4, utf16be}, "utf16le": {4, utf16le}, "utf32": {4, utf32be},
	"latin1": {1, latin1}, "ascii": {1, ascii},

	"armscii8": {1, armscii8}, "cp1250": {1, cp1250}, "cp1251": {1, cp1251}, "cp1256": {1, cp1256},
	"cp1257": {1, cp1257}, "cp850": {1, cp850}, "cp852": {1, cp852}, "cp866": {1, cp866}, "dec8": {1, dec8},
	"geostd8": {1, geostd8}, "greek": {1, greek}, "hebrew": {1, hebrew}, "hp8": {1, hp8}, "keybcs2": {1, keybcs2},
	"koi8r": {1, koi8r}, "koi8u": {1, koi8u}, "latin2": {1, latin2}, "latin5": {1, latin5}, "latin7": {1, latin7},
	"macce": {1, macce}, "macroman": {1, macroman}, "swe7": {1, swe7}, "tis620": {1, tis620},

	"big5": {2, big5}, "cp932": {2, cp932}, "sjis": {2, sjis}, "eucjpms": {3, eucjpms}, "ujis": {3, ujis},
	"euckr": {2, euckr}, "gb2312": {2, gb2312}, "gbk": {2, gbk}, "gb18030": {4, gb18030},
}

// A codec decodes one character set character by character.
//
// next decodes the character at the start of b (len(b) > 0): its rune and
// length in bytes, or ok false and the number of bytes that are undecodable
// together: the bytes of a character the set has no Unicode character for,
// or 1 (a UTF-16 or UTF-32 unit) when b starts no character at all.
// Whenever next decodes r from b[:n], appendRune(r) appends exactly b[:n]:
// that is what makes decoding reversible.
//
// appendRune appends the bytes of r, or reports false when no bytes of the
// set decode to r.
//
// ascii reports whether every byte below 0x80 that starts a character is
// that ASCII character.
type codec interface {
	next(b []byte) (r rune, n int, ok bool)
	appendRune(dst []byte, r rune) ([]byte, bool)
	ascii() bool
}

// Bytes that do not decode are kept in the text as one code point each,
// escapeBase + the byte: U+10FF00..U+10FFFF, the last 256 code points of
// Unicode (private use). So that the escape never collides with text, a
// character that decodes to one of these code points is kept as the
// escapes of its bytes too. docs/FORMAT.md states the rule.
const escapeBase = 0x10FF00

// IsEscape reports whether r stands for the byte r-0x10FF00 (see
// Decode).
func IsEscape(r rune) bool { return r >= escapeBase && r <= escapeBase+0xFF }

// appendEscape appends the UTF-8 of escapeBase+c: F4 8F BC..BF 80..BF.
func appendEscape(dst []byte, c byte) []byte {
	return append(dst, 0xF4, 0x8F, 0xBC|c>>6, 0x80|c&0x3F)
}

// Decode converts text in a MySQL character set to its canonical UTF-8,
// losslessly: each character becomes its Unicode character, and each byte
// that is not part of a character binlake decodes becomes the code point
// U+10FF00 + byte (see docs/FORMAT.md, "Text"). It fails only for a
// character set binlake does not know.
func Decode(charset string, b []byte) (string, error) {
	cs := CharsetNamed(charset)
	if cs.codec == nil {
		return "", unknownCharset(charset)
	}
	if u, ok := cs.codec.(utf8Codec); ok && PlainUTF8(b, u.max == 3) {
		return string(b), nil
	}
	return string(appendDecoded(make([]byte, 0, len(b)+len(b)/2), cs.codec, b)), nil
}

// AppendDecode appends the canonical UTF-8 of text b (see Decode); cs must
// be Known.
func (cs Charset) AppendDecode(dst, b []byte) []byte {
	return appendDecoded(dst, cs.codec, b)
}

// PlainUTF8 is the ingest fast path for text of a utf8mb4 (mb3 false) or
// utf8mb3 (mb3 true) column: when it reports true, b is valid UTF-8 and its
// own canonical form (Decode gives b). It reports false for anything else,
// and for text with a character from U+100000 up (the escapes are among
// them), which Decode handles. It costs what utf8.Valid does: ASCII goes 8
// bytes at a time, and only text with other bytes is looked at further.
func PlainUTF8(b []byte, mb3 bool) bool {
	i := 0
	for ; len(b)-i >= 8; i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(b) && b[i] < 0x80; i++ {
	}
	if i == len(b) {
		return true
	}
	rest := b[i:]
	if !utf8.Valid(rest) {
		return false
	}
	if !mb3 {
		return bytes.IndexByte(rest, 0xF4) < 0
	}
	return !hasByteF0(rest)
}

// hasByteF0 reports whether b has a byte 0xF0..0xFF: in valid UTF-8, the
// start of a four-byte character.
func hasByteF0(b []byte) bool {
	i := 0
	for ; len(b)-i >= 8; i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		if w&(w<<1)&(w<<2)&(w<<3)&0x8080808080808080 != 0 {
			return true
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= 0xF0 {
			return true
		}
	}
	return false
}

func appendDecoded(dst []byte, c codec, src []byte) []byte {
	ascii := c.ascii()
	for len(src) > 0 {
		if ascii && src[0] < 0x80 {
			dst = append(dst, src[0])
			src = src[1:]
			continue
		}
		r, n, ok := c.next(src)
		if ok && !IsEscape(r) {
			dst = utf8.AppendRune(dst, r)
		} else {
			for _, b := range src[:n] {
				dst = appendEscape(dst, b)
			}
		}
		src = src[n:]
	}
	return dst
}

// Encode returns the introducer and the bytes of s, canonical text of a
// column in charset (see Decode): the column's own bytes. It fails when s
// is not the canonical form of any bytes (a character the set has no bytes
// for, or escapes that would decode differently), so what it returns always
// decodes back to s.
func Encode(charset, s string) (intro string, raw []byte, err error) {
	if charset == "" {
		charset = "utf8mb4" // MySQL's JSON
	}
	cs := CharsetNamed(charset)
	if cs.codec == nil {
		return "", nil, unknownCharset(charset)
	}
	intro = "_" + cs.Name
	if !utf8.ValidString(s) {
		return "", nil, fmt.Errorf("text is not valid UTF-8")
	}
	if u, ok := cs.codec.(utf8Codec); ok && plainUTF8(s, u.max) {
		return intro, []byte(s), nil
	}
	raw = make([]byte, 0, len(s))
	for _, r := range s {
		if IsEscape(r) {
			raw = append(raw, byte(r-escapeBase))
			continue
		}
		var ok bool
		if raw, ok = cs.codec.appendRune(raw, r); !ok {
			return "", nil, fmt.Errorf("character %U has no bytes in character set %s", r, cs.Name)
		}
	}
	if string(appendDecoded(nil, cs.codec, raw)) != s {
		return "", nil, fmt.Errorf("text %+q is not what %s bytes %X decode to (escaped bytes that form a character)", Clip(s, 40), cs.Name, raw)
	}
	return intro, raw, nil
}

func unknownCharset(name string) error {
	return fmt.Errorf("character set %q is unknown to binlake (it knows every character set of MariaDB 10.11 and MySQL 8)", name)
}
