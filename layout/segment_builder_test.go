package layout_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/binlake/binlake/layout"
)

// kvSchema is a small keyed table: id int, name varchar, blob.
func kvSchema() *layout.TableSchema {
	return &layout.TableSchema{DB: "shop", Table: "kv", Version: 1, PrimaryKey: []int{0}, Columns: []layout.Column{
		{Name: "id", Kind: layout.KindInt, SQLType: "int", Width: 4},
		{Name: "name", Kind: layout.KindString, SQLType: "varchar(20)", Nullable: true},
		{Name: "data", Kind: layout.KindBytes, SQLType: "blob", Nullable: true},
	}}
}

func newBuilder(t *testing.T, s *layout.TableSchema) *layout.SegmentBuilder {
	t.Helper()
	b, err := layout.NewSegmentBuilder(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// putKV sets the three columns of one image; "" and nil are NULL.
func putKV(b *layout.SegmentBuilder, img layout.Image, id int64, name string, data []byte) {
	b.Int(img, 0, id)
	if name == "" {
		b.Null(img, 1)
	} else {
		b.String(img, 1, name)
	}
	if data == nil {
		b.Null(img, 2)
	} else {
		b.Bytes(img, 2, data)
	}
}

// TestBuilderMatchesWriteSegment: typed puts, a split primary-key update
// and a truncated transaction give the bytes WriteSegment gives for the
// same changes.
func TestBuilderMatchesWriteSegment(t *testing.T) {
	s := kvSchema()
	b := newBuilder(t, s)
	b.StartRow(1, 0, layout.OpInsert)
	putKV(b, layout.After, 1, "one", []byte{1})
	b.StartRow(1, 1, layout.OpUpdate) // same key: stays an update
	putKV(b, layout.Before, 1, "one", []byte{1})
	putKV(b, layout.After, 1, "uno", nil)
	if b.KeyChanged(s.PrimaryKey) {
		t.Fatal("KeyChanged on an update that keeps the key")
	}
	b.SetCommit(1, t0, "0-1-1")
	b.StartRow(2, 0, layout.OpUpdate) // key 1 -> 2: a delete and an insert
	putKV(b, layout.Before, 1, "uno", nil)
	putKV(b, layout.After, 2, "uno", []byte{})
	if !b.KeyChanged(s.PrimaryKey) {
		t.Fatal("KeyChanged missed a key change")
	}
	b.SplitUpdate()
	if err := b.EndRow(); err != nil {
		t.Fatal(err)
	}
	b.SetCommit(2, t0.Add(time.Second), "0-1-2")
	keep := b.Len()
	b.StartRow(3, 0, layout.OpDelete) // a transaction cut short
	putKV(b, layout.Before, 2, "uno", []byte{})
	b.Truncate(keep)

	var got bytes.Buffer
	if err := b.Write(&got); err != nil {
		t.Fatal(err)
	}
	r := func(id int64, name any, data any) []any { return []any{id, name, data} }
	want := []layout.Change{
		{Commit: 1, Seq: 0, Op: layout.OpInsert, Time: t0, GTID: "0-1-1", After: r(1, "one", []byte{1})},
		{Commit: 1, Seq: 1, Op: layout.OpUpdate, Time: t0, GTID: "0-1-1", Before: r(1, "one", []byte{1}), After: r(1, "uno", nil)},
		{Commit: 2, Seq: 0, Op: layout.OpDelete, Time: t0.Add(time.Second), GTID: "0-1-2", Before: r(1, "uno", nil)},
		{Commit: 2, Seq: 1, Op: layout.OpInsert, Time: t0.Add(time.Second), GTID: "0-1-2", After: r(2, "uno", []byte{})},
	}
	var wantBytes bytes.Buffer
	if err := layout.WriteSegment(&wantBytes, s, want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), wantBytes.Bytes()) {
		_, changes, err := layout.ReadSegment(got.Bytes())
		t.Fatalf("builder bytes differ from WriteSegment's; the builder's read back as %+v (%v)", changes, err)
	}
	_, changes, err := layout.ReadSegment(got.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := sameChanges(changes, want); err != nil {
		t.Fatal(err)
	}
	if first, last := b.CommitRange(); first != 1 || last != 2 {
		t.Fatalf("CommitRange %d-%d, want 1-2", first, last)
	}
}

func TestBuilderRefuses(t *testing.T) {
	tests := []struct {
		name  string
		build func(b *layout.SegmentBuilder)
		want  string
	}{
		{"int for a string column", func(b *layout.SegmentBuilder) {
			b.StartRow(5, 1, layout.OpInsert)
			b.Int(layout.After, 1, 3)
		}, "commit 5 seq 1 after image: column name (varchar(20)): int64 value has the wrong type, want string"},
		{"int out of range", func(b *layout.SegmentBuilder) {
			b.StartRow(5, 0, layout.OpInsert)
			b.Int(layout.After, 0, 1<<40)
		}, "column id (int): int64 value is out of range"},
		{"uint for a signed column", func(b *layout.SegmentBuilder) {
			b.StartRow(5, 0, layout.OpInsert)
			b.Uint(layout.After, 0, 1)
		}, "uint64 value has the wrong type, want int64"},
		{"invalid UTF-8", func(b *layout.SegmentBuilder) {
			b.StartRow(5, 0, layout.OpInsert)
			b.Text(layout.Before, 1, []byte{0xff})
		}, "before image: column name (varchar(20)): string value is not valid UTF-8"},
		{"a column set twice", func(b *layout.SegmentBuilder) {
			b.StartRow(5, 0, layout.OpInsert)
			b.Null(layout.After, 1)
			b.Null(layout.After, 1)
		}, "after image: column name set twice"},
		{"a column outside the schema", func(b *layout.SegmentBuilder) {
			b.StartRow(5, 0, layout.OpInsert)
			b.Null(layout.After, 3)
		}, "value for column 3 of the after image, outside a row of 3 columns"},
		{"an incomplete image", func(b *layout.SegmentBuilder) {
			b.StartRow(5, 0, layout.OpInsert)
			b.Int(layout.After, 0, 1)
		}, "after image of shop.kv has 1 values, schema version 1 has 3 columns"},
		{"an insert with a before image", func(b *layout.SegmentBuilder) {
			b.StartRow(5, 0, layout.OpInsert)
			putKV(b, layout.Before, 1, "", nil)
			putKV(b, layout.After, 1, "", nil)
		}, "insert change to shop.kv has an unexpected before image"},
		{"a delete without its before image", func(b *layout.SegmentBuilder) {
			b.StartRow(5, 0, layout.OpDelete)
		}, "delete change to shop.kv has no before image"},
		{"an unknown operation", func(b *layout.SegmentBuilder) {
			b.StartRow(5, 0, "upsert")
		}, `commit 5 seq 0: unknown operation "upsert"`},
		{"a commit beyond int64", func(b *layout.SegmentBuilder) {
			b.StartRow(1<<63, 0, layout.OpInsert)
		}, "commit number beyond int64"},
		{"a GTID that is not UTF-8", func(b *layout.SegmentBuilder) {
			b.StartRow(5, 0, layout.OpInsert)
			b.SetCommit(5, t0, "\xff")
		}, "GTID is not valid UTF-8"},
		{"the time of a commit without rows", func(b *layout.SegmentBuilder) {
			b.StartRow(5, 0, layout.OpInsert)
			b.SetCommit(6, t0, "")
		}, "commit 6 has no rows to date"},
		{"a split of an insert", func(b *layout.SegmentBuilder) {
			b.StartRow(5, 0, layout.OpInsert)
			b.SplitUpdate()
		}, "split of a row that is not an update"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBuilder(t, kvSchema())
			tt.build(b)
			err := b.EndRow()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("EndRow: %v, want %q", err, tt.want)
			}
			if werr := b.Write(&bytes.Buffer{}); werr == nil || !strings.Contains(werr.Error(), "write segment of shop.kv") {
				t.Fatalf("Write after a refused value: %v, want the error again, naming the table", werr)
			}
		})
	}
}

func TestBuilderNeedsCommitTimes(t *testing.T) {
	b := newBuilder(t, kvSchema())
	b.StartRow(9, 0, layout.OpInsert)
	putKV(b, layout.After, 1, "x", nil)
	if err := b.EndRow(); err != nil {
		t.Fatal(err)
	}
	err := b.Write(&bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "commit 9: no source time and GTID") {
		t.Fatalf("Write: %v, want a missing commit time error", err)
	}
}
