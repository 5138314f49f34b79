package ddl

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/binlake/binlake/layout"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// workspace holds the tables one statement touches, as drafts over the set
// as it was before the statement. All versions a statement creates describe
// the state after it relative to the state before it: a table renamed twice
// in one RENAME names its original table in RenamedFrom, and a table touched
// several times gets one version.
type workspace struct {
	base      SchemaSet
	defaultDB string
	at        time.Time
	drafts    map[layout.TableRef]*draft
	order     []layout.TableRef // first-touched order
}

// draft is the state of one table inside a statement.
type draft struct {
	dropped bool
	// pending marks a table whose columns are not known (see SchemaSet).
	pending bool
	// truncated marks a table emptied by TRUNCATE.
	truncated bool
	// src is the table, as it was before the statement, whose rows this
	// one carries; nil when the table starts empty.
	src  *layout.TableRef
	cols []draftColumn
	pk   []string // primary key column names, in key order
	// charset is the table's default character set when the statement
	// gives it, else "".
	charset string
}

// draftColumn is a column with the origin of its values.
type draftColumn struct {
	layout.Column
	// from is the column's index in src's version, or -1 for a new column.
	from int
	// def is the canonical value existing rows get when from is -1; nil
	// means NULL.
	def *string
}

func newWorkspace(base SchemaSet, defaultDB string, at time.Time) *workspace {
	return &workspace{base: base, defaultDB: defaultDB, at: at, drafts: map[layout.TableRef]*draft{}}
}

// ref resolves a table name against the default database.
func (ws *workspace) ref(tn *ast.TableName) (layout.TableRef, error) {
	ref := layout.TableRef{DB: tn.Schema.O, Table: tn.Name.O}
	if ref.DB == "" {
		ref.DB = ws.defaultDB
	}
	if ref.DB == "" {
		return ref, fmt.Errorf("table %s has no database and the statement has no default database", tn.Name.O)
	}
	return ref, nil
}

// live returns the draft of a table that exists, or nil.
func (ws *workspace) live(ref layout.TableRef) *draft {
	if d, ok := ws.drafts[ref]; ok {
		if d.dropped {
			return nil
		}
		return d
	}
	prev := ws.base[ref]
	if prev == nil || prev.Dropped {
		return nil
	}
	d := draftOf(ref, prev)
	ws.put(ref, d)
	return d
}

// draftOf starts a draft from a stored version: same columns, identity
// origins.
func draftOf(ref layout.TableRef, s *layout.TableSchema) *draft {
	d := &draft{src: &ref, pending: len(s.Columns) == 0}
	for i, c := range s.Columns {
		d.cols = append(d.cols, draftColumn{Column: c, from: i})
	}
	for _, i := range s.PrimaryKey {
		if i >= 0 && i < len(s.Columns) {
			d.pk = append(d.pk, s.Columns[i].Name)
		}
	}
	return d
}

// put sets a table's draft.
func (ws *workspace) put(ref layout.TableRef, d *draft) {
	if _, ok := ws.drafts[ref]; !ok {
		ws.order = append(ws.order, ref)
	}
	ws.drafts[ref] = d
}

// drop marks a table dropped.
func (ws *workspace) drop(ref layout.TableRef) {
	ws.put(ref, &draft{dropped: true})
}

// versions turns the drafts into the versions the statement creates.
func (ws *workspace) versions(commit uint64) []layout.TableSchema {
	var out []layout.TableSchema
	for _, ref := range ws.order {
		if v, ok := ws.version(ref, ws.drafts[ref], commit); ok {
			out = append(out, v)
		}
	}
	return out
}

// version returns the new version of one table, or false when the table is
// as it was.
func (ws *workspace) version(ref layout.TableRef, d *draft, commit uint64) (layout.TableSchema, bool) {
	prev := ws.base[ref]
	live := prev != nil && !prev.Dropped
	s := layout.TableSchema{DB: ref.DB, Table: ref.Table, Version: 1, Since: commit}
	if prev != nil {
		s.Version = prev.Version + 1
	}
	if d.dropped {
		s.Dropped = true
		return s, live
	}
	s.Columns, s.PrimaryKey = d.columns()
	s.Truncated = d.truncated
	if d.src != nil {
		s.Origins = d.origins()
		if *d.src != ref {
			src := *d.src
			s.RenamedFrom = &src
		}
	}
	if live && d.src != nil && *d.src == ref && !d.truncated && unchanged(prev, &s) {
		return s, false
	}
	return s, true
}

// columns returns the draft's columns and primary key indexes.
func (d *draft) columns() ([]layout.Column, []int) {
	var cols []layout.Column
	for _, c := range d.cols {
		cols = append(cols, c.Column)
	}
	var pk []int
	for _, name := range d.pk {
		if i := d.index(name); i >= 0 {
			pk = append(pk, i)
		}
	}
	return cols, pk
}

func (d *draft) origins() []layout.ColumnOrigin {
	if d.pending {
		return nil
	}
	out := make([]layout.ColumnOrigin, len(d.cols))
	for i, c := range d.cols {
		out[i] = layout.ColumnOrigin{From: c.from, Default: c.def}
	}
	return out
}

// unchanged reports whether a new version would equal the previous one:
// same columns, same key, every column from its own index.
func unchanged(prev, next *layout.TableSchema) bool {
	if len(prev.Columns) != len(next.Columns) || !slices.Equal(prev.PrimaryKey, next.PrimaryKey) {
		return false
	}
	for i, o := range next.Origins {
		if o.From != i {
			return false
		}
	}
	return slices.EqualFunc(prev.Columns, next.Columns, columnsEqual)
}

func columnsEqual(a, b layout.Column) bool {
	return a.Name == b.Name && a.Kind == b.Kind && a.SQLType == b.SQLType && a.Unsigned == b.Unsigned &&
		a.Nullable == b.Nullable && a.Width == b.Width && a.Scale == b.Scale && a.Fixed == b.Fixed &&
		a.Charset == b.Charset && a.Collation == b.Collation && slices.Equal(a.Members, b.Members)
}

// index returns the position of the named column (case-insensitive), or -1.
func (d *draft) index(name string) int {
	for i, c := range d.cols {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}
