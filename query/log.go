package query

import (
	"fmt"
	"strings"
	"time"

	"github.com/binlake/binlake/layout"
)

// LogFilter selects commits for Log. Zero fields select everything.
type LogFilter struct {
	Table string    // "db.table": only commits that touched it
	Since time.Time // source time at or after
	Until time.Time // source time at or before
	Limit int       // at most this many, newest first
}

// Log writes the chain's commits, newest first: number, GTID, source time,
// kind, tables touched with their row counts, and the DDL text of schema
// changes.
func (e *Engine) Log(f LogFilter, out Output) error {
	w, err := newRowWriter(out.Format, out.W)
	if err != nil {
		return err
	}
	if err := w.header([]string{"commit", "gtid", "time", "kind", "rows", "tables", "ddl"}); err != nil {
		return err
	}
	commits := e.Chain.Commits()
	shown := 0
	for i := len(commits) - 1; i >= 0 && (f.Limit <= 0 || shown < f.Limit); i-- {
		c := &commits[i]
		if !f.match(c) {
			continue
		}
		shown++
		ddl := c.DDL
		if out.Format == FormatTable || out.Format == "" {
			ddl = oneLine(ddl, 60)
		}
		if err := w.row([]any{c.N, c.GTID, c.Time.UTC().Format(time.RFC3339), string(c.Kind), c.Rows(), tablesText(c), ddl}); err != nil {
			return err
		}
	}
	return w.close()
}

func (f *LogFilter) match(c *layout.Commit) bool {
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

// oneLine folds white space and cuts s to at most n runes, for tables.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
