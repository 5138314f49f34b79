package query_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/query/render"
)

func blameText(t *testing.T, e *query.Engine, table, at, key string) []string {
	t.Helper()
	b, err := e.BlameRows(context.Background(), query.BlameOptions{Table: layout.TableRef{DB: "d", Table: table}, At: at, Key: key})
	if err != nil {
		t.Fatalf("blame %s at %s: %v", table, at, err)
	}
	var out []string
	for _, r := range b.Rows {
		out = append(out, fmt.Sprintf("%v @%d %v", r.Row, r.Commit, r.Columns))
	}
	return out
}

func TestBlameKeyed(t *testing.T) {
	b := newAudChain(t)
	v1 := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Columns: []layout.Column{intCol("id"), strCol("v"), strCol("w")}, PrimaryKey: []int{0}}
	b.snapshot(map[*layout.TableSchema][][]any{v1: {{int64(1), "a", "x"}, {int64(2), "b", "y"}, {int64(3), "c", "z"}}})
	b.commit(nil, tc{v1, []layout.Change{aUpd(r(int64(1), "a", "x"), r(int64(1), "A", "x")), aIns(int64(4), "d", "q")}}) // 2
	b.commit(nil, tc{v1, []layout.Change{aUpd(r(int64(1), "A", "x"), r(int64(1), "A", "X")), aDel(int64(3), "c", "z")}}) // 3
	v2 := &layout.TableSchema{DB: "d", Table: "kv", Version: 2, PrimaryKey: []int{0},
		Columns: []layout.Column{intCol("id"), strCol("v"), strCol("w"), intCol("n")},
		Origins: []layout.ColumnOrigin{{From: 0}, {From: 1}, {From: 2}, {From: -1, Default: text("0")}}}
	b.commit([]layout.TableSchema{*v2}) // 4: ADD COLUMN n DEFAULT 0
	b.commit(nil, tc{v2, []layout.Change{
		aUpd(r(int64(2), "b", "y", int64(0)), r(int64(2), "b", "y", int64(9))), // 5
		aIns(int64(5), "e", "r", int64(1)),
		aDel(int64(4), "d", "q", int64(0)), aIns(int64(40), "d", "q", int64(0)), // a key change
	}})
	b.flush()
	e := b.eng
	want := []string{
		"[1 A X 0] @3 [1 2 3 4]",
		"[2 b y 9] @5 [1 1 1 5]",
		"[5 e r 1] @5 [5 5 5 5]",
		"[40 d q 0] @5 [5 5 5 5]",
	}
	if got := blameText(t, e, "kv", "HEAD", ""); !reflect.DeepEqual(got, want) {
		t.Errorf("blame at HEAD:\n got %q\nwant %q", got, want)
	}
	if got := blameText(t, e, "kv", "HEAD", "id=2"); !reflect.DeepEqual(got, want[1:2]) {
		t.Errorf("blame of id=2: %q", got)
	}
	if got := blameText(t, e, "kv", "HEAD", "v=b"); !reflect.DeepEqual(got, want[1:2]) {
		t.Errorf("blame of v=b: %q", got)
	}
	want2 := []string{"[1 A x] @2 [1 2 1]", "[2 b y] @1 [1 1 1]", "[3 c z] @1 [1 1 1]", "[4 d q] @2 [2 2 2]"}
	if got := blameText(t, e, "kv", "2", ""); !reflect.DeepEqual(got, want2) {
		t.Errorf("blame at 2:\n got %q\nwant %q", got, want2)
	}
	var out bytes.Buffer
	if err := e.Blame(context.Background(), query.BlameOptions{Table: layout.TableRef{DB: "d", Table: "kv"}, At: "HEAD", Key: "id=1", Column: "w"}, render.Output{Format: render.FormatCSV, W: &out}); err != nil {
		t.Fatal(err)
	}
	if want := "key,w,commit,gtid,time\nid=1,X,3,0-1-3,2023-11-14 22:13:50\n"; out.String() != want {
		t.Errorf("csv:\n got %q\nwant %q", out.String(), want)
	}
}

func TestBlameWithoutPrimaryKey(t *testing.T) {
	b := newAudChain(t)
	s := &layout.TableSchema{DB: "d", Table: "lg", Version: 1, Columns: []layout.Column{intCol("a"), strCol("b")}}
	b.one([]layout.TableSchema{*s}, tc{s, []layout.Change{aIns(int64(1), "x"), aIns(int64(2), "y")}})
	b.one(nil, tc{s, []layout.Change{aIns(int64(1), "x")}})
	b.one(nil, tc{s, []layout.Change{aUpd(r(int64(2), "y"), r(int64(2), "z"))}})
	b.one(nil, tc{s, []layout.Change{aDel(int64(1), "x")}})
	want := []string{"[1 x] @1 [1 1]", "[2 z] @3 [1 3]"}
	if got := blameText(t, b.eng, "lg", "HEAD", ""); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestBlameAgreesWithHistory checks blame on random histories against
// as-of (the rows) and history (the commit that last set each cell).
func TestBlameAgreesWithHistory(t *testing.T) {
	ctx := context.Background()
	b := newAudChain(t)
	h := &randomHistory{b: b, r: rand.New(rand.NewPCG(11, 3)), kvRows: map[int64][]any{}, ddlKind: map[uint64]string{}}
	h.kv = &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Columns: []layout.Column{intCol("id"), strCol("v")}, PrimaryKey: []int{0}}
	h.lg = &layout.TableSchema{DB: "d", Table: "lg", Version: 1, Columns: []layout.Column{intCol("a"), strCol("b")}}
	b.commit([]layout.TableSchema{*h.kv, *h.lg}, tc{h.kv, h.kvChanges()}, tc{h.lg, h.lgChanges()})
	const total = 40
	for i := 1; i < total; i++ {
		h.step(i, total)
		if h.r.IntN(3) == 0 {
			b.flush()
		}
	}
	b.flush()
	var alterAt uint64
	for n, kind := range h.ddlKind {
		if kind == "alter" {
			alterAt = n
		}
	}
	e := b.eng
	for _, at := range []uint64{total / 4, total / 2, total} {
		bl, err := e.BlameRows(ctx, query.BlameOptions{Table: layout.TableRef{DB: "d", Table: "kv"}, At: fmt.Sprint(at), Key: ""})
		if err != nil {
			t.Fatal(err)
		}
		asof, err := e.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: "d", Table: "kv"}, At: fmt.Sprint(at)})
		if err != nil {
			t.Fatal(err)
		}
		var rows [][]any
		for _, r := range bl.Rows {
			rows = append(rows, r.Row)
		}
		if !reflect.DeepEqual(rows, asof.Rows) {
			t.Fatalf("blame rows at %d differ from as-of:\n%v\n%v", at, rows, asof.Rows)
		}
		for _, r := range bl.Rows {
			hist, err := e.HistoryRows(ctx, query.HistoryOptions{Table: layout.TableRef{DB: "d", Table: "kv"}, Key: fmt.Sprintf("id=%d", r.Row[0]), At: fmt.Sprint(at)})
			if err != nil {
				t.Fatal(err)
			}
			for c, col := range bl.Schema.Columns {
				cell, _, err := hist.Cell(col.Name)
				if err != nil {
					t.Fatal(err)
				}
				last := cell[len(cell)-1]
				want := last.Commit
				if col.Name == "n" && last.Commit < alterAt {
					want = alterAt // the ALTER that added n set it for older rows
				}
				if r.Columns[c] != want {
					t.Errorf("at %d row %v column %s: blame %d, history says %d (%s)", at, r.Row, col.Name, r.Columns[c], want, strings.Join(entries(cell), " "))
				}
			}
		}
	}
}

func entries(es []query.HistoryEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, fmt.Sprintf("%d:%s", e.Commit, e.Op))
	}
	return out
}
