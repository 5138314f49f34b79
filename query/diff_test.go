package query_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/query/render"
)

func diffOf(t *testing.T, e *query.Engine, from, to string, tables ...layout.TableRef) *query.DiffResult {
	t.Helper()
	d, err := e.DiffRows(context.Background(), query.DiffOptions{From: from, To: to, Tables: tables})
	if err != nil {
		t.Fatalf("diff %s %s: %v", from, to, err)
	}
	return d
}

func TestDiffKeyed(t *testing.T) {
	b := newAudChain(t)
	s := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Columns: []layout.Column{intCol("id"), strCol("v"), decCol("p")}, PrimaryKey: []int{0}}
	b.one([]layout.TableSchema{*s}, tc{s, []layout.Change{aIns(int64(1), "a", "1.00"), aIns(int64(2), "b", nil), aIns(int64(3), "c", "3.00")}})
	b.commit(nil, tc{s, []layout.Change{aUpd(r(int64(1), "a", "1.00"), r(int64(1), "A", "1.00")), aDel(int64(2), "b", nil)}})
	// a primary-key change, stored as delete + insert, then a row that is
	// changed and changed back (no difference)
	b.commit(nil, tc{s, []layout.Change{aDel(int64(3), "c", "3.00"), aIns(int64(30), "c", "3.00"), aIns(int64(4), "x", nil)}})
	b.commit(nil, tc{s, []layout.Change{aUpd(r(int64(1), "A", "1.00"), r(int64(1), "A", "2.50")), aDel(int64(4), "x", nil)}})
	b.flush()
	e := b.eng
	got := diffText(diffOf(t, e, "1", "HEAD"))
	want := []string{
		"d.kv added before=[] after=[30 c 3.00] changed=[]",
		"d.kv modified before=[1 a 1.00] after=[1 A 2.50] changed=[v p]",
		"d.kv removed before=[2 b <nil>] after=[] changed=[]",
		"d.kv removed before=[3 c 3.00] after=[] changed=[]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diff 1..HEAD:\n got %q\nwant %q", got, want)
	}
	// the inverse
	got = diffText(diffOf(t, e, "HEAD", "1"))
	want = []string{
		"d.kv added before=[] after=[2 b <nil>] changed=[]",
		"d.kv added before=[] after=[3 c 3.00] changed=[]",
		"d.kv modified before=[1 A 2.50] after=[1 a 1.00] changed=[v p]",
		"d.kv removed before=[30 c 3.00] after=[] changed=[]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diff HEAD..1:\n got %q\nwant %q", got, want)
	}
	d := diffOf(t, e, "1", "HEAD")
	for _, r := range d.Tables[0].Rows {
		if r.Kind == query.DiffModified && !reflect.DeepEqual(r.Key, []any{int64(1)}) {
			t.Errorf("modified row key %v", r.Key)
		}
	}
	if d := diffOf(t, e, "3", "3"); len(d.Tables) != 0 {
		t.Errorf("diff of a commit with itself: %v", diffText(d))
	}
}

func TestDiffWithoutPrimaryKeyCountsDuplicates(t *testing.T) {
	b := newAudChain(t)
	s := &layout.TableSchema{DB: "d", Table: "log", Version: 1, Columns: []layout.Column{intCol("a"), strCol("b")}}
	b.one([]layout.TableSchema{*s}, tc{s, []layout.Change{aIns(int64(1), "x"), aIns(int64(1), "x"), aIns(int64(2), nil)}})
	b.one(nil, tc{s, []layout.Change{aIns(int64(1), "x"), aDel(int64(2), nil)}})
	b.one(nil, tc{s, []layout.Change{aDel(int64(1), "x"), aUpd(r(int64(1), "x"), r(int64(1), "y")), aIns(int64(2), nil)}})
	got := diffText(diffOf(t, b.eng, "1", "3"))
	want := []string{
		"d.log added before=[] after=[1 y] changed=[]",
		"d.log removed before=[1 x] after=[] changed=[]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	got = diffText(diffOf(t, b.eng, "2", "3"))
	want = []string{
		"d.log added before=[] after=[1 y] changed=[]",
		"d.log added before=[] after=[2 <nil>] changed=[]",
		"d.log removed before=[1 x] after=[] changed=[]",
		"d.log removed before=[1 x] after=[] changed=[]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestDiffAcrossSchemaChange(t *testing.T) {
	b := newAudChain(t)
	v1 := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Columns: []layout.Column{intCol("id"), strCol("v")}, PrimaryKey: []int{0}}
	b.one([]layout.TableSchema{*v1}, tc{v1, []layout.Change{aIns(int64(1), "a"), aIns(int64(2), "b"), aIns(int64(3), "c")}})
	b.one(nil, tc{v1, []layout.Change{aUpd(r(int64(1), "a"), r(int64(1), "A"))}})
	// ALTER TABLE kv ADD COLUMN n INT DEFAULT 7 FIRST, RENAME COLUMN v TO w
	v2 := &layout.TableSchema{DB: "d", Table: "kv", Version: 2, PrimaryKey: []int{1},
		Columns: []layout.Column{intCol("n"), intCol("id"), strCol("w")},
		Origins: []layout.ColumnOrigin{{From: -1, Default: text("7")}, {From: 0}, {From: 1}}}
	b.one([]layout.TableSchema{*v2})
	b.one(nil, tc{v2, []layout.Change{aUpd(r(int64(7), int64(2), "b"), r(int64(8), int64(2), "b")), aIns(int64(1), int64(4), "d")}})
	got := diffText(diffOf(t, b.eng, "1", "HEAD"))
	want := []string{
		"d.kv added before=[] after=[1 4 d] changed=[]",
		"d.kv modified before=[7 1 a] after=[7 1 A] changed=[w]",
		"d.kv modified before=[7 2 b] after=[8 2 b] changed=[n]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// the schema change alone makes no difference: rows of 2 are compared
	// under the schema of 3
	if d := diffOf(t, b.eng, "2", "3"); len(d.Tables) != 0 {
		t.Errorf("diff over the ALTER alone: %q", diffText(d))
	}
	// a primary-key change by ALTER: rows keep their images, the key moves
	v3 := &layout.TableSchema{DB: "d", Table: "kv", Version: 3, PrimaryKey: []int{2},
		Columns: v2.Columns, Origins: []layout.ColumnOrigin{{From: 0}, {From: 1}, {From: 2}}}
	b.one([]layout.TableSchema{*v3})
	b.one(nil, tc{v3, []layout.Change{aUpd(r(int64(7), int64(3), "c"), r(int64(7), int64(3), "C"))}})
	got = diffText(diffOf(t, b.eng, "2", "HEAD"))
	want = []string{
		"d.kv added before=[] after=[1 4 d] changed=[]",
		"d.kv added before=[] after=[7 3 C] changed=[]",
		"d.kv modified before=[7 2 b] after=[8 2 b] changed=[n]",
		"d.kv removed before=[7 3 c] after=[] changed=[]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after a key change:\n got %q\nwant %q", got, want)
	}
}

func TestDiffCreatedDroppedRecreatedTruncated(t *testing.T) {
	b := newAudChain(t)
	cols := []layout.Column{intCol("id"), strCol("v")}
	a1 := &layout.TableSchema{DB: "d", Table: "a", Version: 1, Columns: cols, PrimaryKey: []int{0}}
	b.one([]layout.TableSchema{*a1}, tc{a1, []layout.Change{aIns(int64(1), "x"), aIns(int64(2), "y")}}) // 1
	t1 := &layout.TableSchema{DB: "d", Table: "t", Version: 1, Columns: cols, PrimaryKey: []int{0}}
	b.one([]layout.TableSchema{*t1}, tc{t1, []layout.Change{aIns(int64(5), "new")}}) // 2: t created
	b.one([]layout.TableSchema{{DB: "d", Table: "a", Version: 2, Dropped: true}})    // 3: a dropped
	a3 := &layout.TableSchema{DB: "d", Table: "a", Version: 3, Columns: []layout.Column{intCol("k")}, PrimaryKey: []int{0}}
	b.one([]layout.TableSchema{*a3}, tc{a3, []layout.Change{aIns(int64(9))}}) // 4: a re-created
	// 5: TRUNCATE t, then a row written again
	t2 := &layout.TableSchema{DB: "d", Table: "t", Version: 2, Columns: cols, PrimaryKey: []int{0}, Truncated: true,
		Origins: []layout.ColumnOrigin{{From: 0}, {From: 1}}}
	b.one([]layout.TableSchema{*t2})
	b.one(nil, tc{t2, []layout.Change{aIns(int64(6), "after")}}) // 6
	e := b.eng
	check := func(from, to string, want []string) {
		t.Helper()
		if got := diffText(diffOf(t, e, from, to)); !reflect.DeepEqual(got, want) {
			t.Errorf("diff %s %s:\n got %q\nwant %q", from, to, got, want)
		}
	}
	check("1", "2", []string{"d.t added(created) before=[] after=[5 new] changed=[]"})
	check("2", "3", []string{"d.a removed(dropped) before=[1 x] after=[] changed=[]", "d.a removed(dropped) before=[2 y] after=[] changed=[]"})
	check("3", "2", []string{"d.a added(created) before=[] after=[1 x] changed=[]", "d.a added(created) before=[] after=[2 y] changed=[]"})
	check("2", "4", []string{
		"d.a added(recreated) before=[] after=[9] changed=[]",
		"d.a removed(recreated) before=[1 x] after=[] changed=[]",
		"d.a removed(recreated) before=[2 y] after=[] changed=[]",
	})
	check("4", "6", []string{
		"d.t added before=[] after=[6 after] changed=[]",
		"d.t removed before=[5 new] after=[] changed=[]",
	})
	d := diffOf(t, e, "2", "4", layout.TableRef{DB: "d", Table: "a"})
	if len(d.Tables) != 1 || len(d.Tables[0].BeforeSchema.Columns) != 2 || len(d.Tables[0].Schema.Columns) != 1 {
		t.Errorf("re-created table schemas: %+v", d.Tables)
	}
}

// randomHistory drives random changes through a model of every table, so
// that each before image is the row the table really holds. Tables: kv (a
// primary key; ALTER ADD COLUMN in the middle), lg (no primary key, with
// duplicates; TRUNCATE in the middle), late (created, dropped, re-created).
type randomHistory struct {
	b       *audChain
	r       *rand.Rand
	kv      *layout.TableSchema
	lg      *layout.TableSchema
	late    *layout.TableSchema
	kvRows  map[int64][]any
	lgRows  [][]any
	lateOn  bool
	nextID  int64
	ddlKind map[uint64]string
}

func (h *randomHistory) value() any {
	if h.r.IntN(5) == 0 {
		return nil
	}
	return fmt.Sprintf("s%d", h.r.IntN(4))
}

func (h *randomHistory) kvChanges() []layout.Change {
	var out []layout.Change
	for range 1 + h.r.IntN(4) {
		ids := make([]int64, 0, len(h.kvRows))
		for id := range h.kvRows {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		switch op := h.r.IntN(10); {
		case op < 3 || len(ids) == 0:
			h.nextID++
			img := []any{h.nextID, h.value()}
			if len(h.kv.Columns) == 3 {
				img = append(img, int64(h.r.IntN(3)))
			}
			h.kvRows[h.nextID] = img
			out = append(out, aIns(img...))
		case op < 7:
			id := ids[h.r.IntN(len(ids))]
			old := h.kvRows[id]
			img := append([]any(nil), old...)
			img[1] = h.value()
			if len(img) == 3 && h.r.IntN(2) == 0 {
				img[2] = int64(h.r.IntN(3))
			}
			h.kvRows[id] = img
			out = append(out, aUpd(old, img))
		case op < 9:
			id := ids[h.r.IntN(len(ids))]
			out = append(out, aDel(h.kvRows[id]...))
			delete(h.kvRows, id)
		default: // a primary-key update: delete + insert
			id := ids[h.r.IntN(len(ids))]
			old := h.kvRows[id]
			delete(h.kvRows, id)
			h.nextID++
			img := append([]any{h.nextID}, old[1:]...)
			h.kvRows[h.nextID] = img
			out = append(out, aDel(old...), aIns(img...))
		}
	}
	return out
}

func (h *randomHistory) lgChanges() []layout.Change {
	var out []layout.Change
	for range 1 + h.r.IntN(3) {
		switch op := h.r.IntN(10); {
		case op < 4 || len(h.lgRows) == 0:
			img := []any{int64(h.r.IntN(3)), h.value()}
			h.lgRows = append(h.lgRows, img)
			out = append(out, aIns(img...))
		case op < 7:
			i := h.r.IntN(len(h.lgRows))
			old := h.lgRows[i]
			img := []any{old[0], h.value()}
			h.lgRows[i] = img
			out = append(out, aUpd(old, img))
		default:
			i := h.r.IntN(len(h.lgRows))
			out = append(out, aDel(h.lgRows[i]...))
			h.lgRows = append(h.lgRows[:i], h.lgRows[i+1:]...)
		}
	}
	return out
}

func (h *randomHistory) step(i, total int) {
	b := h.b
	switch i {
	case total / 3: // ALTER TABLE kv ADD COLUMN n INT DEFAULT 1
		v2 := &layout.TableSchema{DB: "d", Table: "kv", Version: 2, PrimaryKey: []int{0},
			Columns: []layout.Column{intCol("id"), strCol("v"), intCol("n")},
			Origins: []layout.ColumnOrigin{{From: 0}, {From: 1}, {From: -1, Default: text("1")}}}
		h.kv = v2
		for id, img := range h.kvRows {
			h.kvRows[id] = append(img, int64(1))
		}
		h.ddlKind[b.commit([]layout.TableSchema{*v2})] = "alter"
		return
	case total / 2:
		h.late = &layout.TableSchema{DB: "d", Table: "late", Version: 1, Columns: []layout.Column{intCol("id"), strCol("v")}, PrimaryKey: []int{0}}
		h.lateOn = true
		b.commit([]layout.TableSchema{*h.late}, tc{h.late, []layout.Change{aIns(int64(1), "l1"), aIns(int64(2), "l2")}})
		return
	case 2 * total / 3: // TRUNCATE lg
		v2 := &layout.TableSchema{DB: "d", Table: "lg", Version: 2, Columns: h.lg.Columns, Truncated: true,
			Origins: []layout.ColumnOrigin{{From: 0}, {From: 1}}}
		h.lg, h.lgRows = v2, nil
		b.commit([]layout.TableSchema{*v2})
		return
	case 3 * total / 4:
		h.lateOn = false
		b.commit([]layout.TableSchema{{DB: "d", Table: "late", Version: 2, Dropped: true}})
		return
	case 5 * total / 6:
		h.late = &layout.TableSchema{DB: "d", Table: "late", Version: 3, Columns: []layout.Column{strCol("name")}}
		h.lateOn = true
		b.commit([]layout.TableSchema{*h.late}, tc{h.late, []layout.Change{aIns("n1"), aIns("n1")}})
		return
	}
	changes := []tc{{h.kv, h.kvChanges()}}
	if h.r.IntN(2) == 0 {
		changes = append(changes, tc{h.lg, h.lgChanges()})
	}
	if h.lateOn && h.r.IntN(3) == 0 && len(h.late.PrimaryKey) > 0 {
		changes = append(changes, tc{h.late, []layout.Change{aIns(int64(100+i), "more")}})
	}
	b.commit(nil, changes...)
}

// expectedDiff computes the difference of the as-of results at from and to,
// mapping rows of from into to's schema (the only mapping in randomHistory
// is kv's added column n, default 1).
func expectedDiff(t *testing.T, e *query.Engine, from, to uint64) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for _, name := range []string{"kv", "lg", "late"} {
		a, errA := e.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: "d", Table: name}, At: fmt.Sprint(from)})
		z, errZ := e.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: "d", Table: name}, At: fmt.Sprint(to)})
		for _, err := range []error{errA, errZ} {
			if err != nil && !errors.Is(err, catalog.ErrNoTable) {
				t.Fatal(err)
			}
		}
		emit := func(kind, status string, before, after []any, changed []string) {
			if before == nil {
				before = []any{}
			}
			if after == nil {
				after = []any{}
			}
			out = append(out, fmt.Sprintf("d.%s %s%s before=%v after=%v changed=%v", name, kind, status, before, after, changed))
		}
		switch {
		case errA != nil && errZ != nil:
			continue
		case errA != nil:
			for _, row := range z.Rows {
				emit("added", "(created)", nil, row, nil)
			}
			continue
		case errZ != nil:
			for _, row := range a.Rows {
				emit("removed", "(dropped)", row, nil, nil)
			}
			continue
		}
		if a.Schema.Version != z.Schema.Version && name == "late" {
			// dropped and re-created in between (with from < to or not)
			for _, row := range a.Rows {
				emit("removed", "(recreated)", row, nil, nil)
			}
			for _, row := range z.Rows {
				emit("added", "(recreated)", nil, row, nil)
			}
			continue
		}
		mapRow := func(row []any, to *layout.TableSchema) []any {
			if len(to.Columns) > len(row) {
				return append(append([]any(nil), row...), int64(1))
			}
			return row
		}
		later := &z.Schema
		if z.Schema.Version < a.Schema.Version {
			later = &a.Schema
		}
		count := map[string]int{}
		imgs := map[string][]any{}
		for _, row := range a.Rows {
			row = mapRow(row, later)
			k := fmt.Sprintf("%#v", row)
			count[k]--
			imgs[k] = row
		}
		for _, row := range z.Rows {
			row = mapRow(row, later)
			k := fmt.Sprintf("%#v", row)
			count[k]++
			imgs[k] = row
		}
		removed, added := map[string][][]any{}, map[string][][]any{}
		var keys []string
		for k, n := range count {
			img := imgs[k]
			key := k
			if len(later.PrimaryKey) > 0 {
				key = fmt.Sprintf("%#v", img[later.PrimaryKey[0]])
			}
			if removed[key] == nil && added[key] == nil {
				keys = append(keys, key)
			}
			for ; n < 0; n++ {
				removed[key] = append(removed[key], img)
			}
			for ; n > 0; n-- {
				added[key] = append(added[key], img)
			}
		}
		for _, key := range keys {
			rm, ad := removed[key], added[key]
			if len(later.PrimaryKey) > 0 && len(rm) == 1 && len(ad) == 1 {
				var changed []string
				for i, c := range later.Columns {
					if !layout.ValuesEqual(rm[0][i], ad[0][i]) {
						changed = append(changed, c.Name)
					}
				}
				emit("modified", "", rm[0], ad[0], changed)
				continue
			}
			for _, row := range rm {
				emit("removed", "", row, nil, nil)
			}
			for _, row := range ad {
				emit("added", "", nil, row, nil)
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestDiffEqualsAsOfDifference is the property: for random histories and
// random pairs of points, Diff equals the difference of the as-of results.
func TestDiffEqualsAsOfDifference(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			b := newAudChain(t)
			h := &randomHistory{b: b, r: rand.New(rand.NewPCG(seed, 7)), kvRows: map[int64][]any{}, ddlKind: map[uint64]string{}}
			h.kv = &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Columns: []layout.Column{intCol("id"), strCol("v")}, PrimaryKey: []int{0}}
			h.lg = &layout.TableSchema{DB: "d", Table: "lg", Version: 1, Columns: []layout.Column{intCol("a"), strCol("b")}}
			b.commit([]layout.TableSchema{*h.kv, *h.lg}, tc{h.kv, h.kvChanges()}, tc{h.lg, h.lgChanges()})
			const total = 48
			for i := 1; i < total; i++ {
				h.step(i, total)
				if h.r.IntN(3) == 0 {
					b.flush()
				}
				if h.r.IntN(12) == 0 {
					b.checkpoint(b.n)
				}
			}
			b.flush()
			pairs := 25
			if testing.Short() {
				pairs = 8
			}
			for range pairs {
				from, to := 1+h.r.Uint64N(b.n), 1+h.r.Uint64N(b.n)
				got := diffText(diffOf(t, b.eng, fmt.Sprint(from), fmt.Sprint(to)))
				want := expectedDiff(t, b.eng, from, to)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("diff %d %d:\n got %s\nwant %s", from, to, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
				}
			}
		})
	}
}

func TestWriteDiffFormats(t *testing.T) {
	b := newAudChain(t)
	s := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Columns: []layout.Column{intCol("id"), strCol("v"), decCol("p")}, PrimaryKey: []int{0}}
	other := &layout.TableSchema{DB: "d", Table: "o", Version: 1, Columns: []layout.Column{intCol("x")}}
	b.one([]layout.TableSchema{*s, *other}, tc{s, []layout.Change{aIns(int64(1), "a", "1.00"), aIns(int64(2), "b", nil)}})
	b.one(nil, tc{s, []layout.Change{aUpd(r(int64(1), "a", "1.00"), r(int64(1), "a", "2.00")), aDel(int64(2), "b", nil), aIns(int64(3), "c,d", nil)}},
		tc{other, []layout.Change{aIns(int64(7))}})
	e := b.eng
	ctx := context.Background()
	kvOnly := []layout.TableRef{{DB: "d", Table: "kv"}}
	d := query.DiffOptions{From: "1", To: "2", Tables: kvOnly}
	var out bytes.Buffer
	if err := e.Diff(ctx, d, render.Output{Format: render.FormatTable, W: &out}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"d.kv, commit 1 → 2: 1 added, 1 removed, 1 modified", "| modified | 1  | a   | 1.00 → 2.00 |", "| removed  | 2  | b   | NULL "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := e.Diff(ctx, d, render.Output{Format: render.FormatCSV, W: &out}); err != nil {
		t.Fatal(err)
	}
	want := "kind,changed,before.id,before.v,before.p,after.id,after.v,after.p\n" +
		"modified,p,1,a,1.00,1,a,2.00\nremoved,,2,b,\\N,\\N,\\N,\\N\nadded,,\\N,\\N,\\N,3,\"c,d\",\\N\n"
	if out.String() != want {
		t.Errorf("csv:\n got %q\nwant %q", out.String(), want)
	}
	out.Reset()
	if err := e.Diff(ctx, d, render.Output{Format: render.FormatJSONL, W: &out}); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(out.String(), "\n"); first != `{"table":"d.kv","status":"","kind":"modified","key":{"id":1},"changed":["p"],"before":{"id":1,"v":"a","p":"1.00"},"after":{"id":1,"v":"a","p":"2.00"}}` {
		t.Errorf("jsonl: %s", out.String())
	}
	path := t.TempDir() + "/diff.parquet"
	if err := e.Diff(ctx, d, render.Output{Format: render.FormatParquet, Path: path}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	var kinds, changed, p string
	err = db.QueryRow(`SELECT count(*), string_agg(kind, ',' ORDER BY kind), string_agg(array_to_string(changed, '+'), ',' ORDER BY kind),
		string_agg(coalesce(after.p, 'null'), ',' ORDER BY kind) FROM read_parquet(?)`, path).Scan(&n, &kinds, &changed, &p)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || kinds != "added,modified,removed" || changed != ",p," || p != "null,2.00,null" {
		t.Errorf("parquet: %d %q %q %q", n, kinds, changed, p)
	}
	// csv and parquet hold one table
	all := query.DiffOptions{From: "1", To: "2"}
	if err := e.Diff(ctx, all, render.Output{Format: render.FormatCSV, W: &out}); !errors.Is(err, query.ErrOneTable) {
		t.Errorf("csv of two tables: %v", err)
	}
}

// BenchmarkDiffVsAsOf measures a diff of one commit that changed 1,000 rows
// of a table of BINLAKE_BENCH_ROWS rows (default 100,000) with as many
// changes of history, next to an as-of read of the same table.
func BenchmarkDiffVsAsOf(b *testing.B) {
	rows := 100_000
	if s := os.Getenv("BINLAKE_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		rows = n
	}
	const perCommit, commitsPerSegment = 1000, 100
	ac := newBenchChain(b, rows, rows/perCommit, perCommit, commitsPerSegment)
	ctx := context.Background()
	head := ac.Chain.LastCommit()
	b.Run("diff", func(b *testing.B) {
		for b.Loop() {
			d, err := ac.eng.DiffRows(ctx, query.DiffOptions{From: fmt.Sprint(head - 1), To: fmt.Sprint(head), Tables: nil})
			if err != nil {
				b.Fatal(err)
			}
			if n := len(d.Tables[0].Rows); n != perCommit {
				b.Fatalf("diff has %d rows", n)
			}
		}
	})
	b.Run("asof", func(b *testing.B) {
		for b.Loop() {
			tb, err := ac.eng.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: "d", Table: "big"}, At: "HEAD"})
			if err != nil {
				b.Fatal(err)
			}
			if len(tb.Rows) != rows {
				b.Fatalf("as-of has %d rows", len(tb.Rows))
			}
		}
	})
}

// newBenchChain writes a table of rows rows (a snapshot at commit 1), then
// commits commits that each update perCommit random rows, group-committed
// perSegment commits to a segment.
func newBenchChain(b *testing.B, rows, commits, perCommit, perSegment int) *audChain {
	b.Helper()
	ac := newAudChain(b)
	s := &layout.TableSchema{DB: "d", Table: "big", Version: 1, PrimaryKey: []int{0},
		Columns: []layout.Column{{Name: "id", Kind: layout.KindInt, SQLType: "bigint", Width: 8}, strCol("v"), intCol("n")}}
	state := make([][]any, rows)
	for i := range state {
		state[i] = []any{int64(i), fmt.Sprintf("value %d", i), int64(0)}
	}
	ac.snapshot(map[*layout.TableSchema][][]any{s: state})
	r := rand.New(rand.NewPCG(1, 2))
	for c := 0; c < commits; c++ {
		var ch []layout.Change
		for _, i := range r.Perm(rows)[:perCommit] {
			old := state[i]
			img := []any{old[0], old[1], old[2].(int64) + 1}
			state[i] = img
			ch = append(ch, aUpd(old, img))
		}
		ac.commit(nil, tc{s, ch})
		if (c+1)%perSegment == 0 {
			ac.flush()
		}
	}
	ac.flush()
	return ac
}

func TestDiffUnknownTable(t *testing.T) {
	b := newAudChain(t)
	s := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Columns: []layout.Column{intCol("id")}, PrimaryKey: []int{0}}
	b.one([]layout.TableSchema{*s}, tc{s, []layout.Change{aIns(int64(1))}})
	b.one(nil, tc{s, []layout.Change{aIns(int64(2))}})
	_, err := b.eng.DiffRows(context.Background(), query.DiffOptions{From: "1", To: "2", Tables: []layout.TableRef{{DB: "d", Table: "nope"}}})
	if !errors.Is(err, catalog.ErrNoTable) || !strings.Contains(err.Error(), "tables then: d.kv") {
		t.Errorf("unknown table: %v", err)
	}
	if _, err := b.eng.DiffRows(context.Background(), query.DiffOptions{From: "1", To: "HEAD~5", Tables: nil}); err == nil || !strings.Contains(err.Error(), "diff to") {
		t.Errorf("bad ref: %v", err)
	}
}
