package query_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/query"
)

// chainBuilder writes a small chain by hand, as ingest would.
type chainBuilder struct {
	t     *testing.T
	store layout.Store
	chain *catalog.Chain
	n     uint64
}

func newChainBuilder(t *testing.T) *chainBuilder {
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Open(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return &chainBuilder{t: t, store: st, chain: c}
}

// commit appends one commit with the given changes to one table (and any new
// schema versions).
func (b *chainBuilder) commit(s *layout.TableSchema, newSchemas []layout.TableSchema, changes ...layout.Change) uint64 {
	b.t.Helper()
	ctx := context.Background()
	b.n++
	m := &layout.Manifest{Source: layout.Source{Flavor: "mariadb", ServerID: 1, Origin: "live"},
		Commits: []layout.Commit{{N: b.n, Kind: layout.CommitDML, File: "bin.000001", Pos: uint32(100 * b.n),
			Time: time.Unix(int64(1_700_000_000+b.n), 0).UTC()}},
		Schemas: newSchemas}
	if len(changes) > 0 {
		for i := range changes {
			changes[i].Commit, changes[i].Seq = b.n, uint32(i)
			changes[i].Time = m.Commits[0].Time
		}
		var buf bytes.Buffer
		if err := layout.WriteSegment(&buf, s, changes); err != nil {
			b.t.Fatal(err)
		}
		sha := layout.Hash(buf.Bytes())
		o := layout.Object{Key: layout.SegmentKey(s.DB, s.Table, s.Version, b.n, b.n, sha), SHA256: sha,
			Size: int64(buf.Len()), Kind: layout.ObjectSegment, DB: s.DB, Table: s.Table, SchemaVersion: s.Version,
			First: b.n, Last: b.n, Rows: int64(len(changes))}
		if err := b.store.Put(ctx, o.Key, bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
			b.t.Fatal(err)
		}
		m.Objects = append(m.Objects, o)
	}
	if err := b.chain.Append(ctx, m); err != nil {
		b.t.Fatal(err)
	}
	return b.n
}

func (b *chainBuilder) engine() *query.Engine {
	cache, err := query.NewCache(b.t.TempDir(), b.store)
	if err != nil {
		b.t.Fatal(err)
	}
	return &query.Engine{Chain: b.chain, Cache: cache}
}

func ins(after ...any) layout.Change  { return layout.Change{Op: layout.OpInsert, After: after} }
func del(before ...any) layout.Change { return layout.Change{Op: layout.OpDelete, Before: before} }
func upd(before, after []any) layout.Change {
	return layout.Change{Op: layout.OpUpdate, Before: before, After: after}
}

func row(v ...any) []any { return v }

var kvCols = []layout.Column{
	{Name: "id", Kind: layout.KindInt, SQLType: "int", Width: 4},
	{Name: "v", Kind: layout.KindString, SQLType: "varchar(10)", Nullable: true, Charset: "utf8mb4"},
}

func asOf(t *testing.T, e *query.Engine, table, ref string) [][]any {
	t.Helper()
	tb, err := e.AsOfRows(context.Background(), "d", table, ref)
	if err != nil {
		t.Fatalf("as-of %s at %s: %v", table, ref, err)
	}
	return tb.Rows
}

func TestAsOfKeyed(t *testing.T) {
	b := newChainBuilder(t)
	s := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: kvCols, PrimaryKey: []int{0}}
	b.commit(s, []layout.TableSchema{*s}, ins(int64(1), "a"), ins(int64(2), "b"), ins(int64(3), nil))
	b.commit(s, nil, upd(row(int64(1), "a"), row(int64(1), "A")), del(int64(2), "b"))
	// a primary-key change, stored as delete + insert
	b.commit(s, nil, del(int64(3), nil), ins(int64(30), "moved"))
	e := b.engine()
	tests := []struct {
		ref  string
		want [][]any
	}{
		{"1", [][]any{{int64(1), "a"}, {int64(2), "b"}, {int64(3), nil}}},
		{"2", [][]any{{int64(1), "A"}, {int64(3), nil}}},
		{"HEAD", [][]any{{int64(1), "A"}, {int64(30), "moved"}}},
	}
	for _, tt := range tests {
		if got := asOf(t, e, "kv", tt.ref); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("at %s: got %v, want %v", tt.ref, got, tt.want)
		}
	}
}

func TestAsOfWithoutPrimaryKey(t *testing.T) {
	b := newChainBuilder(t)
	s := &layout.TableSchema{DB: "d", Table: "log", Version: 1, Since: 1, Columns: kvCols}
	b.commit(s, []layout.TableSchema{*s}, ins(int64(1), "x"), ins(int64(1), "x"), ins(int64(2), nil))
	b.commit(s, nil, del(int64(1), "x"), upd(row(int64(2), nil), row(int64(2), "y")))
	e := b.engine()
	if got, want := asOf(t, e, "log", "1"), [][]any{{int64(1), "x"}, {int64(1), "x"}, {int64(2), nil}}; !reflect.DeepEqual(got, want) {
		t.Errorf("at 1: got %v, want %v", got, want)
	}
	if got, want := asOf(t, e, "log", "2"), [][]any{{int64(1), "x"}, {int64(2), "y"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("at 2: got %v, want %v", got, want)
	}
}

func TestAsOfAcrossSchemaVersions(t *testing.T) {
	b := newChainBuilder(t)
	v1 := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: kvCols, PrimaryKey: []int{0}}
	b.commit(v1, []layout.TableSchema{*v1}, ins(int64(1), "a"), ins(int64(2), "b"))
	// ALTER TABLE kv ADD COLUMN n INT NOT NULL DEFAULT 7 FIRST, RENAME v TO w
	zero := "7"
	v2 := &layout.TableSchema{DB: "d", Table: "kv", Version: 2, Since: 2, PrimaryKey: []int{1},
		Columns: []layout.Column{{Name: "n", Kind: layout.KindInt, SQLType: "int", Width: 4}, kvCols[0],
			{Name: "w", Kind: layout.KindString, SQLType: "varchar(10)", Nullable: true}},
		Origins: []layout.ColumnOrigin{{From: -1, Default: &zero}, {From: 0}, {From: 1}}}
	b.commit(v2, []layout.TableSchema{*v2})
	b.commit(v2, nil, upd(row(int64(7), int64(2), "b"), row(int64(8), int64(2), "B")))
	e := b.engine()
	if got, want := asOf(t, e, "kv", "2"), [][]any{{int64(7), int64(1), "a"}, {int64(7), int64(2), "b"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("at 2: got %v, want %v", got, want)
	}
	if got, want := asOf(t, e, "kv", "3"), [][]any{{int64(7), int64(1), "a"}, {int64(8), int64(2), "B"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("at 3: got %v, want %v", got, want)
	}
	if got, want := asOf(t, e, "kv", "1"), [][]any{{int64(1), "a"}, {int64(2), "b"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("at 1 (old schema): got %v, want %v", got, want)
	}
}

func TestSQLSeesTablesAndNothingElse(t *testing.T) {
	b := newChainBuilder(t)
	s := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: kvCols, PrimaryKey: []int{0}}
	b.commit(s, []layout.TableSchema{*s}, ins(int64(1), "a"), ins(int64(2), "b"))
	e := b.engine()
	var out bytes.Buffer
	err := e.SQL(context.Background(), "HEAD", "SELECT count(*) AS n, max(v) FROM kv", query.Output{Format: query.FormatCSV, W: &out})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "n,max(v)\n2,b\n" {
		t.Fatalf("got %q", got)
	}
	for _, q := range []string{
		"SELECT * FROM read_csv('/etc/passwd')",
		"COPY (SELECT 1) TO '/tmp/binlake-escape.csv'",
		"SET enable_external_access = true",
		"INSTALL httpfs",
	} {
		out.Reset()
		err := e.SQL(context.Background(), "HEAD", q, query.Output{Format: query.FormatCSV, W: &out})
		if err == nil {
			t.Errorf("%s: allowed, output %q", q, out.String())
		} else if !strings.Contains(strings.ToLower(err.Error()), "permission") && !strings.Contains(err.Error(), "disabled") && !strings.Contains(err.Error(), "locked") {
			t.Logf("%s refused: %v", q, err)
		}
	}
}

func TestCheckpointKeepsAnswers(t *testing.T) {
	b := newChainBuilder(t)
	s := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: kvCols, PrimaryKey: []int{0}}
	b.commit(s, []layout.TableSchema{*s}, ins(int64(1), "a"), ins(int64(2), "b"), ins(int64(3), nil))
	b.commit(s, nil, upd(row(int64(1), "a"), row(int64(1), "A")), del(int64(2), "b"))
	e := b.engine()
	e.PartRows = 1 // two rows at HEAD: a checkpoint of two parts
	before := asOf(t, e, "kv", "HEAD")
	res, err := e.Checkpoint(context.Background(), "HEAD", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || len(res[0].Objects) != 2 || res[0].Rows != 2 || res[0].Changes != 5 {
		t.Fatalf("checkpoint results: %+v", res)
	}
	b.commit(s, nil, ins(int64(4), "d"))
	st, err := b.chain.TableAt("d", "kv", 3)
	if err != nil || st.Checkpoint == nil || st.From != 2 || len(st.Segments) != 1 {
		t.Fatalf("state at 3 does not use the checkpoint: %+v %v", st, err)
	}
	if got := asOf(t, e, "kv", "2"); !reflect.DeepEqual(got, before) {
		t.Fatalf("at 2 from the checkpoint: got %v, want %v", got, before)
	}
	if got, want := asOf(t, e, "kv", "3"), append(before, []any{int64(4), "d"}); !reflect.DeepEqual(got, want) {
		t.Fatalf("at 3: got %v, want %v", got, want)
	}
	res, err = e.Checkpoint(context.Background(), "2", nil, 0)
	if err != nil || res[0].Skipped == "" {
		t.Fatalf("second checkpoint at the same commit: %+v %v", res, err)
	}
}

func TestParquetOutputReplacesAnExistingFile(t *testing.T) {
	b := newChainBuilder(t)
	s := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: kvCols, PrimaryKey: []int{0}}
	b.commit(s, []layout.TableSchema{*s}, ins(int64(1), "a"))
	e := b.engine()
	out := query.Output{Format: query.FormatParquet, Path: t.TempDir() + "/kv.parquet"}
	for i := 0; i < 2; i++ {
		if err := e.AsOf(context.Background(), "d", "kv", "HEAD", out); err != nil {
			t.Fatalf("write %d: %v", i+1, err)
		}
	}
}
