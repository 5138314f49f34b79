// Command charsetfix derives, from a private MariaDB (tests/testenv), where
// MySQL's tables of the East Asian character sets differ from
// golang.org/x/text's decoders, and writes them as Go source: the runs of
// layout/value/charset_multi_fix.go.
//
//	go run ./tests/tools/charsetfix -out layout/value/charset_multi_fix.go
//
// For every sequence of one, two or three (EUC-JP 0x8F) bytes it asks the
// server what the sequence is (CONVERT(b USING cs) keeps the bytes of a
// well-formed character; CHAR_LENGTH counts the characters) and which
// Unicode character it converts to; for every character with two
// spellings, which one the server converts it back to. A sequence decodes
// to the server's character, except a character the server converts to
// nothing ('?', U+FFFD) and the second spelling of a character (the ASCII
// one, else the server's, is the first): those decode to nothing. The runs
// are where that differs from x/text's decoding of the same sequence. It
// also prints, for the single-byte sets, the bytes where the server differs
// from x/text's charmap, for comparison with layout/value/charset_single.go.
// layout/value's TestCharsetsMatchMariaDB checks the result.
package main

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-mysql-org/go-mysql/client"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/binlake/binlake/tests/testenv"
)

// multiByte are the East Asian sets and the x/text decoder each starts from.
var multiByte = map[string]encoding.Encoding{"big5": traditionalchinese.Big5, "cp932": japanese.ShiftJIS,
	"sjis": japanese.ShiftJIS, "eucjpms": japanese.EUCJP, "ujis": japanese.EUCJP, "euckr": korean.EUCKR,
	"gb2312": simplifiedchinese.GBK, "gbk": simplifiedchinese.GBK}

// singleByte are the single-byte sets x/text has a charmap for.
var singleByte = map[string]*charmap.Charmap{"cp850": charmap.CodePage850, "koi8r": charmap.KOI8R,
	"latin2": charmap.ISO8859_2, "hebrew": charmap.ISO8859_8, "koi8u": charmap.KOI8U, "greek": charmap.ISO8859_7,
	"cp1250": charmap.Windows1250, "latin5": charmap.ISO8859_9, "cp866": charmap.CodePage866,
	"macroman": charmap.Macintosh, "cp852": charmap.CodePage852, "latin7": charmap.ISO8859_13,
	"cp1251": charmap.Windows1251, "cp1256": charmap.Windows1256, "cp1257": charmap.Windows1257,
	"tis620": charmap.Windows874, "latin1": charmap.Windows1252}

const none = -1

func main() {
	out := flag.String("out", "", "write the Go source here (default: standard output)")
	flag.Parse()
	ctx := context.Background()
	db, err := testenv.NewMariaDB(ctx, testenv.MariaDBOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	c, err := db.Connect(ctx, "")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := fillSequences(c); err != nil {
		log.Fatal(err)
	}
	var src strings.Builder
	src.WriteString(header)
	for _, cs := range sortedKeys(multiByte) {
		server, order, err := survey(c, cs, 3)
		if err != nil {
			log.Fatalf("%s: %v", cs, err)
		}
		runs := diff(server, order, func(h string) rune { return decodeWith(multiByte[cs], h) })
		if len(runs) > 0 {
			writeRuns(&src, cs+"Fix", runs, true)
		}
	}
	for _, cs := range sortedKeys(singleByte) {
		server, order, err := survey(c, cs, 1)
		if err != nil {
			log.Fatalf("%s: %v", cs, err)
		}
		runs := diff(server, order, func(h string) rune {
			b, _ := hex.DecodeString(h)
			if r := singleByte[cs].DecodeByte(b[0]); r != utf8.RuneError {
				return r
			}
			return none
		})
		var sb strings.Builder
		writeRuns(&sb, cs, runs, false)
		fmt.Fprintf(os.Stderr, "single-byte %s", sb.String())
	}
	if *out == "" {
		fmt.Print(src.String())
		return
	}
	if err := os.WriteFile(*out, []byte(src.String()), 0o644); err != nil {
		log.Fatal(err)
	}
}

const header = `package value

// Where MySQL's East Asian tables differ from x/text's decoders (see
// charset_multi.go), as runs: sequence, first character (none: decodes to
// nothing), count. Written by tests/tools/charsetfix from MariaDB 10.11,
// which converts every sequence of each set to utf32 and every character
// back; charset_mariadb_test.go checks the result against the server. A
// character with two spellings decodes from the one the server converts it
// to (ASCII first); the other is none.
`

// fillSequences writes every byte, every two bytes from a high byte and
// every EUC-JP three-byte sequence to test.seqs.
func fillSequences(c *client.Conn) error {
	if _, err := c.Execute("CREATE TABLE test.seqs (id INT PRIMARY KEY, b VARBINARY(3))"); err != nil {
		return err
	}
	var rows []string
	add := func(b ...byte) { rows = append(rows, fmt.Sprintf("(%d, X'%X')", len(rows), b)) }
	for i := range 0x100 {
		add(byte(i))
	}
	for i := 0x80; i < 0x100; i++ {
		for j := range 0x100 {
			add(byte(i), byte(j))
		}
	}
	for i := 0xA1; i < 0xFF; i++ {
		for j := 0xA1; j < 0xFF; j++ {
			add(0x8F, byte(i), byte(j))
		}
	}
	for at := 0; at < len(rows); at += 5000 {
		if _, err := c.Execute("INSERT INTO test.seqs VALUES " + strings.Join(rows[at:min(at+5000, len(rows))], ",")); err != nil {
			return err
		}
	}
	return nil
}

// survey returns what the server decodes each one-character sequence of at
// most maxLen bytes to (hex of the bytes -> character or none), after the
// second spellings are made none, and the sequences in order.
func survey(c *client.Conn, cs string, maxLen int) (map[string]rune, []string, error) {
	res, err := c.Execute(fmt.Sprintf("SELECT HEX(b), HEX(CONVERT(b USING %[1]s)), CHAR_LENGTH(CONVERT(b USING %[1]s)), "+
		"HEX(CONVERT(CONVERT(b USING %[1]s) USING utf32)) FROM test.seqs WHERE LENGTH(b) <= %[2]d ORDER BY id", cs, maxLen))
	if err != nil {
		return nil, nil, err
	}
	server := map[string]rune{}
	var order []string
	spellings := map[rune][]string{}
	for i := range res.RowNumber() {
		h, _ := res.GetString(i, 0)
		conv, _ := res.GetString(i, 1)
		n, _ := res.GetInt(i, 2)
		u, _ := res.GetString(i, 3)
		if conv != h || n != 1 {
			continue // not one well-formed character
		}
		r := rune(none)
		if cp, err := strconv.ParseUint(u, 16, 32); err == nil && len(u) == 8 && (cp != '?' || h == "3F") && cp != 0xFFFD {
			r = rune(cp)
			spellings[r] = append(spellings[r], h)
		}
		server[h] = r
		order = append(order, h)
	}
	for r, seqs := range spellings {
		if len(seqs) < 2 {
			continue
		}
		keep := ""
		for _, h := range seqs {
			if len(h) == 2 && h < "80" {
				keep = h
			}
		}
		if keep == "" {
			res, err := c.Execute(fmt.Sprintf("SELECT HEX(CONVERT(_utf32 X'%08X' USING %s))", r, cs))
			if err != nil {
				return nil, nil, err
			}
			keep, _ = res.GetString(0, 0)
		}
		for _, h := range seqs {
			if h != keep {
				server[h] = none
			}
		}
	}
	return server, order, nil
}

func decodeWith(e encoding.Encoding, h string) rune {
	b, _ := hex.DecodeString(h)
	out, err := e.NewDecoder().Bytes(b)
	r, n := utf8.DecodeRune(out)
	if err != nil || n != len(out) || r == utf8.RuneError {
		return none
	}
	return r
}

type run struct {
	seq string
	r   rune
	n   int
}

// diff returns the runs of consecutive sequences (the last byte counting
// up) where the server's character differs from base's.
func diff(server map[string]rune, order []string, base func(string) rune) []run {
	var out []run
	prev := ""
	for _, h := range order {
		want := server[h]
		if base(h) == want {
			continue
		}
		k := len(out) - 1
		if k >= 0 && next(prev) == h && (out[k].r == none && want == none || out[k].r != none && out[k].r+rune(out[k].n) == want) {
			out[k].n++
		} else {
			out = append(out, run{h, want, 1})
		}
		prev = h
	}
	return out
}

func next(h string) string {
	b, _ := hex.DecodeString(h)
	b[len(b)-1]++
	return fmt.Sprintf("%X", b)
}

func writeRuns(w *strings.Builder, name string, runs []run, goVar bool) {
	if goVar {
		fmt.Fprintf(w, "\nvar %s = []run{\n", name)
	} else {
		fmt.Fprintf(w, "%s:", name)
	}
	line := "\t"
	for _, r := range runs {
		ch := "none"
		if r.r != none {
			ch = fmt.Sprintf("0x%04X", r.r)
		}
		item := fmt.Sprintf("{0x%s, %s, %d}, ", r.seq, ch, r.n)
		if goVar && len(line)+len(item) > 116 {
			w.WriteString(strings.TrimRight(line, " ") + "\n")
			line = "\t"
		}
		line += item
	}
	if goVar {
		w.WriteString(strings.TrimRight(line, " ") + "\n}\n")
	} else {
		w.WriteString(line + "\n")
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
