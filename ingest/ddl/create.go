package ddl

import (
	"errors"
	"fmt"
	"slices"

	"github.com/binlake/binlake/layout"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// ColumnsFromCreate derives the columns and primary key (column indexes) of
// a table from its CREATE TABLE statement as SHOW CREATE TABLE prints it,
// with the same derivation Apply uses. JSON is MySQL's native type here:
// MariaDB prints its JSON columns as LONGTEXT.
func ColumnsFromCreate(stmt string) ([]layout.Column, []int, error) {
	nodes, err := parseStatement(stmt)
	if err == nil && (len(nodes) != 1 || !isCreateTable(nodes[0])) {
		err = errors.New("not a CREATE TABLE statement")
	}
	if err != nil {
		return nil, nil, &Error{Stmt: stmt, Err: err}
	}
	n := nodes[0].(*ast.CreateTableStmt)
	if n.ReferTable != nil || n.Select != nil {
		return nil, nil, &Error{Stmt: stmt, Err: errors.New("CREATE TABLE ... LIKE or ... SELECT has no column list to read")}
	}
	d, err := draftFromCreate(n, columnContext{nativeJSON: true})
	if err != nil {
		return nil, nil, &Error{Stmt: stmt, Err: err}
	}
	cols, pk := d.columns()
	return cols, pk, nil
}

func isCreateTable(n ast.StmtNode) bool {
	_, ok := n.(*ast.CreateTableStmt)
	return ok
}

// createTable applies CREATE TABLE: plain, ... LIKE and ... SELECT.
func (ws *workspace) createTable(n *ast.CreateTableStmt) error {
	if n.TemporaryKeyword != ast.TemporaryNone {
		return nil // temporary tables are not in a row-based binlog's row events
	}
	ref, err := ws.ref(n.Table)
	if err != nil {
		return err
	}
	if n.IfNotExists && ws.live(ref) != nil {
		return nil
	}
	if n.ReferTable != nil {
		return ws.createLike(ref, n.ReferTable)
	}
	d, err := draftFromCreate(n, columnContext{})
	if err != nil {
		return tableError(ref, nil, "%w", err)
	}
	if n.Select != nil && !selectAddsNoColumns(n.Select, d) {
		d = &draft{pending: true}
	}
	ws.put(ref, d)
	return nil
}

// createLike applies CREATE TABLE ref LIKE other: other's columns and key,
// no rows. When other is not known the new table is pending.
func (ws *workspace) createLike(ref layout.TableRef, other *ast.TableName) error {
	oref, err := ws.ref(other)
	if err != nil {
		return err
	}
	d := &draft{pending: true}
	if o := ws.live(oref); o != nil {
		d = &draft{pending: o.pending, cols: slices.Clone(o.cols), pk: slices.Clone(o.pk), charset: o.charset}
	}
	ws.put(ref, d)
	return nil
}

// draftFromCreate reads the columns and primary key of a CREATE TABLE
// column list into a draft of an empty table.
func draftFromCreate(n *ast.CreateTableStmt, cc columnContext) (*draft, error) {
	d := &draft{charset: tableCharset(n.Options)}
	cc.charset = d.charset
	for _, def := range n.Cols {
		col, err := columnFromDef(def, cc)
		if err != nil {
			return nil, err
		}
		if d.index(col.Name) >= 0 {
			return nil, fmt.Errorf("duplicate column %s", col.Name)
		}
		d.cols = append(d.cols, draftColumn{Column: col, from: -1})
		if hasOption(def, ast.ColumnOptionPrimaryKey) {
			d.pk = []string{col.Name}
		}
	}
	for _, c := range n.Constraints {
		if c.Tp == ast.ConstraintPrimaryKey {
			d.pk = keyColumns(c)
		}
	}
	if err := d.setPrimaryKey(d.pk); err != nil {
		return nil, err
	}
	d.promoteFirstUnique(n)
	return d, nil
}

// setPrimaryKey sets the key; key columns become NOT NULL, as in MySQL, so
// a key column added without DEFAULT gives existing rows the implicit one.
func (d *draft) setPrimaryKey(names []string) error {
	for _, name := range names {
		i := d.index(name)
		if i < 0 {
			return fmt.Errorf("primary key column %s does not exist", name)
		}
		c := &d.cols[i]
		if c.Nullable && c.from < 0 && c.def == nil {
			v := implicitDefault(c.Column)
			c.def = &v
		}
		c.Nullable = false
	}
	d.pk = names
	return nil
}

// keyColumns returns the column names of a key; expression parts have none.
func keyColumns(c *ast.Constraint) []string {
	var names []string
	for _, k := range c.Keys {
		if k.Column != nil {
			names = append(names, k.Column.Name.O)
		}
	}
	return names
}

func hasOption(def *ast.ColumnDef, tp ast.ColumnOptionType) bool {
	for _, o := range def.Options {
		if o.Tp == tp {
			return true
		}
	}
	return false
}

// tableCharset returns the DEFAULT CHARSET (or the charset of the default
// COLLATE) of a table's options, or "".
func tableCharset(opts []*ast.TableOption) string {
	for _, o := range opts {
		if o.Tp == ast.TableOptionCharset {
			return normalizeCharset(o.StrValue)
		}
	}
	for _, o := range opts {
		if o.Tp == ast.TableOptionCollate {
			return normalizeCharset(charsetOfCollation(o.StrValue))
		}
	}
	return ""
}

// selectAddsNoColumns reports whether the SELECT of CREATE TABLE ... SELECT
// provably adds no column to the declared ones: every field is named (a
// column or an alias) and declared. MySQL appends the other fields as new
// columns, whose types binlake cannot derive.
func selectAddsNoColumns(rs ast.ResultSetNode, d *draft) bool {
	sel, ok := rs.(*ast.SelectStmt)
	if !ok || sel.Fields == nil || len(d.cols) == 0 {
		return false
	}
	for _, f := range sel.Fields.Fields {
		name := f.AsName.O
		if name == "" {
			if c, ok := f.Expr.(*ast.ColumnNameExpr); ok {
				name = c.Name.Name.O
			}
		}
		if f.WildCard != nil || name == "" || d.index(name) < 0 {
			return false
		}
	}
	return true
}
