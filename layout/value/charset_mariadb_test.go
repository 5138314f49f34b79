package value_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/binlake/binlake/layout/value"
	"github.com/binlake/binlake/tests/testenv"
)

// TestCharsetsMatchMariaDB compares the decoding of every character set
// with MariaDB's own conversion, sequence by sequence: every byte, every
// two bytes from a high byte, every three bytes after 0x8F (EUC-JP), and
// chosen sequences of the Unicode sets. Where the server makes one
// well-formed character of a sequence and converts it to a Unicode
// character, Decode must give that character; where it converts it to
// nothing ('?' or U+FFFD), or it is the second spelling of a character,
// Decode must keep its bytes as escapes; where the server finds no
// character, Decode must escape something.
func TestCharsetsMatchMariaDB(t *testing.T) {
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := db.Connect(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	context.AfterFunc(ctx, func() { c.Close() })

	r, err := c.Execute("SELECT CHARACTER_SET_NAME, MAXLEN FROM information_schema.CHARACTER_SETS ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	maxLen := map[string]int{}
	for i := range r.RowNumber() {
		name, _ := r.GetString(i, 0)
		n, _ := r.GetInt(i, 1)
		names, maxLen[name] = append(names, name), int(n)
		if cs := value.CharsetNamed(name); !cs.Known() || cs.MaxLen != int(n) {
			t.Errorf("the server's %s (maxlen %d) is %+v to binlake", name, n, cs)
		}
	}
	if !slices.Equal(names, mariadbCharsets) {
		t.Errorf("SHOW CHARACTER SET lists %v\nthe unit tests know %v", names, mariadbCharsets)
	}
	if err := fillSequences(c); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if name == "binary" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			checkCharsetAgainstServer(t, c, name, maxLen[name])
		})
	}
}

// unicodeSequences are sequences of the Unicode sets worth asking the
// server about: UTF-8 of a surrogate (which MariaDB stores), overlong and
// too-large UTF-8, the escape code points, UTF-16 pairs and UTF-32 edges.
var unicodeSequences = []string{
	"EDA080", "EDBFBF", "C080", "E08080", "F08F8080", "F0908080", "F09F9880", "F48FBC80", "F48FBFBF", "F4908080",
	"EFBFBD", "EFBFBF", "D83DDE00", "DBFFDFFF", "DC00D800", "D800D800", "3DD800DE", "0001F600", "0010FFFF",
	"00110000", "0000D800", "FFFFFFFF", "0010FF41",
}

// fillSequences writes the sequences to test.seqs.
func fillSequences(c *client.Conn) error {
	if _, err := c.Execute("CREATE TABLE test.seqs (id INT PRIMARY KEY, b VARBINARY(4))"); err != nil {
		return err
	}
	var rows []string
	id := 0
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		_, err := c.Execute("INSERT INTO test.seqs VALUES " + strings.Join(rows, ","))
		rows = rows[:0]
		return err
	}
	add := func(b ...byte) error {
		id++
		rows = append(rows, fmt.Sprintf("(%d, X'%X')", id, b))
		if len(rows) == 4000 {
			return flush()
		}
		return nil
	}
	var err error
	for i := range 0x100 {
		err = add(byte(i))
	}
	for i := 0x80; i < 0x100 && err == nil; i++ {
		for j := range 0x100 {
			err = add(byte(i), byte(j))
		}
	}
	for i := 0xA1; i < 0xFF && err == nil; i++ {
		for j := 0xA1; j < 0xFF; j++ {
			err = add(0x8F, byte(i), byte(j))
		}
	}
	for _, h := range unicodeSequences {
		b, _ := hex.DecodeString(h)
		err = add(b...)
	}
	if err != nil {
		return err
	}
	return flush()
}

var unicodeSet = map[string]bool{"utf8mb3": true, "utf8mb4": true, "ucs2": true, "utf16": true, "utf16le": true, "utf32": true}

// serverChar is what the server makes of one sequence.
type serverChar struct {
	b    []byte
	kept bool // well formed: converting from binary kept the bytes
	n    int  // characters
	r    rune // the Unicode character, or -1 for none
}

func checkCharsetAgainstServer(t *testing.T, c *client.Conn, cs string, maxLen int) {
	res, err := c.Execute(fmt.Sprintf("SELECT HEX(b), HEX(CONVERT(b USING %[1]s)), CHAR_LENGTH(CONVERT(b USING %[1]s)), "+
		"HEX(CONVERT(CONVERT(b USING %[1]s) USING utf32)) FROM test.seqs WHERE LENGTH(b) <= %[2]d ORDER BY id", cs, maxLen))
	if err != nil {
		t.Fatal(err)
	}
	var seqs []serverChar
	spellings := map[rune][]string{}
	for i := range res.RowNumber() {
		h, _ := res.GetString(i, 0)
		conv, _ := res.GetString(i, 1)
		n, _ := res.GetInt(i, 2)
		u, _ := res.GetString(i, 3)
		b, _ := hex.DecodeString(h)
		s := serverChar{b: b, kept: conv == h, n: int(n), r: -1}
		if cp, err := strconv.ParseUint(u, 16, 32); err == nil && len(u) == 8 && (cp != '?' || h == "3F") {
			s.r = rune(cp)
		}
		switch {
		case s.r >= 0xD800 && s.r <= 0xDFFF:
			s.r = -1 // MariaDB's ucs2 and UTF-8 hold surrogates, which are no characters
		case s.r == 0xFFFD && !unicodeSet[cs]:
			s.r = -1 // the legacy tables' "no character"
		}
		if s.kept && s.n == 1 && s.r >= 0 {
			spellings[s.r] = append(spellings[s.r], h)
		}
		seqs = append(seqs, s)
	}
	keep, err := preferredSpellings(c, cs, spellings)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, s := range seqs {
		got := roundTrip(t, cs, s.b)
		var want string
		switch {
		case !s.kept:
			if !strings.ContainsFunc(got, value.IsEscape) {
				t.Errorf("%s %X: the server finds no character, Decode gives %+q", cs, s.b, got)
				bad++
			}
			continue
		case s.n != 1:
			continue
		case s.r >= 0 && keep[s.r] == fmt.Sprintf("%X", s.b) && !value.IsEscape(s.r):
			want = string(s.r)
		default:
			want = escapes(s.b)
		}
		if got != want {
			t.Errorf("%s %X: Decode gives %+q, want %+q (the server: %U, spellings %v)", cs, s.b, got, want, s.r, spellings[s.r])
			bad++
		}
		if bad > 20 {
			t.Fatal("too many differences")
		}
	}
	t.Logf("%d sequences, %d characters", len(seqs), len(keep))
}

// preferredSpellings picks, for each character, the sequence that decodes
// to it: the only one, or of several the ASCII one, or else the one the
// server converts the character to.
func preferredSpellings(c *client.Conn, cs string, spellings map[rune][]string) (map[rune]string, error) {
	keep := map[rune]string{}
	var dups []rune
	for r, seqs := range spellings {
		switch {
		case len(seqs) == 1:
			keep[r] = seqs[0]
		case slices.ContainsFunc(seqs, func(h string) bool { return len(h) == 2 && h < "80" }):
			keep[r] = fmt.Sprintf("%02X", r)
		default:
			dups = append(dups, r)
		}
	}
	for len(dups) > 0 {
		batch := dups[:min(len(dups), 200)]
		dups = dups[len(batch):]
		cols := make([]string, len(batch))
		for i, r := range batch {
			cols[i] = fmt.Sprintf("HEX(CONVERT(_utf32 X'%08X' USING %s))", r, cs)
		}
		res, err := c.Execute("SELECT " + strings.Join(cols, ", "))
		if err != nil {
			return nil, err
		}
		for i, r := range batch {
			keep[r], _ = res.GetString(0, i)
		}
	}
	return keep, nil
}

func escapes(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		s.WriteRune(0x10FF00 + rune(c))
	}
	return s.String()
}

// TestCollationsMatchMariaDB checks the character set and name of every
// collation id the server has.
func TestCollationsMatchMariaDB(t *testing.T) {
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := db.Connect(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.Execute("SELECT ID, FULL_COLLATION_NAME, CHARACTER_SET_NAME FROM information_schema.COLLATION_CHARACTER_SET_APPLICABILITY")
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.RowNumber() {
		id, _ := r.GetUint(i, 0)
		name, _ := r.GetString(i, 1)
		cs, _ := r.GetString(i, 2)
		if got := value.CollationName(id); got != name {
			t.Errorf("collation %d: CollationName gives %q, the server %q", id, got, name)
		}
		if got, err := value.CharsetOfCollation(id); err != nil || got.Name != cs {
			t.Errorf("collation %d (%s): CharsetOfCollation gives %v, %v; the server %s", id, name, got.Name, err, cs)
		}
	}
	if r.RowNumber() < 1000 {
		t.Errorf("only %d collations", r.RowNumber())
	}
}
