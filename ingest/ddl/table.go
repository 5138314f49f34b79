package ddl

import (
	"cmp"
	"slices"
	"strings"

	"github.com/binlake/binlake/layout"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// dropTables applies DROP TABLE. Tables binlake does not know are skipped,
// as are views and temporary tables.
func (ws *workspace) dropTables(n *ast.DropTableStmt) error {
	if n.IsView || n.TemporaryKeyword != ast.TemporaryNone {
		return nil
	}
	for _, tn := range n.Tables {
		ref, err := ws.ref(tn)
		if err != nil {
			return err
		}
		if ws.live(ref) != nil {
			ws.drop(ref)
		}
	}
	return nil
}

// dropDatabase applies DROP DATABASE: every live table of db is dropped, in
// table name order.
func (ws *workspace) dropDatabase(db string) {
	var refs []layout.TableRef
	for ref := range ws.base {
		refs = append(refs, ref)
	}
	refs = append(refs, ws.order...)
	slices.SortFunc(refs, func(a, b layout.TableRef) int {
		return cmp.Or(strings.Compare(a.Table, b.Table), strings.Compare(a.DB, b.DB))
	})
	for _, ref := range slices.Compact(refs) {
		if ref.DB == db && ws.live(ref) != nil {
			ws.drop(ref)
		}
	}
}

// truncate applies TRUNCATE TABLE: same columns, no rows.
func (ws *workspace) truncate(tn *ast.TableName) error {
	ref, err := ws.ref(tn)
	if err != nil {
		return err
	}
	d := ws.live(ref)
	if d == nil || d.pending {
		return tableError(ref, ErrUnknownTable, "TRUNCATE of a table with no known schema")
	}
	ws.put(ref, &draft{truncated: true, cols: slices.Clone(d.cols), pk: slices.Clone(d.pk), charset: d.charset})
	return nil
}

// rename applies one "old TO new" of RENAME TABLE (or ALTER TABLE ...
// RENAME): old is dropped and new carries its rows.
func (ws *workspace) rename(from, to *ast.TableName) error {
	oldRef, err := ws.ref(from)
	if err != nil {
		return err
	}
	newRef, err := ws.ref(to)
	if err != nil {
		return err
	}
	d := ws.live(oldRef)
	if d == nil {
		return tableError(oldRef, ErrUnknownTable, "RENAME of a table with no known schema to %s", newRef)
	}
	if oldRef == newRef {
		return nil
	}
	ws.drop(oldRef)
	ws.put(newRef, d)
	return nil
}
