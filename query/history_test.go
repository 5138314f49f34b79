package query_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/query/render"
)

func historyText(t *testing.T, e *query.Engine, table, key, at string) []string {
	t.Helper()
	h, err := e.HistoryRows(context.Background(), query.HistoryOptions{Table: layout.TableRef{DB: "d", Table: table}, Key: key, At: at})
	if err != nil {
		t.Fatalf("history %s %s: %v", table, key, err)
	}
	var out []string
	for _, en := range h.Entries {
		s := fmt.Sprintf("%d %s before=%v after=%v", en.Commit, en.Op, en.Before, en.After)
		if en.Changed != nil {
			s += fmt.Sprintf(" changed=%v", en.Changed)
		}
		out = append(out, s)
	}
	return out
}

func TestHistoryOfKeyedRow(t *testing.T) {
	b := newAudChain(t)
	v1 := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Columns: []layout.Column{intCol("id"), strCol("v")}, PrimaryKey: []int{0}}
	b.snapshot(map[*layout.TableSchema][][]any{v1: {{int64(1), "a"}, {int64(2), "b"}}})
	b.commit(nil, tc{v1, []layout.Change{aUpd(r(int64(1), "a"), r(int64(1), "A")), aIns(int64(3), "c")}}) // 2
	b.commit(nil, tc{v1, []layout.Change{aUpd(r(int64(2), "b"), r(int64(2), "B"))}})                      // 3
	v2 := &layout.TableSchema{DB: "d", Table: "kv", Version: 2, PrimaryKey: []int{0},
		Columns: []layout.Column{intCol("id"), strCol("w"), intCol("n")},
		Origins: []layout.ColumnOrigin{{From: 0}, {From: 1}, {From: -1, Default: text("5")}}}
	b.commit([]layout.TableSchema{*v2})                                                                   // 4
	b.commit(nil, tc{v2, []layout.Change{aUpd(r(int64(1), "A", int64(5)), r(int64(1), "A", int64(6)))}})  // 5
	b.commit(nil, tc{v2, []layout.Change{aDel(int64(1), "A", int64(6)), aIns(int64(10), "A", int64(6))}}) // 6: key change
	b.commit(nil, tc{v2, []layout.Change{aIns(int64(1), "again", nil)}})                                  // 7
	b.commit(nil, tc{v2, []layout.Change{aUpd(r(int64(1), "again", nil), r(int64(1), "again", nil))}})    // 8: no-op update
	b.flush()
	e := b.eng
	want := []string{
		"1 snapshot before=[] after=[1 a 5]",
		"2 update before=[1 a 5] after=[1 A 5] changed=[w]",
		"5 update before=[1 A 5] after=[1 A 6] changed=[n]",
		"6 delete before=[1 A 6] after=[]",
		"7 insert before=[] after=[1 again <nil>]",
		"8 update before=[1 again <nil>] after=[1 again <nil>]",
	}
	if got := historyText(t, e, "kv", "id=1", "HEAD"); !reflect.DeepEqual(got, want) {
		t.Errorf("history of id=1:\n got %q\nwant %q", got, want)
	}
	if got := historyText(t, e, "kv", "id=1", "3"); !reflect.DeepEqual(got, []string{"1 snapshot before=[] after=[1 a]", "2 update before=[1 a] after=[1 A] changed=[v]"}) {
		t.Errorf("history of id=1 up to 3 (old schema): got %q", got)
	}
	h, err := e.HistoryRows(context.Background(), query.HistoryOptions{Table: layout.TableRef{DB: "d", Table: "kv"}, Key: "id=1", At: "3"})
	if err != nil || len(h.Schema.Columns) != 2 {
		t.Fatalf("history up to 3 is under the schema of 3: %v %v", h.Schema.Columns, err)
	}
	// one cell
	h, err = e.HistoryRows(context.Background(), query.HistoryOptions{Table: layout.TableRef{DB: "d", Table: "kv"}, Key: "id=1", At: "HEAD"})
	if err != nil {
		t.Fatal(err)
	}
	cell, i, err := h.Cell("w")
	if err != nil {
		t.Fatal(err)
	}
	var vals []string
	for _, en := range cell {
		v := "-"
		if en.After != nil {
			v = value.Text(en.After[i])
		}
		vals = append(vals, fmt.Sprintf("%d:%s:%s", en.Commit, en.Op, v))
	}
	if want := []string{"1:snapshot:a", "2:update:A", "6:delete:-", "7:insert:again"}; !reflect.DeepEqual(vals, want) {
		t.Errorf("cell history of w: got %v, want %v", vals, want)
	}
	if _, _, err := h.Cell("nope"); err == nil || !strings.Contains(err.Error(), "id, w, n") {
		t.Errorf("unknown column: %v", err)
	}
	// the CLI form
	var out bytes.Buffer
	if err := e.History(context.Background(), query.HistoryOptions{Table: layout.TableRef{DB: "d", Table: "kv"}, Key: "id=1", Column: "w", At: "HEAD"}, render.Output{Format: render.FormatCSV, W: &out}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "commit,gtid,time,op,key,w\n1,,2023-11-14 22:13:30,snapshot,id=1,a\n") {
		t.Errorf("csv:\n%s", out.String())
	}
}

func TestHistoryWithoutPrimaryKeyAndTruncate(t *testing.T) {
	b := newAudChain(t)
	v1 := &layout.TableSchema{DB: "d", Table: "lg", Version: 1, Columns: []layout.Column{intCol("a"), strCol("b")}}
	b.one([]layout.TableSchema{*v1}, tc{v1, []layout.Change{aIns(int64(1), "x"), aIns(int64(1), "x"), aIns(int64(2), "y")}})
	b.one(nil, tc{v1, []layout.Change{aUpd(r(int64(1), "x"), r(int64(1), "z"))}})
	v2 := &layout.TableSchema{DB: "d", Table: "lg", Version: 2, Columns: v1.Columns, Truncated: true,
		Origins: []layout.ColumnOrigin{{From: 0}, {From: 1}}}
	b.one([]layout.TableSchema{*v2})
	b.one(nil, tc{v2, []layout.Change{aIns(int64(1), "after")}})
	want := []string{
		"1 insert before=[] after=[1 x]",
		"1 insert before=[] after=[1 x]",
		"2 update before=[1 x] after=[1 z] changed=[b]",
		"3 truncate before=[1 x] after=[]",
		"3 truncate before=[1 z] after=[]",
		"4 insert before=[] after=[1 after]",
	}
	if got := historyText(t, b.eng, "lg", "a=1", "HEAD"); !reflect.DeepEqual(got, want) {
		t.Errorf("history of a=1:\n got %q\nwant %q", got, want)
	}
	if got := historyText(t, b.eng, "lg", "a=1,b=z", "HEAD"); !reflect.DeepEqual(got, []string{want[2], want[4]}) {
		t.Errorf("history of a=1,b=z: %q", got)
	}
}

func TestHistoryAcrossRename(t *testing.T) {
	b := newAudChain(t)
	old := &layout.TableSchema{DB: "d", Table: "old", Version: 1, Columns: []layout.Column{intCol("id"), strCol("v")}, PrimaryKey: []int{0}}
	b.one([]layout.TableSchema{*old}, tc{old, []layout.Change{aIns(int64(1), "a")}})
	renamed := layout.TableSchema{DB: "d", Table: "new", Version: 1, Columns: old.Columns, PrimaryKey: []int{0},
		Origins: []layout.ColumnOrigin{{From: 0}, {From: 1}}, RenamedFrom: &layout.TableRef{DB: "d", Table: "old"}}
	b.one([]layout.TableSchema{{DB: "d", Table: "old", Version: 2, Dropped: true}, renamed})
	b.one(nil, tc{&renamed, []layout.Change{aUpd(r(int64(1), "a"), r(int64(1), "b"))}})
	want := []string{"1 insert before=[] after=[1 a]", "3 update before=[1 a] after=[1 b] changed=[v]"}
	if got := historyText(t, b.eng, "new", "id=1", "HEAD"); !reflect.DeepEqual(got, want) {
		t.Errorf("history across the rename:\n got %q\nwant %q", got, want)
	}
	// a dropped table is read as it was just before the drop
	if got := historyText(t, b.eng, "old", "id=1", "HEAD"); !reflect.DeepEqual(got, want[:1]) {
		t.Errorf("history of the renamed-away table: %q", got)
	}
}
