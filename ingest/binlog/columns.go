package binlog

import (
	"errors"
	"fmt"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
)

// ColumnsFromTableMap builds the schema columns of the table a table-map
// event describes, and its primary key as column indexes (nil when the table
// has none). Names, primary key, signedness, character sets and enum/set
// members come from the event's optional metadata, which the source writes
// only with binlog_row_metadata=FULL. The parser that decoded the event must
// have been set up with ConfigureParser (or the syncer with ConfigureSyncer)
// and the right flavor: MariaDB counts GEOMETRY columns among the character
// columns of the charset metadata, MySQL does not.
func ColumnsFromTableMap(tm *replication.TableMapEvent) (cols []layout.Column, pk []int, err error) {
	table := string(tm.Schema) + "." + string(tm.Table)
	n := int(tm.ColumnCount)
	if len(tm.ColumnType) != n || len(tm.ColumnMeta) != n {
		return nil, nil, fmt.Errorf("table map for %s: %d columns but %d types and %d metadata entries", table, n, len(tm.ColumnType), len(tm.ColumnMeta))
	}
	names := tm.ColumnNameString()
	if len(names) != n {
		return nil, nil, fmt.Errorf("table map for %s carries no column names: the source must run with binlog_row_metadata=FULL "+
			"(SET GLOBAL binlog_row_metadata='FULL' and binlog_row_metadata=FULL in its option file; MySQL 8.0.1+ or MariaDB 10.5+)", table)
	}
	m := tableMeta{
		tm:        tm,
		unsigned:  tm.UnsignedMap(),
		collation: tm.CollationMap(),
		enumSet:   tm.EnumSetCollationMap(),
		enums:     tm.EnumStrValueMap(),
		sets:      tm.SetStrValueMap(),
		geometry:  tm.GeometryTypeMap(),
	}
	cols = make([]layout.Column, n)
	for i := range n {
		c, err := m.column(i)
		if err != nil {
			return nil, nil, fmt.Errorf("table map for %s, column %d (%s): %w", table, i, names[i], err)
		}
		c.Name = names[i]
		_, c.Nullable = tm.Nullable(i)
		cols[i] = c
	}
	for _, k := range tm.PrimaryKey {
		if k >= uint64(n) {
			return nil, nil, fmt.Errorf("table map for %s: primary key names column %d of %d", table, k, n)
		}
		pk = append(pk, int(k))
	}
	return cols, pk, nil
}

// tableMeta holds the optional metadata of a table map, decoded once.
type tableMeta struct {
	tm        *replication.TableMapEvent
	unsigned  map[int]bool
	collation map[int]uint64
	enumSet   map[int]uint64
	enums     map[int][]string
	sets      map[int][]string
	geometry  map[int]uint64
}

// binlogIntTypes maps integer binlog types to their storage bytes and SQL name.
var binlogIntTypes = map[byte]struct {
	width int
	name  string
}{
	mysql.MYSQL_TYPE_TINY:     {1, "tinyint"},
	mysql.MYSQL_TYPE_SHORT:    {2, "smallint"},
	mysql.MYSQL_TYPE_INT24:    {3, "mediumint"},
	mysql.MYSQL_TYPE_LONG:     {4, "int"},
	mysql.MYSQL_TYPE_LONGLONG: {8, "bigint"},
}

func (m *tableMeta) column(i int) (layout.Column, error) {
	typ, meta := m.tm.ColumnType[i], m.tm.ColumnMeta[i]
	if it, ok := binlogIntTypes[typ]; ok {
		c := layout.Column{Kind: layout.KindInt, Width: it.width, Unsigned: m.unsigned[i]}
		c.SQLType = withUnsigned(it.name, c.Unsigned)
		return c, nil
	}
	switch typ {
	case mysql.MYSQL_TYPE_FLOAT:
		u := m.unsigned[i]
		return layout.Column{Kind: layout.KindFloat, SQLType: withUnsigned("float", u), Unsigned: u}, nil
	case mysql.MYSQL_TYPE_DOUBLE:
		u := m.unsigned[i]
		return layout.Column{Kind: layout.KindDouble, SQLType: withUnsigned("double", u), Unsigned: u}, nil
	case mysql.MYSQL_TYPE_NEWDECIMAL:
		p, s := int(meta>>8), int(meta&0xff)
		u := m.unsigned[i]
		return layout.Column{Kind: layout.KindDecimal, Width: p, Scale: s, Unsigned: u,
			SQLType: withUnsigned(fmt.Sprintf("decimal(%d,%d)", p, s), u)}, nil
	case mysql.MYSQL_TYPE_BIT:
		bits := int(meta>>8)*8 + int(meta&0xff)
		return layout.Column{Kind: layout.KindBit, Width: bits, SQLType: fmt.Sprintf("bit(%d)", bits)}, nil
	case mysql.MYSQL_TYPE_YEAR:
		return layout.Column{Kind: layout.KindYear, SQLType: "year"}, nil
	case mysql.MYSQL_TYPE_DATE, mysql.MYSQL_TYPE_NEWDATE:
		return layout.Column{Kind: layout.KindDate, SQLType: "date"}, nil
	case mysql.MYSQL_TYPE_DATETIME2:
		return temporal(layout.KindDatetime, "datetime", meta)
	case mysql.MYSQL_TYPE_TIMESTAMP2:
		return temporal(layout.KindTimestamp, "timestamp", meta)
	case mysql.MYSQL_TYPE_TIME2:
		return temporal(layout.KindTime, "time", meta)
	case mysql.MYSQL_TYPE_DATETIME, mysql.MYSQL_TYPE_TIMESTAMP, mysql.MYSQL_TYPE_TIME:
		return layout.Column{}, errOldTemporal
	case mysql.MYSQL_TYPE_VARCHAR, mysql.MYSQL_TYPE_VAR_STRING:
		return m.text(i, false, int(meta))
	case mysql.MYSQL_TYPE_STRING:
		return m.fixedString(i, meta)
	case mysql.MYSQL_TYPE_BLOB:
		return m.blob(i, meta)
	case mysql.MYSQL_TYPE_JSON:
		return layout.Column{Kind: layout.KindJSON, SQLType: "json"}, nil
	case mysql.MYSQL_TYPE_GEOMETRY:
		return layout.Column{Kind: layout.KindGeometry, SQLType: geometryName(m.geometry[i])}, nil
	}
	return layout.Column{}, fmt.Errorf("binlog column type %d is not supported", typ)
}

func withUnsigned(name string, unsigned bool) string {
	if unsigned {
		return name + " unsigned"
	}
	return name
}

// errOldTemporal refuses the temporal formats from before MySQL 5.6.4: the
// table map does not say how many fractional digits such a column has, and
// MariaDB's own fractional formats of that era have other lengths, so
// go-mysql would decode them wrongly or not at all.
var errOldTemporal = errors.New("the column uses the old temporal format, whose fractional-second digits the binlog does not record: " +
	"rebuild the table with the MySQL 5.6 format (on MariaDB: SET GLOBAL mysql56_temporal_format=ON, then ALTER TABLE ... FORCE)")

// temporal builds a column of the MySQL 5.6 date-time formats (the *2
// types); the metadata is the number of fractional-second digits.
func temporal(kind layout.Kind, name string, meta uint16) (layout.Column, error) {
	c := layout.Column{Kind: kind, SQLType: name}
	if meta == 0 {
		return c, nil
	}
	if meta > 6 {
		return c, fmt.Errorf("%s has %d fractional-second digits, at most 6 exist", name, meta)
	}
	c.Scale = int(meta)
	c.SQLType = fmt.Sprintf("%s(%d)", name, meta)
	return c, nil
}

// fixedString decodes MYSQL_TYPE_STRING, which stands for CHAR, BINARY, ENUM
// and SET: the metadata's high byte is the real type, with two bits of the
// length of long CHAR columns folded into it.
func (m *tableMeta) fixedString(i int, meta uint16) (layout.Column, error) {
	rtype, length := stringRealType(meta)
	switch rtype {
	case mysql.MYSQL_TYPE_ENUM:
		return m.enumOrSet(i, layout.KindEnum, "enum", m.enums[i])
	case mysql.MYSQL_TYPE_SET:
		return m.enumOrSet(i, layout.KindSet, "set", m.sets[i])
	case mysql.MYSQL_TYPE_STRING:
		return m.text(i, true, length)
	}
	return layout.Column{}, fmt.Errorf("fixed-length column of real type %d is not supported", rtype)
}

// stringRealType reads the metadata of MYSQL_TYPE_STRING: the real type
// and the length in bytes.
func stringRealType(meta uint16) (rtype byte, length int) {
	rtype, length = byte(meta>>8), int(meta&0xff)
	if meta < 256 {
		return mysql.MYSQL_TYPE_STRING, int(meta)
	}
	if rtype&0x30 != 0x30 {
		length |= int((rtype&0x30)^0x30) << 4
		rtype |= 0x30
	}
	return rtype, length
}

// text builds CHAR, BINARY, VARCHAR and VARBINARY columns from their length
// in bytes; the binary character set (63) makes them bytes.
func (m *tableMeta) text(i int, fixed bool, byteLen int) (layout.Column, error) {
	coll, ok := m.collation[i]
	if !ok {
		return layout.Column{}, fmt.Errorf("no character set in the table map (binlog_row_metadata must be FULL)")
	}
	if coll == value.BinaryCollation {
		name := "varbinary"
		if fixed {
			name = "binary"
		}
		return layout.Column{Kind: layout.KindBytes, Width: byteLen, Fixed: fixed, Charset: "binary", Collation: coll,
			SQLType: fmt.Sprintf("%s(%d)", name, byteLen)}, nil
	}
	cs, err := value.CharsetOfCollation(coll)
	if err != nil {
		return layout.Column{}, err
	}
	chars := byteLen / cs.MaxLen
	name := "varchar"
	if fixed {
		name = "char"
	}
	return layout.Column{Kind: layout.KindString, Width: chars, Fixed: fixed, Charset: cs.Name, Collation: coll,
		SQLType: fmt.Sprintf("%s(%d)", name, chars)}, nil
}

// blob builds TEXT and BLOB columns; the metadata is the number of bytes of
// the length prefix, which tells TINY (1) from LONG (4).
func (m *tableMeta) blob(i int, meta uint16) (layout.Column, error) {
	if meta < 1 || meta > 4 {
		return layout.Column{}, fmt.Errorf("blob length prefix of %d bytes, expected 1 to 4", meta)
	}
	size := [...]string{"tiny", "", "medium", "long"}[meta-1]
	coll, ok := m.collation[i]
	if !ok {
		return layout.Column{}, fmt.Errorf("no character set in the table map (binlog_row_metadata must be FULL)")
	}
	if coll == value.BinaryCollation {
		return layout.Column{Kind: layout.KindBytes, Charset: "binary", Collation: coll, SQLType: size + "blob"}, nil
	}
	cs, err := value.CharsetOfCollation(coll)
	if err != nil {
		return layout.Column{}, err
	}
	return layout.Column{Kind: layout.KindString, Charset: cs.Name, Collation: coll, SQLType: size + "text"}, nil
}

func (m *tableMeta) enumOrSet(i int, kind layout.Kind, name string, raw []string) (layout.Column, error) {
	if raw == nil {
		return layout.Column{}, fmt.Errorf("no %s members in the table map (binlog_row_metadata must be FULL)", name)
	}
	coll, ok := m.enumSet[i]
	if !ok {
		return layout.Column{}, fmt.Errorf("no %s character set in the table map (binlog_row_metadata must be FULL)", name)
	}
	c := layout.Column{Kind: kind, Collation: coll, Members: make([]string, len(raw))}
	if coll == value.BinaryCollation {
		c.Charset = "binary"
	} else {
		cs, err := value.CharsetOfCollation(coll)
		if err != nil {
			return layout.Column{}, err
		}
		c.Charset = cs.Name
	}
	for j, r := range raw {
		label, err := value.Decode(c.Charset, []byte(r))
		if err != nil {
			return layout.Column{}, fmt.Errorf("%s member %d: %w", name, j+1, err)
		}
		c.Members[j] = label
	}
	c.SQLType = name + "(" + value.QuoteMembers(c.Members) + ")"
	return c, nil
}

// geometryName maps the GEOMETRY_TYPE metadata to the SQL type name.
func geometryName(t uint64) string {
	names := [...]string{"geometry", "point", "linestring", "polygon", "multipoint",
		"multilinestring", "multipolygon", "geometrycollection"}
	if t < uint64(len(names)) {
		return names[t]
	}
	return "geometry"
}
