package query_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/binlake/binlake/catalog/chaintest"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/query/render"
)

// chainBuilder writes a small chain by hand, as ingest would.
type chainBuilder struct {
	*chaintest.Builder
	t *testing.T
}

func newChainBuilder(t *testing.T) *chainBuilder {
	return &chainBuilder{Builder: chaintest.New(t), t: t}
}

// commit appends one commit with the given changes to one table (and any new
// schema versions).
func (b *chainBuilder) commit(s *layout.TableSchema, newSchemas []layout.TableSchema, changes ...layout.Change) uint64 {
	b.t.Helper()
	return b.DML(newSchemas, chaintest.On(s, changes...))
}

func (b *chainBuilder) engine() *query.Engine { return engineOf(b.t, b.Builder) }

// engineOf is a query engine over a builder's chain with a cache of its own.
func engineOf(t testing.TB, b *chaintest.Builder) *query.Engine {
	cache, err := cache.New(t.TempDir(), b.Store)
	if err != nil {
		t.Fatal(err)
	}
	return &query.Engine{Chain: b.Chain, Cache: cache}
}

var (
	ins = chaintest.Ins
	del = chaintest.Del
	upd = chaintest.Upd
	row = chaintest.Row
)

var kvCols = []layout.Column{
	{Name: "id", Kind: layout.KindInt, SQLType: "int", Width: 4},
	{Name: "v", Kind: layout.KindString, SQLType: "varchar(10)", Nullable: true, Charset: "utf8mb4"},
}

func asOf(t *testing.T, e *query.Engine, table, ref string) [][]any {
	t.Helper()
	tb, err := e.AsOfRows(context.Background(), query.AsOfOptions{Table: layout.TableRef{DB: "d", Table: table}, At: ref})
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
	err := e.SQL(context.Background(), query.SQLOptions{At: "HEAD", SQL: "SELECT count(*) AS n, max(v) FROM kv"}, render.Output{Format: render.FormatCSV, W: &out})
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
		err := e.SQL(context.Background(), query.SQLOptions{At: "HEAD", SQL: q}, render.Output{Format: render.FormatCSV, W: &out})
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
	res, err := e.Checkpoint(context.Background(), query.CheckpointOptions{At: "HEAD", Tables: nil, MinChanges: 0})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || len(res[0].Objects) != 2 || res[0].Rows != 2 || res[0].Changes != 5 {
		t.Fatalf("checkpoint results: %+v", res)
	}
	b.commit(s, nil, ins(int64(4), "d"))
	st, err := b.Chain.TableAt("d", "kv", 3)
	if err != nil || st.Checkpoint == nil || st.From != 2 || len(st.Segments) != 1 {
		t.Fatalf("state at 3 does not use the checkpoint: %+v %v", st, err)
	}
	if got := asOf(t, e, "kv", "2"); !reflect.DeepEqual(got, before) {
		t.Fatalf("at 2 from the checkpoint: got %v, want %v", got, before)
	}
	if got, want := asOf(t, e, "kv", "3"), append(before, []any{int64(4), "d"}); !reflect.DeepEqual(got, want) {
		t.Fatalf("at 3: got %v, want %v", got, want)
	}
	res, err = e.Checkpoint(context.Background(), query.CheckpointOptions{At: "2", Tables: nil, MinChanges: 0})
	if err != nil || res[0].Skipped == "" {
		t.Fatalf("second checkpoint at the same commit: %+v %v", res, err)
	}
}

func TestParquetOutputReplacesAnExistingFile(t *testing.T) {
	b := newChainBuilder(t)
	s := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: kvCols, PrimaryKey: []int{0}}
	b.commit(s, []layout.TableSchema{*s}, ins(int64(1), "a"), ins(int64(2), "b"))
	e := b.engine()
	var rows int64
	out := render.Output{Format: render.FormatParquet, Path: t.TempDir() + "/kv.parquet", Rows: &rows}
	for i := 0; i < 2; i++ {
		if err := e.AsOf(context.Background(), query.AsOfOptions{Table: layout.TableRef{DB: "d", Table: "kv"}, At: "HEAD"}, out); err != nil {
			t.Fatalf("write %d: %v", i+1, err)
		}
	}
	if rows != 4 { // counted as written: twice two rows
		t.Errorf("Output.Rows = %d, want 4", rows)
	}
}
