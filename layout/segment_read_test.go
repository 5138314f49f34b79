package layout_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/binlake/binlake/layout"
)

// Rows of everyKind at the edges of every kind's range.
func minRow() []any {
	return []any{
		int64(1), int64(math.MinInt8), int64(math.MinInt16), int64(-1 << 23), int64(math.MinInt32), int64(math.MinInt64),
		uint64(0), uint64(0), uint64(0), uint64(0), uint64(0),
		float32(math.Copysign(0, -1)), math.Copysign(0, -1),
		"-" + strings.Repeat("9", 35) + "." + strings.Repeat("9", 30),
		uint64(0), "0000-00-00", "0000-00-00 00:00:00.000000", "0000-00-00 00:00:00.000000", "-838:59:59.000000",
		int64(0), "", "", []byte{}, "", "", "null", []byte{},
	}
}

func maxRow() []any {
	return []any{
		int64(2), int64(math.MaxInt8), int64(math.MaxInt16), int64(1<<23 - 1), int64(math.MaxInt32), int64(math.MaxInt64),
		uint64(math.MaxUint8), uint64(math.MaxUint16), uint64(1<<24 - 1), uint64(math.MaxUint32), uint64(math.MaxUint64),
		float32(math.SmallestNonzeroFloat32), math.SmallestNonzeroFloat64,
		strings.Repeat("9", 35) + "." + strings.Repeat("9", 30),
		uint64(math.MaxUint64), "9999-12-31", "9999-12-31 23:59:59.999999", "2038-01-19 03:14:07.999999", "838:59:59.000000",
		int64(2155), "héllo wörld 🎉", strings.Repeat("long text ✓ ", 1<<17), []byte{0x00, 0xff, 0xfe, 0x80, 0x00},
		"green", "a,b", `{"k": [1, 2.5, "\u0000"]}`, append([]byte{0, 0, 0, 0, 1, 1, 0, 0, 0}, make([]byte, 16)...),
	}
}

func nullRow(id int64) []any {
	row := make([]any, len(everyKind().Columns))
	row[0] = id
	return row
}

func oddFloatsRow() []any {
	row := nullRow(4)
	row[11] = float32(math.MaxFloat32)
	row[12] = math.Inf(-1)
	return row
}

var t0 = time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.UTC)

func everyKindChanges() []layout.Change {
	return []layout.Change{
		{Commit: 1, Seq: 0, Op: layout.OpInsert, Time: t0, GTID: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1", After: minRow()},
		{Commit: 1, Seq: 1, Op: layout.OpInsert, Time: t0, GTID: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1", After: maxRow()},
		{Commit: 2, Seq: 0, Op: layout.OpUpdate, Time: t0.Add(time.Second), Before: minRow(), After: nullRow(1)},
		{Commit: 3, Seq: 0, Op: layout.OpDelete, Time: time.Unix(0, 0), GTID: "0-1-3", Before: maxRow()},
		{Commit: 3, Seq: 1, Op: layout.OpInsert, Time: time.Unix(0, 0), GTID: "0-1-3", After: oddFloatsRow()},
	}
}

func TestSegmentRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		changes []layout.Change
	}{
		{"every kind at its edges", everyKindChanges()},
		{"no changes", nil},
		{"all NULL", []layout.Change{{Commit: 9, Op: layout.OpInsert, Time: t0, After: nullRow(7)}}},
		{"empty string and empty bytes are not NULL", []layout.Change{{Commit: 9, Op: layout.OpInsert, Time: t0, After: func() []any {
			row := nullRow(8)
			row[20], row[22], row[23] = "", []byte{}, ""
			return row
		}()}}},
		{"more than one row group", manyChanges(300_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := everyKind()
			var buf bytes.Buffer
			if err := layout.WriteSegment(&buf, s, tt.changes); err != nil {
				t.Fatal(err)
			}
			gotSchema, got, err := layout.ReadSegment(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotSchema, s) {
				t.Errorf("schema = %+v, want %+v", gotSchema, s)
			}
			if err := sameChanges(got, tt.changes); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// manyChanges returns n small inserts into everyKind.
func manyChanges(n int) []layout.Change {
	changes := make([]layout.Change, n)
	for i := range changes {
		row := nullRow(int64(i))
		row[20] = fmt.Sprint("name ", i%100)
		changes[i] = layout.Change{Commit: uint64(10 + i/7), Seq: uint32(i % 7), Op: layout.OpInsert, Time: t0, After: row}
	}
	return changes
}

// sameChanges compares changes as stored: times at microsecond precision,
// floats bit for bit.
func sameChanges(got, want []layout.Change) error {
	if len(got) != len(want) {
		return fmt.Errorf("got %d changes, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Commit != w.Commit || g.Seq != w.Seq || g.Op != w.Op || g.GTID != w.GTID || !g.Time.Equal(w.Time.Truncate(time.Microsecond)) {
			return fmt.Errorf("change %d: got %v %d %s %v %q, want %v %d %s %v %q", i, g.Commit, g.Seq, g.Op, g.Time, g.GTID, w.Commit, w.Seq, w.Op, w.Time, w.GTID)
		}
		if err := sameImage(g.Before, w.Before); err != nil {
			return fmt.Errorf("change %d before image: %w", i, err)
		}
		if err := sameImage(g.After, w.After); err != nil {
			return fmt.Errorf("change %d after image: %w", i, err)
		}
	}
	return nil
}

func sameImage(got, want []any) error {
	if (got == nil) != (want == nil) || len(got) != len(want) {
		return fmt.Errorf("got %d values (nil: %v), want %d (nil: %v)", len(got), got == nil, len(want), want == nil)
	}
	for i := range want {
		if !layout.Identical(got[i], want[i]) {
			return fmt.Errorf("value %d: got %T %.80v, want %T %.80v", i, got[i], got[i], want[i], want[i])
		}
	}
	return nil
}

// TestSegmentRoundTripProperty writes and reads random changes of random
// tables.
func TestSegmentRoundTripProperty(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 1))
		s := randomSchema(r)
		changes := make([]layout.Change, r.IntN(40))
		for i := range changes {
			changes[i] = randomChange(r, s, uint64(i/3+1), uint32(i%3))
		}
		var buf bytes.Buffer
		if err := layout.WriteSegment(&buf, s, changes); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		gotSchema, got, err := layout.ReadSegment(buf.Bytes())
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !reflect.DeepEqual(gotSchema, s) {
			t.Fatalf("seed %d: schema = %+v, want %+v", seed, gotSchema, s)
		}
		if err := sameChanges(got, changes); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}

func randomSchema(r *rand.Rand) *layout.TableSchema {
	all := edgeSchema.Columns
	cols := make([]layout.Column, 1+r.IntN(8))
	for i := range cols {
		cols[i] = all[r.IntN(len(all))]
		cols[i].Name = fmt.Sprintf("c%d_%s", len(cols)-i, cols[i].Name)
	}
	return &layout.TableSchema{DB: "db", Table: "random", Version: 1 + r.IntN(3), Columns: cols}
}

func randomChange(r *rand.Rand, s *layout.TableSchema, commit uint64, seq uint32) layout.Change {
	c := layout.Change{
		Commit: commit, Seq: seq, Op: []layout.Op{layout.OpInsert, layout.OpUpdate, layout.OpDelete}[r.IntN(3)],
		Time: time.UnixMicro(r.Int64N(1 << 52)), GTID: []string{"", "0-1-2", "uuid:7"}[r.IntN(3)],
	}
	if c.Op != layout.OpInsert {
		c.Before = randomImage(r, s)
	}
	if c.Op != layout.OpDelete {
		c.After = randomImage(r, s)
	}
	return c
}

func randomImage(r *rand.Rand, s *layout.TableSchema) []any {
	img := make([]any, len(s.Columns))
	for i, c := range s.Columns {
		if r.IntN(5) > 0 {
			img[i] = randomValue(r, c)
		}
	}
	return img
}

// Built once: maxRow is large. Read only.
var (
	edgeSchema = everyKind()
	edgeRows   = [2][]any{minRow(), maxRow()}
)

// randomValue returns a value of the column's canonical Go type: one of the
// edge values of everyKind for that column, or a random one.
func randomValue(r *rand.Rand, c layout.Column) any {
	i := edgeSchema.ColumnIndex(c.Name[strings.IndexByte(c.Name, '_')+1:])
	edge := edgeRows[r.IntN(2)][i]
	if r.IntN(2) == 0 {
		return edge
	}
	switch v := edge.(type) {
	case int64:
		return v >> r.IntN(64) // keeps the sign, so stays in range
	case uint64:
		return v >> r.IntN(64)
	case float32:
		return math.Float32frombits(r.Uint32())
	case float64:
		return math.Float64frombits(r.Uint64())
	case string:
		return randomText(r)
	case []byte:
		b := make([]byte, r.IntN(20))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		return b
	}
	return edge
}

func randomText(r *rand.Rand) string {
	runes := []rune("aZ09 ,.-:é✓🎉\x00")
	text := make([]rune, r.IntN(12))
	for i := range text {
		text[i] = runes[r.IntN(len(runes))]
	}
	return string(text)
}

func TestReadSegmentRefusesOtherFiles(t *testing.T) {
	var segment, checkpoint bytes.Buffer
	if err := layout.WriteSegment(&segment, everyKind(), everyKindChanges()); err != nil {
		t.Fatal(err)
	}
	if err := layout.WriteCheckpoint(&checkpoint, everyKind(), 3, [][]any{minRow()}); err != nil {
		t.Fatal(err)
	}
	truncated := segment.Bytes()[:segment.Len()/2]
	flipped := bytes.Clone(segment.Bytes())
	flipped[len(flipped)/3] ^= 0xff
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "read segment"},
		{"not parquet", []byte("hello, world"), "read segment"},
		{"truncated", truncated, "read segment"},
		{"a checkpoint", checkpoint.Bytes(), "does not match the segment schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := layout.ReadSegment(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ReadSegment: %v, want an error with %q", err, tt.want)
			}
		})
	}
	// A flipped byte may land where it changes nothing a reader checks
	// (hashes in the manifest catch those); it must not panic.
	_, _, _ = layout.ReadSegment(flipped)
}

func FuzzReadSegment(f *testing.F) {
	small := &layout.TableSchema{DB: "d", Table: "t", Version: 1, Columns: []layout.Column{
		{Name: "id", Kind: layout.KindInt, Width: 4},
		{Name: "v", Kind: layout.KindString},
	}}
	seeds := []struct {
		s       *layout.TableSchema
		changes []layout.Change
	}{
		{everyKind(), everyKindChanges()[2:3]},
		{small, []layout.Change{
			{Commit: 1, Op: layout.OpInsert, Time: t0, After: []any{int64(1), "a"}},
			{Commit: 2, Op: layout.OpUpdate, Time: t0, Before: []any{int64(1), "a"}, After: []any{int64(1), nil}},
			{Commit: 3, Op: layout.OpDelete, Time: t0, GTID: "0-1-3", Before: []any{int64(1), nil}},
		}},
		{small, nil},
	}
	for _, seed := range seeds {
		var buf bytes.Buffer
		if err := layout.WriteSegment(&buf, seed.s, seed.changes); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, changes, err := layout.ReadSegment(data)
		if err != nil {
			return
		}
		// Whatever decodes must encode again, to the same changes.
		var buf bytes.Buffer
		if err := layout.WriteSegment(&buf, s, changes); err != nil {
			t.Fatalf("decoded changes do not encode: %v", err)
		}
		_, again, err := layout.ReadSegment(buf.Bytes())
		if err != nil {
			t.Fatalf("re-encoded segment does not decode: %v", err)
		}
		if err := sameChanges(again, changes); err != nil {
			t.Fatal(err)
		}
	})
}
