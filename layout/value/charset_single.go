package value

import (
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// The character sets of one byte a character. Each is the standard table
// golang.org/x/text has for it with the bytes where MySQL's table differs
// fixed, or, for the sets x/text does not have, a table of binlake's own
// (bytes 0x80..0xFF). MariaDB 10.11's own conversion of every byte is the
// reference (charset_mariadb_test.go compares them all). A byte MySQL maps
// to no character, or to U+FFFD, or to a character another byte already
// spells (armscii8's copies of ASCII punctuation) decodes to nothing: it
// is escaped.
var (
	latin1 = latin1Codec{}
	ascii  = ownTable("")
	swe7   = ownTable("", // 7-bit Swedish: letters where ASCII has punctuation
		run{0x40, 'É', 1}, run{0x5B, 'Ä', 1}, run{0x5C, 'Ö', 1}, run{0x5D, 'Å', 1}, run{0x5E, 'Ü', 1},
		run{0x60, 'é', 1}, run{0x7B, 'ä', 1}, run{0x7C, 'ö', 1}, run{0x7D, 'å', 1}, run{0x7E, 'ü', 1}, run{0x7F, none, 1})

	cp1250   = fromCharmap(charmap.Windows1250)
	cp1251   = fromCharmap(charmap.Windows1251)
	cp1256   = fromCharmap(charmap.Windows1256, run{0x8A, none, 1}, run{0x8F, none, 1}, run{0x98, none, 1}, run{0x9A, none, 1}, run{0x9F, none, 1}, run{0xAA, none, 1}, run{0xC0, none, 1}, run{0xFF, none, 1})
	cp1257   = fromCharmap(charmap.Windows1257)
	cp850    = fromCharmap(charmap.CodePage850)
	cp852    = fromCharmap(charmap.CodePage852)
	cp866    = fromCharmap(charmap.CodePage866, run{0xFC, 'ⁿ', 1}, run{0xFD, '²', 1})
	koi8r    = fromCharmap(charmap.KOI8R)
	koi8u    = fromCharmap(charmap.KOI8U, run{0x95, '•', 1}, run{0xAE, '╝', 1}, run{0xBE, '╬', 1})
	latin2   = fromCharmap(charmap.ISO8859_2, c1Controls)
	latin5   = fromCharmap(charmap.ISO8859_9)
	latin7   = fromCharmap(charmap.ISO8859_13, c1Controls)
	macroman = fromCharmap(charmap.Macintosh)
	// greek is ISO 8859-7:1987: no €, ₯, ͺ, and modifier letters for the quotes.
	greek = fromCharmap(charmap.ISO8859_7, c1Controls, run{0xA1, 'ʽ', 1}, run{0xA2, 'ʼ', 1}, run{0xA4, none, 2}, run{0xAA, none, 1})
	// hebrew is ISO 8859-8:1988, with the overline at 0xAF.
	hebrew = fromCharmap(charmap.ISO8859_8, c1Controls, run{0xAF, '‾', 1})
	// tis620 is x/text's Windows-874 without Microsoft's additions.
	tis620 = fromCharmap(charmap.Windows874, c1Controls, run{0xA0, none, 1})

	// Bytes 0x80..0xFF of the sets x/text does not have; U+FFFD is none.
	dec8 = ownTable("\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f" +
		"\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009a\u009b\u009c\u009d\u009e\u009f" +
		"\u00a0¡¢£\ufffd¥\ufffd§¤©ª«\ufffd\ufffd\ufffd\ufffd°±²³\ufffdµ¶·\ufffd¹º»¼½\ufffd¿" +
		"ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏ\ufffdÑÒÓÔÕÖŒØÙÚÛÜŸ\ufffdßàáâãäåæçèéêëìíîï\ufffdñòóôõöœøùúûüÿ\ufffd\ufffd")
	hp8 = ownTable("\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f" +
		"\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009a\u009b\u009c\u009d\u009e\u009f" +
		"\u00a0ÀÂÈÊËÎÏ´ˋˆ¨˜ÙÛ₤¯Ýý°ÇçÑñ¡¿¤£¥§ƒ¢âêôûáéóúàèòùäëöüÅîØÆåíøæÄìÖÜÉïßÔ" +
		"ÁÃãÐðÍÌÓÒÕõŠšÚŸÿÞþ·µ¶¾—¼½ªº«■»±\ufffd")
	armscii8 = ownTable("\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f" +
		"\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009a\u009b\u009c\u009d\u009e\u009f" +
		"\u00a0❁§։\ufffd\ufffd»«—\ufffd՝\ufffd\ufffd՟…՜՛՞ԱաԲբԳգԴդԵեԶզԷէԸըԹթԺժԻիԼլԽխԾծԿկՀհՁձՂղՃճՄմՅյՆնՇշՈոՉչՊպՋջՌռՍսՎվՏտՐրՑցՒւՓփՔքՕօՖֆ’\ufffd")
	geostd8 = ownTable("€\ufffd‚\ufffd„…†‡\ufffd‰\ufffd‹\ufffd\ufffd\ufffd\ufffd\ufffd‘’“”•–—\ufffd\ufffd\ufffd›\ufffd\ufffd\ufffd\ufffd" +
		"\u00a0¡¢£¤¥¦§¨©ª«¬\u00ad®¯°±²³´µ¶·¸¹º»¼½¾¿აბგდევზჱთიკლმნჲოპჟრსტჳუფქღყშჩცძწჭხჴჯჰჵ" +
		"\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd№\ufffd\ufffd")
	keybcs2 = ownTable("ČüéďäĎŤčěĚĹÍľĺÄÁÉžŽôöÓůÚýÖÜŠĽÝŘťáíóúňŇŮÔšřŕŔ¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐" +
		"└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0")
	macce = ownTable("ÄĀāÉĄÖÜáąČäčĆćéŹźĎíďĒēĖóėôöõúĚěü†°Ę£§•¶ß®©™ę¨≠ģĮįĪ≤≥īĶ∂∑łĻļĽľĹĺŅņŃ¬√ńŇ∆«»…" +
		"\u00a0ňŐÕőŌ–—“”‘’÷◊ōŔŕŘ‹›řŖŗŠ‚„šŚśÁŤťÍŽžŪÓÔūŮÚůŰűŲųÝýķŻŁżĢˇ")
)

// none in a run: the bytes decode to nothing.
const none = -1

// run maps n consecutive byte sequences from seq (big-endian, the last
// byte counting up) to n consecutive characters from r, or (r none) to
// nothing.
type run struct {
	seq uint32
	r   rune
	n   uint16
}

// c1Controls maps 0x80..0x9F to the C1 controls, as MySQL's ISO 8859 sets
// do (x/text leaves them undefined).
var c1Controls = run{0x80, 0x80, 32}

// singleByte is a character set of one byte a character, its table built
// on first use.
type singleByte struct {
	table func() *byteTable
}

type byteTable struct {
	dec      [256]rune // none for a byte that decodes to nothing
	enc      map[rune]byte
	asciiAll bool // bytes 0..0x7F are ASCII
}

func fromCharmap(cm *charmap.Charmap, fix ...run) *singleByte {
	return &singleByte{table: sync.OnceValue(func() *byteTable {
		var dec [256]rune
		for b := range dec {
			dec[b] = cm.DecodeByte(byte(b))
		}
		return newByteTable(dec, fix)
	})}
}

// ownTable is ASCII below 0x80 and high's 128 characters above.
func ownTable(high string, fix ...run) *singleByte {
	return &singleByte{table: sync.OnceValue(func() *byteTable {
		var dec [256]rune
		for b := range 0x80 {
			dec[b] = rune(b)
		}
		for b := 0x80; b < 0x100; b++ {
			dec[b] = utf8.RuneError
		}
		b := 0x80
		for _, r := range high {
			dec[b] = r
			b++
		}
		return newByteTable(dec, fix)
	})}
}

func newByteTable(dec [256]rune, fix []run) *byteTable {
	for _, f := range fix {
		for k := range rune(f.n) {
			if f.r == none {
				dec[f.seq+uint32(k)] = none
			} else {
				dec[f.seq+uint32(k)] = f.r + k
			}
		}
	}
	t := &byteTable{enc: make(map[rune]byte, 256), asciiAll: true}
	for b, r := range dec {
		if _, dup := t.enc[r]; r == utf8.RuneError || dup {
			r = none // a second spelling would make decoding lose which one it was
		}
		t.dec[b] = r
		if r != none {
			t.enc[r] = byte(b)
		}
		if b < 0x80 && r != rune(b) {
			t.asciiAll = false
		}
	}
	return t
}

func (s *singleByte) next(b []byte) (rune, int, bool) {
	r := s.table().dec[b[0]]
	return r, 1, r != none
}

func (s *singleByte) appendRune(dst []byte, r rune) ([]byte, bool) {
	b, ok := s.table().enc[r]
	if !ok {
		return dst, false
	}
	return append(dst, b), true
}

func (s *singleByte) ascii() bool { return s.table().asciiAll }

// latin1Codec is MySQL's latin1, which is Windows-1252 with the five bytes
// 1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) mapped to the C1
// controls of the same number, so every byte has its own character.
type latin1Codec struct{}

func (latin1Codec) next(b []byte) (rune, int, bool) { return latin1Rune(b[0]), 1, true }

func (latin1Codec) appendRune(dst []byte, r rune) ([]byte, bool) {
	b, ok := latin1Byte(r)
	if !ok {
		return dst, false
	}
	return append(dst, b), true
}

func (latin1Codec) ascii() bool { return true }

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

// AppendLatin1 appends MySQL latin1 text as UTF-8 (see latin1Codec): the
// ingest fast path, the same as Decode("latin1", src).
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
