package ddl

import (
	"fmt"
	"strings"

	"github.com/binlake/binlake/layout"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// alterTable applies ALTER TABLE. The specs are applied in order, except a
// RENAME, which MySQL applies last. Specs that change neither the columns
// nor the primary key (indexes, ALTER COLUMN ... DEFAULT, engine, comment,
// partitions, ...) are ignored.
func (ws *workspace) alterTable(n *ast.AlterTableStmt) error {
	ref, err := ws.ref(n.Table)
	if err != nil {
		return err
	}
	d := ws.live(ref)
	if d == nil {
		return tableError(ref, ErrUnknownTable, "ALTER TABLE of a table with no known schema")
	}
	var renameTo *ast.TableName
	for _, spec := range n.Specs {
		if spec.Tp == ast.AlterTableRenameTable {
			renameTo = spec.NewTable
			continue
		}
		if d.pending && changesColumns(spec) {
			return tableError(ref, ErrUnknownTable, "ALTER TABLE of a table whose columns are not known yet")
		}
		if err := ws.alterSpec(d, spec); err != nil {
			return tableError(ref, nil, "%w", err)
		}
	}
	if renameTo != nil {
		return ws.rename(n.Table, renameTo)
	}
	return nil
}

func changesColumns(spec *ast.AlterTableSpec) bool {
	switch spec.Tp {
	case ast.AlterTableAddColumns, ast.AlterTableDropColumn, ast.AlterTableModifyColumn,
		ast.AlterTableChangeColumn, ast.AlterTableRenameColumn, ast.AlterTableDropPrimaryKey:
		return true
	case ast.AlterTableAddConstraint:
		return spec.Constraint != nil && (spec.Constraint.Tp == ast.ConstraintPrimaryKey || isUnique(spec.Constraint.Tp))
	case ast.AlterTableOption:
		return convertCharset(spec) != ""
	}
	return false
}

// alterSpec applies one spec of ALTER TABLE to the draft.
func (ws *workspace) alterSpec(d *draft, spec *ast.AlterTableSpec) error {
	switch spec.Tp {
	case ast.AlterTableAddColumns:
		return ws.addColumns(d, spec)
	case ast.AlterTableDropColumn:
		return d.dropColumn(spec.OldColumnName.Name.O, spec.IfExists)
	case ast.AlterTableModifyColumn:
		def := spec.NewColumns[0]
		return d.redefineColumn(def.Name.Name.O, def, spec.Position, spec.IfExists)
	case ast.AlterTableChangeColumn:
		return d.redefineColumn(spec.OldColumnName.Name.O, spec.NewColumns[0], spec.Position, spec.IfExists)
	case ast.AlterTableRenameColumn:
		return d.renameColumn(spec.OldColumnName.Name.O, spec.NewColumnName.Name.O)
	case ast.AlterTableDropPrimaryKey:
		d.pk = nil
	case ast.AlterTableAddConstraint:
		switch c := spec.Constraint; {
		case c.Tp == ast.ConstraintPrimaryKey:
			return d.setPrimaryKey(keyColumns(c))
		case isUnique(c.Tp):
			d.promoteUnique(wholeColumns(c.Keys))
		}
	case ast.AlterTableOption:
		d.alterOptions(spec)
	}
	return nil
}

// addColumns applies ADD [COLUMN] [IF NOT EXISTS], one column with an
// optional position or a parenthesized list appended in order.
func (ws *workspace) addColumns(d *draft, spec *ast.AlterTableSpec) error {
	for _, def := range spec.NewColumns {
		name := def.Name.Name.O
		if d.index(name) >= 0 {
			if spec.IfNotExists {
				continue
			}
			return fmt.Errorf("ADD COLUMN %s: the column exists", name)
		}
		col, err := columnFromDef(def, columnContext{charset: d.charset})
		if err != nil {
			return err
		}
		val, err := addedValue(col, def, ws.at)
		if err != nil {
			return fmt.Errorf("ADD COLUMN %s: %w", name, err)
		}
		if err := d.place(draftColumn{Column: col, from: -1, def: val}, -1, spec.Position); err != nil {
			return err
		}
		if hasOption(def, ast.ColumnOptionPrimaryKey) {
			if err := d.setPrimaryKey([]string{name}); err != nil {
				return err
			}
		}
		if hasOption(def, ast.ColumnOptionUniqKey) {
			d.promoteUnique([]string{name})
		}
	}
	for _, c := range spec.NewConstraints {
		if c.Tp == ast.ConstraintPrimaryKey {
			if err := d.setPrimaryKey(keyColumns(c)); err != nil {
				return err
			}
		}
	}
	return nil
}

// dropColumn applies DROP [COLUMN] [IF EXISTS]; the column leaves the
// primary key too.
func (d *draft) dropColumn(name string, ifExists bool) error {
	i := d.index(name)
	if i < 0 {
		if ifExists {
			return nil
		}
		return fmt.Errorf("DROP COLUMN %s: no such column", name)
	}
	d.cols = append(d.cols[:i:i], d.cols[i+1:]...)
	var pk []string
	for _, k := range d.pk {
		if !strings.EqualFold(k, name) {
			pk = append(pk, k)
		}
	}
	d.pk = pk
	return nil
}

// redefineColumn applies MODIFY (old is the new definition's name) and
// CHANGE: the column keeps its values' origin.
func (d *draft) redefineColumn(old string, def *ast.ColumnDef, pos *ast.ColumnPosition, ifExists bool) error {
	i := d.index(old)
	if i < 0 {
		if ifExists {
			return nil
		}
		return fmt.Errorf("MODIFY/CHANGE COLUMN %s: no such column", old)
	}
	prev := d.cols[i]
	cc := columnContext{charset: d.charset}
	if cc.charset == "" {
		cc.charset = prev.Charset // the table default is not known: assume the column kept its charset
	}
	col, err := columnFromDef(def, cc)
	if err != nil {
		return err
	}
	if col.Name != prev.Name && !strings.EqualFold(col.Name, prev.Name) && d.index(col.Name) >= 0 {
		return fmt.Errorf("CHANGE COLUMN %s %s: column %s exists", old, col.Name, col.Name)
	}
	d.cols = append(d.cols[:i:i], d.cols[i+1:]...)
	if err := d.place(draftColumn{Column: col, from: prev.from, def: prev.def}, i, pos); err != nil {
		return err
	}
	d.renameKey(prev.Name, col.Name)
	if hasOption(def, ast.ColumnOptionPrimaryKey) {
		return d.setPrimaryKey([]string{col.Name})
	}
	return nil
}

// renameColumn applies RENAME COLUMN old TO new.
func (d *draft) renameColumn(old, name string) error {
	i := d.index(old)
	if i < 0 {
		return fmt.Errorf("RENAME COLUMN %s: no such column", old)
	}
	if j := d.index(name); j >= 0 && j != i {
		return fmt.Errorf("RENAME COLUMN %s TO %s: column %s exists", old, name, name)
	}
	d.cols[i].Name = name
	d.renameKey(old, name)
	return nil
}

func (d *draft) renameKey(old, name string) {
	for i, k := range d.pk {
		if strings.EqualFold(k, old) {
			d.pk[i] = name
		}
	}
}

// place inserts a column: FIRST, AFTER another, or else at index at (-1:
// the end).
func (d *draft) place(c draftColumn, at int, pos *ast.ColumnPosition) error {
	if pos != nil {
		switch pos.Tp {
		case ast.ColumnPositionFirst:
			at = 0
		case ast.ColumnPositionAfter:
			rel := pos.RelativeColumn.Name.O
			j := d.index(rel)
			if j < 0 {
				return fmt.Errorf("AFTER %s: no such column", rel)
			}
			at = j + 1
		}
	}
	if at < 0 || at > len(d.cols) {
		at = len(d.cols)
	}
	d.cols = append(d.cols[:at:at], append([]draftColumn{c}, d.cols[at:]...)...)
	return nil
}

// alterOptions applies table options: DEFAULT CHARSET sets the charset of
// columns added later; CONVERT TO CHARACTER SET converts the text columns.
func (d *draft) alterOptions(spec *ast.AlterTableSpec) {
	if cs := convertCharset(spec); cs != "" {
		d.convertTo(cs, spec)
		return
	}
	if cs := tableCharset(spec.Options); cs != "" {
		d.charset = cs
	}
}

// convertCharset returns the charset of CONVERT TO CHARACTER SET, or "".
func convertCharset(spec *ast.AlterTableSpec) string {
	if spec.Tp != ast.AlterTableOption {
		return ""
	}
	for _, o := range spec.Options {
		if o.Tp == ast.TableOptionCharset && o.UintValue == ast.TableOptionCharsetWithConvertTo {
			return normalizeCharset(o.StrValue)
		}
	}
	return ""
}

// convertTo changes the charset of every text, ENUM and SET column. Like
// MySQL, a TEXT column grows to the smallest TEXT type that keeps its
// capacity in characters.
func (d *draft) convertTo(cs string, spec *ast.AlterTableSpec) {
	collation := ""
	for _, o := range spec.Options {
		if o.Tp == ast.TableOptionCollate {
			collation = o.StrValue
		}
	}
	d.charset = cs
	for i := range d.cols {
		c := &d.cols[i].Column
		if c.Charset == "" && c.Kind != layout.KindString && c.Kind != layout.KindEnum && c.Kind != layout.KindSet {
			continue
		}
		if c.Kind == layout.KindString && c.Width == 0 && c.Charset != "" {
			c.SQLType = grownText(c.SQLType, c.Charset, cs)
		}
		c.Charset, c.Collation = cs, 0
		setCollation(c, collation)
	}
}

// grownText returns the TEXT type that holds as many characters in charset
// to as typ holds in charset from.
func grownText(typ, from, to string) string {
	capacity := map[string]int64{"tinytext": 255, "text": 65535, "mediumtext": 1<<24 - 1, "longtext": 1<<32 - 1}
	bytes, ok := capacity[typ]
	if !ok {
		return typ
	}
	chars := bytes / int64(charsetMaxLen(from))
	for _, t := range lobNames[0] {
		if chars*int64(charsetMaxLen(to)) <= capacity[t] {
			return t
		}
	}
	return "longtext"
}
