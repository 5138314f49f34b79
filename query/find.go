package query

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query/render"
)

// FindOptions selects commits by what they did, from the counts the
// manifests record: no change rows are read. Zero fields select
// everything.
type FindOptions struct {
	Tables []layout.TableRef   // count only changes to these tables
	Ops    []layout.Op         // count only these operations
	Kinds  []layout.CommitKind // only commits of these kinds (dml, ddl, snapshot)
	// MinRows keeps commits with at least this many counted row changes;
	// with Tables or Ops set, at least one is needed.
	MinRows uint64
	Since   time.Time // source time at or after
	Until   time.Time // source time at or before
	// ByRows orders the result by counted rows, most first, instead of
	// newest first.
	ByRows bool
	Limit  int // at most this many
}

// Found is a commit that matched, with its counted row changes.
type Found struct {
	layout.Commit
	Inserts, Updates, Deletes uint64 // counted (selected tables and operations)
}

// Rows is the number of counted row changes.
func (f *Found) Rows() uint64 { return f.Inserts + f.Updates + f.Deletes }

// FindRows returns the commits that match f, newest first (or by rows).
// A DDL commit matches a table filter when its statement names the table.
func (e *Engine) FindRows(ctx context.Context, f FindOptions) ([]Found, error) {
	var out []Found
	commits := e.Chain.Commits()
	for i := len(commits) - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if fd, ok := f.match(&commits[i]); ok {
			out = append(out, fd)
		}
	}
	if f.ByRows {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Rows() > out[j].Rows() })
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func (f *FindOptions) match(c *layout.Commit) (Found, bool) {
	fd := Found{Commit: *c}
	if !f.Since.IsZero() && c.Time.Before(f.Since) || !f.Until.IsZero() && c.Time.After(f.Until) {
		return fd, false
	}
	if len(f.Kinds) > 0 && !containsKind(f.Kinds, c.Kind) {
		return fd, false
	}
	if c.Kind == layout.CommitDDL && len(f.Tables) > 0 {
		for _, t := range f.Tables {
			if strings.Contains(strings.ToLower(c.DDL), strings.ToLower(t.Table)) {
				return fd, f.MinRows == 0 && len(f.Ops) == 0
			}
		}
		return fd, false
	}
	for _, t := range c.Tables {
		if len(f.Tables) > 0 && !containsTable(f.Tables, t.DB, t.Table) {
			continue
		}
		if f.op(layout.OpInsert) {
			fd.Inserts += t.Inserts
		}
		if f.op(layout.OpUpdate) {
			fd.Updates += t.Updates
		}
		if f.op(layout.OpDelete) {
			fd.Deletes += t.Deletes
		}
	}
	need := f.MinRows
	if need == 0 && (len(f.Tables) > 0 || len(f.Ops) > 0) {
		need = 1
	}
	return fd, fd.Rows() >= need
}

func (f *FindOptions) op(op layout.Op) bool {
	if len(f.Ops) == 0 {
		return true
	}
	for _, o := range f.Ops {
		if o == op {
			return true
		}
	}
	return false
}

func containsKind(kinds []layout.CommitKind, k layout.CommitKind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

func containsTable(refs []layout.TableRef, db, table string) bool {
	for _, r := range refs {
		if r.DB == db && r.Table == table {
			return true
		}
	}
	return false
}

// ParseOp checks an operation name: insert, update or delete.
func ParseOp(s string) (layout.Op, error) {
	switch op := layout.Op(strings.ToLower(strings.TrimSpace(s))); op {
	case layout.OpInsert, layout.OpUpdate, layout.OpDelete:
		return op, nil
	}
	return "", fmt.Errorf("operation %q: use insert, update or delete", s)
}

// Find writes the commits that match f: number, GTID, time, kind, the
// counted rows by operation, every table the commit touched with its
// counts, and the DDL of schema changes.
func (e *Engine) Find(ctx context.Context, f FindOptions, out render.Output) error {
	found, err := e.FindRows(ctx, f)
	if err != nil {
		return err
	}
	sh := &render.Sheet{Cols: []string{"commit", "gtid", "time", "kind", "rows", "inserts", "updates", "deletes", "tables", "ddl"},
		Types: []string{"UBIGINT", "VARCHAR", "TIMESTAMPTZ", "VARCHAR", "UBIGINT", "UBIGINT", "UBIGINT", "UBIGINT", "VARCHAR", "VARCHAR"}}
	for _, fd := range found {
		ddl := fd.DDL
		if out.Format == render.FormatTable || out.Format == "" {
			ddl = render.OneLine(ddl, 60)
		}
		sh.Rows = append(sh.Rows, []any{fd.N, fd.GTID, fd.Time.UTC(), string(fd.Kind), fd.Rows(), fd.Inserts, fd.Updates, fd.Deletes,
			tablesText(&fd.Commit), ddl})
	}
	return e.writeSheet(ctx, sh, out)
}
