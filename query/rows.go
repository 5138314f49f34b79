package query

import (
	"context"
	"fmt"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
)

// Table is a table's contents as canonical values (see layout.Kind).
type Table struct {
	Schema layout.TableSchema
	Commit uint64
	Rows   [][]any
}

// AsOfRows returns a table as of a commit as canonical values, ordered
// like AsOf.
func (e *Engine) AsOfRows(ctx context.Context, opts AsOfOptions) (*Table, error) {
	n, err := e.Resolve(refOrHead(opts.At))
	if err != nil {
		return nil, err
	}
	st, err := e.Chain.TableAt(opts.Table.DB, opts.Table.Table, n)
	if err != nil {
		return nil, err
	}
	out := &Table{Schema: st.Schema, Commit: n}
	err = e.eachRow(ctx, st, true, func(row []any) error {
		out.Rows = append(out.Rows, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachRow calls fn with every row of a table state, as canonical values in
// a new slice each time; sorted by primary key (or whole row) when sorted.
// Rows are read as DuckDB produces them, never all held at once.
func (e *Engine) eachRow(ctx context.Context, st *catalog.TableState, sorted bool, fn func([]any) error) error {
	name := fmt.Sprintf("%s.%s at commit %d", st.Schema.DB, st.Schema.Table, st.Commit)
	q, err := e.tableSQL(ctx, st)
	if err != nil {
		return fmt.Errorf("as-of %s: %w", name, err)
	}
	if sorted {
		q = "SELECT * FROM (" + q + ")" + orderBy(&st.Schema)
	}
	s, err := e.openSession(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	rows, err := s.conn.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("as-of %s: %w", name, err)
	}
	defer rows.Close()
	width := len(st.Schema.Columns)
	ptrs := make([]any, width)
	for rows.Next() {
		vals := make([]any, width)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read as-of rows of %s: %w", name, err)
		}
		for i := range vals {
			vals[i] = value.FromDuckDB(&st.Schema.Columns[i], vals[i])
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read as-of rows of %s: %w", name, err)
	}
	return nil
}
