package query

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
	"github.com/binlake/binlake/query/render"
)

// Change rows are read with DuckDB from the segments the chain names, with
// both images mapped into one target schema: the newest link of a lineage
// (catalog.Lineage). Mapping goes through each version's Origins with the
// same casts as-of reads use when they carry rows over (baseSQL), so a mapped
// image is exactly the row an as-of read shows under the target schema.

// mapExprs returns, for each column of links[0].Schema, the DuckDB
// expression of its value in an image of links[i].Schema, where col gives
// the SQL of a column of that image by name.
func mapExprs(links []catalog.Link, i int, col func(name string) string) []string {
	out := make([]string, len(links[0].Schema.Columns))
	for c := range out {
		out[c] = mapExpr(links, 0, i, c, col)
	}
	return out
}

func mapExpr(links []catalog.Link, k, i, c int, col func(string) string) string {
	s := &links[k].Schema
	if k == i {
		return col(s.Columns[c].Name)
	}
	expr := "NULL"
	if c < len(s.Origins) {
		o := s.Origins[c]
		switch {
		case o.From >= 0 && o.From < len(links[k+1].Schema.Columns):
			expr = mapExpr(links, k+1, i, o.From, col)
		case o.From < 0 && o.Default != nil:
			expr = defaultSQL(&s.Columns[c], *o.Default)
		}
	}
	return fmt.Sprintf("CAST(%s AS %s)", expr, duckType(&s.Columns[c]))
}

// born returns, for each column of links[0].Schema, the commit at which
// rows that existed then got the column's value without a change row: the
// Since of the newest version whose Origins fill it with a default (ADD
// COLUMN), or 0 when the column goes back to the oldest link. live reports,
// per link and column, whether the column's value in that link's images is
// a real value rather than a default filled in later.
func columnBirths(links []catalog.Link) (commits []uint64, live [][]bool) {
	n := len(links[0].Schema.Columns)
	commits = make([]uint64, n)
	live = make([][]bool, len(links))
	for i := range links {
		live[i] = make([]bool, n)
	}
	for c := 0; c < n; c++ {
		idx := c
		for k := range links {
			live[k][c] = true
			if k == len(links)-1 {
				break
			}
			s := &links[k].Schema
			if idx >= len(s.Origins) || s.Origins[idx].From < 0 || s.Origins[idx].From >= len(links[k+1].Schema.Columns) {
				commits[c] = s.Since
				break
			}
			idx = s.Origins[idx].From
		}
	}
	return commits, live
}

// changeRange is a range of commits (After, Upto] of a lineage to read.
type changeRange struct {
	After, Upto uint64
	// Match, when set, selects the change rows whose before or after
	// image it matches: given the SQL of an image's columns (mapped into
	// the target schema) it returns a condition and its parameters.
	Match func(img []string) (string, []any)
}

// changesQuery builds a query of the change rows of links[0..len) in the
// range, ordered by commit and seq, with columns: _commit, _seq, _op,
// _time, _gtid, the link index, a before-present flag, the mapped before
// image, an after-present flag and the mapped after image. It fetches the
// segments it reads; it returns "" when there are none.
func (e *Engine) changesQuery(ctx context.Context, links []catalog.Link, r changeRange) (string, []any, error) {
	var parts []string
	var args []any
	for i, l := range links {
		lo, hi := r.After, min(r.Upto, l.Until)
		if l.Schema.Since > 0 {
			lo = max(lo, l.Schema.Since-1)
		}
		if lo >= hi {
			continue
		}
		segs := e.Chain.Segments(l.Table.DB, l.Table.Table, l.Schema.Version, lo, hi)
		if len(segs) == 0 {
			continue
		}
		paths, err := e.Cache.FetchAll(ctx, segs)
		if err != nil {
			return "", nil, err
		}
		before := mapExprs(links, i, func(n string) string { return "before." + ident(n) })
		after := mapExprs(links, i, func(n string) string { return "after." + ident(n) })
		cols := []string{"_commit", "_seq", "_op", "_time", "_gtid", fmt.Sprintf("%d AS __link", i), "before IS NOT NULL AS __hb"}
		for c, x := range before {
			cols = append(cols, fmt.Sprintf("%s AS __b%d", x, c))
		}
		cols = append(cols, "after IS NOT NULL AS __ha")
		for c, x := range after {
			cols = append(cols, fmt.Sprintf("%s AS __a%d", x, c))
		}
		where := fmt.Sprintf("_commit > %d AND _commit <= %d", lo, hi)
		if r.Match != nil {
			cb, ab := r.Match(before)
			ca, aa := r.Match(after)
			where += fmt.Sprintf(" AND ((before IS NOT NULL AND %s) OR (after IS NOT NULL AND %s))", cb, ca)
			args = append(append(args, ab...), aa...)
		}
		parts = append(parts, fmt.Sprintf("SELECT %s FROM read_parquet(%s) WHERE %s",
			strings.Join(cols, ", "), pathList(paths), where))
	}
	if len(parts) == 0 {
		return "", nil, nil
	}
	return strings.Join(parts, "\nUNION ALL ") + "\nORDER BY _commit, _seq", args, nil
}

// changeRow is one change row with its images mapped into the target
// schema.
type changeRow struct {
	layout.Change
	Link int // index of the link it was read from
}

// scanChanges runs a changesQuery and calls fn for each row in order.
func scanChanges(ctx context.Context, s *session, q string, args []any, target *layout.TableSchema, fn func(*changeRow) error) error {
	rows, err := s.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read change rows of %s: %w", target.Name(), err)
	}
	defer rows.Close()
	n := len(target.Columns)
	vals := make([]any, 8+2*n)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read change rows of %s: %w", target.Name(), err)
		}
		r := &changeRow{}
		r.Commit = uint64(scanInt(vals[0]))
		r.Seq = uint32(scanInt(vals[1]))
		r.Op = layout.Op(fmt.Sprint(vals[2]))
		if t, ok := vals[3].(time.Time); ok {
			r.Time = t.UTC()
		}
		r.GTID, _ = vals[4].(string)
		r.Link = int(scanInt(vals[5]))
		if b, _ := vals[6].(bool); b {
			r.Before = canonicalRow(target, vals[7:7+n])
		}
		if b, _ := vals[7+n].(bool); b {
			r.After = canonicalRow(target, vals[8+n:8+2*n])
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read change rows of %s: %w", target.Name(), err)
	}
	return nil
}

// canonicalRow copies scanned values as canonical values of s's columns.
func canonicalRow(s *layout.TableSchema, vals []any) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			v = append([]byte(nil), b...)
		}
		out[i] = value.FromDuckDB(&s.Columns[i], v)
	}
	return out
}

// queryRows runs q and returns its rows as canonical values of s's columns.
func queryRows(ctx context.Context, s *session, q string, args []any, schema *layout.TableSchema) ([][]any, error) {
	rows, err := s.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	n := len(schema.Columns)
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out [][]any
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, canonicalRow(schema, vals))
	}
	return out, rows.Err()
}

func scanInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case int16:
		return int64(x)
	case uint16:
		return int64(x)
	case int8:
		return int64(x)
	case uint8:
		return int64(x)
	case int:
		return int64(x)
	}
	return 0
}

// changedColumns names the columns whose values differ between two images.
func changedColumns(s *layout.TableSchema, before, after []any) []string {
	var out []string
	for i := range s.Columns {
		if i < len(before) && i < len(after) && !layout.ValuesEqual(before[i], after[i]) {
			out = append(out, s.Columns[i].Name)
		}
	}
	return out
}

// keyValues returns the primary-key values of an image (nil without one).
func pkValues(s *layout.TableSchema, img []any) []any {
	if len(s.PrimaryKey) == 0 || img == nil {
		return nil
	}
	out := make([]any, len(s.PrimaryKey))
	for i, k := range s.PrimaryKey {
		out[i] = img[k]
	}
	return out
}

// structType is the DuckDB STRUCT type of a schema's images.
func structType(s *layout.TableSchema) string {
	fields := make([]string, len(s.Columns))
	for i := range s.Columns {
		fields[i] = ident(s.Columns[i].Name) + " " + duckType(&s.Columns[i])
	}
	return "STRUCT(" + strings.Join(fields, ", ") + ")"
}

// writeSheet writes a sheet in the output format.
func (e *Engine) writeSheet(ctx context.Context, sh *render.Sheet, out render.Output) error {
	if out.Format == render.FormatParquet {
		if out.Rows != nil {
			*out.Rows += int64(len(sh.Rows))
		}
		return e.writeSheetParquet(ctx, sh, out.Path)
	}
	return render.WriteSheet(sh, out)
}

// writeParquet writes a sheet to a Parquet file through DuckDB's appender.
func (e *Engine) writeSheetParquet(ctx context.Context, sh *render.Sheet, path string) error {
	if path == "" {
		return render.ErrNoOutputPath
	}
	s, err := e.openSession(ctx, path)
	if err != nil {
		return err
	}
	defer s.close()
	defs := make([]string, len(sh.Cols))
	for i, c := range sh.Cols {
		defs[i] = ident(c) + " " + sh.Types[i]
	}
	if _, err := s.conn.ExecContext(ctx, "CREATE TABLE __out ("+strings.Join(defs, ", ")+")"); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	err = s.conn.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("duckdb connection is a %T", dc)
		}
		a, err := duckdb.NewAppenderFromConn(conn, "", "__out")
		if err != nil {
			return err
		}
		vals := make([]driver.Value, len(sh.Cols))
		for _, row := range sh.Rows {
			for i, v := range row {
				vals[i] = appenderValue(v)
			}
			if err := a.AppendRow(vals...); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := s.conn.ExecContext(ctx, "COPY __out TO "+sqlString(path)+" (FORMAT parquet, COMPRESSION zstd)"); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// appenderValue converts a auditSheet cell for the DuckDB appender.
func appenderValue(v any) driver.Value {
	switch x := v.(type) {
	case render.Object:
		m := make(map[string]any, len(x.Names))
		for i, n := range x.Names {
			m[n] = x.Vals[i]
		}
		return m
	case render.List:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case time.Time:
		return x
	}
	return v
}
