package patch_test

import (
	"testing"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query/patch"
)

func TestSQLTextCreateTable(t *testing.T) {
	s := &layout.TableSchema{DB: "shop", Table: "or`ders", Version: 1, PrimaryKey: []int{0, 2}, Columns: []layout.Column{
		{Name: "id", Kind: layout.KindInt, SQLType: "bigint unsigned", Unsigned: true},
		{Name: "name", Kind: layout.KindString, SQLType: "varchar(20)", Nullable: true, Charset: "latin1", Collation: 47},
		{Name: "k", Kind: layout.KindEnum, SQLType: "enum('a','b')", Charset: "utf8mb4", Collation: 45},
		{Name: "b", Kind: layout.KindBytes, SQLType: "varbinary(4)", Nullable: true, Charset: "binary", Collation: 63},
		{Name: "u", Kind: layout.KindString, SQLType: "text", Nullable: true, Charset: "utf8mb4", Collation: 99999},
	}}
	got, err := patch.CreateTableSQL(s)
	if err != nil {
		t.Fatal(err)
	}
	want := "CREATE TABLE `shop`.`or``ders` (\n" +
		"  `id` bigint unsigned NOT NULL,\n" +
		"  `name` varchar(20) CHARACTER SET latin1 COLLATE latin1_bin NULL,\n" +
		"  `k` enum('a','b') CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL,\n" +
		"  `b` varbinary(4) NULL,\n" +
		"  `u` text CHARACTER SET utf8mb4 NULL,\n" +
		"  PRIMARY KEY (`id`, `k`)\n)"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
