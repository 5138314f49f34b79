package patch

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
	"github.com/binlake/binlake/query"
)

// RestoreOptions says which tables Patch moves between which states.
type RestoreOptions struct {
	// From and To are refs (see catalog.RefForms): the patch turns tables
	// as they were at From (the primary's state, usually HEAD) into the
	// tables as they were at To.
	From, To string
	// Tables limits the patch; empty means every table that differs.
	Tables []layout.TableRef
	// Store names the store in the patch header.
	Store string
	// BatchRows bounds the rows of one multi-row INSERT (default 500); the
	// statement also stays under about 1 MiB unless one row is larger.
	BatchRows int
}

// RestoreResult says what Patch wrote.
type RestoreResult struct {
	Header     Header
	From, To   uint64
	Tables     []TableChange
	Statements int
	Rows       int64
}

// TableChange sums up what a patch does to one table.
type TableChange struct {
	Table                      layout.TableRef
	Status                     query.TableStatus // as Diff says, from From to To
	Inserts, Updates, Deletes  int
	Created, Dropped, Replaced bool
}

const batchBytes = 1 << 20

// Restore writes to w a patch that moves tables from their state at From to
// their state at To: the way to bring back rows after a bad DELETE or
// TRUNCATE, or a table after DROP TABLE (re-created from its schema at To,
// with every row). Deletes and updates are guarded by the image the row
// has at From, so a row that differs on the primary is not touched and
// binlake apply rolls back; inserts come in multi-row batches.
func Restore(ctx context.Context, e *query.Engine, opts RestoreOptions, w io.Writer) (*RestoreResult, error) {
	from, err := e.Resolve(opts.From)
	if err != nil {
		return nil, fmt.Errorf("patch from: %w", err)
	}
	to, err := e.Resolve(opts.To)
	if err != nil {
		return nil, fmt.Errorf("patch to: %w", err)
	}
	if opts.BatchRows <= 0 {
		opts.BatchRows = 500
	}
	diff, err := e.DiffRows(ctx, query.DiffOptions{From: strconv.FormatUint(from, 10), To: strconv.FormatUint(to, 10), Tables: opts.Tables})
	if err != nil {
		return nil, err
	}
	res := &RestoreResult{From: from, To: to}
	var pre, post []Statement
	var plans []tablePlan
	for i := range diff.Tables {
		td := &diff.Tables[i]
		p, err := planTable(e, td, from, to)
		if err != nil {
			return nil, err
		}
		pre, post = append(pre, p.pre...), append(post, p.post...)
		plans = append(plans, p)
	}
	res.Header = restoreHeader(e, opts, from, to, diff)
	pw, err := NewWriter(w, &res.Header)
	if err != nil {
		return nil, err
	}
	for _, st := range pre {
		if err := pw.Write(st); err != nil {
			return nil, err
		}
	}
	if err := pw.Begin(); err != nil {
		return nil, err
	}
	for i := range plans {
		sum, err := writeTableRows(pw, &plans[i], opts.BatchRows)
		if err != nil {
			return nil, fmt.Errorf("patch %s: %w", plans[i].td.Table, err)
		}
		res.Tables = append(res.Tables, sum)
	}
	if err := pw.Commit(); err != nil {
		return nil, err
	}
	for _, st := range post {
		if err := pw.Write(st); err != nil {
			return nil, err
		}
	}
	if err := pw.Close(); err != nil {
		return nil, fmt.Errorf("write patch: %w", err)
	}
	res.Statements, res.Rows = pw.Statements(), pw.Rows()
	return res, nil
}

func restoreHeader(e *query.Engine, opts RestoreOptions, from, to uint64, d *query.DiffResult) Header {
	h := Header{Kind: "patch", Store: opts.Store, Created: time.Now().UTC()}
	if m := e.Chain.Head(); m != nil {
		h.Source = fmt.Sprintf("%s server_id=%d", m.Source.Flavor, m.Source.ServerID)
	}
	if c, ok := e.Chain.Commit(from); ok {
		pc := commitOf(c)
		h.From = &pc
	}
	if c, ok := e.Chain.Commit(to); ok {
		pc := commitOf(c)
		h.To = &pc
	}
	for _, t := range d.Tables {
		line := t.Table.String()
		if t.Status != query.TableChanged {
			line += " (" + string(t.Status) + " between from and to)"
		}
		h.Tables = append(h.Tables, line)
	}
	return h
}

// tablePlan is what a patch does to one table: DDL before and after the
// transaction, and the rows to change, under schema.
type tablePlan struct {
	td        *query.TableDiff
	schema    *layout.TableSchema // of the statements: the table on the primary once pre has run
	pre, post []Statement
	rows      []query.DiffRow // removed and modified rows, then added ones
	sum       TableChange
}

func planTable(e *query.Engine, td *query.TableDiff, from, to uint64) (tablePlan, error) {
	table := value.QuoteTable(td.Table.DB, td.Table.Table)
	name := td.Table.String()
	p := tablePlan{td: td, schema: &td.Schema, rows: td.Rows, sum: TableChange{Table: td.Table, Status: td.Status}}
	switch td.Status {
	case query.TableCreated: // absent at From
		create, err := CreateTableSQL(&td.Schema)
		if err != nil {
			return p, err
		}
		p.pre = append(p.pre, Statement{SQL: create, Expect: -1, Undo: "DROP TABLE " + table,
			Note: name + ": create the table as it was at commit " + strconv.FormatUint(to, 10)})
		p.sum.Created = true
	case query.TableDropped: // absent at To
		p.post = append(p.post, Statement{SQL: "DROP TABLE " + table, Expect: -1,
			Note: name + ": the table did not exist at commit " + strconv.FormatUint(to, 10)})
		p.rows, p.sum.Dropped = nil, true
	case query.TableRecreated:
		if sameColumns(&td.BeforeSchema, &td.Schema) {
			break // rows can move between the two tables as they are
		}
		create, err := CreateTableSQL(&td.Schema)
		if err != nil {
			return p, err
		}
		p.pre = append(p.pre,
			Statement{SQL: "DROP TABLE " + table, Expect: -1,
				Note: name + ": its columns at commit " + strconv.FormatUint(from, 10) + " differ from those at commit " +
					strconv.FormatUint(to, 10) + "; this DROP is not undone if the patch fails"},
			Statement{SQL: create, Expect: -1, Undo: "DROP TABLE " + table,
				Note: name + ": create the table as it was at commit " + strconv.FormatUint(to, 10)})
		var added []query.DiffRow
		for _, r := range td.Rows {
			if r.Kind == query.DiffAdded {
				added = append(added, r)
			}
		}
		p.rows, p.sum.Replaced = added, true
	default:
		at := e.Chain.VersionAt(td.Table.DB, td.Table.Table, from)
		if at == nil || !sameColumns(at, &td.Schema) {
			return p, fmt.Errorf("%s has other columns at commit %d than at commit %d: patch writes rows under the schema "+
				"the table has at From; make the patch from the later commit to the earlier one, or change the schema first", name, from, to)
		}
	}
	return p, nil
}

// sameColumns reports whether two schemas have the same columns (names,
// types, character sets) and primary key.
func sameColumns(a, b *layout.TableSchema) bool {
	if len(a.Columns) != len(b.Columns) || fmt.Sprint(a.PrimaryKey) != fmt.Sprint(b.PrimaryKey) {
		return false
	}
	for i := range a.Columns {
		x, y := &a.Columns[i], &b.Columns[i]
		if x.Name != y.Name || x.Kind != y.Kind || x.SQLType != y.SQLType || x.Unsigned != y.Unsigned ||
			x.Charset != y.Charset || strings.Join(x.Members, "\x00") != strings.Join(y.Members, "\x00") {
			return false
		}
	}
	return true
}

// writeTableRows writes a table's row statements: deletes, then updates,
// then inserts in batches, so that a row on its way in does not collide
// with unique values of a row on its way out.
func writeTableRows(pw *Writer, p *tablePlan, batch int) (TableChange, error) {
	s := p.schema
	name := p.td.Table.String()
	sum := p.sum
	for i := 0; i < len(p.rows); i++ {
		r := &p.rows[i]
		if r.Kind != query.DiffRemoved {
			continue
		}
		n := 1 // equal images of a table without a key come together
		for len(s.PrimaryKey) == 0 && i+n < len(p.rows) && p.rows[i+n].Kind == query.DiffRemoved && layout.ImagesEqual(p.rows[i+n].Before, r.Before) {
			n++
		}
		st, err := deleteStatement(s, name, r.Before, n)
		if err != nil {
			return sum, err
		}
		if err := pw.Write(st); err != nil {
			return sum, err
		}
		sum.Deletes += n
		i += n - 1
	}
	var added [][]any
	for i := range p.rows {
		r := &p.rows[i]
		switch r.Kind {
		case query.DiffAdded:
			added = append(added, r.After)
		case query.DiffModified:
			st, ok, err := undoStatement(s, name, r.After, r.Before, false, "")
			if err != nil {
				return sum, err
			}
			if ok {
				st.Note = name + " " + value.KeyText(s, r.Before) + ": update the row to its state at To"
				if err := pw.Write(st); err != nil {
					return sum, err
				}
				sum.Updates++
			}
		}
	}
	table := value.QuoteTable(s.DB, s.Table)
	for len(added) > 0 {
		st, n, err := insertBatch(s, name, table, added, batch)
		if err != nil {
			return sum, err
		}
		if err := pw.Write(st); err != nil {
			return sum, err
		}
		sum.Inserts += n
		added = added[n:]
	}
	return sum, nil
}

func deleteStatement(s *layout.TableSchema, name string, img []any, n int) (Statement, error) {
	where, err := rowMatch(s, img)
	if err != nil {
		return Statement{}, err
	}
	sql := "DELETE FROM " + value.QuoteTable(s.DB, s.Table) + " WHERE " + where
	note := name + " " + value.KeyText(s, img) + ": delete the row"
	if len(s.PrimaryKey) == 0 {
		sql += " LIMIT " + strconv.Itoa(n)
		if n > 1 {
			note = fmt.Sprintf("%s %s: delete %d equal rows", name, value.KeyText(s, img), n)
		}
	}
	return Statement{SQL: sql, Expect: n, Note: note}, nil
}

// insertBatch writes up to max rows in one INSERT, staying under
// batchBytes of SQL when more than one row.
func insertBatch(s *layout.TableSchema, name, table string, rows [][]any, max int) (Statement, int, error) {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " " + sqlColumns(s) + " VALUES\n")
	n := 0
	for n < len(rows) && n < max {
		tuple, err := sqlTuple(s, rows[n])
		if err != nil {
			return Statement{}, 0, err
		}
		if n > 0 && b.Len()+len(tuple) > batchBytes {
			break
		}
		if n > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(tuple)
		n++
	}
	note := fmt.Sprintf("%s: insert %d rows, from %s", name, n, value.KeyText(s, rows[0]))
	if n == 1 {
		note = name + " " + value.KeyText(s, rows[0]) + ": insert the row"
	}
	return Statement{SQL: b.String(), Expect: n, Note: note}, n, nil
}

// CreateTableSQL returns a CREATE TABLE statement for a schema version:
// its columns with their types, character sets and collations, NULL or NOT
// NULL, and its primary key. The schema records nothing else: secondary
// indexes, defaults, AUTO_INCREMENT, generated columns, checks and table
// options come back as the server's defaults.
func CreateTableSQL(s *layout.TableSchema) (string, error) {
	if len(s.Columns) == 0 {
		return "", fmt.Errorf("%s: schema version %d has no columns", s.Name(), s.Version)
	}
	var defs []string
	for i := range s.Columns {
		c := &s.Columns[i]
		if c.SQLType == "" || strings.ContainsAny(c.SQLType, ";`") && c.Kind != layout.KindEnum && c.Kind != layout.KindSet {
			return "", fmt.Errorf("%s column %s: no usable SQL type (%q)", s.Name(), c.Name, c.SQLType)
		}
		def := "  " + value.QuoteIdent(c.Name) + " " + c.SQLType
		if c.Kind == layout.KindString || c.Kind == layout.KindEnum || c.Kind == layout.KindSet {
			if c.Charset != "" && c.Charset != "binary" {
				def += " CHARACTER SET " + c.Charset
				if name := value.CollationName(c.Collation); name != "" && strings.HasPrefix(name, c.Charset+"_") {
					def += " COLLATE " + name
				}
			}
		}
		if c.Nullable {
			def += " NULL"
		} else {
			def += " NOT NULL"
		}
		defs = append(defs, def)
	}
	if len(s.PrimaryKey) > 0 {
		keys := make([]string, len(s.PrimaryKey))
		for i, k := range s.PrimaryKey {
			keys[i] = value.QuoteIdent(s.Columns[k].Name)
		}
		defs = append(defs, "  PRIMARY KEY ("+strings.Join(keys, ", ")+")")
	}
	return "CREATE TABLE " + value.QuoteTable(s.DB, s.Table) + " (\n" + strings.Join(defs, ",\n") + "\n)", nil
}
