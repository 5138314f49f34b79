package query_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/query/render"
)

func TestShowCommit(t *testing.T) {
	b := newAudChain(t)
	kv := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Columns: []layout.Column{intCol("id"), strCol("v"), decCol("p")}, PrimaryKey: []int{0}}
	lg := &layout.TableSchema{DB: "d", Table: "lg", Version: 1, Columns: []layout.Column{strCol("msg")}}
	b.snapshot(map[*layout.TableSchema][][]any{kv: {{int64(1), "a", "1.00"}}, lg: nil})
	b.commit(nil, tc{kv, []layout.Change{aUpd(r(int64(1), "a", "1.00"), r(int64(1), "b", "1.00")), aIns(int64(2), "n", nil)}},
		tc{lg, []layout.Change{aIns("hello")}})
	b.commit(nil, tc{kv, []layout.Change{aDel(int64(2), "n", nil)}})
	b.flush()
	e := b.eng
	cm, rows, err := e.ShowRows(context.Background(), query.ShowOptions{Commit: "2"})
	if err != nil {
		t.Fatal(err)
	}
	if cm.N != 2 || cm.GTID != "0-1-2" || len(rows) != 3 {
		t.Fatalf("commit %+v rows %+v", cm, rows)
	}
	if r := rows[0]; r.Table.Table != "kv" || r.Op != layout.OpUpdate || !reflect.DeepEqual(r.Changed, []string{"v"}) ||
		!reflect.DeepEqual(r.Before, []any{int64(1), "a", "1.00"}) || r.Seq != 0 {
		t.Errorf("row 0: %+v", r)
	}
	if r := rows[2]; r.Table.Table != "lg" || r.Op != layout.OpInsert || r.Seq != 2 || !reflect.DeepEqual(r.After, []any{"hello"}) {
		t.Errorf("row 2: %+v", r)
	}
	var out bytes.Buffer
	if err := e.Show(context.Background(), query.ShowOptions{Commit: "2"}, render.Output{Format: render.FormatTable, W: &out}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"commit 2 (GTID 0-1-2)", "| 0   | d.kv  | update | id=1      | v: a → b ", "| 2   | d.lg  | insert | msg=hello | msg=hello "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := e.Show(context.Background(), query.ShowOptions{Commit: "3"}, render.Output{Format: render.FormatJSONL, W: &out}); err != nil {
		t.Fatal(err)
	}
	want := `{"commit":3,"gtid":"0-1-3","time":"2023-11-14 22:13:50","seq":0,"table":"d.kv","op":"delete","key":{"id":1},"changed":[],"before":{"id":2,"v":"n","p":null},"after":null}`
	if strings.TrimSpace(out.String()) != strings.Replace(want, `"id":1`, `"id":2`, 1) {
		t.Errorf("jsonl:\n got %s\nwant %s", out.String(), want)
	}
	// the snapshot shows its rows as inserts
	_, rows, err = e.ShowRows(context.Background(), query.ShowOptions{Commit: "1"})
	if err != nil || len(rows) != 1 || rows[0].Op != layout.OpInsert || !reflect.DeepEqual(rows[0].After, []any{int64(1), "a", "1.00"}) {
		t.Errorf("snapshot: %+v %v", rows, err)
	}
	out.Reset()
	path := t.TempDir() + "/show.parquet"
	if err := e.Show(context.Background(), query.ShowOptions{Commit: "2"}, render.Output{Format: render.FormatParquet, Path: path}); err != nil {
		t.Fatal(err)
	}
}
