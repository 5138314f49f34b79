package value

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// BinaryCollation is the id of the binary character set and collation.
const BinaryCollation = 63

// Charset is a MySQL character set: its name and the most bytes one
// character takes.
type Charset struct {
	Name   string
	MaxLen int
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

// charsetBytesPerChar holds the multi-byte character sets; all others take one
// byte per character.
var charsetBytesPerChar = map[string]int{
	"big5": 2, "cp932": 2, "eucjpms": 3, "euckr": 2, "gb18030": 4, "gb2312": 2, "gbk": 2,
	"sjis": 2, "ucs2": 2, "ujis": 3, "utf16": 4, "utf16le": 4, "utf32": 4, "utf8mb3": 3, "utf8mb4": 4,
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

func CharsetNamed(name string) Charset {
	n := charsetBytesPerChar[name]
	if n == 0 {
		n = 1
	}
	return Charset{Name: name, MaxLen: n}
}

// Decode converts text in a MySQL character set to UTF-8, losslessly.
func Decode(charset string, b []byte) (string, error) {
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

// AppendLatin1 appends MySQL latin1 text as UTF-8 (see decodeLatin1).
func AppendLatin1(dst, src []byte) []byte {
	for _, c := range src {
		if c < 0x80 {
			dst = append(dst, c)
			continue
		}
		dst = utf8.AppendRune(dst, latin1Rune(c))
	}
	return dst
}

// Encode returns the introducer and the bytes of s in the column's
// character set: the inverse of ingest's Decode.
func Encode(charset, s string) (intro string, raw []byte, err error) {
	if !utf8.ValidString(s) {
		return "", nil, fmt.Errorf("text is not valid UTF-8")
	}
	switch charset {
	case "utf8mb4", "utf8mb3", "utf8", "ascii", "binary", "":
		return "_utf8mb4", []byte(s), nil
	case "latin1":
		raw, err := encodeLatin1(s)
		return "_latin1", raw, err
	}
	return "", nil, fmt.Errorf("character set %s is not supported (supported: utf8mb4, utf8mb3, ascii, latin1, binary)", charset)
}

// encodeLatin1 encodes text into MySQL's latin1 (cp1252 with the five
// undefined bytes mapped to the C1 controls of the same number).
func encodeLatin1(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		b, ok := latin1Byte(r)
		if !ok {
			return nil, fmt.Errorf("character %U has no latin1 byte", r)
		}
		out = append(out, b)
	}
	return out, nil
}

func latin1Byte(r rune) (byte, bool) {
	if r < 0x80 || r >= 0xA0 && r <= 0xFF {
		return byte(r), true
	}
	for i, h := range cp1252High {
		if h == r {
			return byte(0x80 + i), true
		}
	}
	return 0, false
}
