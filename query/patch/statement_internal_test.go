package patch

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/go-mysql-org/go-mysql/mysql"

	"github.com/binlake/binlake/ingest/ddl"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
	"github.com/binlake/binlake/tests/testenv"
)

func TestSQLTextRowMatch(t *testing.T) {
	s := &layout.TableSchema{DB: "d", Table: "t", PrimaryKey: []int{1}, Columns: []layout.Column{
		{Name: "f", Kind: layout.KindFloat},
		{Name: "k", Kind: layout.KindString, Charset: "utf8mb4"},
		{Name: "l", Kind: layout.KindString, Charset: "latin1"},
		{Name: "g", Kind: layout.KindGeometry},
		{Name: "n", Kind: layout.KindInt},
		{Name: "b", Kind: layout.KindBytes},
	}}
	got, err := rowMatch(s, []any{float32(0.5), "Ab ", "é", []byte{1, 2}, nil, []byte{0}})
	if err != nil {
		t.Fatal(err)
	}
	// The key first, by collation for the index and by bytes for
	// exactness; text by its bytes ('a' = 'A ' under most collations).
	want := "`k` = _utf8mb4'Ab ' AND CAST(`k` AS BINARY) = CAST(_utf8mb4'Ab ' AS BINARY) AND " +
		"`f` = 5e-01 AND CAST(`l` AS BINARY) = X'e9' AND CAST(`g` AS BINARY) = X'0102' AND `n` IS NULL AND `b` = X'00'"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// mariaDBLiteralTable has a column of every type; sqlTextRows are the
// edge values written into it, as canonical values.
const mariaDBLiteralTable = `CREATE TABLE lit.t (
  id INT NOT NULL PRIMARY KEY,
  i8 TINYINT, u64 BIGINT UNSIGNED, i64 BIGINT, dec65 DECIMAL(65,30), dec0 DECIMAL(65,0),
  f FLOAT, d DOUBLE, b1 BIT(1), b64 BIT(64), dt DATE, dtm DATETIME(6), ts TIMESTAMP(2) NULL DEFAULT NULL,
  tm TIME(3), yr YEAR, ch CHAR(10), vc VARCHAR(100), tx TEXT,
  lch CHAR(10) CHARACTER SET latin1, lvc VARCHAR(300) CHARACTER SET latin1,
  bn BINARY(4), vb VARBINARY(16), bl BLOB,
  en ENUM('a','b','c d','é'), st SET('x','y','z','é'), js JSON, geo GEOMETRY, pt POINT
) DEFAULT CHARSET=utf8mb4`

func sqlTextRows() [][]any {
	allLatin1 := make([]rune, 0, 256)
	for c := 1; c < 256; c++ {
		allLatin1 = append(allLatin1, latin1RuneForTest(byte(c)))
	}
	pointWKB := []byte{0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f}
	srid := append([]byte{0xe6, 0x10, 0, 0}, pointWKB[4:]...)
	return [][]any{
		{int64(1), int64(-128), uint64(math.MaxUint64), int64(math.MinInt64),
			"-" + strings.Repeat("9", 35) + "." + strings.Repeat("9", 30), strings.Repeat("9", 65),
			float32(0.1), 0.1, uint64(1), uint64(math.MaxUint64), "0000-00-00", "0000-00-00 00:00:00.000000",
			"0000-00-00 00:00:00.00", "-838:59:59.000", int64(0), "a", "it's \\ \"q\" %_", "NUL\x00 line\nbreak\ttab",
			"é€", string(allLatin1), []byte{0, 0, 0, 0}, []byte{}, []byte{0xff, 0, 0x27, 0x5c},
			"", "", `{"a": [1, "it's"], "b": null}`, pointWKB, srid},
		{int64(2), int64(127), uint64(0), int64(math.MaxInt64), "0.000000000000000000000000000001", "-1",
			float32(math.MaxFloat32), -math.MaxFloat64, uint64(0), uint64(1) << 63, "2024-02-30", "9999-12-31 23:59:59.999999",
			"2038-01-19 03:14:07.99", "838:59:59.000", int64(2155), "😀中", "", "😀🎉𝄞 emoji",
			"", "\u0081\u008d\u008f\u0090\u009d", []byte("ab\x00\x00"), []byte("x\x00\x00"), []byte{},
			"é", "x,z,é", "[]", srid, srid},
		{int64(3), int64(0), uint64(1), int64(-1), "0.000000000000000000000000000000", "0",
			float32(math.SmallestNonzeroFloat32), math.SmallestNonzeroFloat64, uint64(0), uint64(0), "2024-00-15", "1000-01-01 00:00:00.000001",
			"1970-01-01 00:00:01.00", "-00:00:00.500", int64(1901), "", "  ", "",
			"", "a", []byte{0xff, 0xff, 0xff, 0xff}, []byte{0}, bytesOf(65535),
			"c d", "", "null", pointWKB, srid},
		{int64(4), nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
			nil, nil, nil, nil, nil, nil, nil, nil, nil, nil},
	}
}

func bytesOf(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func latin1RuneForTest(c byte) rune {
	s, err := value.Decode("latin1", []byte{c})
	if err != nil {
		panic(err)
	}
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// TestSQLTextOnMariaDB writes every edge value with value.Literal into a real
// MariaDB, reads the table back over the binary protocol as ingest's
// snapshot does, and checks that each value came back bit for bit and
// that rowMatch finds each row, and only it.
func TestSQLTextOnMariaDB(t *testing.T) {
	ctx := context.Background()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	if err := db.Exec(ctx, "CREATE DATABASE lit", mariaDBLiteralTable); err != nil {
		t.Fatal(err)
	}
	c, err := db.Connect(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := tableSchemaOf(t, c, "lit", "t")
	rows := sqlTextRows()
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 300; i++ { // random floats, every bit pattern
		row := make([]any, len(s.Columns))
		row[0] = int64(100 + i)
		f := math.Float32frombits(r.Uint32())
		d := math.Float64frombits(r.Uint64())
		if !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) && f != 0 {
			row[s.ColumnIndex("f")] = f
		}
		if !math.IsNaN(d) && !math.IsInf(d, 0) && d != 0 {
			row[s.ColumnIndex("d")] = d
		}
		rows = append(rows, row)
	}
	for _, q := range PatchSessionSQL {
		mustExec(t, c, q)
	}
	for _, row := range rows {
		tuple, err := sqlTuple(s, row)
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, c, "INSERT INTO lit.t "+sqlColumns(s)+" VALUES "+tuple)
	}
	got := readTable(t, c, s)
	if len(got) != len(rows) {
		t.Fatalf("read back %d rows, wrote %d", len(got), len(rows))
	}
	for i := range rows {
		for j := range s.Columns {
			if value.ExactKey(nil, []any{got[i][j]}) != value.ExactKey(nil, []any{rows[i][j]}) {
				t.Errorf("row %d column %s (%s): wrote %s, read back %s", i, s.Columns[j].Name, s.Columns[j].SQLType,
					value.Clip(fmt.Sprintf("%#v", rows[i][j]), 200), value.Clip(fmt.Sprintf("%#v", got[i][j]), 200))
			}
		}
	}
	for _, q := range PatchSessionSQL {
		mustExec(t, c, q)
	}
	for i, row := range rows {
		where, err := rowMatch(s, row)
		if err != nil {
			t.Fatal(err)
		}
		res := mustExec(t, c, "SELECT count(*) FROM lit.t WHERE "+where)
		if n, _ := res.GetInt(0, 0); n != 1 {
			t.Errorf("row %d: rowMatch finds %d rows: %s", i, n, value.Clip(where, 400))
		}
	}
	// A string that differs only in case or trailing spaces is not matched
	// (most collations would say they are equal).
	for _, p := range []struct {
		row int
		col string
		v   string
	}{{0, "ch", "A"}, {2, "vc", ""}, {2, "vc", " "}, {1, "vc", " "}, {0, "lch", "É€"}} {
		probe := append([]any{}, rows[p.row]...)
		probe[s.ColumnIndex(p.col)] = p.v
		where, err := rowMatch(s, probe)
		if err != nil {
			t.Fatal(err)
		}
		if res := mustExec(t, c, "SELECT count(*) FROM lit.t WHERE "+where); mustInt(res) != 0 {
			t.Errorf("row %d: rowMatch of %s = %q matches %q", p.row, p.col, p.v, rows[p.row][s.ColumnIndex(p.col)])
		}
	}
}

func mustInt(r *mysql.Result) int64 {
	n, _ := r.GetInt(0, 0)
	return n
}

func mustExec(t *testing.T, c *client.Conn, q string) *mysql.Result {
	t.Helper()
	r, err := c.Execute(q)
	if err != nil {
		t.Fatalf("%s: %v", value.Clip(q, 300), err)
	}
	return r
}

// tableSchemaOf reads a table's schema as ingest derives it from SHOW
// CREATE TABLE.
func tableSchemaOf(t *testing.T, c *client.Conn, db, table string) *layout.TableSchema {
	t.Helper()
	r := mustExec(t, c, "SHOW CREATE TABLE "+value.QuoteTable(db, table))
	create, _ := r.GetString(0, 1)
	cols, pk, err := ddl.ColumnsFromCreate(create)
	if err != nil {
		t.Fatal(err)
	}
	return &layout.TableSchema{DB: db, Table: table, Version: 1, Since: 1, Columns: cols, PrimaryKey: pk}
}

// readTable reads a table over the binary protocol (exact FLOATs) into
// canonical values, ordered by its first column.
func readTable(t *testing.T, c *client.Conn, s *layout.TableSchema) [][]any {
	t.Helper()
	for _, q := range value.SessionSQL {
		mustExec(t, c, q)
	}
	names := make([]string, len(s.Columns))
	for i := range s.Columns {
		names[i] = value.QuoteIdent(s.Columns[i].Name)
	}
	stmt, err := c.Prepare("SELECT " + strings.Join(names, ", ") + " FROM " + value.QuoteTable(s.DB, s.Table) + " ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	var out [][]any
	var res mysql.Result
	err = stmt.ExecuteSelectStreaming(&res, func(row []mysql.FieldValue) error {
		img := make([]any, len(row))
		for i := range row {
			v, err := value.FromSQL(&s.Columns[i], row[i].Value())
			if err != nil {
				return err
			}
			if b, ok := v.([]byte); ok {
				v = append([]byte{}, b...)
			}
			img[i] = v
		}
		out = append(out, img)
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
