package layout_test

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/binlake/binlake/layout"
	"github.com/parquet-go/parquet-go"
)

func TestWriteSegmentRefusesBadChanges(t *testing.T) {
	insert := func(col int, v any) layout.Change {
		row := nullRow(1)
		row[col] = v
		return layout.Change{Commit: 7, Seq: 2, Op: layout.OpInsert, Time: t0, After: row}
	}
	tests := []struct {
		name   string
		change layout.Change
		want   string
	}{
		{"int for int64", insert(1, 5), "commit 7 seq 2 after image: column tiny (tinyint): int value has the wrong type, want int64"},
		{"int64 for uint64", insert(10, int64(5)), "column ubig (bigint unsigned): int64 value has the wrong type, want uint64"},
		{"float64 for float", insert(11, 1.5), "column f (float): float64 value has the wrong type, want float32"},
		{"float for decimal", insert(13, 1.5), "column dec (decimal(65,30)): float64 value has the wrong type, want string"},
		{"string for bytes", insert(22, "x"), "column bin (varbinary(16)): string value has the wrong type, want []byte"},
		{"bytes for string", insert(20, []byte("x")), "column name (varchar(20)): []byte value has the wrong type, want string"},
		{"time.Time for datetime", insert(16, t0), "column at (datetime(6)): time.Time value has the wrong type, want string"},
		{"tinyint above range", insert(1, int64(128)), "column tiny (tinyint): int64 value is out of range"},
		{"tinyint below range", insert(1, int64(-129)), "column tiny (tinyint): int64 value is out of range"},
		{"mediumint above range", insert(3, int64(1<<23)), "column medium (mediumint): int64 value is out of range"},
		{"tinyint unsigned above range", insert(6, uint64(256)), "column utiny (tinyint unsigned): uint64 value is out of range"},
		{"int unsigned above range", insert(9, uint64(math.MaxUint32+1)), "column uregular (int unsigned): uint64 value is out of range"},
		{"negative year", insert(19, int64(-1)), "column yr (year): int64 value is out of range"},
		{"invalid UTF-8 text", insert(21, "\xff"), "column body (longtext): string value is not valid UTF-8"},
		{"unknown operation", layout.Change{Commit: 7, Op: "upsert", Before: nullRow(1), After: nullRow(1)}, `unknown operation "upsert"`},
		{"insert with a before image", layout.Change{Commit: 7, Op: layout.OpInsert, Before: nullRow(1), After: nullRow(1)}, "unexpected before image"},
		{"delete without a before image", layout.Change{Commit: 7, Op: layout.OpDelete}, "has no before image"},
		{"short image", layout.Change{Commit: 7, Op: layout.OpInsert, After: []any{int64(1)}}, "after image of shop.every_kind has 1 values"},
		{"commit beyond int64", layout.Change{Commit: math.MaxUint64, Op: layout.OpInsert, After: nullRow(1)}, "commit number beyond int64"},
		{"invalid UTF-8 GTID", layout.Change{Commit: 7, Op: layout.OpInsert, GTID: "\xff", After: nullRow(1)}, "GTID is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes := []layout.Change{{Commit: 6, Op: layout.OpInsert, Time: t0, After: nullRow(1)}, tt.change}
			err := layout.WriteSegment(&bytes.Buffer{}, everyKind(), changes)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "shop.every_kind") {
				t.Fatalf("WriteSegment: %v, want an error naming the table and %q", err, tt.want)
			}
		})
	}
}

func TestWriteSegmentRefusesBadSchema(t *testing.T) {
	s := everyKind()
	s.Columns[3].Kind = "money"
	err := layout.WriteSegment(&bytes.Buffer{}, s, nil)
	if err == nil || !strings.Contains(err.Error(), `version 1 of shop.every_kind: column medium has unknown kind "money"`) {
		t.Fatalf("WriteSegment: %v, want an unknown kind error", err)
	}
}

// TestSegmentRowGroups checks what readers rely on to prune: row groups of
// at most 128k rows, each with _commit statistics, zstd everywhere.
func TestSegmentRowGroups(t *testing.T) {
	var buf bytes.Buffer
	if err := layout.WriteSegment(&buf, everyKind(), manyChanges(300_000)); err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	groups := f.Metadata().RowGroups
	if len(groups) != 3 {
		t.Fatalf("got %d row groups, want 3", len(groups))
	}
	for i, rg := range groups {
		if rg.NumRows > 128*1024 {
			t.Errorf("row group %d has %d rows", i, rg.NumRows)
		}
		commit := rg.Columns[0].MetaData
		if strings.Join(commit.PathInSchema, ".") != "_commit" {
			t.Fatalf("first column is %v", commit.PathInSchema)
		}
		lo, hi := commit.Statistics.MinValue, commit.Statistics.MaxValue
		if len(lo) != 8 || len(hi) != 8 {
			t.Fatalf("row group %d: _commit statistics %+v", i, commit.Statistics)
		}
		first := uint64(10 + i*128*1024/7)
		if got := parquet.Int64Type.Kind().Value(lo).Int64(); got != int64(first) {
			t.Errorf("row group %d: min _commit %d, want %d", i, got, first)
		}
		for _, c := range rg.Columns {
			if c.MetaData.Codec.String() != "ZSTD" {
				t.Errorf("column %v is %s-compressed", c.MetaData.PathInSchema, c.MetaData.Codec)
			}
		}
	}
}

func TestWriteSegmentIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := layout.WriteSegment(&a, everyKind(), everyKindChanges()); err != nil {
		t.Fatal(err)
	}
	if err := layout.WriteSegment(&b, everyKind(), everyKindChanges()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two writes of the same changes differ")
	}
}

// orders is the benchmark table: six columns of common types.
var orders = &layout.TableSchema{DB: "shop", Table: "orders", Version: 1, PrimaryKey: []int{0}, Columns: []layout.Column{
	{Name: "id", Kind: layout.KindInt, SQLType: "bigint", Width: 8},
	{Name: "customer", Kind: layout.KindString, SQLType: "varchar(64)", Width: 64, Charset: "utf8mb4"},
	{Name: "qty", Kind: layout.KindInt, SQLType: "int", Width: 4},
	{Name: "price", Kind: layout.KindDecimal, SQLType: "decimal(10,2)", Width: 10, Scale: 2},
	{Name: "created", Kind: layout.KindDatetime, SQLType: "datetime"},
	{Name: "note", Kind: layout.KindString, SQLType: "text", Charset: "utf8mb4", Nullable: true},
}}

// orderChanges returns n changes to orders: 60% updates, 30% inserts, 10%
// deletes, in commits of 5.
func orderChanges(n int) []layout.Change {
	changes := make([]layout.Change, n)
	image := func(i, v int) []any {
		var note any
		if i%3 == 0 {
			note = fmt.Sprintf("deliver to door %d, ring twice", i%997)
		}
		return []any{int64(i), fmt.Sprintf("customer-%06d@example.com", i%5000), int64(v % 20),
			fmt.Sprintf("%d.%02d", 10+i%990, i%100), fmt.Sprintf("2024-05-%02d 12:%02d:%02d", 1+i%28, i%60, v%60), note}
	}
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := range changes {
		c := layout.Change{Commit: uint64(1000 + i/5), Seq: uint32(i % 5), Time: start.Add(time.Duration(i/5) * time.Second),
			GTID: fmt.Sprintf("3e11fa47-71ca-11e1-9e33-c80aa9429562:%d", 1000+i/5)}
		switch i % 10 {
		case 0, 1, 2:
			c.Op, c.After = layout.OpInsert, image(i, i)
		case 3:
			c.Op, c.Before = layout.OpDelete, image(i, i)
		default:
			c.Op, c.Before, c.After = layout.OpUpdate, image(i, i), image(i, i+1)
		}
		changes[i] = c
	}
	return changes
}

func BenchmarkWriteSegment(b *testing.B) {
	const n = 100_000
	changes := orderChanges(n)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := layout.WriteSegment(&buf, orders, changes); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/change")
	b.ReportMetric(float64(buf.Len())/n, "bytes/change")
}

func BenchmarkReadSegment(b *testing.B) {
	const n = 100_000
	var buf bytes.Buffer
	if err := layout.WriteSegment(&buf, orders, orderChanges(n)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := layout.ReadSegment(buf.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/change")
}
