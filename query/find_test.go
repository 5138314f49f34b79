package query_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/query/render"
)

func TestFindCommits(t *testing.T) {
	b := newAudChain(t)
	kv := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Columns: []layout.Column{intCol("id")}, PrimaryKey: []int{0}}
	lg := &layout.TableSchema{DB: "d", Table: "lg", Version: 1, Columns: []layout.Column{intCol("a")}}
	var many []layout.Change
	for i := range 50 {
		many = append(many, aIns(int64(i)))
	}
	b.commit([]layout.TableSchema{*kv, *lg}, tc{kv, many}) // 1: 50 inserts
	var dels []layout.Change
	for i := range 40 {
		dels = append(dels, aDel(int64(i)))
	}
	b.commit(nil, tc{kv, dels}, tc{lg, []layout.Change{aIns(int64(1))}})   // 2: 40 deletes + 1 insert
	b.commit(nil, tc{lg, []layout.Change{aIns(int64(2)), aDel(int64(1))}}) // 3
	b.commit([]layout.TableSchema{{DB: "d", Table: "kv", Version: 2, Columns: kv.Columns, PrimaryKey: []int{0},
		Origins: []layout.ColumnOrigin{{From: 0}}}}) // 4: ddl
	b.flush()
	e := b.eng
	find := func(f query.FindOptions) []uint64 {
		var out []uint64
		found, err := e.FindRows(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range found {
			out = append(out, fd.N)
		}
		return out
	}
	kvRef := []layout.TableRef{{DB: "d", Table: "kv"}}
	for name, tt := range map[string]struct {
		f    query.FindOptions
		want []uint64
	}{
		"all":              {query.FindOptions{}, []uint64{4, 3, 2, 1}},
		"deletes of 40+":   {query.FindOptions{Ops: []layout.Op{layout.OpDelete}, MinRows: 40}, []uint64{2}},
		"deletes":          {query.FindOptions{Ops: []layout.Op{layout.OpDelete}}, []uint64{3, 2}},
		"lg":               {query.FindOptions{Tables: []layout.TableRef{{DB: "d", Table: "lg"}}}, []uint64{3, 2}},
		"kv incl. ddl":     {query.FindOptions{Tables: kvRef}, []uint64{4, 2, 1}},
		"kv ddl only":      {query.FindOptions{Tables: kvRef, Kinds: []layout.CommitKind{layout.CommitDDL}}, []uint64{4}},
		"inserts by rows":  {query.FindOptions{Ops: []layout.Op{layout.OpInsert}, ByRows: true}, []uint64{1, 3, 2}},
		"time window":      {query.FindOptions{Since: audTime(2), Until: audTime(3)}, []uint64{3, 2}},
		"41 rows":          {query.FindOptions{MinRows: 41}, []uint64{2, 1}},
		"limit":            {query.FindOptions{Limit: 1}, []uint64{4}},
		"before the first": {query.FindOptions{Until: audTime(1).Add(-time.Second)}, nil},
	} {
		if got := find(tt.f); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, want %v", name, got, tt.want)
		}
	}
	var out bytes.Buffer
	f := query.FindOptions{Ops: []layout.Op{layout.OpDelete}, MinRows: 40}
	if err := e.Find(context.Background(), f, render.Output{Format: render.FormatCSV, W: &out}); err != nil {
		t.Fatal(err)
	}
	want := "commit,gtid,time,kind,rows,inserts,updates,deletes,tables,ddl\n2,0-1-2,2023-11-14 22:13:40,dml,40,0,0,40,\"d.kv +0 ~0 -40, d.lg +1 ~0 -0\",\n"
	if out.String() != want {
		t.Errorf("csv:\n got %q\nwant %q", out.String(), want)
	}
	if _, err := query.ParseOp("DELETE"); err != nil {
		t.Error(err)
	}
	if _, err := query.ParseOp("merge"); err == nil || !strings.Contains(err.Error(), "insert, update or delete") {
		t.Errorf("bad op: %v", err)
	}
}
