package layout_test

import (
	"bytes"
	"database/sql"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/binlake/binlake/layout"
	_ "github.com/duckdb/duckdb-go/v2"
)

// everyKind is a table with a column of every kind and width, named so that
// MySQL order is not alphabetical order.
func everyKind() *layout.TableSchema {
	col := func(name string, kind layout.Kind, sqlType string, width int, unsigned bool) layout.Column {
		return layout.Column{Name: name, Kind: kind, SQLType: sqlType, Width: width, Unsigned: unsigned, Nullable: true}
	}
	cols := []layout.Column{
		{Name: "id", Kind: layout.KindInt, SQLType: "bigint", Width: 8},
		col("tiny", layout.KindInt, "tinyint", 1, false),
		col("small", layout.KindInt, "smallint", 2, false),
		col("medium", layout.KindInt, "mediumint", 3, false),
		col("regular", layout.KindInt, "int", 4, false),
		col("big", layout.KindInt, "bigint", 8, false),
		col("utiny", layout.KindInt, "tinyint unsigned", 1, true),
		col("usmall", layout.KindInt, "smallint unsigned", 2, true),
		col("umedium", layout.KindInt, "mediumint unsigned", 3, true),
		col("uregular", layout.KindInt, "int unsigned", 4, true),
		col("ubig", layout.KindInt, "bigint unsigned", 8, true),
		col("f", layout.KindFloat, "float", 0, false),
		col("d", layout.KindDouble, "double", 0, false),
		{Name: "dec", Kind: layout.KindDecimal, SQLType: "decimal(65,30)", Width: 65, Scale: 30, Nullable: true},
		col("flags", layout.KindBit, "bit(64)", 64, false),
		col("day", layout.KindDate, "date", 0, false),
		{Name: "at", Kind: layout.KindDatetime, SQLType: "datetime(6)", Scale: 6, Nullable: true},
		{Name: "stamp", Kind: layout.KindTimestamp, SQLType: "timestamp(6)", Scale: 6, Nullable: true},
		{Name: "span", Kind: layout.KindTime, SQLType: "time(6)", Scale: 6, Nullable: true},
		col("yr", layout.KindYear, "year", 0, false),
		{Name: "name", Kind: layout.KindString, SQLType: "varchar(20)", Width: 20, Charset: "utf8mb4", Nullable: true},
		{Name: "body", Kind: layout.KindString, SQLType: "longtext", Charset: "utf8mb4", Nullable: true},
		col("bin", layout.KindBytes, "varbinary(16)", 16, false),
		{Name: "color", Kind: layout.KindEnum, SQLType: "enum('red','green')", Members: []string{"red", "green"}, Nullable: true},
		{Name: "tags", Kind: layout.KindSet, SQLType: "set('a','b')", Members: []string{"a", "b"}, Nullable: true},
		col("doc", layout.KindJSON, "json", 0, false),
		col("shape", layout.KindGeometry, "geometry", 0, false),
	}
	return &layout.TableSchema{DB: "shop", Table: "every_kind", Version: 1, Columns: cols, PrimaryKey: []int{0}, Since: 1}
}

func TestSegmentSchemaString(t *testing.T) {
	got := layout.SegmentSchema(everyKind()).String()
	want := `message binlake_segment {
	required int64 _commit (INT(64,true));
	required int32 _seq (INT(32,false));
	required binary _op (STRING);
	required int64 _time (TIMESTAMP(isAdjustedToUTC=true,unit=MICROS));
	required binary _gtid (STRING);
	optional group before {
		optional int64 id (INT(64,true));
`
	if !strings.HasPrefix(got, want) {
		t.Fatalf("segment schema starts\n%s\nwant\n%s", got[:min(len(got), 600)], want)
	}
	// Columns keep MySQL order inside both images.
	for _, img := range []string{"before", "after"} {
		group := got[strings.Index(got, "group "+img):]
		last := -1
		for _, c := range everyKind().Columns {
			i := strings.Index(group, " "+c.Name+" (")
			if i < 0 {
				i = strings.Index(group, " "+c.Name+";")
			}
			if i <= last {
				t.Fatalf("%s: column %s is out of MySQL order in\n%s", img, c.Name, got)
			}
			last = i
		}
	}
}

func TestSegmentSchemaColumnTypes(t *testing.T) {
	want := map[string]string{
		"id":       "optional int64 id (INT(64,true));",
		"tiny":     "optional int32 tiny (INT(8,true));",
		"small":    "optional int32 small (INT(16,true));",
		"medium":   "optional int32 medium (INT(32,true));",
		"regular":  "optional int32 regular (INT(32,true));",
		"big":      "optional int64 big (INT(64,true));",
		"utiny":    "optional int32 utiny (INT(8,false));",
		"usmall":   "optional int32 usmall (INT(16,false));",
		"umedium":  "optional int32 umedium (INT(32,false));",
		"uregular": "optional int32 uregular (INT(32,false));",
		"ubig":     "optional int64 ubig (INT(64,false));",
		"f":        "optional float f;",
		"d":        "optional double d;",
		"dec":      "optional binary dec (STRING);",
		"flags":    "optional int64 flags (INT(64,false));",
		"day":      "optional binary day (STRING);",
		"at":       "optional binary at (STRING);",
		"stamp":    "optional binary stamp (STRING);",
		"span":     "optional binary span (STRING);",
		"yr":       "optional int32 yr (INT(16,false));",
		"name":     "optional binary name (STRING);",
		"body":     "optional binary body (STRING);",
		"bin":      "optional binary bin;",
		"color":    "optional binary color (STRING);",
		"tags":     "optional binary tags (STRING);",
		"doc":      "optional binary doc (STRING);",
		"shape":    "optional binary shape;",
	}
	got := layout.CheckpointSchema(everyKind()).String()
	for name, line := range want {
		if !strings.Contains(got, "\t"+line+"\n") {
			t.Errorf("column %s: want %q in\n%s", name, line, got)
		}
	}
}

func TestSegmentSchemaRefusesBadSchemas(t *testing.T) {
	tests := []struct {
		name string
		edit func(*layout.TableSchema)
		want string
	}{
		{"no columns", func(s *layout.TableSchema) { s.Columns = nil }, "has no columns"},
		{"unknown kind", func(s *layout.TableSchema) { s.Columns[1].Kind = "money" }, `column tiny has unknown kind "money"`},
		{"bad int width", func(s *layout.TableSchema) { s.Columns[1].Width = 5 }, "column tiny has width 5"},
		{"repeated name", func(s *layout.TableSchema) { s.Columns[2].Name = "TINY" }, `repeated column name "TINY"`},
		{"empty name", func(s *layout.TableSchema) { s.Columns[2].Name = "" }, `column name ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := everyKind()
			tt.edit(s)
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(error).Error(), tt.want) {
					t.Fatalf("SegmentSchema panicked with %v, want %q", r, tt.want)
				}
			}()
			layout.SegmentSchema(s)
		})
	}
}

// duckTypes is what DuckDB reads for each column of everyKind.
var duckTypes = [][2]string{
	{"id", "BIGINT"}, {"tiny", "TINYINT"}, {"small", "SMALLINT"}, {"medium", "INTEGER"}, {"regular", "INTEGER"},
	{"big", "BIGINT"}, {"utiny", "UTINYINT"}, {"usmall", "USMALLINT"}, {"umedium", "UINTEGER"},
	{"uregular", "UINTEGER"}, {"ubig", "UBIGINT"}, {"f", "FLOAT"}, {"d", "DOUBLE"}, {"dec", "VARCHAR"},
	{"flags", "UBIGINT"}, {"day", "VARCHAR"}, {"at", "VARCHAR"}, {"stamp", "VARCHAR"}, {"span", "VARCHAR"},
	{"yr", "USMALLINT"}, {"name", "VARCHAR"}, {"body", "VARCHAR"}, {"bin", "BLOB"}, {"color", "VARCHAR"},
	{"tags", "VARCHAR"}, {"doc", "VARCHAR"}, {"shape", "BLOB"},
}

// TestDuckDBReadsSegments checks the mapping as DuckDB sees it: plain
// read_parquet, natural types, MySQL column order, exact values.
func TestDuckDBReadsSegments(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	segment := writeFile(t, "segment.parquet", func(buf *bytes.Buffer) error {
		return layout.WriteSegment(buf, everyKind(), everyKindChanges())
	})
	from := " FROM read_parquet('" + segment + "')"

	top := describe(t, db, "SELECT * EXCLUDE (before, after)"+from)
	wantTop := [][2]string{{"_commit", "BIGINT"}, {"_seq", "UINTEGER"}, {"_op", "VARCHAR"},
		{"_time", "TIMESTAMP WITH TIME ZONE"}, {"_gtid", "VARCHAR"}}
	if !reflect.DeepEqual(top, wantTop) {
		t.Errorf("change columns = %v, want %v", top, wantTop)
	}
	for _, img := range []string{"before", "after"} {
		if got := describe(t, db, "SELECT "+img+".*"+from); !reflect.DeepEqual(got, duckTypes) {
			t.Errorf("%s.* = %v\nwant %v", img, got, duckTypes)
		}
	}

	var ops []string
	rows, err := db.Query("SELECT _op || ':' || (before IS NULL) || ':' || (after IS NULL)" + from + " ORDER BY _commit, _seq")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var op string
		if err := rows.Scan(&op); err != nil {
			t.Fatal(err)
		}
		ops = append(ops, op)
	}
	wantOps := []string{"insert:true:false", "insert:true:false", "update:false:false", "delete:false:true", "insert:true:false"}
	if !reflect.DeepEqual(ops, wantOps) {
		t.Errorf("op:before IS NULL:after IS NULL = %v, want %v", ops, wantOps)
	}
	checkDuckValues(t, db, from)
}

// checkDuckValues reads back the edge values DuckDB types could lose.
func checkDuckValues(t *testing.T, db *sql.DB, from string) {
	var (
		timeMicros, big, negBig        int64
		ubig                           uint64
		negZero, denormal              float64
		dec, span, zeroDay, name, gtid string
		bin                            []byte
		bodyLen                        int
	)
	err := db.QueryRow(`SELECT epoch_us(_time), _gtid, after.big, after.ubig, after.d, after.dec, after.bin, after.name,
		length(after.body), (SELECT before.big`+from+` WHERE _op = 'update'), (SELECT before.d`+from+` WHERE _op = 'update'),
		(SELECT before.span`+from+` WHERE _op = 'update'), (SELECT before.day`+from+` WHERE _op = 'update')`+
		from+` WHERE _commit = 1 AND _seq = 1`).
		Scan(&timeMicros, &gtid, &big, &ubig, &denormal, &dec, &bin, &name, &bodyLen, &negBig, &negZero, &span, &zeroDay)
	if err != nil {
		t.Fatal(err)
	}
	want := maxRow()
	got := []any{timeMicros, gtid, big, ubig, denormal, dec, bin, name, bodyLen, negBig, math.Signbit(negZero), span, zeroDay}
	wantGot := []any{t0.UnixMicro(), everyKindChanges()[1].GTID, want[5], want[10], want[12], want[13], want[22], want[20],
		len([]rune(want[21].(string))), minRow()[5], true, minRow()[18], minRow()[15]}
	if !reflect.DeepEqual(got, wantGot) {
		t.Errorf("DuckDB read\n%.300v\nwant\n%.300v", got, wantGot)
	}
}

func TestDuckDBReadsCheckpoints(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkpoint := writeFile(t, "checkpoint.parquet", func(buf *bytes.Buffer) error {
		return layout.WriteCheckpoint(buf, everyKind(), 3, [][]any{minRow(), maxRow(), nullRow(3)})
	})
	from := " FROM read_parquet('" + checkpoint + "')"
	if got := describe(t, db, "SELECT *"+from); !reflect.DeepEqual(got, duckTypes) {
		t.Errorf("checkpoint columns = %v\nwant %v", got, duckTypes)
	}
	var n, nulls int
	var ubig uint64
	if err := db.QueryRow("SELECT count(*), count(*) - count(tiny), max(ubig)"+from).Scan(&n, &nulls, &ubig); err != nil {
		t.Fatal(err)
	}
	if n != 3 || nulls != 1 || ubig != math.MaxUint64 {
		t.Errorf("count, NULL tiny, max(ubig) = %d, %d, %d, want 3, 1, %d", n, nulls, ubig, uint64(math.MaxUint64))
	}
}

func writeFile(t *testing.T, name string, write func(*bytes.Buffer) error) string {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// describe returns the column names and types of a query's result.
func describe(t *testing.T, db *sql.DB, query string) [][2]string {
	t.Helper()
	rows, err := db.Query("SELECT column_name, column_type FROM (DESCRIBE " + query + ")")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return cols
}
