package query

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
	"github.com/binlake/binlake/query/render"
)

// DiffKind says how a row differs between two points.
type DiffKind string

// The kinds of row differences.
const (
	DiffAdded    DiffKind = "added"    // in To, not in From
	DiffRemoved  DiffKind = "removed"  // in From, not in To
	DiffModified DiffKind = "modified" // same primary key, other values
)

// TableStatus says how a table as a whole changed between two points.
type TableStatus string

// The table statuses.
const (
	TableChanged   TableStatus = ""          // exists at both points, compared row by row
	TableCreated   TableStatus = "created"   // exists only at To: every row added
	TableDropped   TableStatus = "dropped"   // exists only at From: every row removed
	TableRecreated TableStatus = "recreated" // dropped (or renamed away) and created again: every row removed, then added
)

// DiffRow is one row difference, with canonical values.
type DiffRow struct {
	Kind DiffKind
	// Key holds the primary-key values of the row (of After, or of Before
	// for a removed row); nil for a table without a primary key.
	Key    []any
	Before []any // the row at From; nil when added
	After  []any // the row at To; nil when removed
	// Changed names the columns whose values differ (modified rows only).
	Changed []string
}

// TableDiff holds the differences of one table.
type TableDiff struct {
	Table  layout.TableRef
	Status TableStatus
	// Schema is the schema of After images: the table at To (at From when
	// the table was dropped). Rows of From are compared under it, mapped
	// through the schema versions' Origins exactly as as-of reads carry rows
	// over.
	Schema layout.TableSchema
	// BeforeSchema is the schema of Before images: Schema, except for a
	// re-created table, whose rows at From are under the old table's schema.
	BeforeSchema layout.TableSchema
	Rows         []DiffRow
}

// Counts returns how many rows were added, removed and modified.
func (d *TableDiff) Counts() (added, removed, modified int) {
	for _, r := range d.Rows {
		switch r.Kind {
		case DiffAdded:
			added++
		case DiffRemoved:
			removed++
		case DiffModified:
			modified++
		}
	}
	return added, removed, modified
}

// DiffResult is the row-level difference between two commits.
type DiffResult struct {
	From, To uint64
	Tables   []TableDiff // tables with differences, by name
}

// Diff returns the row-level differences between the states at refs from
// and to, for the given tables (every table that exists at either point
// when empty). For a table that exists at both points and whose rows
// carried over between them (no TRUNCATE, DROP or re-CREATE in between), it
// reads only the change rows of commits between the two points, so its cost
// grows with the number of changes, not with the size of the table or the
// length of history: the state at the later point is the state at the
// earlier one plus every after image and minus every before image in
// between. When from is after to, the result is the inverse of Diff(to,
// from), still under the later point's schema.
func (e *Engine) DiffRows(ctx context.Context, opts DiffOptions) (*DiffResult, error) {
	f, err := e.Resolve(opts.From)
	if err != nil {
		return nil, fmt.Errorf("diff from: %w", err)
	}
	t, err := e.Resolve(opts.To)
	if err != nil {
		return nil, fmt.Errorf("diff to: %w", err)
	}
	return e.diffCommits(ctx, f, t, opts.Tables)
}

// Diff writes the diff DiffRows returns (see writeDiff for the formats).
func (e *Engine) Diff(ctx context.Context, opts DiffOptions, out render.Output) error {
	d, err := e.DiffRows(ctx, opts)
	if err != nil {
		return err
	}
	return e.writeDiff(ctx, d, out)
}

// diffCommits is DiffRows between commit numbers.
func (e *Engine) diffCommits(ctx context.Context, from, to uint64, tables []layout.TableRef) (*DiffResult, error) {
	if from > to {
		d, err := e.diffCommits(ctx, to, from, tables)
		if err != nil {
			return nil, err
		}
		d.invert()
		return d, nil
	}
	res := &DiffResult{From: from, To: to}
	if from == to {
		return res, nil
	}
	named := len(tables) > 0
	if !named {
		tables = e.tablesAtEither(from, to)
	}
	for _, ref := range tables {
		td, err := e.diffTable(ctx, ref, from, to)
		if err != nil {
			return nil, fmt.Errorf("diff %s between commits %d and %d: %w", ref, from, to, err)
		}
		if td == nil && named {
			return nil, fmt.Errorf("diff %s: %w at commit %d or at commit %d (tables then: %s)", ref, catalog.ErrNoTable,
				from, to, tableNames(e.tablesAtEither(from, to)))
		}
		if td != nil && len(td.Rows) > 0 {
			res.Tables = append(res.Tables, *td)
		}
	}
	sort.Slice(res.Tables, func(i, j int) bool { return res.Tables[i].Table.String() < res.Tables[j].Table.String() })
	return res, nil
}

func (e *Engine) tablesAtEither(a, b uint64) []layout.TableRef {
	seen := map[layout.TableRef]bool{}
	var out []layout.TableRef
	for _, n := range []uint64{a, b} {
		for _, s := range e.Chain.TablesAt(n) {
			ref := layout.TableRef{DB: s.DB, Table: s.Table}
			if !seen[ref] {
				seen[ref] = true
				out = append(out, ref)
			}
		}
	}
	return out
}

func tableNames(refs []layout.TableRef) string {
	if len(refs) == 0 {
		return "none"
	}
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = r.String()
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// invert turns a diff from a to b into the diff from b to a.
func (d *DiffResult) invert() {
	d.From, d.To = d.To, d.From
	for i := range d.Tables {
		t := &d.Tables[i]
		t.Schema, t.BeforeSchema = t.BeforeSchema, t.Schema
		switch t.Status {
		case TableCreated:
			t.Status = TableDropped
		case TableDropped:
			t.Status = TableCreated
		}
		var removed, added []DiffRow
		for _, r := range t.Rows {
			r.Before, r.After = r.After, r.Before
			switch r.Kind {
			case DiffAdded:
				r.Kind = DiffRemoved
			case DiffRemoved:
				r.Kind = DiffAdded
			}
			if t.Status == TableRecreated && r.Kind == DiffAdded {
				added = append(added, r)
			} else {
				removed = append(removed, r)
			}
		}
		t.Rows = append(removed, added...)
	}
}

// diffTable compares one table between commits from < to; nil when it
// exists at neither.
func (e *Engine) diffTable(ctx context.Context, ref layout.TableRef, from, to uint64) (*TableDiff, error) {
	vf := e.Chain.VersionAt(ref.DB, ref.Table, from)
	existsFrom := vf != nil && !vf.Dropped
	links := e.Chain.Lineage(ref.DB, ref.Table, to)
	switch {
	case !existsFrom && links == nil:
		return nil, nil
	case !existsFrom:
		return e.wholeTable(ctx, ref, to, DiffAdded, TableCreated)
	case links == nil:
		return e.wholeTable(ctx, ref, from, DiffRemoved, TableDropped)
	}
	// j is the link in force at from; rows carried over from it when every
	// newer link is connected and none is truncated.
	j, carried := -1, true
	for k, l := range links {
		if l.Schema.Since <= from {
			j = k
			break
		}
		if l.Schema.Truncated {
			carried = false
		}
	}
	if j < 0 || links[j].Table != ref || links[j].Schema.Version != vf.Version {
		return e.recreated(ctx, ref, from, to)
	}
	links = links[:j+1]
	td := &TableDiff{Table: ref, Schema: links[0].Schema, BeforeSchema: links[0].Schema}
	var branches []string
	var err error
	if carried {
		branches, err = e.changeBranches(ctx, links, from, to)
	} else {
		branches, err = e.stateBranches(ctx, links, ref, from, to)
	}
	if err != nil || len(branches) == 0 {
		return td, err
	}
	td.Rows, err = e.netRows(ctx, &td.Schema, branches)
	return td, err
}

// changeBranches are the signed images of the changes in (from, to]: +1
// for every after image, -1 for every before image, under links[0]'s
// schema.
func (e *Engine) changeBranches(ctx context.Context, links []catalog.Link, from, to uint64) ([]string, error) {
	q, _, err := e.changesQuery(ctx, links, changeRange{After: from, Upto: to})
	if err != nil || q == "" {
		return nil, err
	}
	n := len(links[0].Schema.Columns)
	b, a := make([]string, n), make([]string, n)
	for c := 0; c < n; c++ {
		b[c] = fmt.Sprintf("__b%d AS __c%d", c, c)
		a[c] = fmt.Sprintf("__a%d AS __c%d", c, c)
	}
	ch := "(" + q + ")"
	return []string{
		"SELECT " + strings.Join(a, ", ") + ", 1 AS __d FROM " + ch + " WHERE __ha",
		"SELECT " + strings.Join(b, ", ") + ", -1 AS __d FROM " + ch + " WHERE __hb",
	}, nil
}

// stateBranches compare whole states when rows did not carry over (a
// TRUNCATE in between): the state at to, +1, and the state at from mapped
// into to's schema, -1.
func (e *Engine) stateBranches(ctx context.Context, links []catalog.Link, ref layout.TableRef, from, to uint64) ([]string, error) {
	stFrom, err := e.Chain.TableAt(ref.DB, ref.Table, from)
	if err != nil {
		return nil, err
	}
	stTo, err := e.Chain.TableAt(ref.DB, ref.Table, to)
	if err != nil {
		return nil, err
	}
	qFrom, err := e.tableSQL(ctx, stFrom)
	if err != nil {
		return nil, err
	}
	qTo, err := e.tableSQL(ctx, stTo)
	if err != nil {
		return nil, err
	}
	mapped := mapExprs(links, len(links)-1, ident)
	n := len(links[0].Schema.Columns)
	fromCols, toCols := make([]string, n), make([]string, n)
	for c := 0; c < n; c++ {
		fromCols[c] = fmt.Sprintf("%s AS __c%d", mapped[c], c)
		toCols[c] = fmt.Sprintf("%s AS __c%d", ident(links[0].Schema.Columns[c].Name), c)
	}
	return []string{
		"SELECT " + strings.Join(toCols, ", ") + ", 1 AS __d FROM (" + qTo + ")",
		"SELECT " + strings.Join(fromCols, ", ") + ", -1 AS __d FROM (" + qFrom + ")",
	}, nil
}

// netRows sums the signed images of branches, keeps those that do not
// cancel out, and pairs a removed and an added image of the same primary
// key into a modified row.
func (e *Engine) netRows(ctx context.Context, s *layout.TableSchema, branches []string) ([]DiffRow, error) {
	n := len(s.Columns)
	cols := make([]string, n)
	for c := range cols {
		cols[c] = fmt.Sprintf("__c%d", c)
	}
	var order []string
	if len(s.PrimaryKey) > 0 {
		for _, k := range s.PrimaryKey {
			order = append(order, cols[k])
		}
	} else {
		order = cols
	}
	q := fmt.Sprintf("SELECT %s, CAST(sum(__d) AS BIGINT) AS __n FROM (%s) GROUP BY ALL HAVING sum(__d) <> 0 ORDER BY %s, __n",
		strings.Join(cols, ", "), strings.Join(branches, "\nUNION ALL "), strings.Join(order, ", "))
	sess, err := e.openSession(ctx)
	if err != nil {
		return nil, err
	}
	defer sess.close()
	rows, err := sess.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("net changes of %s: %w", s.Name(), err)
	}
	defer rows.Close()
	p := pairer{s: s}
	vals := make([]any, n+1)
	ptrs := make([]any, n+1)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("net changes of %s: %w", s.Name(), err)
		}
		img := canonicalRow(s, vals[:n])
		count := scanInt(vals[n])
		for ; count < 0; count++ {
			p.add(img, false)
		}
		for ; count > 0; count-- {
			p.add(img, true)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("net changes of %s: %w", s.Name(), err)
	}
	p.flush()
	return p.out, nil
}

// pairer turns netted images, ordered by key, into diff rows.
type pairer struct {
	s              *layout.TableSchema
	key            string
	removed, added [][]any
	out            []DiffRow
}

func (p *pairer) add(img []any, added bool) {
	if len(p.s.PrimaryKey) == 0 {
		if added {
			p.out = append(p.out, DiffRow{Kind: DiffAdded, After: img})
		} else {
			p.out = append(p.out, DiffRow{Kind: DiffRemoved, Before: img})
		}
		return
	}
	if k := value.ExactKey(p.s.PrimaryKey, img); k != p.key {
		p.flush()
		p.key = k
	}
	if added {
		p.added = append(p.added, img)
	} else {
		p.removed = append(p.removed, img)
	}
}

func (p *pairer) flush() {
	if len(p.removed) == 1 && len(p.added) == 1 {
		b, a := p.removed[0], p.added[0]
		p.out = append(p.out, DiffRow{Kind: DiffModified, Key: pkValues(p.s, a), Before: b, After: a,
			Changed: changedColumns(p.s, b, a)})
	} else {
		for _, b := range p.removed {
			p.out = append(p.out, DiffRow{Kind: DiffRemoved, Key: pkValues(p.s, b), Before: b})
		}
		for _, a := range p.added {
			p.out = append(p.out, DiffRow{Kind: DiffAdded, Key: pkValues(p.s, a), After: a})
		}
	}
	p.removed, p.added = nil, nil
}

// wholeTable lists every row of a table at one commit as added or removed.
func (e *Engine) wholeTable(ctx context.Context, ref layout.TableRef, n uint64, kind DiffKind, status TableStatus) (*TableDiff, error) {
	tb, err := e.AsOfRows(ctx, AsOfOptions{Table: ref, At: fmt.Sprint(n)})
	if err != nil {
		return nil, err
	}
	td := &TableDiff{Table: ref, Status: status, Schema: tb.Schema, BeforeSchema: tb.Schema}
	for _, r := range tb.Rows {
		d := DiffRow{Kind: kind, Key: pkValues(&tb.Schema, r)}
		if kind == DiffAdded {
			d.After = r
		} else {
			d.Before = r
		}
		td.Rows = append(td.Rows, d)
	}
	return td, nil
}

// recreated lists a table that was dropped or renamed away and created
// again between the two points: every old row removed, every new one added.
func (e *Engine) recreated(ctx context.Context, ref layout.TableRef, from, to uint64) (*TableDiff, error) {
	old, err := e.wholeTable(ctx, ref, from, DiffRemoved, TableRecreated)
	if err != nil {
		return nil, err
	}
	cur, err := e.wholeTable(ctx, ref, to, DiffAdded, TableRecreated)
	if err != nil {
		return nil, err
	}
	cur.BeforeSchema = old.Schema
	cur.Rows = append(old.Rows, cur.Rows...)
	return cur, nil
}

// writeDiff writes a diff. The table format shows, per table, one line per
// row with "old → new" in the changed cells of modified rows; jsonl writes
// one object per row: table, status, kind, key, changed, before, after;
// csv and parquet write one table's rows (name it with --table when the
// diff spans several) with the columns kind, changed, before and after
// (csv flattens the images into before.<column> and after.<column>).
func (e *Engine) writeDiff(ctx context.Context, d *DiffResult, out render.Output) error {
	switch out.Format {
	case render.FormatTable, "":
		return writeDiffTables(d, out)
	case render.FormatJSONL:
		sh := &render.Sheet{Cols: []string{"table", "status", "kind", "key", "changed", "before", "after"}}
		for _, t := range d.Tables {
			for _, r := range t.Rows {
				sh.Rows = append(sh.Rows, []any{t.Table.String(), string(t.Status), string(r.Kind),
					render.KeyObject(rowSchema(&t, r), rowImage(r)), render.List(r.Changed),
					render.ImageObject(&t.BeforeSchema, r.Before), render.ImageObject(&t.Schema, r.After)})
			}
		}
		return e.writeSheet(ctx, sh, out)
	}
	if len(d.Tables) > 1 {
		names := make([]string, len(d.Tables))
		for i, t := range d.Tables {
			names[i] = t.Table.String()
		}
		return fmt.Errorf("%w: the diff spans %d tables (%s), %s output holds one; name one table, or use jsonl",
			ErrOneTable, len(d.Tables), strings.Join(names, ", "), out.Format)
	}
	var t TableDiff
	if len(d.Tables) == 1 {
		t = d.Tables[0]
	}
	sh := &render.Sheet{Cols: []string{"kind", "changed"}, Types: []string{"VARCHAR", "VARCHAR[]"}}
	if out.Format == render.FormatParquet {
		sh.Cols = append(sh.Cols, "before", "after")
		sh.Types = append(sh.Types, structType(&t.BeforeSchema), structType(&t.Schema))
		for _, r := range t.Rows {
			sh.Rows = append(sh.Rows, []any{string(r.Kind), render.List(r.Changed),
				render.ImageObject(&t.BeforeSchema, r.Before), render.ImageObject(&t.Schema, r.After)})
		}
		if len(t.Schema.Columns) == 0 {
			sh.Cols, sh.Types = sh.Cols[:2], sh.Types[:2]
			for i := range sh.Rows {
				sh.Rows[i] = sh.Rows[i][:2]
			}
		}
		return e.writeSheet(ctx, sh, out)
	}
	for _, c := range t.BeforeSchema.Columns {
		sh.Cols = append(sh.Cols, "before."+c.Name)
	}
	for _, c := range t.Schema.Columns {
		sh.Cols = append(sh.Cols, "after."+c.Name)
	}
	for _, r := range t.Rows {
		row := []any{string(r.Kind), render.List(r.Changed)}
		row = append(row, padImage(r.Before, len(t.BeforeSchema.Columns))...)
		row = append(row, padImage(r.After, len(t.Schema.Columns))...)
		sh.Rows = append(sh.Rows, row)
	}
	return e.writeSheet(ctx, sh, out)
}

func rowSchema(t *TableDiff, r DiffRow) *layout.TableSchema {
	if r.After == nil {
		return &t.BeforeSchema
	}
	return &t.Schema
}

func rowImage(r DiffRow) []any {
	if r.After == nil {
		return r.Before
	}
	return r.After
}

func padImage(img []any, n int) []any {
	if img == nil {
		return make([]any, n)
	}
	return img
}

// writeDiffTables writes the human form of a diff.
func writeDiffTables(d *DiffResult, out render.Output) error {
	if len(d.Tables) == 0 {
		_, err := fmt.Fprintf(out.W, "no differences between commit %d and commit %d\n", d.From, d.To)
		return err
	}
	for i, t := range d.Tables {
		added, removed, modified := t.Counts()
		status := ""
		if t.Status != TableChanged {
			status = " (table " + string(t.Status) + ")"
		}
		sep := ""
		if i > 0 {
			sep = "\n"
		}
		if _, err := fmt.Fprintf(out.W, "%s%s, commit %d → %d%s: %d added, %d removed, %d modified\n",
			sep, t.Table, d.From, d.To, status, added, removed, modified); err != nil {
			return err
		}
		// a re-created table shows its old rows under the old schema first
		blocks := []*layout.TableSchema{&t.Schema}
		if t.Status == TableRecreated {
			blocks = []*layout.TableSchema{&t.BeforeSchema, &t.Schema}
		}
		for bi, s := range blocks {
			w := render.NewTable(out.W)
			cols := []string{"kind"}
			for _, c := range s.Columns {
				cols = append(cols, c.Name)
			}
			w.Header(cols)
			for _, r := range t.Rows {
				if len(blocks) == 2 && (bi == 0) != (r.Kind == DiffRemoved) {
					continue
				}
				w.RowText(diffCells(s, r))
			}
			if err := w.Close(); err != nil {
				return err
			}
		}
	}
	return nil
}

// diffCells renders one diff row for the table format.
func diffCells(s *layout.TableSchema, r DiffRow) []string {
	cells := []string{string(r.Kind)}
	img := rowImage(r)
	for i := range s.Columns {
		if r.Kind == DiffModified && !layout.ValuesEqual(r.Before[i], r.After[i]) {
			cells = append(cells, value.Text(r.Before[i])+" → "+value.Text(r.After[i]))
			continue
		}
		cells = append(cells, value.Text(img[i]))
	}
	return cells
}
