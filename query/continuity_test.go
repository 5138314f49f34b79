package query_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query"
)

func TestContinuity(t *testing.T) {
	keyed := func() *layout.TableSchema {
		return &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: kvCols, PrimaryKey: []int{0}}
	}
	keyless := func() *layout.TableSchema {
		return &layout.TableSchema{DB: "d", Table: "log", Version: 1, Since: 1, Columns: kvCols}
	}
	tests := []struct {
		name    string
		schema  func() *layout.TableSchema
		commits [][]layout.Change
		want    []string // problems, in order
	}{
		{"consistent keyed", keyed, [][]layout.Change{
			{ins(int64(1), "a"), ins(int64(2), nil)},
			{upd(row(int64(1), "a"), row(int64(1), "b")), del(int64(2), nil)},
			{ins(int64(2), "again"), upd(row(int64(1), "b"), row(int64(1), "c"))},
		}, nil},
		{"drifted before image", keyed, [][]layout.Change{
			{ins(int64(1), "oranges")},
			{upd(row(int64(1), "ores"), row(int64(1), "apples"))},
		}, []string{"before image differs"}},
		{"delete of a missing row", keyed, [][]layout.Change{
			{ins(int64(1), "a")},
			{del(int64(7), "x")},
		}, []string{"delete of a row the lake does not have"}},
		{"insert of an existing key", keyed, [][]layout.Change{
			{ins(int64(1), "a")},
			{ins(int64(1), "b")},
		}, []string{"insert of a key the lake already has"}},
		{"update after delete", keyed, [][]layout.Change{
			{ins(int64(1), "a")},
			{del(int64(1), "a")},
			{upd(row(int64(1), "a"), row(int64(1), "b"))},
		}, []string{"update of a row the lake does not have"}},
		{"consistent keyless duplicates", keyless, [][]layout.Change{
			{ins(int64(1), "x"), ins(int64(1), "x")},
			{del(int64(1), "x"), del(int64(1), "x")},
		}, nil},
		{"keyless over-delete", keyless, [][]layout.Change{
			{ins(int64(1), "x")},
			{del(int64(1), "x"), del(int64(1), "x")},
		}, []string{"delete of a row the lake does not have"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newChainBuilder(t)
			s := tt.schema()
			for i, cs := range tt.commits {
				var news []layout.TableSchema
				if i == 0 {
					news = []layout.TableSchema{*s}
				}
				b.commit(s, news, cs...)
			}
			got, err := b.engine().CheckContinuity(context.Background(), query.ContinuityOptions{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var problems []string
			for _, d := range got {
				problems = append(problems, d.Problem)
			}
			if len(problems) != len(tt.want) {
				t.Fatalf("got %q, want %q", problems, tt.want)
			}
			for i := range tt.want {
				if !strings.Contains(problems[i], tt.want[i]) {
					t.Fatalf("got %q, want %q", problems, tt.want)
				}
			}
			if tt.name == "drifted before image" {
				d := got[0]
				if d.Commit != 2 || !reflect.DeepEqual(d.Expected, []any{int64(1), "oranges"}) || !reflect.DeepEqual(d.Found, []any{int64(1), "ores"}) {
					t.Fatalf("divergence %+v", d)
				}
			}
		})
	}
}
