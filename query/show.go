package query

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
	"github.com/binlake/binlake/query/render"
)

// ChangeRow is one change row of a commit, with canonical images.
type ChangeRow struct {
	Table  layout.TableRef
	Schema layout.TableSchema // the schema version the images are under
	layout.Change
	// Changed names, for updates, the columns whose values differ.
	Changed []string
}

// ShowRows returns the commit ref names and every row it changed, across
// tables, in the order the source applied them. The rows the initial
// snapshot copied are shown as inserts.
func (e *Engine) ShowRows(ctx context.Context, opts ShowOptions) (layout.Commit, []ChangeRow, error) {
	n, err := e.Resolve(opts.Commit)
	if err != nil {
		return layout.Commit{}, nil, err
	}
	cm, _ := e.Chain.Commit(n)
	if cm.Kind == layout.CommitSnapshot || cm.Kind == layout.CommitResnapshot {
		rows, err := e.snapshotChanges(ctx, cm)
		return cm, rows, err
	}
	s, err := e.openSession(ctx)
	if err != nil {
		return cm, nil, err
	}
	defer s.close()
	var out []ChangeRow
	for _, tc := range cm.Tables {
		v := e.Chain.VersionAt(tc.DB, tc.Table, n)
		if v == nil || v.Dropped {
			return cm, nil, fmt.Errorf("%s changed %s.%s, which has no schema at that commit", catalog.Describe(cm), tc.DB, tc.Table)
		}
		ref := layout.TableRef{DB: tc.DB, Table: tc.Table}
		links := []catalog.Link{{Table: ref, Schema: *v, Until: n}}
		q, args, err := e.changesQuery(ctx, links, changeRange{After: n - 1, Upto: n})
		if err != nil {
			return cm, nil, err
		}
		if q == "" {
			continue
		}
		err = scanChanges(ctx, s, q, args, v, func(r *changeRow) error {
			row := ChangeRow{Table: ref, Schema: *v, Change: r.Change}
			if r.Op == layout.OpUpdate {
				row.Changed = changedColumns(v, r.Before, r.After)
			}
			out = append(out, row)
			return nil
		})
		if err != nil {
			return cm, nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return cm, out, nil
}

// snapshotChanges lists the rows of the initial snapshot as inserts.
func (e *Engine) snapshotChanges(ctx context.Context, cm layout.Commit) ([]ChangeRow, error) {
	var out []ChangeRow
	copied := map[layout.TableRef]bool{}
	for _, t := range cm.Tables {
		copied[layout.TableRef{DB: t.DB, Table: t.Table}] = true
	}
	for _, s := range e.Chain.TablesAt(cm.N) {
		if len(copied) > 0 && !copied[layout.TableRef{DB: s.DB, Table: s.Table}] {
			continue // a checkpoint written at this commit later, not a copy it made
		}
		for _, cp := range e.Chain.Checkpoints(s.DB, s.Table, s.Version) {
			if cp.Commit != cm.N {
				continue
			}
			tb, err := e.AsOfRows(ctx, AsOfOptions{Table: layout.TableRef{DB: s.DB, Table: s.Table}, At: fmt.Sprint(cm.N)})
			if err != nil {
				return nil, err
			}
			for _, img := range tb.Rows {
				out = append(out, ChangeRow{Table: layout.TableRef{DB: s.DB, Table: s.Table}, Schema: tb.Schema,
					Change: layout.Change{Commit: cm.N, Seq: uint32(len(out)), Op: layout.OpInsert, Time: cm.Time, GTID: cm.GTID, After: img}})
			}
			break
		}
	}
	return out, nil
}

// Show writes every change of the commit ref names. The table format
// starts with the commit's number, GTID, time and DDL, then one line per
// changed row: order, table, operation, key and the changes ("col: old →
// new" for updates, the row for inserts and deletes). The other formats
// write one record per row with commit, gtid, time, seq, table, op, key,
// changed, before and after.
func (e *Engine) Show(ctx context.Context, opts ShowOptions, out render.Output) error {
	cm, rows, err := e.ShowRows(ctx, opts)
	if err != nil {
		return err
	}
	if out.Format == render.FormatTable || out.Format == "" {
		return writeShowTable(cm, rows, out)
	}
	sh := &render.Sheet{Cols: []string{"commit", "gtid", "time", "seq", "table", "op", "key", "changed", "before", "after"}}
	if out.Format == render.FormatParquet {
		// images of different tables have different types: Parquet gets
		// them as JSON text
		sh.Types = []string{"UBIGINT", "VARCHAR", "TIMESTAMPTZ", "UINTEGER", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR[]", "VARCHAR", "VARCHAR"}
	}
	for _, r := range rows {
		key, before, after := render.KeyObject(&r.Schema, rowImageOf(r.Change)), render.ImageObject(&r.Schema, r.Before), render.ImageObject(&r.Schema, r.After)
		if out.Format == render.FormatParquet {
			key, before, after = jsonText(key), jsonText(before), jsonText(after)
		}
		sh.Rows = append(sh.Rows, []any{r.Commit, r.GTID, r.Time, r.Seq, r.Table.String(), string(r.Op), key, render.List(r.Changed), before, after})
	}
	return e.writeSheet(ctx, sh, out)
}

// jsonText is a cell object as JSON text, nil for nil.
func jsonText(v any) any {
	if v == nil {
		return nil
	}
	return render.CellJSON(v)
}

// rowImageOf is the image that identifies a change row's row.
func rowImageOf(c layout.Change) []any {
	if c.After != nil {
		return c.After
	}
	return c.Before
}

func writeShowTable(cm layout.Commit, rows []ChangeRow, out render.Output) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %s, %s, %d rows\n", catalog.Describe(cm), cm.Time.UTC().Format(time.RFC3339), cm.Kind, len(rows))
	if cm.File != "" {
		fmt.Fprintf(&b, "binlog %s:%d\n", cm.File, cm.Pos)
	}
	if cm.DDL != "" {
		fmt.Fprintf(&b, "DDL: %s\n", cm.DDL)
	}
	if _, err := fmt.Fprint(out.W, b.String()); err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	w := render.NewTable(out.W)
	w.Header([]string{"seq", "table", "op", "key", "changes"})
	for _, r := range rows {
		var changes string
		switch r.Op {
		case layout.OpUpdate:
			parts := make([]string, 0, len(r.Changed))
			for _, name := range r.Changed {
				i := r.Schema.ColumnIndex(name)
				parts = append(parts, name+": "+value.Text(r.Before[i])+" → "+value.Text(r.After[i]))
			}
			changes = strings.Join(parts, "; ")
		case layout.OpDelete:
			changes = fmt.Sprint(render.ImageObject(&r.Schema, r.Before))
		default:
			changes = fmt.Sprint(render.ImageObject(&r.Schema, r.After))
		}
		w.RowText([]string{fmt.Sprint(r.Seq), r.Table.String(), string(r.Op),
			fmt.Sprint(render.KeyObject(&r.Schema, rowImageOf(r.Change))), changes})
	}
	return w.Close()
}
