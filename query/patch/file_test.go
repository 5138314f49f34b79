package patch_test

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/binlake/binlake/query/patch"
)

func samplePatch(t testing.TB) []byte {
	var buf bytes.Buffer
	h := &patch.Header{Kind: "revert", Store: "file:///lake", Source: "mariadb server_id=1",
		Commits:    []patch.Commit{{N: 42, GTID: "0-1-42", Time: time.Date(2026, 11, 22, 14, 2, 0, 0, time.UTC)}},
		Head:       &patch.Commit{N: 57, GTID: "0-1-57"},
		Created:    time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC),
		Tables:     []string{"shop.orders"},
		OnConflict: "skip",
		Conflicts:  []string{"skipped: shop.orders id=7 column qty: the reverted commit left 2, commit 50 changed it to 3"},
	}
	pw, err := patch.NewWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	steps := []error{
		pw.Write(patch.Statement{SQL: "CREATE TABLE `shop`.`x` (\n  `a` int NOT NULL\n)", Expect: -1, Undo: "DROP TABLE `shop`.`x`", Note: "shop.x: create"}),
		pw.Begin(),
		pw.Write(patch.Statement{SQL: "UPDATE `shop`.`orders` SET `note` = _utf8mb4'a;b -- c' WHERE `id` = 5", Expect: 1, Note: "shop.orders id=5: restore"}),
		pw.Write(patch.Statement{SQL: "DELETE FROM `shop`.`log` WHERE `m` = X'3b27' LIMIT 2", Expect: 2, Note: "shop.log m=X'3b27': delete 2 equal rows"}),
		pw.Commit(),
		pw.Write(patch.Statement{SQL: "DROP TABLE `shop`.`y`", Expect: -1}),
		pw.Close(),
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestPatchFileRoundTrip(t *testing.T) {
	b := samplePatch(t)
	t.Logf("patch:\n%s", b)
	pr, err := patch.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	h := pr.Header()
	if h.Kind != "revert" || h.Store != "file:///lake" || len(h.Commits) != 1 || h.Commits[0].GTID != "0-1-42" ||
		h.Commits[0].Time.Hour() != 14 || h.Head == nil || h.Head.N != 57 || h.OnConflict != "skip" ||
		len(h.Conflicts) != 1 || !strings.Contains(h.Conflicts[0], "id=7") || h.Created.IsZero() {
		t.Errorf("header read back as %+v", h)
	}
	var got []patch.Statement
	for {
		st, err := pr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		st.Line = 0
		got = append(got, *st)
	}
	check := func(n int) string {
		return "SET @binlake_check = (SELECT 1 FROM (SELECT 1 UNION ALL SELECT 2) AS binlake_check WHERE ROW_COUNT() <> " + string(rune('0'+n)) + ")"
	}
	want := []patch.Statement{
		{SQL: "SET NAMES utf8mb4", Expect: -1},
		{SQL: patch.PatchSessionSQL[1], Expect: -1},
		{SQL: patch.PatchSessionSQL[2], Expect: -1},
		{SQL: "CREATE TABLE `shop`.`x` (\n  `a` int NOT NULL\n)", Expect: -1, Undo: "DROP TABLE `shop`.`x`"},
		{SQL: "START TRANSACTION", Expect: -1},
		{SQL: "UPDATE `shop`.`orders` SET `note` = _utf8mb4'a;b -- c' WHERE `id` = 5", Expect: 1, Note: "shop.orders id=5: restore"},
		{SQL: check(1), Expect: -1},
		{SQL: "DELETE FROM `shop`.`log` WHERE `m` = X'3b27' LIMIT 2", Expect: 2, Note: "shop.log m=X'3b27': delete 2 equal rows"},
		{SQL: check(2), Expect: -1},
		{SQL: "COMMIT", Expect: -1},
		{SQL: "DROP TABLE `shop`.`y`", Expect: -1},
	}
	if !reflect.DeepEqual(got, want) {
		for i := range max(len(got), len(want)) {
			if i >= len(got) || i >= len(want) || !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("statement %d:\n got %+v\nwant %+v", i, at(got, i), at(want, i))
			}
		}
	}
	if !pr.Complete() {
		t.Error("the trailer was not seen")
	}
}

func at(s []patch.Statement, i int) any {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}

func TestPatchFileQuotingAndComments(t *testing.T) {
	src := "-- binlake patch, format 1\n--\n" +
		"/* block; comment */ SELECT 'a'';b', \"c\\\";d\", `e``;f`, 1--1;\n" +
		"# hash comment; with semicolon\n" +
		"-- expect 3: note: with colons\n" +
		"DELETE FROM t -- trailing comment; here\n WHERE a = 'x\\';y';\n"
	pr, err := patch.NewReader(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	st, err := pr.Next()
	if err != nil {
		t.Fatal(err)
	}
	if want := "/* block; comment */ SELECT 'a'';b', \"c\\\";d\", `e``;f`, 1--1"; st.SQL != want || st.Line != 3 {
		t.Errorf("first statement: %q at line %d, want %q at line 3", st.SQL, st.Line, want)
	}
	st, err = pr.Next()
	if err != nil {
		t.Fatal(err)
	}
	if want := "DELETE FROM t -- trailing comment; here\n WHERE a = 'x\\';y'"; st.SQL != want || st.Expect != 3 || st.Note != "note: with colons" || st.Line != 6 {
		t.Errorf("second statement: %+v", st)
	}
	if _, err := pr.Next(); err != io.EOF {
		t.Errorf("got %v, want EOF", err)
	}
	if pr.Complete() {
		t.Error("complete without a trailer")
	}
}

func TestPatchFileRefusesCutShort(t *testing.T) {
	b := samplePatch(t)
	trailer := bytes.Index(b, []byte("-- end of binlake patch"))
	for _, cut := range []int{10, len(b) / 2, trailer - 1, trailer + 5} {
		pr, err := patch.NewReader(bytes.NewReader(b[:cut]))
		if err != nil {
			continue // cut inside the header
		}
		for {
			_, err = pr.Next()
			if err != nil {
				break
			}
		}
		if err == io.EOF && pr.Complete() {
			t.Errorf("cut at %d of %d bytes: read as complete", cut, len(b))
		}
	}
	if _, err := patch.NewReader(strings.NewReader("UPDATE t SET a = 1;\n")); err == nil {
		t.Error("a file without the binlake header was read")
	}
	if _, err := patch.NewReader(strings.NewReader("-- binlake patch, format 9\n")); err == nil {
		t.Error("a newer format was read")
	}
}

// FuzzPatchReader: the reader decodes files from outside; it must never
// panic, and statements it returns must not be empty.
func FuzzPatchReader(f *testing.F) {
	f.Add(samplePatch(f))
	f.Add([]byte("-- binlake patch, format 1\n-- kind: x\n--\nSELECT ';\n"))
	f.Add([]byte("-- binlake patch, format 1\n/* unclosed"))
	f.Add([]byte("-- binlake patch, format 1\n-- expect -1: x\nDO 1;\n-- expect 99999999999999999999: x\nDO 1;"))
	f.Add([]byte("-- binlake patch, format 1\n-- commit: 1 time=bad\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pr, err := patch.NewReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		for i := 0; i < 10000; i++ {
			st, err := pr.Next()
			if err != nil {
				return
			}
			if strings.TrimSpace(st.SQL) == "" || st.Expect < -1 {
				t.Fatalf("statement %+v", st)
			}
		}
	})
}
