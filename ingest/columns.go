package ingest

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/layout"
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
	if coll == binaryCollation {
		name := "varbinary"
		if fixed {
			name = "binary"
		}
		return layout.Column{Kind: layout.KindBytes, Width: byteLen, Fixed: fixed, Charset: "binary", Collation: coll,
			SQLType: fmt.Sprintf("%s(%d)", name, byteLen)}, nil
	}
	cs, err := collationCharset(coll)
	if err != nil {
		return layout.Column{}, err
	}
	chars := byteLen / cs.maxLen
	name := "varchar"
	if fixed {
		name = "char"
	}
	return layout.Column{Kind: layout.KindString, Width: chars, Fixed: fixed, Charset: cs.name, Collation: coll,
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
	if coll == binaryCollation {
		return layout.Column{Kind: layout.KindBytes, Charset: "binary", Collation: coll, SQLType: size + "blob"}, nil
	}
	cs, err := collationCharset(coll)
	if err != nil {
		return layout.Column{}, err
	}
	return layout.Column{Kind: layout.KindString, Charset: cs.name, Collation: coll, SQLType: size + "text"}, nil
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
	if coll == binaryCollation {
		c.Charset = "binary"
	} else {
		cs, err := collationCharset(coll)
		if err != nil {
			return layout.Column{}, err
		}
		c.Charset = cs.name
	}
	for j, r := range raw {
		label, err := decodeText(c.Charset, []byte(r))
		if err != nil {
			return layout.Column{}, fmt.Errorf("%s member %d: %w", name, j+1, err)
		}
		c.Members[j] = label
	}
	c.SQLType = name + "(" + quoteMembers(c.Members) + ")"
	return c, nil
}

// quoteMembers spells enum or set members as SHOW CREATE TABLE does:
// single-quoted, with ' doubled and \ escaped.
func quoteMembers(members []string) string {
	esc := strings.NewReplacer(`\`, `\\`, `'`, `''`)
	var b strings.Builder
	for j, s := range members {
		if j > 0 {
			b.WriteByte(',')
		}
		b.WriteString("'" + esc.Replace(s) + "'")
	}
	return b.String()
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

// binaryCollation is the id of the binary character set and collation.
const binaryCollation = 63

// charsetInfo is a MySQL character set: its name and the most bytes one
// character takes.
type charsetInfo struct {
	name   string
	maxLen int
}

// collationRanges maps collation ids to character sets, MySQL's and
// MariaDB's together (they agree on every id both use), sorted by lo.
// MariaDB numbers the NO PAD variant of collation id as id+1024 and its
// UCA 14.0.0 collations from 2048 (see collationCharset).
var collationRanges = []struct {
	lo, hi uint64
	cs     string
}{
	{1, 1, "big5"}, {2, 2, "latin2"}, {3, 3, "dec8"}, {4, 4, "cp850"}, {5, 5, "latin1"},
	{6, 6, "hp8"}, {7, 7, "koi8r"}, {8, 8, "latin1"}, {9, 9, "latin2"}, {10, 10, "swe7"},
	{11, 11, "ascii"}, {12, 12, "ujis"}, {13, 13, "sjis"}, {14, 14, "cp1251"}, {15, 15, "latin1"},
	{16, 16, "hebrew"}, {18, 18, "tis620"}, {19, 19, "euckr"}, {20, 20, "latin7"}, {21, 21, "latin2"},
	{22, 22, "koi8u"}, {23, 23, "cp1251"}, {24, 24, "gb2312"}, {25, 25, "greek"}, {26, 26, "cp1250"},
	{27, 27, "latin2"}, {28, 28, "gbk"}, {29, 29, "cp1257"}, {30, 30, "latin5"}, {31, 31, "latin1"},
	{32, 32, "armscii8"}, {33, 33, "utf8mb3"}, {34, 34, "cp1250"}, {35, 35, "ucs2"}, {36, 36, "cp866"},
	{37, 37, "keybcs2"}, {38, 38, "macce"}, {39, 39, "macroman"}, {40, 40, "cp852"}, {41, 42, "latin7"},
	{43, 43, "macce"}, {44, 44, "cp1250"}, {45, 46, "utf8mb4"}, {47, 49, "latin1"}, {50, 52, "cp1251"},
	{53, 53, "macroman"}, {54, 55, "utf16"}, {56, 56, "utf16le"}, {57, 57, "cp1256"}, {58, 59, "cp1257"},
	{60, 61, "utf32"}, {62, 62, "utf16le"}, {63, 63, "binary"}, {64, 64, "armscii8"}, {65, 65, "ascii"},
	{66, 66, "cp1250"}, {67, 67, "cp1256"}, {68, 68, "cp866"}, {69, 69, "dec8"}, {70, 70, "greek"},
	{71, 71, "hebrew"}, {72, 72, "hp8"}, {73, 73, "keybcs2"}, {74, 74, "koi8r"}, {75, 75, "koi8u"},
	{76, 76, "utf8mb3"}, {77, 77, "latin2"}, {78, 78, "latin5"}, {79, 79, "latin7"}, {80, 80, "cp850"},
	{81, 81, "cp852"}, {82, 82, "swe7"}, {83, 83, "utf8mb3"}, {84, 84, "big5"}, {85, 85, "euckr"},
	{86, 86, "gb2312"}, {87, 87, "gbk"}, {88, 88, "sjis"}, {89, 89, "tis620"}, {90, 90, "ucs2"},
	{91, 91, "ujis"}, {92, 93, "geostd8"}, {94, 94, "latin1"}, {95, 96, "cp932"}, {97, 98, "eucjpms"},
	{99, 99, "cp1250"}, {101, 124, "utf16"}, {128, 151, "ucs2"}, {159, 159, "ucs2"}, {160, 183, "utf32"},
	{192, 215, "utf8mb3"}, {223, 223, "utf8mb3"}, {224, 247, "utf8mb4"}, {248, 250, "gb18030"},
	{255, 323, "utf8mb4"}, {576, 578, "utf8mb3"}, {608, 610, "utf8mb4"}, {640, 642, "ucs2"},
	{672, 674, "utf16"}, {736, 738, "utf32"},
}

// charsetBytesPerChar holds the multi-byte character sets; all others take one
// byte per character.
var charsetBytesPerChar = map[string]int{
	"big5": 2, "cp932": 2, "eucjpms": 3, "euckr": 2, "gb18030": 4, "gb2312": 2, "gbk": 2,
	"sjis": 2, "ucs2": 2, "ujis": 3, "utf16": 4, "utf16le": 4, "utf32": 4, "utf8mb3": 3, "utf8mb4": 4,
}

// uca1400Charsets are the character sets of MariaDB's UCA 14.0.0
// collations, whose ids are 2048 + charset<<8 + tailoring and flags.
var uca1400Charsets = []string{"utf8mb3", "utf8mb4", "ucs2", "utf16", "utf32"}

// collationCharset returns the character set of a collation id.
func collationCharset(id uint64) (charsetInfo, error) {
	orig := id
	switch {
	case id >= 2048 && id < 2048+uint64(len(uca1400Charsets))<<8:
		return charsetNamed(uca1400Charsets[(id-2048)>>8]), nil
	case id >= 1024 && id < 2048:
		id -= 1024 // MariaDB's NO PAD variants
	}
	k := sort.Search(len(collationRanges), func(k int) bool { return collationRanges[k].hi >= id })
	if k < len(collationRanges) && collationRanges[k].lo <= id {
		return charsetNamed(collationRanges[k].cs), nil
	}
	return charsetInfo{}, fmt.Errorf("unknown collation id %s: binlake does not know its character set", strconv.FormatUint(orig, 10))
}

func charsetNamed(name string) charsetInfo {
	n := charsetBytesPerChar[name]
	if n == 0 {
		n = 1
	}
	return charsetInfo{name: name, maxLen: n}
}
