package query

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query/render"
)

// Log writes the chain's commits, newest first: number, GTID, source time,
// kind, tables touched with their row counts, and the DDL text of schema
// changes.
func (e *Engine) Log(ctx context.Context, opts LogOptions, out render.Output) error {
	commits, err := e.LogRows(ctx, opts)
	if err != nil {
		return err
	}
	w, err := render.NewRowWriter(out)
	if err != nil {
		return err
	}
	if err := w.Header([]string{"commit", "gtid", "time", "kind", "rows", "tables", "ddl"}); err != nil {
		return err
	}
	for i := range commits {
		c := &commits[i]
		ddl := c.DDL
		if out.Format == render.FormatTable || out.Format == "" {
			ddl = render.OneLine(ddl, 60)
		}
		if err := w.Row([]any{c.N, c.GTID, c.Time.UTC().Format(time.RFC3339), string(c.Kind), c.Rows(), tablesText(c), ddl}); err != nil {
			return err
		}
	}
	return w.Close()
}

// LogRows returns the commits Log writes, newest first.
func (e *Engine) LogRows(ctx context.Context, opts LogOptions) ([]layout.Commit, error) {
	var out []layout.Commit
	commits := e.Chain.Commits()
	for i := len(commits) - 1; i >= 0 && (opts.Limit <= 0 || len(out) < opts.Limit); i-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if opts.match(&commits[i]) {
			out = append(out, commits[i])
		}
	}
	return out, nil
}

func (f *LogOptions) match(c *layout.Commit) bool {
	if !f.Since.IsZero() && c.Time.Before(f.Since) || !f.Until.IsZero() && c.Time.After(f.Until) {
		return false
	}
	if f.Table == "" {
		return true
	}
	for _, t := range c.Tables {
		if t.DB+"."+t.Table == f.Table {
			return true
		}
	}
	return c.DDL != "" && strings.Contains(c.DDL, f.Table[strings.IndexByte(f.Table, '.')+1:])
}

// tablesText summarizes a commit's tables: "shop.orders +2 ~1 -0".
func tablesText(c *layout.Commit) string {
	parts := make([]string, len(c.Tables))
	for i, t := range c.Tables {
		parts[i] = fmt.Sprintf("%s.%s +%d ~%d -%d", t.DB, t.Table, t.Inserts, t.Updates, t.Deletes)
	}
	return strings.Join(parts, ", ")
}
