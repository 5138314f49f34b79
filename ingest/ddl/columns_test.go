package ddl_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/binlake/binlake/ingest/ddl"
	"github.com/binlake/binlake/layout"
)

// TestColumnTypes derives one column of every type through ColumnsFromCreate
// (a table whose default charset is utf8mb4).
func TestDDLColumnTypes(t *testing.T) {
	str := func(sql string, width int, fixed bool) layout.Column {
		return layout.Column{Kind: layout.KindString, SQLType: sql, Width: width, Fixed: fixed, Charset: "utf8mb4", Nullable: true}
	}
	bin := func(sql string, width int, fixed bool) layout.Column {
		return layout.Column{Kind: layout.KindBytes, SQLType: sql, Width: width, Fixed: fixed, Charset: "binary", Collation: 63, Nullable: true}
	}
	num := func(kind layout.Kind, sql string, width, scale int, unsigned bool) layout.Column {
		return layout.Column{Kind: kind, SQLType: sql, Width: width, Scale: scale, Unsigned: unsigned, Nullable: true}
	}
	for _, tc := range []struct {
		def  string
		want layout.Column
	}{
		{"TINYINT", num(layout.KindInt, "tinyint", 1, 0, false)},
		{"TINYINT(1) NOT NULL", layout.Column{Kind: layout.KindInt, SQLType: "tinyint", Width: 1}},
		{"BOOL", num(layout.KindInt, "tinyint", 1, 0, false)},
		{"SMALLINT UNSIGNED", num(layout.KindInt, "smallint unsigned", 2, 0, true)},
		{"MEDIUMINT(9)", num(layout.KindInt, "mediumint", 3, 0, false)},
		{"INT(11) UNSIGNED ZEROFILL", num(layout.KindInt, "int unsigned", 4, 0, true)},
		{"INTEGER", num(layout.KindInt, "int", 4, 0, false)},
		{"BIGINT(20)", num(layout.KindInt, "bigint", 8, 0, false)},
		{"FLOAT", num(layout.KindFloat, "float", 0, 0, false)},
		{"FLOAT(7,3) UNSIGNED", num(layout.KindFloat, "float unsigned", 0, 0, true)},
		{"FLOAT(30)", num(layout.KindDouble, "double", 0, 0, false)},
		{"DOUBLE PRECISION", num(layout.KindDouble, "double", 0, 0, false)},
		{"REAL", num(layout.KindDouble, "double", 0, 0, false)},
		{"DECIMAL", num(layout.KindDecimal, "decimal(10,0)", 10, 0, false)},
		{"DECIMAL(10,2)", num(layout.KindDecimal, "decimal(10,2)", 10, 2, false)},
		{"NUMERIC(5) UNSIGNED", num(layout.KindDecimal, "decimal(5,0) unsigned", 5, 0, true)},
		{"DEC(65,30)", num(layout.KindDecimal, "decimal(65,30)", 65, 30, false)},
		{"BIT", num(layout.KindBit, "bit(1)", 1, 0, false)},
		{"BIT(64)", num(layout.KindBit, "bit(64)", 64, 0, false)},
		{"DATE", num(layout.KindDate, "date", 0, 0, false)},
		{"DATETIME", num(layout.KindDatetime, "datetime", 0, 0, false)},
		{"DATETIME(6)", num(layout.KindDatetime, "datetime(6)", 0, 6, false)},
		{"TIMESTAMP(3) NULL", num(layout.KindTimestamp, "timestamp(3)", 0, 3, false)},
		{"TIME(2)", num(layout.KindTime, "time(2)", 0, 2, false)},
		{"YEAR(4)", num(layout.KindYear, "year", 0, 0, false)},
		{"CHAR", str("char(1)", 1, true)},
		{"CHAR(3)", str("char(3)", 3, true)},
		{"VARCHAR(20)", str("varchar(20)", 20, false)},
		{"NATIONAL VARCHAR(2)", str("varchar(2)", 2, false)},
		{"VARCHAR(5) CHARACTER SET latin1 COLLATE latin1_bin",
			layout.Column{Kind: layout.KindString, SQLType: "varchar(5)", Width: 5, Charset: "latin1", Collation: 47, Nullable: true}},
		{"VARCHAR(5) COLLATE utf8mb4_general_ci",
			layout.Column{Kind: layout.KindString, SQLType: "varchar(5)", Width: 5, Charset: "utf8mb4", Collation: 45, Nullable: true}},
		{"VARCHAR(5) CHARSET utf8", layout.Column{Kind: layout.KindString, SQLType: "varchar(5)", Width: 5, Charset: "utf8mb3", Nullable: true}},
		{"VARCHAR(5) BINARY", layout.Column{Kind: layout.KindString, SQLType: "varchar(5)", Width: 5, Charset: "utf8mb4", Collation: 46, Nullable: true}},
		{"BINARY", bin("binary(1)", 1, true)},
		{"BINARY(4)", bin("binary(4)", 4, true)},
		{"CHAR(2) CHARACTER SET binary", bin("binary(2)", 2, true)},
		{"VARBINARY(9)", bin("varbinary(9)", 9, false)},
		{"TINYTEXT", str("tinytext", 0, false)},
		{"TEXT", str("text", 0, false)},
		{"MEDIUMTEXT", str("mediumtext", 0, false)},
		{"LONG VARCHAR", str("mediumtext", 0, false)},
		{"LONGTEXT", str("longtext", 0, false)},
		{"TEXT(60)", str("tinytext", 0, false)},
		{"TEXT(100)", str("text", 0, false)},
		{"TEXT(100) CHARACTER SET latin1", layout.Column{Kind: layout.KindString, SQLType: "tinytext", Charset: "latin1", Nullable: true}},
		{"TEXT(20000)", str("mediumtext", 0, false)},
		{"TEXT(100) CHARACTER SET cp1251", layout.Column{Kind: layout.KindString, SQLType: "tinytext", Charset: "cp1251", Nullable: true}},
		{"VARCHAR(3) CHARACTER SET utf16 COLLATE utf16_bin", layout.Column{Kind: layout.KindString, SQLType: "varchar(3)", Width: 3,
			Charset: "utf16", Collation: 55, Nullable: true}},
		{"VARCHAR(3) COLLATE utf8mb4_uca1400_ai_ci", layout.Column{Kind: layout.KindString, SQLType: "varchar(3)", Width: 3,
			Charset: "utf8mb4", Collation: 46, Nullable: true}},
		{"TINYBLOB", bin("tinyblob", 0, false)},
		{"BLOB", bin("blob", 0, false)},
		{"BLOB(70000)", bin("mediumblob", 0, false)},
		{"MEDIUMBLOB", bin("mediumblob", 0, false)},
		{"LONG VARBINARY", bin("mediumblob", 0, false)},
		{"LONGBLOB", bin("longblob", 0, false)},
		{"ENUM('a','b''c','d\\\\e')", layout.Column{Kind: layout.KindEnum, SQLType: `enum('a','b''c','d\\e')`, Charset: "utf8mb4",
			Members: []string{"a", "b'c", `d\e`}, Nullable: true}},
		{"SET('x','y ') NOT NULL", layout.Column{Kind: layout.KindSet, SQLType: "set('x','y')", Charset: "utf8mb4", Members: []string{"x", "y"}}},
		{"JSON", layout.Column{Kind: layout.KindJSON, SQLType: "json", Nullable: true}},
		{"GEOMETRY", layout.Column{Kind: layout.KindGeometry, SQLType: "geometry", Nullable: true}},
		{"MULTIPOLYGON NOT NULL SRID 4326", layout.Column{Kind: layout.KindGeometry, SQLType: "multipolygon"}},
		{"GEOMCOLLECTION", layout.Column{Kind: layout.KindGeometry, SQLType: "geometrycollection", Nullable: true}},
		{"UUID", bin("binary(16)", 16, true)},
		{"INET4", bin("binary(4)", 4, true)},
		{"SERIAL", layout.Column{Kind: layout.KindInt, SQLType: "bigint unsigned", Width: 8, Unsigned: true}},
	} {
		t.Run(tc.def, func(t *testing.T) {
			cols, _, err := ddl.ColumnsFromCreate("CREATE TABLE t (c " + tc.def + ") DEFAULT CHARSET=utf8mb4")
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Name = "c"
			if len(cols) != 1 || !reflect.DeepEqual(cols[0], tc.want) {
				t.Errorf("columns\n got  %+v\n want %+v", cols, tc.want)
			}
		})
	}
}

// mariadbCreate is SHOW CREATE TABLE as MariaDB 10.11 prints it.
const mariadbCreate = "CREATE TABLE `orders` (\n" +
	"  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,\n" +
	"  `customer` varchar(64) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL DEFAULT '',\n" +
	"  `doc` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`doc`)),\n" +
	"  `at` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),\n" +
	"  `where` point DEFAULT NULL,\n" +
	"  `token` uuid NOT NULL DEFAULT uuid(),\n" +
	"  `total` decimal(12,2) GENERATED ALWAYS AS (1 + 1) VIRTUAL,\n" +
	"  PRIMARY KEY (`id`),\n" +
	"  UNIQUE KEY `customer` (`customer`),\n" +
	"  SPATIAL KEY `where_idx` (`where`)\n" +
	") ENGINE=InnoDB AUTO_INCREMENT=17 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='orders'"

func TestDDLColumnsFromShowCreateTable(t *testing.T) {
	cols, pk, err := ddl.ColumnsFromCreate(mariadbCreate)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cols {
		got = append(got, c.Name+" "+c.SQLType)
	}
	want := []string{"id bigint unsigned", "customer varchar(64)", "doc longtext", "at timestamp", "where point",
		"token binary(16)", "total decimal(12,2)"}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(pk, []int{0}) {
		t.Errorf("columns %q, key %v; want %q, [0]", got, pk, want)
	}
	if cols[1].Charset != "latin1" || cols[1].Collation != 8 || cols[2].Collation != 46 {
		t.Errorf("charsets: %+v, %+v", cols[1], cols[2])
	}
}

func TestDDLColumnsFromCreateErrors(t *testing.T) {
	for stmt, want := range map[string]error{
		"CREATE TABLE t (c FANCY)":                ddl.ErrUnparsable,
		"SELECT 1":                                nil,
		"CREATE TABLE u LIKE t":                   nil,
		"CREATE TABLE t (a INT, a INT)":           nil,
		"CREATE TABLE t (a INT, PRIMARY KEY (b))": nil,
	} {
		_, _, err := ddl.ColumnsFromCreate(stmt)
		var de *ddl.Error
		if !errors.As(err, &de) || de.Stmt != stmt || (want != nil && !errors.Is(err, want)) {
			t.Errorf("ColumnsFromCreate(%q) error %v, want a Error naming the statement", stmt, err)
		}
	}
}
