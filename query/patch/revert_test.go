package patch_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/catalog/chaintest"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/query/patch"
	"github.com/binlake/binlake/query/render"
)

// recChain writes a chain by hand as ingest would, with the commits'
// table counts (Revert finds the tables a commit touched through them)
// and schema changes.
type recChain struct {
	*chaintest.Builder
	t *testing.T
}

func newRecChain(t *testing.T) *recChain { return &recChain{Builder: chaintest.New(t), t: t} }

func on(s *layout.TableSchema, changes ...layout.Change) chaintest.Changes {
	return chaintest.On(s, changes...)
}

// dml appends a commit of row changes; new schema versions ride along.
func (b *recChain) dml(schemas []layout.TableSchema, parts ...chaintest.Changes) uint64 {
	return b.DML(schemas, parts...)
}

// ddl appends a schema change.
func (b *recChain) ddl(stmt string, schemas ...layout.TableSchema) uint64 {
	return b.DDL(stmt, schemas...)
}

func (b *recChain) engine() *query.Engine {
	cache, err := cache.New(b.t.TempDir(), b.Store)
	if err != nil {
		b.t.Fatal(err)
	}
	return &query.Engine{Chain: b.Chain, Cache: cache}
}

func recItoa(n uint64) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return recItoa(n/10) + digits[n%10:n%10+1]
}

// statements returns the statements of a patch that change rows, as
// "expect: SQL", and the header.
func statements(t *testing.T, sql []byte) ([]string, *patch.Header) {
	t.Helper()
	pr, err := patch.NewReader(bytes.NewReader(sql))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		st, err := pr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if st.Expect >= 0 || st.Undo != "" || strings.HasPrefix(st.SQL, "DROP") {
			out = append(out, recItoa(uint64(st.Expect+1))+": "+st.SQL)
		}
	}
	if !pr.Complete() {
		t.Fatal("the patch has no trailer")
	}
	return out, pr.Header()
}

func revert(t *testing.T, e *query.Engine, onConflict string, refs ...string) ([]string, *patch.Header, *patch.RevertResult, error) {
	t.Helper()
	var buf bytes.Buffer
	res, err := patch.Revert(context.Background(), e, patch.RevertOptions{Commits: refs, OnConflict: onConflict, Store: "mem"}, &buf)
	if err != nil {
		if buf.Len() > 0 {
			t.Errorf("Revert failed (%v) but wrote %d bytes", err, buf.Len())
		}
		return nil, nil, res, err
	}
	t.Logf("patch:\n%s", buf.String())
	sts, h := statements(t, buf.Bytes())
	return sts, h, res, nil
}

func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

var (
	ins = chaintest.Ins
	del = chaintest.Del
	upd = chaintest.Upd
	row = chaintest.Row
)

var revCols = []layout.Column{
	{Name: "id", Kind: layout.KindInt, SQLType: "int", Width: 4},
	{Name: "v", Kind: layout.KindString, SQLType: "varchar(10)", Nullable: true, Charset: "utf8mb4"},
}

func TestRevertKeyedUndoesInReverseOrder(t *testing.T) {
	b := newRecChain(t)
	s := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: revCols, PrimaryKey: []int{0}}
	b.dml([]layout.TableSchema{*s}, on(s, ins(int64(1), "a"), ins(int64(2), "b"), ins(int64(3), nil), ins(int64(4), "d")))
	bad := b.dml(nil, on(s,
		upd(row(int64(1), "a"), row(int64(1), "A")),
		del(int64(2), "b"),
		del(int64(3), nil), ins(int64(30), nil), // a primary-key change
		ins(int64(5), "new"),
		upd(row(int64(5), "new"), row(int64(5), "newer")), // netted with the insert
	))
	b.dml(nil, on(s, upd(row(int64(4), "d"), row(int64(4), "D")))) // another row: no conflict
	sts, h, res, err := revert(t, b.engine(), "", recItoa(bad))
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "statements", sts, []string{
		"2: DELETE FROM `d`.`kv` WHERE `id` = 5 AND CAST(`v` AS BINARY) = CAST(_utf8mb4'newer' AS BINARY)",
		"2: DELETE FROM `d`.`kv` WHERE `id` = 30 AND `v` IS NULL",
		"2: INSERT INTO `d`.`kv` (`id`, `v`) VALUES (3, NULL)",
		"2: INSERT INTO `d`.`kv` (`id`, `v`) VALUES (2, _utf8mb4'b')",
		"2: UPDATE `d`.`kv` SET `id` = 1, `v` = _utf8mb4'a' WHERE `id` = 1 AND CAST(`v` AS BINARY) = CAST(_utf8mb4'A' AS BINARY)",
	})
	if h.Kind != "revert" || len(h.Commits) != 1 || h.Commits[0].N != bad || h.Commits[0].GTID != "0-1-2" || h.Head.N != 3 ||
		len(h.Tables) != 1 || h.Tables[0] != "d.kv" {
		t.Errorf("header %+v", h)
	}
	if res.Statements != 5 || res.Rows != 5 || len(res.Conflicts) != 0 {
		t.Errorf("result %+v", res)
	}
}

func TestRevertReportsConflicts(t *testing.T) {
	b := newRecChain(t)
	s := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: revCols, PrimaryKey: []int{0}}
	b.dml([]layout.TableSchema{*s}, on(s, ins(int64(1), "a"), ins(int64(2), "b"), ins(int64(3), "c"), ins(int64(4), "d")))
	bad := b.dml(nil, on(s,
		upd(row(int64(1), "a"), row(int64(1), "A")),
		upd(row(int64(2), "b"), row(int64(2), "B")),
		del(int64(3), "c"),
		upd(row(int64(4), "d"), row(int64(4), "D"))))
	b.dml(nil, on(s, upd(row(int64(1), "A"), row(int64(1), "later")))) // conflict: changed again
	b.dml(nil, on(s, del(int64(2), "B")))                              // conflict: deleted
	b.dml(nil, on(s, ins(int64(3), "again")))                          // conflict: inserted again
	e := b.engine()
	_, _, res, err := revert(t, e, "fail", recItoa(bad))
	var ce *patch.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a ConflictError", err)
	}
	t.Logf("%v", err)
	var got []string
	for _, c := range ce.Conflicts {
		got = append(got, c.String())
	}
	sameLines(t, "conflicts", got, []string{
		"d.kv id=1 column v: the reverted commit left _utf8mb4'A', commit 3 (GTID 0-1-3) changed it to _utf8mb4'later'",
		"d.kv id=2: deleted after the reverted commit by commit 4 (GTID 0-1-4)",
		"d.kv id=3: the reverted commit deleted this row; it was inserted again (now id=3 v=_utf8mb4'again') by commit 5 (GTID 0-1-5)",
	})
	if len(res.Conflicts) != 3 {
		t.Errorf("result has %d conflicts", len(res.Conflicts))
	}
	sts, h, _, err := revert(t, e, "skip", recItoa(bad))
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "statements", sts, []string{
		"2: UPDATE `d`.`kv` SET `id` = 4, `v` = _utf8mb4'd' WHERE `id` = 4 AND CAST(`v` AS BINARY) = CAST(_utf8mb4'D' AS BINARY)",
	})
	if len(h.Conflicts) != 3 || !strings.HasPrefix(h.Conflicts[0], "skipped: d.kv id=1 column v") || h.OnConflict != "skip" {
		t.Errorf("header conflicts %q", h.Conflicts)
	}
}

func TestRevertSeveralCommitsTogether(t *testing.T) {
	b := newRecChain(t)
	s := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: revCols, PrimaryKey: []int{0}}
	b.dml([]layout.TableSchema{*s}, on(s, ins(int64(1), "a")))
	c2 := b.dml(nil, on(s, upd(row(int64(1), "a"), row(int64(1), "b"))))
	c3 := b.dml(nil, on(s, upd(row(int64(1), "b"), row(int64(1), "c"))))
	// Reverting 2 alone conflicts with 3; reverting both goes back to "a".
	if _, _, _, err := revert(t, b.engine(), "", recItoa(c2)); err == nil {
		t.Error("reverting commit 2 alone did not conflict")
	}
	sts, _, _, err := revert(t, b.engine(), "", recItoa(c3), recItoa(c2), "0-1-3")
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "statements", sts, []string{
		"2: UPDATE `d`.`kv` SET `id` = 1, `v` = _utf8mb4'a' WHERE `id` = 1 AND CAST(`v` AS BINARY) = CAST(_utf8mb4'c' AS BINARY)",
	})
}

func TestRevertWithoutPrimaryKey(t *testing.T) {
	b := newRecChain(t)
	s := &layout.TableSchema{DB: "d", Table: "log", Version: 1, Since: 1, Columns: revCols}
	b.dml([]layout.TableSchema{*s}, on(s, ins(int64(1), "x"), ins(int64(1), "x"), ins(int64(2), "y")))
	bad := b.dml(nil, on(s, del(int64(1), "x"), ins(int64(7), "z"), ins(int64(7), "z"), upd(row(int64(2), "y"), row(int64(2), "w"))))
	b.dml(nil, on(s, del(int64(7), "z"))) // a row with the image the bad commit left: conflict
	_, _, res, err := revert(t, b.engine(), "fail", recItoa(bad))
	if err == nil || len(res.Conflicts) != 2 {
		t.Fatalf("got %v, %+v; want 2 conflicts (one per inserted z row)", err, res)
	}
	sts, _, _, err := revert(t, b.engine(), "skip", recItoa(bad))
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "statements", sts, []string{
		"2: UPDATE `d`.`log` SET `id` = 2, `v` = _utf8mb4'y' WHERE `id` = 2 AND CAST(`v` AS BINARY) = CAST(_utf8mb4'w' AS BINARY) LIMIT 1",
		"2: INSERT INTO `d`.`log` (`id`, `v`) VALUES (1, _utf8mb4'x')",
	})
}

func TestRevertAcrossSchemaChanges(t *testing.T) {
	b := newRecChain(t)
	v1 := layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: revCols, PrimaryKey: []int{0}}
	b.dml([]layout.TableSchema{v1}, on(&v1, ins(int64(1), "a"), ins(int64(2), "b")))
	bad := b.dml(nil, on(&v1, upd(row(int64(1), "a"), row(int64(1), "A"))))
	// A rebuild that keeps every column: still revertible.
	v2 := v1
	v2.Version, v2.Since = 2, 3
	v2.Origins = []layout.ColumnOrigin{{From: 0}, {From: 1}}
	b.ddl("ALTER TABLE kv ENGINE=InnoDB", v2)
	b.dml(nil, on(&v2, upd(row(int64(2), "b"), row(int64(2), "B"))))
	sts, _, _, err := revert(t, b.engine(), "", recItoa(bad))
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "statements", sts, []string{
		"2: UPDATE `d`.`kv` SET `id` = 1, `v` = _utf8mb4'a' WHERE `id` = 1 AND CAST(`v` AS BINARY) = CAST(_utf8mb4'A' AS BINARY)",
	})
	// A TRUNCATE after it: every row it changed conflicts.
	v3 := v2
	v3.Version, v3.Since, v3.Truncated = 3, b.N+1, true
	b.ddl("TRUNCATE TABLE kv", v3)
	_, _, res, err := revert(t, b.engine(), "", recItoa(bad))
	if err == nil || len(res.Conflicts) != 1 || !strings.Contains(res.Conflicts[0].String(), "truncated (TRUNCATE TABLE kv)") {
		t.Fatalf("got %v, %+v", err, res)
	}
}

func TestRevertRefusesSchemaChangesAndSnapshots(t *testing.T) {
	b := newRecChain(t)
	s := layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: revCols, PrimaryKey: []int{0}}
	b.ddl("CREATE TABLE kv (id int primary key, v varchar(10))", s)
	_, _, _, err := revert(t, b.engine(), "", "1")
	if err == nil || !strings.Contains(err.Error(), "schema change") {
		t.Errorf("got %v", err)
	}
	if _, _, _, err := revert(t, b.engine(), "sometimes", "1"); err == nil {
		t.Error("a bad --on-conflict was accepted")
	}
}

// BenchmarkRevertThousandRowsOfMillion measures what make bench reports:
// revert of a 1,000-row change on a table of 1M rows with 1M changes of
// history, next to as-of of the same table at HEAD (no checkpoint: 1M
// inserts and 1M updates replayed). Sub-benchmarks revert the last commit
// and one in the middle of the history, whose later half the conflict
// check reads.
func BenchmarkRevertThousandRowsOfMillion(b *testing.B) {
	const rows, perCommit, perSegment = 1_000_000, 1_000, 100_000
	e, mid, last := millionRowChain(b, rows, perCommit, perSegment)
	ctx := context.Background()
	run := func(name string, fn func() error) {
		b.Run(name, func(b *testing.B) {
			if err := fn(); err != nil { // warm the cache
				b.Fatal(err)
			}
			for b.Loop() {
				if err := fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	revertOf := func(n uint64) func() error {
		return func() error {
			_, err := patch.Revert(ctx, e, patch.RevertOptions{Commits: []string{recItoa(n)}, OnConflict: "skip"}, io.Discard)
			return err
		}
	}
	run("revert-last", revertOf(last))
	run("revert-middle", revertOf(mid))
	run("asof", func() error {
		return e.AsOf(ctx, query.AsOfOptions{Table: layout.TableRef{DB: "sb", Table: "t"}}, render.Output{Format: render.FormatCSV, W: io.Discard})
	})
}

// millionRowChain writes a chain whose table sb.t gets rows inserts, then
// as many updates of random rows, perCommit changes per commit and
// perSegment per segment.
func millionRowChain(b *testing.B, rows, perCommit, perSegment int) (e *query.Engine, mid, last uint64) {
	ctx := context.Background()
	st, err := filestore.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	chain, err := catalog.Open(ctx, st)
	if err != nil {
		b.Fatal(err)
	}
	s := layout.TableSchema{DB: "sb", Table: "t", Version: 1, Since: 1, PrimaryKey: []int{0}, Columns: []layout.Column{
		{Name: "id", Kind: layout.KindInt, SQLType: "int", Width: 4},
		{Name: "k", Kind: layout.KindInt, SQLType: "int", Width: 4},
		{Name: "c", Kind: layout.KindString, SQLType: "char(120)", Charset: "utf8mb4", Fixed: true, Width: 120},
	}}
	cur := make([]int64, rows) // the k of every row
	var n uint64
	seg := func(changes []layout.Change, first uint64) {
		var buf bytes.Buffer
		if err := layout.WriteSegment(&buf, &s, changes); err != nil {
			b.Fatal(err)
		}
		sha := layout.Hash(buf.Bytes())
		o := layout.Object{Key: layout.SegmentKey("sb", "t", 1, first, n, sha), SHA256: sha, Size: int64(buf.Len()),
			Kind: layout.ObjectSegment, DB: "sb", Table: "t", SchemaVersion: 1, First: first, Last: n, Rows: int64(len(changes))}
		if err := st.Put(ctx, o.Key, bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
			b.Fatal(err)
		}
		m := &layout.Manifest{Source: layout.Source{Flavor: "mariadb", ServerID: 1, Origin: "live"}, Objects: []layout.Object{o}}
		if first == 1 {
			m.Schemas = []layout.TableSchema{s}
		}
		for c := first; c <= n; c++ {
			cm := layout.Commit{N: c, Kind: layout.CommitDML, GTID: "0-1-" + recItoa(c), File: "bin.000001", Pos: uint32(c),
				Time: time.Unix(1_700_000_000+int64(c), 0).UTC(), Tables: []layout.TableCount{{DB: "sb", Table: "t"}}}
			m.Commits = append(m.Commits, cm)
		}
		for _, ch := range changes {
			tc := &m.Commits[ch.Commit-first].Tables[0]
			if ch.Op == layout.OpInsert {
				tc.Inserts++
			} else {
				tc.Updates++
			}
		}
		if err := chain.Append(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	text := func(i, k int64) string { return "row " + recItoa(uint64(i)) + " k " + recItoa(uint64(k)) }
	r := uint64(12345)
	next := func() int64 { r = r*6364136223846793005 + 1442695040888963407; return int64(r>>33) % int64(rows) }
	total := 2 * rows
	for done := 0; done < total; {
		first := n + 1
		changes := make([]layout.Change, 0, perSegment)
		for len(changes) < perSegment && done < total {
			if done%perCommit == 0 {
				n++
			}
			c := layout.Change{Commit: n, Seq: uint32(done % perCommit), Time: time.Unix(1_700_000_000+int64(n), 0).UTC(), GTID: "0-1-" + recItoa(n)}
			if done < rows {
				id := int64(done)
				cur[id] = 0
				c.Op, c.After = layout.OpInsert, []any{id, int64(0), text(id, 0)}
			} else {
				id := next()
				if done >= total-perCommit { // the last commit: 1,000 consecutive rows
					id = int64(done - (total - perCommit))
				}
				k := cur[id]
				cur[id] = k + 1
				c.Op, c.Before, c.After = layout.OpUpdate, []any{id, k, text(id, k)}, []any{id, k + 1, text(id, k+1)}
			}
			changes = append(changes, c)
			done++
		}
		seg(changes, first)
	}
	cache, err := cache.New(b.TempDir(), st)
	if err != nil {
		b.Fatal(err)
	}
	return &query.Engine{Chain: chain, Cache: cache}, n - uint64(rows/perCommit/2), n
}
