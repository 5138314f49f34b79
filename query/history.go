package query

import (
	"context"
	"fmt"
	"strings"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
	"github.com/binlake/binlake/query/render"
)

// Ops that history and blame report besides the change rows' own.
const (
	OpSnapshot layout.Op = "snapshot" // the row was in the initial snapshot
	OpTruncate layout.Op = "truncate" // TRUNCATE TABLE removed the row
)

// matchKey returns a Match function for a key's conditions.
func matchKey(s *layout.TableSchema, key []value.KeyValue) func(img []string) (string, []any) {
	return func(img []string) (string, []any) {
		conds := make([]string, len(key))
		args := make([]any, len(key))
		for i, kv := range key {
			conds[i] = fmt.Sprintf("%s IS NOT DISTINCT FROM CAST(? AS %s)", img[kv.Index], duckType(&s.Columns[kv.Index]))
			args[i] = kv.Value
		}
		return strings.Join(conds, " AND "), args
	}
}

// HistoryEntry is one change to a row: the commit that made it and the
// row's images before and after, under History.Schema.
type HistoryEntry struct {
	layout.Change
	// Changed names, for updates, the columns whose values differ.
	Changed []string
}

// History is every change to the rows that match a key, oldest first.
type History struct {
	Table layout.TableRef
	// Schema is the table's schema at the end of the history; older images
	// are mapped into it through the schema versions' Origins.
	Schema  layout.TableSchema
	Key     []value.KeyValue
	Entries []HistoryEntry
}

// HistoryRows returns every change, up to ref, to the rows of db.table
// whose before or after image matches key ("col=value[,col=value]", see
// ParseKey): for a table with a primary key given as the key, every version
// of that row. It follows the table back through ALTER and RENAME TABLE
// (images mapped into the newest schema), starts with the row's copy in the
// initial snapshot, and marks rows that TRUNCATE removed. A table dropped
// at ref is read as it was just before.
func (e *Engine) HistoryRows(ctx context.Context, opts HistoryOptions) (*History, error) {
	db, table, key := opts.Table.DB, opts.Table.Table, opts.Key
	links, err := e.lineageUpTo(db, table, refOrHead(opts.At))
	if err != nil {
		return nil, err
	}
	target := &links[0].Schema
	kv, err := value.ParseKey(target, key)
	if err != nil {
		return nil, err
	}
	h := &History{Table: layout.TableRef{DB: db, Table: table}, Schema: *target, Key: kv}
	match := matchKey(target, kv)
	s, err := e.openSession(ctx)
	if err != nil {
		return nil, err
	}
	defer s.close()
	base, baseCommit, err := e.snapshotRows(ctx, s, links, match)
	if err != nil {
		return nil, err
	}
	for _, img := range base {
		h.Entries = append(h.Entries, e.syntheticEntry(baseCommit, OpSnapshot, nil, img))
	}
	q, args, err := e.changesQuery(ctx, links, changeRange{Upto: links[0].Until, Match: match})
	if err != nil {
		return nil, err
	}
	if q != "" {
		err = scanChanges(ctx, s, q, args, target, func(r *changeRow) error {
			en := HistoryEntry{Change: r.Change}
			if r.Op == layout.OpUpdate {
				en.Changed = changedColumns(target, r.Before, r.After)
			}
			h.Entries = append(h.Entries, en)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	h.Entries = e.markTruncates(links, h.Entries)
	return h, nil
}

// lineageUpTo resolves ref and returns the lineage of db.table there, or
// just before the commit that dropped it.
func (e *Engine) lineageUpTo(db, table, ref string) ([]catalog.Link, error) {
	n, err := e.Resolve(ref)
	if err != nil {
		return nil, err
	}
	if v := e.Chain.VersionAt(db, table, n); v != nil && v.Dropped && v.Since > 1 {
		n = v.Since - 1
	}
	links := e.Chain.Lineage(db, table, n)
	if links == nil {
		if _, err := e.Chain.TableAt(db, table, n); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s.%s at commit %d: %w", db, table, n, catalog.ErrNoTable)
	}
	return links, nil
}

// snapshotRows returns the rows of the initial snapshot that the oldest
// link of a lineage starts from (those that match, mapped into the
// newest schema), and the snapshot's commit; none when the lineage starts
// from an empty table.
func (e *Engine) snapshotRows(ctx context.Context, s *session, links []catalog.Link, match func([]string) (string, []any)) ([][]any, uint64, error) {
	last := len(links) - 1
	l := links[last]
	var cp *catalog.Checkpoint
	for _, c := range e.Chain.Checkpoints(l.Table.DB, l.Table.Table, l.Schema.Version) {
		if cm, ok := e.Chain.Commit(c.Commit); ok && (cm.Kind == layout.CommitSnapshot || cm.Kind == layout.CommitResnapshot) && c.Commit == l.Schema.Since {
			cp = &c
			break
		}
	}
	if cp == nil {
		return nil, 0, nil
	}
	paths, err := e.Cache.FetchAll(ctx, cp.Objects)
	if err != nil {
		return nil, 0, err
	}
	cols := mapExprs(links, last, ident)
	q := "SELECT " + strings.Join(cols, ", ") + " FROM read_parquet(" + pathList(paths) + ")"
	var args []any
	if match != nil {
		cond, a := match(cols)
		q += " WHERE " + cond
		args = a
	}
	rows, err := queryRows(ctx, s, q, args, &links[0].Schema)
	if err != nil {
		return nil, 0, fmt.Errorf("read snapshot of %s: %w", l.Table, err)
	}
	return rows, cp.Commit, nil
}

// syntheticEntry is an entry for a change without a change row.
func (e *Engine) syntheticEntry(n uint64, op layout.Op, before, after []any) HistoryEntry {
	en := HistoryEntry{Change: layout.Change{Commit: n, Op: op, Before: before, After: after}}
	if cm, ok := e.Chain.Commit(n); ok {
		en.Time, en.GTID = cm.Time.UTC(), cm.GTID
	}
	return en
}

// markTruncates adds, at each TRUNCATE in the lineage, an entry for every
// matching row it removed.
func (e *Engine) markTruncates(links []catalog.Link, entries []HistoryEntry) []HistoryEntry {
	var cuts []uint64
	for k := len(links) - 2; k >= 0; k-- {
		if links[k].Schema.Truncated {
			cuts = append(cuts, links[k].Schema.Since)
		}
	}
	if len(cuts) == 0 {
		return entries
	}
	target := &links[0].Schema
	var out []HistoryEntry
	alive := map[string][][]any{}
	var order []string
	cut := func(n uint64) {
		for _, k := range order {
			for _, img := range alive[k] {
				out = append(out, e.syntheticEntry(n, OpTruncate, img, nil))
			}
		}
		alive, order = map[string][][]any{}, nil
	}
	for _, en := range entries {
		for len(cuts) > 0 && cuts[0] <= en.Commit {
			cut(cuts[0])
			cuts = cuts[1:]
		}
		out = append(out, en)
		if en.Before != nil {
			k := value.ExactKey(identityCols(target), en.Before)
			if imgs := alive[k]; len(imgs) > 0 {
				alive[k] = imgs[1:]
			}
		}
		if en.After != nil {
			k := value.ExactKey(identityCols(target), en.After)
			if alive[k] == nil {
				order = append(order, k)
			}
			alive[k] = append(alive[k], en.After)
		}
	}
	for _, n := range cuts {
		cut(n)
	}
	return out
}

// identity is the columns that identify a row: the primary key, or nil
// for the whole image.
func identityCols(s *layout.TableSchema) []int {
	if len(s.PrimaryKey) == 0 {
		return nil
	}
	return s.PrimaryKey
}

// Cell narrows a history to one column: the entries at which the column's
// value was set (inserted, in the snapshot, or changed by an update) or
// removed (deleted, truncated). It returns them with the column's index.
func (h *History) Cell(column string) ([]HistoryEntry, int, error) {
	i := h.Schema.ColumnIndex(column)
	if i < 0 {
		return nil, -1, fmt.Errorf("%s has no column %q (columns: %s)", h.Table, column, h.Schema.ColumnNames())
	}
	var out []HistoryEntry
	for _, en := range h.Entries {
		if en.Op == layout.OpUpdate && layout.ValuesEqual(en.Before[i], en.After[i]) {
			continue
		}
		out = append(out, en)
	}
	return out, i, nil
}

// History writes the history of the rows of db.table matching key up to
// ref: commit, GTID, time, operation, changed columns and the row (after
// the change; the removed row for deletes). With column set, only the
// entries that set or removed that column's value, with the row's key and
// the value.
func (e *Engine) History(ctx context.Context, opts HistoryOptions, out render.Output) error {
	column := opts.Column
	h, err := e.HistoryRows(ctx, opts)
	if err != nil {
		return err
	}
	sh := &render.Sheet{Cols: []string{"commit", "gtid", "time", "op"}, Types: []string{"UBIGINT", "VARCHAR", "TIMESTAMPTZ", "VARCHAR"}}
	entries := h.Entries
	if column != "" {
		var i int
		if entries, i, err = h.Cell(column); err != nil {
			return err
		}
		c := &h.Schema.Columns[i]
		sh.Cols = append(sh.Cols, "key", c.Name)
		sh.Types = append(sh.Types, keyType(&h.Schema), duckType(c))
		for _, en := range entries {
			img := rowOf(en)
			var v any
			if en.After != nil {
				v = en.After[i]
			}
			sh.Rows = append(sh.Rows, []any{en.Commit, en.GTID, en.Time, string(en.Op), render.KeyObject(&h.Schema, img), v})
		}
		return e.writeSheet(ctx, sh, out)
	}
	sh.Cols = append(sh.Cols, "changed")
	sh.Types = append(sh.Types, "VARCHAR[]")
	for i := range h.Schema.Columns {
		sh.Cols = append(sh.Cols, h.Schema.Columns[i].Name)
		sh.Types = append(sh.Types, duckType(&h.Schema.Columns[i]))
	}
	for _, en := range entries {
		row := []any{en.Commit, en.GTID, en.Time, string(en.Op), render.List(en.Changed)}
		sh.Rows = append(sh.Rows, append(row, rowOf(en)...))
	}
	return e.writeSheet(ctx, sh, out)
}

// rowOf is the row an entry shows: after the change, or the removed row.
func rowOf(en HistoryEntry) []any {
	if en.After != nil {
		return en.After
	}
	return en.Before
}

// keyType is the DuckDB type of keyObject values.
func keyType(s *layout.TableSchema) string {
	if len(s.PrimaryKey) == 0 {
		return structType(s)
	}
	k := layout.TableSchema{}
	for _, i := range s.PrimaryKey {
		k.Columns = append(k.Columns, s.Columns[i])
	}
	return structType(&k)
}
