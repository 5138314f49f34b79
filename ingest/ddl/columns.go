package ddl

import (
	"fmt"
	"strings"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/charset"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/types"
)

// columnContext is what a column definition inherits from its statement.
type columnContext struct {
	// charset is the table's default character set, "" when unknown.
	charset string
	// nativeJSON maps JSON to KindJSON (MySQL). When false JSON is an alias
	// of LONGTEXT, as on MariaDB.
	nativeJSON bool
}

// columnFromDef derives a column from its definition in a CREATE TABLE or
// ALTER TABLE statement, in the same form ColumnsFromTableMap gives.
func columnFromDef(def *ast.ColumnDef, cc columnContext) (layout.Column, error) {
	col, err := columnType(def.Tp, cc)
	if err != nil {
		return layout.Column{}, fmt.Errorf("column %s: %w", def.Name.Name.O, err)
	}
	col.Name = def.Name.Name.O
	col.Nullable = true
	for _, opt := range def.Options {
		switch opt.Tp {
		case ast.ColumnOptionNotNull, ast.ColumnOptionPrimaryKey:
			col.Nullable = false
		case ast.ColumnOptionNull:
			col.Nullable = true
		case ast.ColumnOptionCollate:
			setCollation(&col, opt.StrValue)
		}
	}
	return col, nil
}

// columnType maps a parsed type onto a column without name or nullability.
func columnType(ft *types.FieldType, cc columnContext) (layout.Column, error) {
	if ft == nil {
		return layout.Column{}, fmt.Errorf("no type")
	}
	tp := ft.GetType()
	if col, ok := numericColumn(ft); ok {
		return col, nil
	}
	if col, ok := temporalColumn(ft); ok {
		return col, nil
	}
	switch tp {
	case mysql.TypeJSON:
		if cc.nativeJSON {
			return layout.Column{Kind: layout.KindJSON, SQLType: "json"}, nil
		}
		col := layout.Column{Kind: layout.KindString, SQLType: "longtext", Charset: "utf8mb4"}
		setCollation(&col, "utf8mb4_bin")
		return col, nil
	case mysql.TypeGeometry:
		return layout.Column{Kind: layout.KindGeometry, SQLType: "geometry"}, nil
	}
	if name := markedType(ft); name != "" {
		return markedColumn(name), nil
	}
	return stringColumn(ft, cc)
}

// markedType returns the name of a type rewriteForTiDB marked, or "".
func markedType(ft *types.FieldType) string {
	if e := ft.GetElems(); ft.GetType() == mysql.TypeEnum && len(e) == 2 && e[0] == typeMarker {
		return e[1]
	}
	return ""
}

// markedColumn is the column of a marked type: a geometry, or the BINARY
// column the binlog shows for MariaDB's UUID, INET6 and INET4.
func markedColumn(name string) layout.Column {
	switch name {
	case "uuid", "inet6", "inet4":
		n := map[string]int{"uuid": 16, "inet6": 16, "inet4": 4}[name]
		return layout.Column{Kind: layout.KindBytes, SQLType: fmt.Sprintf("binary(%d)", n), Width: n, Fixed: true,
			Charset: charset.CharsetBin, Collation: value.BinaryCollation}
	case "geomcollection":
		name = "geometrycollection"
	}
	return layout.Column{Kind: layout.KindGeometry, SQLType: name}
}

var intTypes = map[byte]struct {
	name  string
	width int
}{
	mysql.TypeTiny:     {"tinyint", 1},
	mysql.TypeShort:    {"smallint", 2},
	mysql.TypeInt24:    {"mediumint", 3},
	mysql.TypeLong:     {"int", 4},
	mysql.TypeLonglong: {"bigint", 8},
}

// numericColumn handles the integer, floating-point, decimal and bit types.
// Display widths and ZEROFILL are dropped: the binlog does not carry them.
func numericColumn(ft *types.FieldType) (layout.Column, bool) {
	unsigned := mysql.HasUnsignedFlag(ft.GetFlag())
	var col layout.Column
	switch tp := ft.GetType(); tp {
	case mysql.TypeTiny, mysql.TypeShort, mysql.TypeInt24, mysql.TypeLong, mysql.TypeLonglong:
		it := intTypes[tp]
		col = layout.Column{Kind: layout.KindInt, SQLType: it.name, Width: it.width}
	case mysql.TypeFloat:
		col = layout.Column{Kind: layout.KindFloat, SQLType: "float"}
	case mysql.TypeDouble:
		col = layout.Column{Kind: layout.KindDouble, SQLType: "double"}
	case mysql.TypeNewDecimal:
		p, s := orDefault(ft.GetFlen(), 10), orDefault(ft.GetDecimal(), 0)
		col = layout.Column{Kind: layout.KindDecimal, SQLType: fmt.Sprintf("decimal(%d,%d)", p, s), Width: p, Scale: s}
	case mysql.TypeBit:
		n := orDefault(ft.GetFlen(), 1)
		return layout.Column{Kind: layout.KindBit, SQLType: fmt.Sprintf("bit(%d)", n), Width: n}, true
	default:
		return layout.Column{}, false
	}
	if unsigned {
		col.Unsigned = true
		col.SQLType += " unsigned"
	}
	return col, true
}

// temporalColumn handles DATE, DATETIME, TIMESTAMP, TIME and YEAR.
func temporalColumn(ft *types.FieldType) (layout.Column, bool) {
	var kind layout.Kind
	switch ft.GetType() {
	case mysql.TypeDate, mysql.TypeNewDate:
		return layout.Column{Kind: layout.KindDate, SQLType: "date"}, true
	case mysql.TypeYear:
		return layout.Column{Kind: layout.KindYear, SQLType: "year"}, true
	case mysql.TypeDatetime:
		kind = layout.KindDatetime
	case mysql.TypeTimestamp:
		kind = layout.KindTimestamp
	case mysql.TypeDuration:
		kind = layout.KindTime
	default:
		return layout.Column{}, false
	}
	fsp := orDefault(ft.GetDecimal(), 0)
	col := layout.Column{Kind: kind, SQLType: string(kind), Scale: fsp}
	if fsp > 0 {
		col.SQLType = fmt.Sprintf("%s(%d)", kind, fsp)
	}
	return col, true
}

// stringColumn handles CHAR, VARCHAR, BINARY, VARBINARY, the TEXT and BLOB
// families, ENUM and SET.
func stringColumn(ft *types.FieldType, cc columnContext) (layout.Column, error) {
	cs := ft.GetCharset()
	if cs == "" && ft.GetCollate() != "" {
		cs = charsetOfCollation(ft.GetCollate())
	}
	if cs == "" {
		cs = cc.charset
	}
	binary := cs == charset.CharsetBin
	col := layout.Column{Kind: layout.KindString, Charset: normalizeCharset(cs)}
	if binary {
		col.Kind, col.Collation = layout.KindBytes, value.BinaryCollation
	}
	n := ft.GetFlen()
	switch tp := ft.GetType(); tp {
	case mysql.TypeString:
		col.Fixed, col.Width = true, orDefault(n, 1)
		col.SQLType = fmt.Sprintf("%s(%d)", pick(binary, "binary", "char"), col.Width)
	case mysql.TypeVarchar, mysql.TypeVarString:
		col.Width = orDefault(n, 0)
		col.SQLType = fmt.Sprintf("%s(%d)", pick(binary, "varbinary", "varchar"), col.Width)
	case mysql.TypeTinyBlob, mysql.TypeBlob, mysql.TypeMediumBlob, mysql.TypeLongBlob:
		col.SQLType = lobType(tp, n, cs, binary)
	case mysql.TypeEnum, mysql.TypeSet:
		col = enumColumn(tp, ft.GetElems(), col)
	default:
		return layout.Column{}, fmt.Errorf("unsupported type %s", ft.String())
	}
	switch {
	case binary:
	case ft.GetCollate() != "":
		setCollation(&col, ft.GetCollate())
	case mysql.HasBinaryFlag(ft.GetFlag()) && col.Charset != "":
		setCollation(&col, col.Charset+"_bin") // CHAR(n) BINARY: the charset's binary collation
	}
	return col, nil
}

// enumColumn builds an ENUM or SET column; MySQL strips trailing spaces from
// member labels.
func enumColumn(tp byte, elems []string, col layout.Column) layout.Column {
	col.Kind, col.Members = layout.KindEnum, make([]string, len(elems))
	name := "enum"
	if tp == mysql.TypeSet {
		col.Kind, name = layout.KindSet, "set"
	}
	for i, e := range elems {
		col.Members[i] = strings.TrimRight(e, " ")
	}
	col.SQLType = name + "(" + value.QuoteMembers(col.Members) + ")"
	return col
}

var lobNames = [2][4]string{
	{"tinytext", "text", "mediumtext", "longtext"},
	{"tinyblob", "blob", "mediumblob", "longblob"},
}

// lobType names a TEXT or BLOB type. TEXT(M) and BLOB(M) become the smallest
// type that holds M characters (bytes for BLOB) of the character set.
func lobType(tp byte, n int, cs string, binary bool) string {
	size := map[byte]int{mysql.TypeTinyBlob: 0, mysql.TypeBlob: 1, mysql.TypeMediumBlob: 2, mysql.TypeLongBlob: 3}[tp]
	if tp == mysql.TypeBlob && n > 0 {
		bytes := int64(n)
		if !binary {
			bytes *= int64(charsetMaxLen(cs))
		}
		switch {
		case bytes < 1<<8:
			size = 0
		case bytes < 1<<16:
			size = 1
		case bytes < 1<<24:
			size = 2
		default:
			size = 3
		}
	}
	return lobNames[boolIndex(binary)][size]
}

// setCollation records a COLLATE clause: the collation's id and, when the
// charset is not set yet, the charset it belongs to.
func setCollation(col *layout.Column, name string) {
	if col.Charset == charset.CharsetBin || name == "" {
		return
	}
	if col.Charset == "" {
		col.Charset = normalizeCharset(charsetOfCollation(name))
	}
	if c, err := charset.GetCollationByName(name); err == nil {
		col.Collation = uint64(c.ID)
	}
}

// charsetOfCollation returns the character set a collation name belongs to.
func charsetOfCollation(name string) string {
	if c, err := charset.GetCollationByName(name); err == nil {
		return c.CharsetName
	}
	if i := strings.IndexByte(name, '_'); i > 0 {
		return strings.ToLower(name[:i])
	}
	return strings.ToLower(name)
}

// normalizeCharset spells a charset name as MySQL reports it: lower case,
// "utf8" as "utf8mb3".
func normalizeCharset(cs string) string {
	cs = strings.ToLower(cs)
	if cs == "utf8" {
		return "utf8mb3"
	}
	return cs
}

// charsetMaxLen is the longest character of a charset in bytes; an unknown
// charset ("") counts as utf8mb4.
func charsetMaxLen(cs string) int {
	if cs == "" {
		return 4
	}
	return value.CharsetNamed(normalizeCharset(cs)).MaxLen
}

func orDefault(v, def int) int {
	if v < 0 {
		return def
	}
	return v
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}
