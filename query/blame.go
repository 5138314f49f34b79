package query

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
	"github.com/binlake/binlake/query/render"
)

// BlameRow is one row of a table's state with the commits that set it.
type BlameRow struct {
	Row []any
	// Commit is the commit of the row's last change (or of the snapshot
	// that copied it, when it never changed since).
	Commit uint64
	// Columns holds, per column, the commit that last set the column's
	// current value: the last insert or update that changed it, the ALTER
	// that added the column with a default, or the snapshot.
	Columns []uint64
}

// Blame is a table's state at a commit, with the commits that set it.
type Blame struct {
	Table  layout.TableRef
	Schema layout.TableSchema
	Commit uint64
	Rows   []BlameRow // ordered by primary key, or by every column
}

// blameEntry is one live row during the walk.
type blameEntry struct {
	img    []any
	commit uint64
	cols   []uint64 // 0: not set since the row's base or the column's birth
	base   uint64   // the snapshot commit for rows copied by the snapshot
}

// BlameRows returns the rows of db.table at ref (only those matching key,
// "col=value[,...]", when set) with, for each row and each column, the
// commit that last set it. It walks the change rows of the table's
// lineage since its creation or last TRUNCATE, oldest first: an insert
// sets every column, an update the columns whose values differ, and an
// ALTER that adds a column sets that column for the rows that existed.
// For a table without a primary key, rows are identified by their images;
// of identical rows, a delete removes the most recently set one.
func (e *Engine) BlameRows(ctx context.Context, opts BlameOptions) (*Blame, error) {
	db, table, key := opts.Table.DB, opts.Table.Table, opts.Key
	n, err := e.Resolve(refOrHead(opts.At))
	if err != nil {
		return nil, err
	}
	links := e.Chain.Lineage(db, table, n)
	if links == nil {
		_, err := e.Chain.TableAt(db, table, n)
		return nil, err
	}
	for k, l := range links {
		if l.Schema.Truncated {
			links = links[:k+1]
			break
		}
	}
	target := &links[0].Schema
	var kv []value.KeyValue
	var match func([]string) (string, []any)
	if key != "" {
		if kv, err = value.ParseKey(target, key); err != nil {
			return nil, err
		}
		// Only a condition on the whole primary key selects every change of
		// the rows it matches; other keys are checked on the final rows.
		if pk := pkConditions(target, kv); pk != nil {
			match = matchKey(target, pk)
		}
	}
	s, err := e.openSession(ctx)
	if err != nil {
		return nil, err
	}
	defer s.close()
	w := &blameWalk{id: identityCols(target), state: map[string][]*blameEntry{}}
	w.births, w.live = columnBirths(links)
	if !links[len(links)-1].Schema.Truncated {
		base, baseCommit, err := e.snapshotRows(ctx, s, links, match)
		if err != nil {
			return nil, err
		}
		for _, img := range base {
			w.push(&blameEntry{img: img, commit: baseCommit, cols: make([]uint64, len(img)), base: baseCommit})
		}
	}
	q, args, err := e.changesQuery(ctx, links, changeRange{Upto: n, Match: match})
	if err != nil {
		return nil, err
	}
	if q != "" {
		if err := scanChanges(ctx, s, q, args, target, w.apply); err != nil {
			return nil, err
		}
	}
	b := &Blame{Table: links[0].Table, Schema: *target, Commit: n, Rows: w.rows(kv)}
	sort.Slice(b.Rows, func(i, j int) bool { return compareImages(b.Rows[i].Row, b.Rows[j].Row, w.id) < 0 })
	return b, nil
}

// blameWalk replays change rows, oldest first, keeping for every live row
// the commits that set its columns.
type blameWalk struct {
	id     []int // identity columns (nil: the whole image)
	births []uint64
	live   [][]bool
	state  map[string][]*blameEntry
}

func (w *blameWalk) push(en *blameEntry) {
	k := value.ExactKey(w.id, en.img)
	w.state[k] = append(w.state[k], en)
}

// pop removes the row with this image's identity (of identical rows, the
// most recently set); nil when there is none.
func (w *blameWalk) pop(img []any) *blameEntry {
	k := value.ExactKey(w.id, img)
	st := w.state[k]
	if len(st) == 0 {
		return nil
	}
	if len(st) == 1 {
		delete(w.state, k)
	} else {
		w.state[k] = st[:len(st)-1]
	}
	return st[len(st)-1]
}

// apply replays one change row: an insert sets every column, an update the
// columns whose values differ; columns that a later ALTER added are not set
// by changes made before it.
func (w *blameWalk) apply(r *changeRow) error {
	var prev *blameEntry
	if r.Before != nil {
		prev = w.pop(r.Before)
	}
	if r.After == nil {
		return nil
	}
	en := &blameEntry{img: r.After, commit: r.Commit, cols: make([]uint64, len(r.After))}
	for c := range en.cols {
		switch {
		case !w.live[r.Link][c]:
		case prev == nil || !layout.ValuesEqual(r.Before[c], r.After[c]):
			en.cols[c] = r.Commit
		default:
			en.cols[c] = prev.cols[c]
		}
	}
	if prev != nil {
		en.base = prev.base
	}
	w.push(en)
	return nil
}

// rows returns the live rows that match key with their final blame.
func (w *blameWalk) rows(key []value.KeyValue) []BlameRow {
	var out []BlameRow
	for _, entries := range w.state {
		for _, en := range entries {
			if !matches(en.img, key) {
				continue
			}
			row := BlameRow{Row: en.img, Commit: en.commit, Columns: make([]uint64, len(en.cols))}
			for c, set := range en.cols {
				switch {
				case set != 0:
					row.Columns[c] = set
				case w.births[c] != 0:
					row.Columns[c] = w.births[c]
				default:
					row.Columns[c] = en.base
				}
			}
			out = append(out, row)
		}
	}
	return out
}

// pkConditions returns the conditions of key on the primary-key columns
// when key constrains all of them, else nil.
func pkConditions(s *layout.TableSchema, key []value.KeyValue) []value.KeyValue {
	if len(s.PrimaryKey) == 0 {
		return nil
	}
	var out []value.KeyValue
	for _, k := range s.PrimaryKey {
		found := false
		for _, c := range key {
			if c.Index == k {
				out, found = append(out, c), true
			}
		}
		if !found {
			return nil
		}
	}
	return out
}

// matches reports whether an image meets every condition of key.
func matches(img []any, key []value.KeyValue) bool {
	for _, c := range key {
		if !layout.ValuesEqual(img[c.Index], c.Value) {
			return false
		}
	}
	return true
}

// compareImages orders images by some columns (every column when idx is
// nil), NULL first.
func compareImages(a, b []any, idx []int) int {
	if idx == nil {
		for i := range a {
			if c := compareValues(a[i], b[i]); c != 0 {
				return c
			}
		}
		return 0
	}
	for _, i := range idx {
		if c := compareValues(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// compareValues orders two canonical values of one column.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case int64:
		return cmpOrdered(x, b.(int64))
	case uint64:
		return cmpOrdered(x, b.(uint64))
	case float32:
		return cmpOrdered(x, b.(float32))
	case float64:
		return cmpOrdered(x, b.(float64))
	case string:
		return strings.Compare(x, b.(string))
	case []byte:
		return bytes.Compare(x, b.([]byte))
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func cmpOrdered[T int64 | uint64 | float32 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Blame writes the rows of db.table at ref with the commit of each row's
// last change and, per column, the commit that last set its value (column
// "<name>@"). With column set, only the row's key, that column's value and
// the commit, GTID and time that set it.
func (e *Engine) Blame(ctx context.Context, opts BlameOptions, out render.Output) error {
	column := opts.Column
	b, err := e.BlameRows(ctx, opts)
	if err != nil {
		return err
	}
	sh := &render.Sheet{}
	if column != "" {
		i := b.Schema.ColumnIndex(column)
		if i < 0 {
			return fmt.Errorf("%s has no column %q (columns: %s)", b.Table, column, b.Schema.ColumnNames())
		}
		c := &b.Schema.Columns[i]
		sh.Cols = []string{"key", c.Name, "commit", "gtid", "time"}
		sh.Types = []string{keyType(&b.Schema), duckType(c), "UBIGINT", "VARCHAR", "TIMESTAMPTZ"}
		for _, r := range b.Rows {
			cm, _ := e.Chain.Commit(r.Columns[i])
			sh.Rows = append(sh.Rows, []any{render.KeyObject(&b.Schema, r.Row), r.Row[i], r.Columns[i], cm.GTID, timeOrNil(cm)})
		}
		return e.writeSheet(ctx, sh, out)
	}
	sh.Cols = []string{"commit"}
	sh.Types = []string{"UBIGINT"}
	for i := range b.Schema.Columns {
		c := &b.Schema.Columns[i]
		sh.Cols = append(sh.Cols, c.Name, c.Name+"@")
		sh.Types = append(sh.Types, duckType(c), "UBIGINT")
	}
	for _, r := range b.Rows {
		row := []any{r.Commit}
		for i, v := range r.Row {
			row = append(row, v, r.Columns[i])
		}
		sh.Rows = append(sh.Rows, row)
	}
	return e.writeSheet(ctx, sh, out)
}

func timeOrNil(cm layout.Commit) any {
	if cm.N == 0 {
		return nil
	}
	return cm.Time.UTC()
}
