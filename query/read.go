package query

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query/render"
)

// AsOf writes the contents of a table as of a commit; text formats are
// ordered by primary key (or by every column for a table without one).
func (e *Engine) AsOf(ctx context.Context, opts AsOfOptions, out render.Output) error {
	n, err := e.Resolve(refOrHead(opts.At))
	if err != nil {
		return err
	}
	st, err := e.Chain.TableAt(opts.Table.DB, opts.Table.Table, n)
	if err != nil {
		return err
	}
	q, err := e.tableSQL(ctx, st)
	if err != nil {
		return fmt.Errorf("as-of %s at commit %d: %w", opts.Table, n, err)
	}
	s, err := e.openSession(ctx, outputPaths(out)...)
	if err != nil {
		return err
	}
	defer s.close()
	// Text output is ordered by primary key so that it reads and diffs well;
	// Parquet output is for machines and skips the sort.
	if out.Format != render.FormatParquet {
		q = "SELECT * FROM (" + q + ")" + orderBy(&st.Schema)
	}
	return s.emit(ctx, q, out)
}

// SQL runs a user's query with every table that exists at opts.At visible
// under its own name (db.table; unqualified names search the chain's
// databases). An error of the query itself (it does not parse, names a
// column that does not exist...) wraps ErrUserSQL.
func (e *Engine) SQL(ctx context.Context, opts SQLOptions, out render.Output) error {
	userSQL := opts.SQL
	n, err := e.Resolve(refOrHead(opts.At))
	if err != nil {
		return err
	}
	s, err := e.openSession(ctx, outputPaths(out)...)
	if err != nil {
		return err
	}
	defer s.close()
	dbs := map[string]bool{}
	var order []string
	lower := strings.ToLower(userSQL)
	for _, t := range e.Chain.TablesAt(n) {
		if !dbs[t.DB] {
			dbs[t.DB] = true
			order = append(order, t.DB)
			if _, err := s.conn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+ident(t.DB)); err != nil {
				return fmt.Errorf("create schema %s: %w", t.DB, err)
			}
		}
		// Only tables the query can name are materialized: the others'
		// objects are not fetched.
		if !strings.Contains(lower, strings.ToLower(t.Table)) {
			continue
		}
		if err := e.createView(ctx, s, t, n); err != nil {
			return err
		}
	}
	if len(order) > 0 {
		if _, err := s.conn.ExecContext(ctx, "SET search_path = "+sqlString(strings.Join(order, ","))); err != nil {
			return fmt.Errorf("set search path: %w", err)
		}
	}
	return userSQLError(s.emit(ctx, userSQL, out))
}

func (e *Engine) createView(ctx context.Context, s *session, t layout.TableSchema, n uint64) error {
	st, err := e.Chain.TableAt(t.DB, t.Table, n)
	if err != nil {
		return err
	}
	q, err := e.tableSQL(ctx, st)
	if err != nil {
		return fmt.Errorf("prepare %s at commit %d: %w", t.Name(), n, err)
	}
	if _, err := s.conn.ExecContext(ctx, "CREATE VIEW "+ident(t.DB)+"."+ident(t.Table)+" AS "+q); err != nil {
		return fmt.Errorf("create view %s: %w", t.Name(), err)
	}
	return nil
}

// outputPaths are the files a query may write: the parquet output, and the
// tmp_ file DuckDB writes first when it replaces an existing one.
func outputPaths(out render.Output) []string {
	if out.Format == render.FormatParquet && out.Path != "" {
		abs, err := filepath.Abs(out.Path)
		if err != nil {
			abs = out.Path
		}
		return []string{abs, filepath.Join(filepath.Dir(abs), "tmp_"+filepath.Base(abs))}
	}
	return nil
}

// emit runs q and writes its result.
func (s *session) emit(ctx context.Context, q string, out render.Output) error {
	if out.Format == render.FormatParquet {
		if out.Path == "" {
			return render.ErrNoOutputPath
		}
		path, err := filepath.Abs(out.Path) // as allowed by outputPaths
		if err != nil {
			return fmt.Errorf("write %s: %w", out.Path, err)
		}
		res, err := s.conn.ExecContext(ctx, "COPY ("+q+") TO "+sqlString(path)+" (FORMAT parquet, COMPRESSION zstd)")
		if err != nil {
			return fmt.Errorf("write %s: %w", out.Path, &execError{err})
		}
		if out.Rows != nil {
			n, err := res.RowsAffected() // COPY answers the rows it wrote
			if err != nil {
				return fmt.Errorf("write %s: count rows: %w", out.Path, err)
			}
			*out.Rows += n
		}
		return nil
	}
	w, err := render.NewRowWriter(out)
	if err != nil {
		return err
	}
	rows, err := s.conn.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("run query: %w", &execError{err})
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	if err := w.Header(cols); err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read result: %w", err)
		}
		if err := w.Row(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("run query: %w", &execError{err})
	}
	return w.Close()
}
