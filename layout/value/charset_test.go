package value_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"

	"github.com/binlake/binlake/layout/value"
)

// mariadbCharsets is SHOW CHARACTER SET of MariaDB 10.11; MySQL 8 adds
// gb18030. charset_mariadb_test.go checks the list against a server.
var mariadbCharsets = []string{"armscii8", "ascii", "big5", "binary", "cp1250", "cp1251", "cp1256", "cp1257", "cp850",
	"cp852", "cp866", "cp932", "dec8", "eucjpms", "euckr", "gb2312", "gbk", "geostd8", "greek", "hebrew", "hp8",
	"keybcs2", "koi8r", "koi8u", "latin1", "latin2", "latin5", "latin7", "macce", "macroman", "sjis", "swe7", "tis620",
	"ucs2", "ujis", "utf16", "utf16le", "utf32", "utf8mb3", "utf8mb4"}

func TestEveryCharsetIsKnown(t *testing.T) {
	want := append(slices.Clone(mariadbCharsets), "gb18030")
	slices.Sort(want)
	if got := value.CharsetNames(); !slices.Equal(got, want) {
		t.Errorf("CharsetNames() = %v\nwant %v", got, want)
	}
	for _, name := range want {
		if !value.CharsetNamed(name).Known() {
			t.Errorf("%s is not known", name)
		}
	}
	if !value.CharsetNamed("utf8").Known() || value.CharsetNamed("utf8").Name != "utf8mb3" {
		t.Errorf("utf8 is not utf8mb3")
	}
	if cs := value.CharsetNamed("klingon"); cs.Known() || cs.MaxLen != 1 {
		t.Errorf("an unknown name gives %+v", cs)
	}
}

// roundTrip decodes b and encodes the text back: the text must be valid
// UTF-8 and the bytes b again, whatever b is.
func roundTrip(t *testing.T, cs string, b []byte) string {
	t.Helper()
	s, err := value.Decode(cs, b)
	if err != nil {
		t.Fatalf("%s: decode %X: %v", cs, b, err)
	}
	if !utf8.ValidString(s) {
		t.Fatalf("%s: %X decodes to invalid UTF-8 %q", cs, b, s)
	}
	_, raw, err := value.Encode(cs, s)
	if err != nil {
		t.Fatalf("%s: %X decodes to %+q, which does not encode: %v", cs, b, s, err)
	}
	if !bytes.Equal(raw, b) {
		t.Fatalf("%s: %X decodes to %+q, which encodes to %X", cs, b, s, raw)
	}
	return s
}

// Every byte, every pair of bytes, every byte after every lead byte of a
// three-byte character and random strings come back byte for byte.
func TestEveryCharsetRoundTripsAnyBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, cs := range value.CharsetNames() {
		t.Run(cs, func(t *testing.T) {
			for i := range 0x100 {
				roundTrip(t, cs, []byte{byte(i)})
				for j := range 0x100 {
					roundTrip(t, cs, []byte{byte(i), byte(j)})
				}
			}
			for _, lead := range [][]byte{{0x8F, 0xB0}, {0xF4, 0x8F}, {0xED, 0xA0}, {0xD8, 0x3D}, {0x00, 0x10}, {0x81, 0x30, 0x81}, {0x95, 0x32, 0x82}} {
				for j := range 0x100 {
					roundTrip(t, cs, append(slices.Clone(lead), byte(j)))
				}
			}
			for range 3000 {
				b := make([]byte, rng.IntN(24))
				for k := range b {
					b[k] = byte(rng.Uint32())
					if rng.IntN(3) == 0 {
						b[k] &= 0x7F
					}
				}
				roundTrip(t, cs, b)
			}
		})
	}
}

func TestCharsetsDecode(t *testing.T) {
	esc := func(b ...byte) string {
		var s strings.Builder
		for _, c := range b {
			s.WriteRune(0x10FF00 + rune(c))
		}
		return s.String()
	}
	tests := []struct {
		cs, in, want string
	}{
		{"utf8mb4", "naïve 😀", "naïve 😀"},
		{"utf8mb4", "\xff", esc(0xff)},
		{"utf8mb4", "a\xed\xa0\x80b", "a" + esc(0xed, 0xa0, 0x80) + "b"}, // a surrogate, which MariaDB stores
		{"utf8mb4", "\xc0\x80", esc(0xc0, 0x80)},
		{"utf8mb4", "\U0010ff00\U0010ffff", esc(0xf4, 0x8f, 0xbc, 0x80, 0xf4, 0x8f, 0xbf, 0xbf)},
		{"utf8mb4", "\U0010fe00", "\U0010fe00"},
		{"utf8mb3", "é€", "é€"},
		{"utf8mb3", "😀", esc(0xf0, 0x9f, 0x98, 0x80)},
		{"binary", "a\xff", "a" + esc(0xff)},
		{"ascii", "a\x80", "a" + esc(0x80)},
		{"latin1", "\x80\x81\xe9", "€\u0081é"},
		{"latin2", "\xb1\x80", "ą\u0080"},
		{"latin5", "\xfd", "ı"},
		{"latin7", "\xe0", "ą"},
		{"greek", "\xe1\xa1\xa4", "αʽ" + esc(0xa4)},
		{"hebrew", "\xe0\xaf", "א‾"},
		{"tis620", "\xa1\xa0", "ก" + esc(0xa0)},
		{"cp1250", "\x8a\x81", "Š" + esc(0x81)},
		{"cp1251", "\xc6\xe6", "Жж"},
		{"cp1256", "\xc7\x8a", "ا" + esc(0x8a)},
		{"cp1257", "\xe0", "ą"},
		{"cp850", "\x80", "Ç"},
		{"cp852", "\xa5", "ą"},
		{"cp866", "\x80\xfc", "Аⁿ"},
		{"koi8r", "\xc1", "а"},
		{"koi8u", "\xa4\x95", "є•"},
		{"macroman", "\x80", "Ä"},
		{"macce", "\x81", "Ā"},
		{"dec8", "\xd7\xa4", "Œ" + esc(0xa4)},
		{"hp8", "\xa1", "À"},
		{"swe7", "[a]", "ÄaÅ"},
		{"armscii8", "\xb2\xa4", "Ա" + esc(0xa4)}, // 0xA4 is a second ')'
		{"geostd8", "\xc0", "ა"},
		{"keybcs2", "\x80", "Č"},
		{"ucs2", "\x00a\x04\x16", "aЖ"},
		{"ucs2", "\xd8\x3d\xde\x00", esc(0xd8, 0x3d, 0xde, 0x00)},
		{"utf16", "\xd8\x3d\xde\x00\x00a", "😀a"},
		{"utf16", "\xdc\x00\x00a", esc(0xdc, 0x00) + "a"},
		{"utf16le", "\x3d\xd8\x00\xdea\x00", "😀a"},
		{"utf32", "\x00\x01\xf6\x00", "😀"},
		{"utf32", "\x00\x11\x00\x00", esc(0x00, 0x11, 0x00, 0x00)},
		{"big5", "\xa4\xa4\xa1\x45", "中•"},      // MySQL's big5: 0xA145 is U+2022
		{"big5", "\x87\x40", esc(0x87) + "@"},   // HKSCS, not MySQL's big5
		{"sjis", "\x82\xa0\xb1\x81\x60", "あｱ〜"}, // 0x8160 is WAVE DASH in sjis
		{"sjis", "\x85\x40\x81", esc(0x85, 0x40, 0x81)},
		{"sjis", "\x81\x5f\x5c", esc(0x81, 0x5f) + "\\"},
		{"cp932", "\x81\x60\x87\x40\xf0\x40", "～①\ue000"}, // ... FULLWIDTH TILDE, NEC row 13, user-defined area
		{"cp932", "\xfa\x54", esc(0xfa, 0x54)},            // IBM's second spelling of ￢ (0x81CA)
		{"ujis", "\xa4\xa2\x8e\xb1\x8f\xb0\xa1", "あｱ丂"},
		{"eucjpms", "\xad\xa1", "①"},
		{"euckr", "\xc7\xd1\x81\x41", "한갂"},
		{"gb2312", "\xd6\xd0\xa1\xa4", "中・"},
		{"gbk", "\xd6\xd0\x81\x40\x80", "中丂" + esc(0x80)},
		{"gb18030", "\xd6\xd0\x94\x39\xfc\x36\x81\x30\x81\x30", "中😀\u0080"},
	}
	for _, tt := range tests {
		if got := roundTrip(t, tt.cs, []byte(tt.in)); got != tt.want {
			t.Errorf("%s %X: got %+q, want %+q", tt.cs, tt.in, got, tt.want)
		}
	}
}

// The Unicode sets agree with x/text on valid text.
func TestUnicodeCharsetsMatchXText(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	sets := map[string]encoding.Encoding{
		"utf16":   unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM),
		"utf16le": unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM),
		"utf32":   utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM),
		"ucs2":    unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM),
	}
	for cs, enc := range sets {
		for range 2000 {
			var s strings.Builder
			for range rng.IntN(8) {
				r := rune(rng.IntN(0x110000))
				if cs == "ucs2" {
					r &= 0xFFFF
				}
				if r >= 0xD800 && r <= 0xDFFF || value.IsEscape(r) || r == 0xFEFF {
					continue
				}
				s.WriteRune(r)
			}
			want, err := enc.NewEncoder().String(s.String())
			if err != nil {
				t.Fatal(err)
			}
			_, raw, err := value.Encode(cs, s.String())
			if err != nil || string(raw) != want {
				t.Fatalf("%s %+q: Encode gives %X, %v; x/text %X", cs, s.String(), raw, err, want)
			}
			if got := roundTrip(t, cs, raw); got != s.String() {
				t.Fatalf("%s %X: Decode gives %+q, want %+q", cs, raw, got, s.String())
			}
		}
	}
}

func TestEncodeRefusesTextNoBytesDecodeTo(t *testing.T) {
	tests := []struct{ cs, s string }{
		{"latin1", "中"},
		{"ascii", "é"},
		{"sjis", "①"}, // cp932 only
		{"ucs2", "😀"},
		{"utf8mb3", "😀"},
		{"cp932", "￢\U0010fffa\U0010ff54"},                    // fine so far ...
		{"sjis", "\U0010ff82\U0010ffa0"},                      // ... but these escapes spell あ
		{"utf8mb4", "\U0010ffc3\U0010ffa9"},                   // and these é
		{"utf16", "\U0010ffd8\U0010ff3d\U0010ffde\U0010ff00"}, // and these 😀
		{"utf8mb4", "\xff"},                                   // not UTF-8
		{"klingon", "a"},
	}
	for _, tt := range tests[:5] {
		if _, raw, err := value.Encode(tt.cs, tt.s); err == nil {
			t.Errorf("%s %+q: got %X, want an error", tt.cs, tt.s, raw)
		}
	}
	if _, _, err := value.Encode(tests[5].cs, tests[5].s); err != nil {
		t.Errorf("%s %+q: %v", tests[5].cs, tests[5].s, err)
	}
	for _, tt := range tests[6:] {
		if _, raw, err := value.Encode(tt.cs, tt.s); err == nil {
			t.Errorf("%s %+q: got %X, want an error", tt.cs, tt.s, raw)
		}
	}
}

func TestPlainUTF8(t *testing.T) {
	for _, tt := range []struct {
		in       string
		mb4, mb3 bool
	}{
		{"", true, true},
		{"plain ascii text, long enough for a word", true, true},
		{"naïve € ☃", true, true},
		{"smile 😀 here", true, false},
		{"escape \U0010ff41 here", false, false},
		{"\U0010fe00", false, false}, // plane 16 takes Decode's slower path
		{"\U000ffffd", true, false},
		{strings.Repeat("x", 15) + "\U0001F600", true, false},
		{strings.Repeat("x", 15) + "\xff", false, false},
		{"surrogate \xed\xa0\x80", false, false},
		{"cut \xc3", false, false},
	} {
		if got := value.PlainUTF8([]byte(tt.in), false); got != tt.mb4 {
			t.Errorf("utf8mb4 %+q: %t", tt.in, got)
		}
		if got := value.PlainUTF8([]byte(tt.in), true); got != tt.mb3 {
			t.Errorf("utf8mb3 %+q: %t", tt.in, got)
		}
	}
}

// FuzzPlainUTF8: text the ingest fast path stores as it is must be valid
// UTF-8 and its own canonical form, and text without characters from
// U+100000 up that is its own canonical form takes the fast path.
func FuzzPlainUTF8(f *testing.F) {
	f.Add([]byte("abcdefgh\xc3\xa9\xf0\x9f\x98\x80\xf4\x8f\xbc\xbf\xed\xa0\x80"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, cs := range []string{"utf8mb4", "utf8mb3"} {
			plain := value.PlainUTF8(b, cs == "utf8mb3")
			s, _ := value.Decode(cs, b)
			if plain && (s != string(b) || !utf8.Valid(b)) || !plain && s == string(b) && !hasPlane16(b) {
				t.Fatalf("%s %X: PlainUTF8 %t, Decode gives %+q", cs, b, plain, s)
			}
		}
	})
}

func hasPlane16(b []byte) bool {
	return bytes.ContainsFunc(b, func(r rune) bool { return r >= 0x100000 })
}

// FuzzCharset: any bytes decode to valid UTF-8 that encodes back to the
// same bytes; any text that encodes decodes back to itself.
func FuzzCharset(f *testing.F) {
	names := value.CharsetNames()
	for k := range names {
		f.Add(uint8(k), []byte("a\x82\xa0\xff\xed\xa0\x80\xf4\x8f\xbc\x80\x00"))
	}
	f.Fuzz(func(t *testing.T, k uint8, b []byte) {
		cs := names[int(k)%len(names)]
		roundTrip(t, cs, b)
		if !utf8.Valid(b) {
			return
		}
		if _, raw, err := value.Encode(cs, string(b)); err == nil {
			if s, _ := value.Decode(cs, raw); s != string(b) {
				t.Fatalf("%s: %+q encodes to %X, which decodes to %+q", cs, b, raw, s)
			}
		}
	})
}
