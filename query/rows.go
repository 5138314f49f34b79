package query

import (
	"context"
	"fmt"

	"github.com/binlake/binlake/layout"
)

// Table is a table's contents as canonical values (see layout.Kind).
type Table struct {
	Schema layout.TableSchema
	Commit uint64
	Rows   [][]any
}

// AsOfRows returns db.table as of ref as canonical values, ordered like
// AsOf.
func (e *Engine) AsOfRows(ctx context.Context, db, table, ref string) (*Table, error) {
	n, err := e.Chain.Resolve(ref)
	if err != nil {
		return nil, err
	}
	st, err := e.Chain.TableAt(db, table, n)
	if err != nil {
		return nil, err
	}
	q, err := e.tableSQL(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("as-of %s.%s at commit %d: %w", db, table, n, err)
	}
	s, err := e.openSession(ctx)
	if err != nil {
		return nil, err
	}
	defer s.close()
	rows, err := s.conn.QueryContext(ctx, "SELECT * FROM ("+q+")"+orderBy(&st.Schema))
	if err != nil {
		return nil, fmt.Errorf("as-of %s.%s at commit %d: %w", db, table, n, err)
	}
	defer rows.Close()
	out := &Table{Schema: st.Schema, Commit: n}
	width := len(st.Schema.Columns)
	for rows.Next() {
		vals := make([]any, width)
		ptrs := make([]any, width)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read as-of rows: %w", err)
		}
		for i := range vals {
			vals[i] = canonical(&st.Schema.Columns[i], vals[i])
		}
		out.Rows = append(out.Rows, vals)
	}
	return out, rows.Err()
}

// canonical turns a value DuckDB scanned into binlake's canonical Go type.
func canonical(c *layout.Column, v any) any {
	if c.Kind == layout.KindYear {
		if u, ok := v.(uint16); ok {
			return int64(u)
		}
	}
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return uint64(x)
	case uint16:
		return uint64(x)
	case uint32:
		return uint64(x)
	}
	return v
}
