package ddl

import (
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// The primary key the binlog reports is the server's view of it: a table
// without a PRIMARY KEY gets its first UNIQUE key whose parts are whole NOT
// NULL columns (MySQL and MariaDB promote it when they open the table). The
// drafts follow this where the statement shows it: CREATE TABLE, ADD UNIQUE,
// ADD COLUMN ... UNIQUE and CREATE UNIQUE INDEX. binlake does not keep the
// other keys of a table, so DROP INDEX of a promoted key, or MODIFY making
// a unique key's column NOT NULL, is not followed; the next table map
// corrects the key.

// promoteFirstUnique promotes the first eligible unique key of a CREATE
// TABLE: column UNIQUE attributes first, then table constraints.
func (d *draft) promoteFirstUnique(n *ast.CreateTableStmt) {
	for _, def := range n.Cols {
		if hasOption(def, ast.ColumnOptionUniqKey) && d.promoteUnique([]string{def.Name.Name.O}) {
			return
		}
	}
	for _, c := range n.Constraints {
		if isUnique(c.Tp) && d.promoteUnique(wholeColumns(c.Keys)) {
			return
		}
	}
}

// promoteUnique makes a new unique key the primary key when the table has
// none and the key's columns are all NOT NULL; names is nil for a key with
// prefix or expression parts.
func (d *draft) promoteUnique(names []string) bool {
	if len(d.pk) > 0 || len(names) == 0 {
		return false
	}
	for _, name := range names {
		i := d.index(name)
		if i < 0 || d.cols[i].Nullable {
			return false
		}
	}
	d.pk = names
	return true
}

func isUnique(tp ast.ConstraintType) bool {
	return tp == ast.ConstraintUniq || tp == ast.ConstraintUniqKey || tp == ast.ConstraintUniqIndex
}

// wholeColumns returns the column names of a key whose parts are all whole
// columns, else nil.
func wholeColumns(parts []*ast.IndexPartSpecification) []string {
	var names []string
	for _, p := range parts {
		if p.Column == nil || p.Expr != nil || p.Length > 0 {
			return nil
		}
		names = append(names, p.Column.Name.O)
	}
	return names
}

// createIndex applies CREATE UNIQUE INDEX; other indexes change nothing.
func (ws *workspace) createIndex(n *ast.CreateIndexStmt) error {
	if n.KeyType != ast.IndexKeyTypeUnique {
		return nil
	}
	ref, err := ws.ref(n.Table)
	if err != nil {
		return err
	}
	if d := ws.live(ref); d != nil && !d.pending {
		d.promoteUnique(wholeColumns(n.IndexPartSpecifications))
	}
	return nil
}
