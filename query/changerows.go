package query

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
)

// ChangeRowsOptions selects change rows of one table.
type ChangeRowsOptions struct {
	Table layout.TableRef
	// Versions are the table's schema versions to read, oldest first.
	// Images are read under the columns of Versions[0]: the later versions
	// must carry rows over unchanged (same columns in the same order).
	Versions []layout.TableSchema
	// Commits are the commits whose change rows are read, ascending.
	Commits []uint64
	// Related adds every later change, up to the chain's head, to the rows
	// those commits changed: for a table with a primary key, changes to
	// the same keys; without one, changes whose before image is an image
	// the commits left.
	Related bool
}

// ChangeRows returns the change rows opts selects, in commit order, with
// canonical values.
func (e *Engine) ChangeRows(ctx context.Context, opts ChangeRowsOptions) ([]layout.Change, error) {
	if len(opts.Commits) == 0 || len(opts.Versions) == 0 {
		return nil, nil
	}
	s, err := e.openSession(ctx)
	if err != nil {
		return nil, err
	}
	defer s.close()
	if opts.Related {
		return e.rowHistories(ctx, s, opts.Table, opts.Versions, opts.Commits)
	}
	ns := opts.Commits
	segs := e.segmentsOf(opts.Table, opts.Versions, ns[0], ns[len(ns)-1])
	return e.readChanges(ctx, s, &opts.Versions[0], segs, "_commit IN ("+commitNumbers(ns)+")", "")
}

// segmentsOf returns the segments of the given versions of a table that
// hold commits in [from, to].
func (e *Engine) segmentsOf(ref layout.TableRef, vs []layout.TableSchema, from, to uint64) []layout.Object {
	var out []layout.Object
	for _, v := range vs {
		out = append(out, e.Chain.Segments(ref.DB, ref.Table, v.Version, from-1, to)...)
	}
	return out
}

// rowHistories returns, in order, the change rows of the commits ns and
// every change to the same rows from the first of them to the head: for a
// table with a primary key, changes to the same keys; without one, changes
// whose before image is an image the commits left.
func (e *Engine) rowHistories(ctx context.Context, s *session, ref layout.TableRef, vs []layout.TableSchema, ns []uint64) ([]layout.Change, error) {
	schema := &vs[0]
	head := e.Chain.LastCommit()
	segs := e.segmentsOf(ref, vs, ns[0], head)
	inBad := "_commit IN (" + commitNumbers(ns) + ")"
	where := fmt.Sprintf("_commit >= %d AND _commit <= %d", ns[0], head)
	var filter string
	if len(schema.PrimaryKey) > 0 {
		var keys, on []string
		for i, k := range schema.PrimaryKey {
			name := ident(schema.Columns[k].Name)
			keys = append(keys, fmt.Sprintf("CASE WHEN after IS NULL THEN before.%s ELSE after.%s END AS __k%d", name, name, i))
			on = append(on, fmt.Sprintf("ch.__k%d = bad.__k%d", i, i))
		}
		filter = fmt.Sprintf(`WITH ch AS (SELECT *, %s FROM %%s),
bad AS (SELECT DISTINCT %s FROM ch WHERE %s)
SELECT * FROM ch SEMI JOIN bad ON %s`, strings.Join(keys, ", "), keyAliasList(len(keys)), inBad, strings.Join(on, " AND "))
	} else {
		filter = fmt.Sprintf(`WITH ch AS (SELECT * FROM %%s),
bad AS (SELECT DISTINCT after AS img FROM ch WHERE %s AND after IS NOT NULL)
SELECT * FROM ch WHERE %s OR before IN (SELECT img FROM bad)`, inBad, inBad)
	}
	return e.readChanges(ctx, s, schema, segs, where, filter)
}

func keyAliasList(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("__k%d", i)
	}
	return strings.Join(out, ", ")
}

func commitNumbers(ns []uint64) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.FormatUint(n, 10)
	}
	return strings.Join(parts, ", ")
}

// readChanges reads the change rows of segments that match where, through
// filter when set (a query with one %s for the rows' source), in commit
// order, with canonical values.
func (e *Engine) readChanges(ctx context.Context, s *session, schema *layout.TableSchema, segs []layout.Object, where, filter string) ([]layout.Change, error) {
	if len(segs) == 0 {
		return nil, nil
	}
	paths, err := e.Cache.FetchAll(ctx, segs)
	if err != nil {
		return nil, err
	}
	src := fmt.Sprintf("read_parquet(%s) WHERE %s", pathList(paths), where)
	q := "SELECT * FROM " + src
	if filter != "" {
		q = fmt.Sprintf(filter, "(SELECT * FROM "+src+")")
	}
	cols := []string{"_commit", "_seq", "_op", "_gtid", "before IS NULL", "after IS NULL"}
	for _, img := range []string{"before", "after"} {
		for _, c := range schema.Columns {
			cols = append(cols, img+"."+ident(c.Name))
		}
	}
	q = "SELECT " + strings.Join(cols, ", ") + " FROM (" + q + ") ORDER BY _commit, _seq"
	rows, err := s.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read change rows: %w", err)
	}
	defer rows.Close()
	n := len(schema.Columns)
	vals := make([]any, 6+2*n)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []layout.Change
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read change rows: %w", err)
		}
		c := layout.Change{Op: layout.Op(fmt.Sprint(vals[2])), GTID: fmt.Sprint(vals[3])}
		c.Commit, _ = revUint(vals[0])
		seq, _ := revUint(vals[1])
		c.Seq = uint32(seq)
		if vals[4] != true {
			c.Before = revImage(schema, vals[6:6+n])
		}
		if vals[5] != true {
			c.After = revImage(schema, vals[6+n:])
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func revImage(schema *layout.TableSchema, vals []any) []any {
	img := make([]any, len(vals))
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			v = append([]byte{}, b...)
		}
		img[i] = value.FromDuckDB(&schema.Columns[i], v)
	}
	return img
}

func revUint(v any) (uint64, bool) {
	switch x := v.(type) {
	case int64:
		return uint64(x), true
	case int32:
		return uint64(x), true
	case uint32:
		return uint64(x), true
	case uint64:
		return x, true
	}
	return 0, false
}
