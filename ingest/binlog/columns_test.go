package binlog_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/ingest/binlog"
	"github.com/binlake/binlake/layout"
)

// colSpec is one column of a hand-built table map.
type colSpec struct {
	typ       byte
	meta      uint16
	unsigned  bool
	collation uint64   // character, enum and set columns
	members   []string // enum and set columns, raw bytes
	geometry  uint64
	nullable  bool
}

// tableMap builds what go-mysql decodes from a MySQL table map with full
// metadata (columns named c0, c1, ...).
func tableMap(pk []uint64, cols ...colSpec) *replication.TableMapEvent {
	tm := &replication.TableMapEvent{Schema: []byte("db"), Table: []byte("t"), ColumnCount: uint64(len(cols)),
		NullBitmap: make([]byte, (len(cols)+7)/8), PrimaryKey: pk}
	var signed []bool
	for i, c := range cols {
		tm.ColumnType = append(tm.ColumnType, c.typ)
		tm.ColumnMeta = append(tm.ColumnMeta, c.meta)
		tm.ColumnName = append(tm.ColumnName, []byte("c"+string(rune('0'+i))))
		if c.nullable {
			tm.NullBitmap[i/8] |= 1 << (i % 8)
		}
		realType := c.typ
		if rt := byte(c.meta >> 8); c.typ == mysql.MYSQL_TYPE_STRING && (rt == mysql.MYSQL_TYPE_ENUM || rt == mysql.MYSQL_TYPE_SET) {
			realType = rt
		}
		switch realType {
		case mysql.MYSQL_TYPE_TINY, mysql.MYSQL_TYPE_SHORT, mysql.MYSQL_TYPE_INT24, mysql.MYSQL_TYPE_LONG, mysql.MYSQL_TYPE_LONGLONG,
			mysql.MYSQL_TYPE_NEWDECIMAL, mysql.MYSQL_TYPE_FLOAT, mysql.MYSQL_TYPE_DOUBLE, mysql.MYSQL_TYPE_YEAR:
			signed = append(signed, c.unsigned)
		case mysql.MYSQL_TYPE_STRING, mysql.MYSQL_TYPE_VARCHAR, mysql.MYSQL_TYPE_BLOB:
			tm.ColumnCharset = append(tm.ColumnCharset, c.collation)
		case mysql.MYSQL_TYPE_ENUM:
			tm.EnumSetColumnCharset = append(tm.EnumSetColumnCharset, c.collation)
			tm.EnumStrValue = append(tm.EnumStrValue, rawMembers(c.members))
		case mysql.MYSQL_TYPE_SET:
			tm.EnumSetColumnCharset = append(tm.EnumSetColumnCharset, c.collation)
			tm.SetStrValue = append(tm.SetStrValue, rawMembers(c.members))
		case mysql.MYSQL_TYPE_GEOMETRY:
			tm.GeometryType = append(tm.GeometryType, c.geometry)
		}
	}
	tm.SignednessBitmap = make([]byte, (len(signed)+7)/8)
	for i, u := range signed {
		if u {
			tm.SignednessBitmap[i/8] |= 0x80 >> (i % 8)
		}
	}
	return tm
}

func rawMembers(members []string) [][]byte {
	out := make([][]byte, len(members))
	for i, m := range members {
		out[i] = []byte(m)
	}
	return out
}

func TestColumnsFromTableMapTypes(t *testing.T) {
	const utf8mb4, latin1, binary, utf8mb3 = 45, 8, 63, 33
	tests := []struct {
		name string
		col  colSpec
		want layout.Column
	}{
		{"tinyint", colSpec{typ: mysql.MYSQL_TYPE_TINY},
			layout.Column{Kind: layout.KindInt, SQLType: "tinyint", Width: 1}},
		{"smallint unsigned", colSpec{typ: mysql.MYSQL_TYPE_SHORT, unsigned: true},
			layout.Column{Kind: layout.KindInt, SQLType: "smallint unsigned", Width: 2, Unsigned: true}},
		{"mediumint", colSpec{typ: mysql.MYSQL_TYPE_INT24},
			layout.Column{Kind: layout.KindInt, SQLType: "mediumint", Width: 3}},
		{"int unsigned", colSpec{typ: mysql.MYSQL_TYPE_LONG, unsigned: true},
			layout.Column{Kind: layout.KindInt, SQLType: "int unsigned", Width: 4, Unsigned: true}},
		{"bigint", colSpec{typ: mysql.MYSQL_TYPE_LONGLONG, nullable: true},
			layout.Column{Kind: layout.KindInt, SQLType: "bigint", Width: 8, Nullable: true}},
		{"float", colSpec{typ: mysql.MYSQL_TYPE_FLOAT, meta: 4},
			layout.Column{Kind: layout.KindFloat, SQLType: "float"}},
		{"double", colSpec{typ: mysql.MYSQL_TYPE_DOUBLE, meta: 8},
			layout.Column{Kind: layout.KindDouble, SQLType: "double"}},
		{"decimal(65,30)", colSpec{typ: mysql.MYSQL_TYPE_NEWDECIMAL, meta: 65<<8 | 30},
			layout.Column{Kind: layout.KindDecimal, SQLType: "decimal(65,30)", Width: 65, Scale: 30}},
		{"decimal(10,2) unsigned", colSpec{typ: mysql.MYSQL_TYPE_NEWDECIMAL, meta: 10<<8 | 2, unsigned: true},
			layout.Column{Kind: layout.KindDecimal, SQLType: "decimal(10,2) unsigned", Width: 10, Scale: 2, Unsigned: true}},
		{"bit(7)", colSpec{typ: mysql.MYSQL_TYPE_BIT, meta: 7},
			layout.Column{Kind: layout.KindBit, SQLType: "bit(7)", Width: 7}},
		{"bit(10)", colSpec{typ: mysql.MYSQL_TYPE_BIT, meta: 1<<8 | 2},
			layout.Column{Kind: layout.KindBit, SQLType: "bit(10)", Width: 10}},
		{"bit(64)", colSpec{typ: mysql.MYSQL_TYPE_BIT, meta: 8 << 8},
			layout.Column{Kind: layout.KindBit, SQLType: "bit(64)", Width: 64}},
		{"year is signed whatever the bitmap says", colSpec{typ: mysql.MYSQL_TYPE_YEAR, unsigned: true},
			layout.Column{Kind: layout.KindYear, SQLType: "year"}},
		{"date", colSpec{typ: mysql.MYSQL_TYPE_DATE},
			layout.Column{Kind: layout.KindDate, SQLType: "date"}},
		{"datetime", colSpec{typ: mysql.MYSQL_TYPE_DATETIME2},
			layout.Column{Kind: layout.KindDatetime, SQLType: "datetime"}},
		{"datetime(6)", colSpec{typ: mysql.MYSQL_TYPE_DATETIME2, meta: 6},
			layout.Column{Kind: layout.KindDatetime, SQLType: "datetime(6)", Scale: 6}},
		{"timestamp(3)", colSpec{typ: mysql.MYSQL_TYPE_TIMESTAMP2, meta: 3},
			layout.Column{Kind: layout.KindTimestamp, SQLType: "timestamp(3)", Scale: 3}},
		{"time(2)", colSpec{typ: mysql.MYSQL_TYPE_TIME2, meta: 2},
			layout.Column{Kind: layout.KindTime, SQLType: "time(2)", Scale: 2}},
		{"varchar(20) utf8mb4", colSpec{typ: mysql.MYSQL_TYPE_VARCHAR, meta: 80, collation: utf8mb4},
			layout.Column{Kind: layout.KindString, SQLType: "varchar(20)", Width: 20, Charset: "utf8mb4", Collation: utf8mb4}},
		{"varchar(300) latin1", colSpec{typ: mysql.MYSQL_TYPE_VARCHAR, meta: 300, collation: latin1},
			layout.Column{Kind: layout.KindString, SQLType: "varchar(300)", Width: 300, Charset: "latin1", Collation: latin1}},
		{"varbinary(10)", colSpec{typ: mysql.MYSQL_TYPE_VARCHAR, meta: 10, collation: binary},
			layout.Column{Kind: layout.KindBytes, SQLType: "varbinary(10)", Width: 10, Charset: "binary", Collation: binary}},
		{"char(3) utf8mb3", colSpec{typ: mysql.MYSQL_TYPE_STRING, meta: 0xfe09, collation: utf8mb3},
			layout.Column{Kind: layout.KindString, SQLType: "char(3)", Width: 3, Fixed: true, Charset: "utf8mb3", Collation: utf8mb3}},
		// 1020 bytes: the two high bits of the length hide in the real type.
		{"char(255) utf8mb4", colSpec{typ: mysql.MYSQL_TYPE_STRING, meta: 0xcefc, collation: utf8mb4},
			layout.Column{Kind: layout.KindString, SQLType: "char(255)", Width: 255, Fixed: true, Charset: "utf8mb4", Collation: utf8mb4}},
		{"binary(4)", colSpec{typ: mysql.MYSQL_TYPE_STRING, meta: 0xfe04, collation: binary},
			layout.Column{Kind: layout.KindBytes, SQLType: "binary(4)", Width: 4, Fixed: true, Charset: "binary", Collation: binary}},
		{"tinytext", colSpec{typ: mysql.MYSQL_TYPE_BLOB, meta: 1, collation: utf8mb4},
			layout.Column{Kind: layout.KindString, SQLType: "tinytext", Charset: "utf8mb4", Collation: utf8mb4}},
		{"text", colSpec{typ: mysql.MYSQL_TYPE_BLOB, meta: 2, collation: latin1},
			layout.Column{Kind: layout.KindString, SQLType: "text", Charset: "latin1", Collation: latin1}},
		{"mediumtext", colSpec{typ: mysql.MYSQL_TYPE_BLOB, meta: 3, collation: utf8mb4},
			layout.Column{Kind: layout.KindString, SQLType: "mediumtext", Charset: "utf8mb4", Collation: utf8mb4}},
		{"longtext (MariaDB's JSON)", colSpec{typ: mysql.MYSQL_TYPE_BLOB, meta: 4, collation: 46},
			layout.Column{Kind: layout.KindString, SQLType: "longtext", Charset: "utf8mb4", Collation: 46}},
		{"tinyblob", colSpec{typ: mysql.MYSQL_TYPE_BLOB, meta: 1, collation: binary},
			layout.Column{Kind: layout.KindBytes, SQLType: "tinyblob", Charset: "binary", Collation: binary}},
		{"longblob", colSpec{typ: mysql.MYSQL_TYPE_BLOB, meta: 4, collation: binary},
			layout.Column{Kind: layout.KindBytes, SQLType: "longblob", Charset: "binary", Collation: binary}},
		{"enum with quotes", colSpec{typ: mysql.MYSQL_TYPE_STRING, meta: 0xf701, collation: utf8mb4, members: []string{"a", "it's", `back\slash`}},
			layout.Column{Kind: layout.KindEnum, SQLType: `enum('a','it''s','back\\slash')`, Charset: "utf8mb4", Collation: utf8mb4,
				Members: []string{"a", "it's", `back\slash`}}},
		{"latin1 enum", colSpec{typ: mysql.MYSQL_TYPE_STRING, meta: 0xf701, collation: latin1, members: []string{"\xe9t\xe9", "\x80"}},
			layout.Column{Kind: layout.KindEnum, SQLType: "enum('été','€')", Charset: "latin1", Collation: latin1, Members: []string{"été", "€"}}},
		{"sjis enum", colSpec{typ: mysql.MYSQL_TYPE_STRING, meta: 0xf701, collation: 13, members: []string{"\x82\xa0", "\x85\x40"}},
			layout.Column{Kind: layout.KindEnum, SQLType: "enum('あ','\U0010ff85\U0010ff40')", Charset: "sjis", Collation: 13,
				Members: []string{"あ", "\U0010ff85\U0010ff40"}}},
		{"set", colSpec{typ: mysql.MYSQL_TYPE_STRING, meta: 0xf801, collation: utf8mb4, members: []string{"x", "y"}},
			layout.Column{Kind: layout.KindSet, SQLType: "set('x','y')", Charset: "utf8mb4", Collation: utf8mb4, Members: []string{"x", "y"}}},
		{"MySQL json", colSpec{typ: mysql.MYSQL_TYPE_JSON, meta: 4},
			layout.Column{Kind: layout.KindJSON, SQLType: "json"}},
		{"point", colSpec{typ: mysql.MYSQL_TYPE_GEOMETRY, meta: 4, geometry: 1},
			layout.Column{Kind: layout.KindGeometry, SQLType: "point"}},
		{"geometry", colSpec{typ: mysql.MYSQL_TYPE_GEOMETRY, meta: 4},
			layout.Column{Kind: layout.KindGeometry, SQLType: "geometry"}},
		{"MariaDB uca1400 collation", colSpec{typ: mysql.MYSQL_TYPE_VARCHAR, meta: 40, collation: 2304},
			layout.Column{Kind: layout.KindString, SQLType: "varchar(10)", Width: 10, Charset: "utf8mb4", Collation: 2304}},
		{"MariaDB nopad collation", colSpec{typ: mysql.MYSQL_TYPE_VARCHAR, meta: 10, collation: 1032},
			layout.Column{Kind: layout.KindString, SQLType: "varchar(10)", Width: 10, Charset: "latin1", Collation: 1032}},
		{"MySQL 8 default collation", colSpec{typ: mysql.MYSQL_TYPE_VARCHAR, meta: 40, collation: 255},
			layout.Column{Kind: layout.KindString, SQLType: "varchar(10)", Width: 10, Charset: "utf8mb4", Collation: 255}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols, _, err := binlog.ColumnsFromTableMap(tableMap(nil, tt.col))
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Name = "c0"
			if !reflect.DeepEqual(cols[0], tt.want) {
				t.Errorf("got  %+v\nwant %+v", cols[0], tt.want)
			}
		})
	}
}

func TestColumnsFromTableMapTable(t *testing.T) {
	tm := tableMap([]uint64{2, 0},
		colSpec{typ: mysql.MYSQL_TYPE_LONG},
		colSpec{typ: mysql.MYSQL_TYPE_VARCHAR, meta: 12, collation: 8, nullable: true},
		colSpec{typ: mysql.MYSQL_TYPE_LONGLONG, unsigned: true})
	cols, pk, err := binlog.ColumnsFromTableMap(tm)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pk, []int{2, 0}) {
		t.Errorf("primary key %v, want [2 0]", pk)
	}
	var names []string
	var nullable []bool
	for _, c := range cols {
		names = append(names, c.Name)
		nullable = append(nullable, c.Nullable)
	}
	if !reflect.DeepEqual(names, []string{"c0", "c1", "c2"}) || !reflect.DeepEqual(nullable, []bool{false, true, false}) {
		t.Errorf("names %v nullable %v", names, nullable)
	}
	if !cols[2].Unsigned || cols[0].Unsigned {
		t.Errorf("signedness: %+v", cols)
	}
}

func TestColumnsFromTableMapErrors(t *testing.T) {
	noNames := tableMap(nil, colSpec{typ: mysql.MYSQL_TYPE_LONG})
	noNames.ColumnName = nil
	shortMeta := tableMap(nil, colSpec{typ: mysql.MYSQL_TYPE_LONG})
	shortMeta.ColumnMeta = nil
	noCharset := tableMap(nil, colSpec{typ: mysql.MYSQL_TYPE_VARCHAR, meta: 10})
	noCharset.ColumnCharset = nil
	noMembers := tableMap(nil, colSpec{typ: mysql.MYSQL_TYPE_STRING, meta: 0xf701, collation: 45, members: []string{"a"}})
	noMembers.EnumStrValue = nil
	tests := []struct {
		name string
		tm   *replication.TableMapEvent
		want string
	}{
		{"no column names", noNames, "binlog_row_metadata=FULL"},
		{"metadata of the wrong length", shortMeta, "metadata entries"},
		{"no character set", noCharset, "binlog_row_metadata must be FULL"},
		{"no enum members", noMembers, "no enum members"},
		{"unknown collation", tableMap(nil, colSpec{typ: mysql.MYSQL_TYPE_VARCHAR, meta: 10, collation: 9999}), "unknown collation id 9999"},
		{"old datetime", tableMap(nil, colSpec{typ: mysql.MYSQL_TYPE_DATETIME}), "mysql56_temporal_format=ON"},
		{"old timestamp", tableMap(nil, colSpec{typ: mysql.MYSQL_TYPE_TIMESTAMP}), "old temporal format"},
		{"old time", tableMap(nil, colSpec{typ: mysql.MYSQL_TYPE_TIME}), "old temporal format"},
		{"old decimal", tableMap(nil, colSpec{typ: mysql.MYSQL_TYPE_DECIMAL}), "type 0 is not supported"},
		{"primary key out of range", tableMap([]uint64{3}, colSpec{typ: mysql.MYSQL_TYPE_LONG}), "primary key"},
		{"bad blob metadata", tableMap(nil, colSpec{typ: mysql.MYSQL_TYPE_BLOB, meta: 7, collation: 63}), "length prefix"},
		{"bad fraction digits", tableMap(nil, colSpec{typ: mysql.MYSQL_TYPE_TIME2, meta: 9}), "fractional-second"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := binlog.ColumnsFromTableMap(tt.tm)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "db.t") {
				t.Errorf("error %q does not name the table", err)
			}
		})
	}
}
