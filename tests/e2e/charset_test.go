package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/layout/value"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/query/patch"
	"github.com/binlake/binlake/query/render"
	"github.com/binlake/binlake/tests/testenv"
)

// TestEveryCharsetExact keeps a table for every character set the server
// lists, each with text of that set: its characters (every one of a
// single-byte set, a spread of a multi-byte one, supplementary ones of the
// Unicode sets) and sequences binlake cannot decode but MariaDB stores
// (unassigned codes, second spellings, UTF-8 of surrogates, escape code
// points). The rows arrive both ways, in the initial snapshot and through
// the binlog; as-of (the library and the CLI) must give the server's bytes
// (SELECT HEX(col)) and, where it decodes, the server's text; a revert and
// a restore, applied to the server, must bring its bytes back exactly.
func TestEveryCharsetExact(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	dir := t.TempDir()
	st, err := filestore.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.Connect(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	context.AfterFunc(ctx, func() { c.Close() })
	mustExec(t, c, "SET NAMES utf8mb4", "CREATE DATABASE "+database)

	tables, err := charsetTables(c)
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, tb := range tables {
		mustExec(t, c, tb.ddl())
		mustExec(t, c, tb.inserts(0)...)
		summary = append(summary, fmt.Sprintf("%s %d/%d", tb.cs, len(tb.units), tb.odd))
	}
	t.Logf("characters/undecodable of each set: %s", strings.Join(summary, ", "))
	lake := &charsetLake{t: t, ctx: ctx, db: db, store: st, dir: dir, conn: c, tables: tables}

	// The snapshot path, then the binlog path: new rows, an update, a delete.
	e := lake.catchUp()
	snapshotCommit := e.Chain.LastCommit()
	atSnapshot := lake.serverState()
	for _, tb := range tables {
		mustExec(t, c, tb.inserts(1000)...)
		mustExec(t, c, "UPDATE "+tb.name()+" SET v = ch, ch = v WHERE id = 1", "DELETE FROM "+tb.name()+" WHERE id = 2")
	}
	e = lake.catchUp()
	good := lake.serverState()
	lake.check(e, fmt.Sprint(snapshotCommit), atSnapshot)
	lake.checkSQL(nil, "HEAD", good) // through the CLI

	// A transaction over every table, undone by a revert patch.
	mustExec(t, c, "BEGIN")
	for _, tb := range tables {
		mustExec(t, c, "UPDATE "+tb.name()+" SET v = t, t = v, e = 2 WHERE id % 2 = 1",
			"DELETE FROM "+tb.name()+" WHERE id % 3 = 0")
		mustExec(t, c, tb.inserts(2000)[:1]...)
	}
	mustExec(t, c, "COMMIT")
	gtid, err := lastGTID(c)
	if err != nil {
		t.Fatal(err)
	}
	e = lake.catchUp()
	var buf bytes.Buffer
	if _, err := patch.Revert(ctx, e, patch.RevertOptions{Commits: []string{gtid}, Store: "test"}, &buf); err != nil {
		t.Fatalf("revert %s: %v", gtid, err)
	}
	lake.apply("revert", buf.Bytes(), good)

	// Tables truncated or dropped, restored by a patch.
	e = lake.catchUp()
	goodRef := fmt.Sprint(e.Chain.LastCommit())
	var refs []layout.TableRef
	for k, tb := range tables {
		refs = append(refs, layout.TableRef{DB: database, Table: tb.table()})
		if k%2 == 0 {
			mustExec(t, c, "TRUNCATE TABLE "+tb.name())
		} else {
			mustExec(t, c, "DROP TABLE "+tb.name())
		}
	}
	e = lake.catchUp()
	buf.Reset()
	if _, err := patch.Restore(ctx, e, patch.RestoreOptions{From: "HEAD", To: goodRef, Tables: refs, Store: "test"}, &buf); err != nil {
		t.Fatalf("restore: %v", err)
	}
	lake.apply("restore", buf.Bytes(), good)
	lake.checkSQL(lake.catchUp(), "HEAD", good)
}

// charsetTable is the table of one character set and the text it holds.
type charsetTable struct {
	cs     string
	units  [][]byte // characters (and undecodable sequences) of cs, as the server delimits them
	odd    int      // how many of the units binlake keeps as escapes
	member []byte   // a third ENUM member: a non-ASCII character of cs
}

func (tb *charsetTable) table() string { return "cs_" + tb.cs }
func (tb *charsetTable) name() string  { return database + "." + tb.table() }

func (tb *charsetTable) ddl() string {
	if tb.cs == "binary" {
		return "CREATE TABLE " + tb.name() + " (id INT PRIMARY KEY, v VARBINARY(400), t BLOB, ch BINARY(24), " +
			"e ENUM('a','b') CHARACTER SET binary)"
	}
	member := ""
	if tb.member != nil {
		member = fmt.Sprintf(", X'%X'", tb.member)
	}
	return fmt.Sprintf("CREATE TABLE %s (id INT PRIMARY KEY, v VARCHAR(100) CHARACTER SET %[2]s, t TEXT CHARACTER SET %[2]s, "+
		"ch CHAR(6) CHARACTER SET %[2]s, e ENUM('a','b'%[3]s) CHARACTER SET %[2]s COLLATE %[2]s_bin)", tb.name(), tb.cs, member)
}

// inserts writes the units in rows from id base+1: v holds 20 units, t 40,
// ch the first 6, e a member or NULL.
func (tb *charsetTable) inserts(base int) []string {
	lit := func(units [][]byte) string {
		if tb.cs == "binary" {
			return fmt.Sprintf("X'%X'", bytes.Join(units, nil))
		}
		return fmt.Sprintf("_%s X'%X'", tb.cs, bytes.Join(units, nil))
	}
	var out []string
	for k, at := 0, 0; at < len(tb.units); k, at = k+1, at+20 {
		chunk := tb.units[at:min(at+20, len(tb.units))]
		more := tb.units[min(at+20, len(tb.units)):min(at+60, len(tb.units))]
		text := "NULL"
		if k%4 != 3 {
			text = lit(append(slices.Clone(chunk), more...))
		}
		enum := []string{"NULL", "1", "2", "3"}[k%4]
		if tb.member == nil && enum == "3" {
			enum = "2"
		}
		out = append(out, fmt.Sprintf("INSERT INTO %s VALUES (%d, %s, %s, %s, %s)", tb.name(), base+k+1,
			lit(chunk), text, lit(chunk[:min(6, len(chunk))]), enum))
	}
	return out
}

// charsetTables builds the tables' text from what the server says of every
// sequence of each set (see serverUnits), and of every set SHOW CHARACTER
// SET lists.
func charsetTables(c *client.Conn) ([]*charsetTable, error) {
	r, err := c.Execute("SELECT CHARACTER_SET_NAME, MAXLEN FROM information_schema.CHARACTER_SETS ORDER BY 1")
	if err != nil {
		return nil, err
	}
	if err := fillProbes(c); err != nil {
		return nil, err
	}
	var out []*charsetTable
	for i := range r.RowNumber() {
		cs, _ := r.GetString(i, 0)
		maxLen, _ := r.GetInt(i, 1)
		if !value.CharsetNamed(cs).Known() {
			return nil, fmt.Errorf("the server's character set %s is unknown to binlake", cs)
		}
		tb := &charsetTable{cs: cs}
		if err := tb.pickUnits(c, int(maxLen)); err != nil {
			return nil, fmt.Errorf("%s: %w", cs, err)
		}
		out = append(out, tb)
	}
	return out, nil
}

// fillProbes writes every byte, every two bytes from a high byte and every
// EUC-JP three-byte sequence to a temporary table (not in the binlog).
func fillProbes(c *client.Conn) error {
	if _, err := c.Execute("CREATE TEMPORARY TABLE test.probe (id INT PRIMARY KEY, b VARBINARY(3))"); err != nil {
		return err
	}
	var rows []string
	add := func(b ...byte) {
		rows = append(rows, fmt.Sprintf("(%d, X'%X')", len(rows), b))
	}
	for i := range 0x100 {
		add(byte(i))
	}
	for i := 0x80; i < 0x100; i++ {
		for j := range 0x100 {
			add(byte(i), byte(j))
		}
	}
	for i := 0xA1; i < 0xFF; i++ {
		for j := 0xA1; j < 0xFF; j += 7 {
			add(0x8F, byte(i), byte(j))
		}
	}
	for at := 0; at < len(rows); at += 5000 {
		if _, err := c.Execute("INSERT INTO test.probe VALUES " + strings.Join(rows[at:min(at+5000, len(rows))], ",")); err != nil {
			return err
		}
	}
	return nil
}

// unicodeText are characters for the Unicode sets: BMP ones, supplementary
// ones, U+FFFD, and two of the code points binlake's escapes use, which it
// must escape in turn.
var unicodeText = []rune("aZ '\\é€Жあ中한\u00a0\ufffd😀𝄞𠀀\U0010fffd\U0010ff41\U0010ffff")

// pickUnits chooses the set's text: from the probes for the legacy sets,
// from unicodeText for the Unicode ones; plus undecodable sequences.
func (tb *charsetTable) pickUnits(c *client.Conn, maxLen int) error {
	add := func(b []byte) {
		s, _ := value.Decode(tb.cs, b)
		if strings.ContainsFunc(s, value.IsEscape) {
			tb.odd++
		} else if tb.member == nil && strings.ContainsFunc(s, func(r rune) bool { return r > 0x7F }) {
			tb.member = b
		}
		tb.units = append(tb.units, b)
	}
	switch tb.cs {
	case "binary":
		for i := range 0x100 {
			add([]byte{byte(i)})
		}
		return nil
	case "utf8mb4", "utf8mb3", "ucs2", "utf16", "utf16le", "utf32":
		for _, r := range unicodeText {
			if b := encodeRune(tb.cs, r); b != nil {
				add(b)
			}
		}
		for _, h := range map[string][]string{"utf8mb4": {"EDA080", "EDBFBF"}, "utf8mb3": {"EDA080"}, "ucs2": {"D800", "DFFF"},
			"utf32": {"0000D800"}}[tb.cs] {
			b, _ := hex.DecodeString(h)
			add(b)
		}
		return nil
	}
	res, err := c.Execute(fmt.Sprintf("SELECT b, CONVERT(b USING %[1]s) = b, CHAR_LENGTH(CONVERT(b USING %[1]s)) "+
		"FROM test.probe WHERE LENGTH(b) <= %[2]d ORDER BY id", tb.cs, maxLen))
	if err != nil {
		return err
	}
	var valid, odd [][]byte
	for i := range res.RowNumber() {
		b, _ := res.GetString(i, 0)
		kept, _ := res.GetInt(i, 1)
		n, _ := res.GetInt(i, 2)
		if kept != 1 || n != 1 {
			continue // not one well-formed character: MariaDB would not store it
		}
		if s, _ := value.Decode(tb.cs, []byte(b)); strings.ContainsFunc(s, value.IsEscape) {
			odd = append(odd, []byte(b))
		} else if len(b) > 1 || b[0] >= 0x80 {
			valid = append(valid, []byte(b))
		}
	}
	for _, b := range []string{"a", "Z", " ", "'", "\\"} {
		add([]byte(b))
	}
	for _, b := range spread(valid, 160) {
		add(b)
	}
	for k, b := range spread(odd, 24) {
		add(b)
		add([]byte{'a' + byte(k%26)}) // an undecodable sequence followed by ASCII
	}
	return nil
}

// spread picks at most n of list, evenly.
func spread(list [][]byte, n int) [][]byte {
	if len(list) <= n {
		return list
	}
	out := make([][]byte, n)
	for k := range out {
		out[k] = list[k*len(list)/n]
	}
	return out
}

func encodeRune(cs string, r rune) []byte {
	switch cs {
	case "utf8mb3":
		if r > 0xFFFF {
			return nil
		}
		fallthrough
	case "utf8mb4":
		return []byte(string(r))
	case "ucs2":
		if r > 0xFFFF {
			return nil
		}
		return []byte{byte(r >> 8), byte(r)}
	case "utf16", "utf16le":
		var b []byte
		for _, u := range utf16.Encode([]rune{r}) {
			if cs == "utf16" {
				b = append(b, byte(u>>8), byte(u))
			} else {
				b = append(b, byte(u), byte(u>>8))
			}
		}
		return b
	}
	return []byte{byte(r >> 24), byte(r >> 16), byte(r >> 8), byte(r)}
}

// charsetLake is the primary and the lake that follows it.
type charsetLake struct {
	t      *testing.T
	ctx    context.Context
	db     *testenv.MariaDB
	store  layout.Store
	dir    string
	conn   *client.Conn
	tables []*charsetTable
}

func (l *charsetLake) catchUp() *query.Engine {
	l.t.Helper()
	if err := ingestOnce(l.ctx, l.db, l.store); err != nil {
		l.t.Fatalf("ingest: %v", err)
	}
	chain, err := catalog.Open(l.ctx, l.store)
	if err != nil {
		l.t.Fatal(err)
	}
	cache, err := cache.New(l.t.TempDir(), l.store)
	if err != nil {
		l.t.Fatal(err)
	}
	return &query.Engine{Chain: chain, Cache: cache}
}

// cellState is one table's contents: by id, each column's bytes in hex
// ("NULL" for NULL) and, where the server converts it, its text.
type cellState map[string]map[int64][]string

var charsetColumns = []string{"v", "t", "ch", "e"}

// serverState reads every table's bytes and, converted to utf8mb4, text.
func (l *charsetLake) serverState() cellState {
	l.t.Helper()
	out := cellState{}
	for _, tb := range l.tables {
		var sel []string
		for _, col := range charsetColumns {
			sel = append(sel, "IFNULL(HEX("+col+"), 'NULL')")
		}
		for _, col := range charsetColumns {
			sel = append(sel, "CONVERT("+col+" USING utf8mb4)")
		}
		r, err := l.conn.Execute("SELECT id, " + strings.Join(sel, ", ") + " FROM " + tb.name() + " ORDER BY id")
		if err != nil {
			l.t.Fatal(err)
		}
		rows := map[int64][]string{}
		for i := range r.RowNumber() {
			id, _ := r.GetInt(i, 0)
			row := make([]string, 2*len(charsetColumns))
			for k := range row {
				row[k], _ = r.GetString(i, k+1)
			}
			rows[id] = row
		}
		out[tb.table()] = rows
	}
	return out
}

// check compares the lake's tables at ref with the server's state: bytes
// always, text where the lake's value has no escapes.
func (l *charsetLake) check(e *query.Engine, ref string, want cellState) {
	l.t.Helper()
	for _, tb := range l.tables {
		got, err := e.AsOfRows(l.ctx, query.AsOfOptions{Table: layout.TableRef{DB: database, Table: tb.table()}, At: ref})
		if err != nil {
			l.t.Fatalf("as-of %s at %s: %v", tb.name(), ref, err)
		}
		rows := map[int64][]any{}
		for _, row := range got.Rows {
			rows[row[0].(int64)] = row[1:]
		}
		l.compare(fmt.Sprintf("%s at %s", tb.name(), ref), got.Schema.Columns[1:], rows, want[tb.table()])
	}
}

func (l *charsetLake) compare(what string, cols []layout.Column, got map[int64][]any, want map[int64][]string) {
	l.t.Helper()
	if len(got) != len(want) {
		l.t.Errorf("%s: the lake has %d rows, the server %d", what, len(got), len(want))
	}
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			l.t.Errorf("%s: row %d is missing", what, id)
			continue
		}
		for k, col := range cols {
			h, text := cellHex(l.t, &col, g[k])
			if h != w[k] {
				l.t.Errorf("%s row %d %s: the lake's %+q is bytes %s, the server has %s", what, id, col.Name, g[k], h, w[k])
			} else if text != nil && !strings.ContainsFunc(*text, value.IsEscape) && *text != w[len(cols)+k] {
				l.t.Errorf("%s row %d %s: the lake reads %+q, the server %+q", what, id, col.Name, *text, w[len(cols)+k])
			}
		}
	}
}

// cellHex is a canonical value's bytes in hex, and its text for text.
func cellHex(t *testing.T, col *layout.Column, v any) (string, *string) {
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case []byte:
		return fmt.Sprintf("%X", x), nil
	case string:
		_, raw, err := value.Encode(col.Charset, x)
		if err != nil {
			t.Errorf("column %s: %+q does not encode: %v", col.Name, x, err)
		}
		return fmt.Sprintf("%X", raw), &x
	}
	t.Errorf("column %s: unexpected %T", col.Name, v)
	return "", nil
}

// checkSQL reads every table at ref with one DuckDB query in `binlake sql
// --format jsonl` (through the CLI when e is nil): the JSON strings, encoded
// back, must be the server's bytes. And DuckDB itself, with
// docs/FORMAT.md's expression, must give a UTF-8 column's bytes.
func (l *charsetLake) checkSQL(e *query.Engine, ref string, want cellState) {
	l.t.Helper()
	var parts []string
	for _, tb := range l.tables {
		if tb.cs != "binary" { // its BLOBs do not UNION with text; as-of checks it
			parts = append(parts, fmt.Sprintf("SELECT '%s' AS tb, id, v, t, ch, e FROM %s", tb.table(), tb.name()))
		}
	}
	got := map[string]map[int64][]any{}
	for _, line := range l.sql(e, ref, strings.Join(parts, " UNION ALL ")+" ORDER BY tb, id") {
		var row struct {
			TB, V, T, CH, E *string
			ID              int64
		}
		if err := json.Unmarshal(line, &row); err != nil {
			l.t.Fatalf("binlake sql output %q: %v", line, err)
		}
		if got[*row.TB] == nil {
			got[*row.TB] = map[int64][]any{}
		}
		cells := []any{}
		for _, p := range []*string{row.V, row.T, row.CH, row.E} {
			if p == nil {
				cells = append(cells, nil)
			} else {
				cells = append(cells, *p)
			}
		}
		got[*row.TB][row.ID] = cells
	}
	for _, tb := range l.tables {
		if tb.cs == "binary" {
			continue
		}
		cols := make([]layout.Column, len(charsetColumns))
		for k, name := range charsetColumns {
			cols[k] = layout.Column{Name: name, Charset: tb.cs}
		}
		l.compare(fmt.Sprintf("binlake sql %s at %s", tb.name(), ref), cols, got[tb.table()], want[tb.table()])
	}

	const formatBytes = `unhex(array_to_string(list_transform(string_split(v, ''), c ->
  CASE WHEN unicode(c) BETWEEN 1113856 AND 1114111 THEN printf('%02X', unicode(c) - 1113856)
       ELSE hex(encode(c)) END), ''))`
	for _, cs := range []string{"utf8mb4", "utf8mb3"} {
		lines := l.sql(e, ref, "SELECT id, coalesce(hex("+formatBytes+"), 'NULL') AS h FROM "+database+".cs_"+cs)
		for _, line := range lines {
			var row struct {
				ID int64
				H  string
			}
			if err := json.Unmarshal(line, &row); err != nil {
				l.t.Fatalf("binlake sql output %q: %v", line, err)
			}
			if w := want["cs_"+cs][row.ID][0]; row.H != w {
				l.t.Errorf("cs_%s row %d: FORMAT.md's DuckDB expression gives bytes %s, the server has %s", cs, row.ID, row.H, w)
			}
		}
		if len(lines) != len(want["cs_"+cs]) {
			l.t.Errorf("cs_%s: DuckDB read %d rows, the server has %d", cs, len(lines), len(want["cs_"+cs]))
		}
	}
}

// sql runs `binlake sql --format jsonl` at ref, through the CLI when e is
// nil, and returns its lines.
func (l *charsetLake) sql(e *query.Engine, ref, q string) [][]byte {
	l.t.Helper()
	var out bytes.Buffer
	if e != nil {
		if err := e.SQL(l.ctx, query.SQLOptions{At: ref, SQL: q}, render.Output{Format: render.FormatJSONL, W: &out}); err != nil {
			l.t.Fatalf("sql at %s: %v", ref, err)
		}
	} else {
		cmd := exec.CommandContext(l.ctx, binlakeBinary(l.t), "--store", "file://"+l.dir, "--cache", l.t.TempDir(),
			"sql", "--at", ref, "--format", "jsonl", q)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			l.t.Fatalf("binlake sql: %v\n%s", err, stderr.String())
		}
	}
	var lines [][]byte
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, slices.Clone(sc.Bytes()))
	}
	return lines
}

// apply runs a patch on the server and compares its tables with want.
func (l *charsetLake) apply(what string, sql []byte, want cellState) {
	l.t.Helper()
	rep, err := patch.Apply(l.ctx, bytes.NewReader(sql), patch.ApplyOptions{
		Target: patch.Target{Addr: l.db.Addr(), User: l.db.User, Password: l.db.Password}})
	if err != nil {
		l.t.Fatalf("apply the %s: %v\n%s", what, err, clip(string(sql), 4000))
	}
	l.t.Logf("%s: %d statements, %d rows", what, rep.Executed, rep.Rows)
	got := l.serverState()
	for _, tb := range l.tables {
		for id, w := range want[tb.table()] {
			if g := got[tb.table()][id]; !slices.Equal(g[:len(charsetColumns)], w[:len(charsetColumns)]) {
				l.t.Errorf("after the %s, %s row %d is %v, want %v", what, tb.name(), id, g, w)
			}
		}
		if len(got[tb.table()]) != len(want[tb.table()]) {
			l.t.Errorf("after the %s, %s has %d rows, want %d", what, tb.name(), len(got[tb.table()]), len(want[tb.table()]))
		}
	}
}

func mustExec(t *testing.T, c *client.Conn, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := c.Execute(q); err != nil {
			t.Fatalf("%s: %v", clip(q, 300), err)
		}
	}
}
