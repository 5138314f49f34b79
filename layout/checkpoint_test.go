package layout_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/binlake/binlake/layout"
	"github.com/parquet-go/parquet-go"
)

func TestCheckpointRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		rows [][]any
	}{
		{"every kind at its edges", [][]any{minRow(), maxRow(), nullRow(3), oddFloatsRow()}},
		{"empty table", nil},
		{"many rows", func() (rows [][]any) {
			for _, c := range manyChanges(1000) {
				rows = append(rows, c.After)
			}
			return rows
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := everyKind()
			var buf bytes.Buffer
			if err := layout.WriteCheckpoint(&buf, s, 42, tt.rows); err != nil {
				t.Fatal(err)
			}
			gotSchema, got, err := layout.ReadCheckpoint(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotSchema, s) {
				t.Errorf("schema = %+v, want %+v", gotSchema, s)
			}
			if len(got) != len(tt.rows) {
				t.Fatalf("got %d rows, want %d", len(got), len(tt.rows))
			}
			for i := range tt.rows {
				if err := sameImage(got[i], tt.rows[i]); err != nil {
					t.Fatalf("row %d: %v", i, err)
				}
			}
			f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			if commit, _ := f.Lookup("binlake.commit"); commit != "42" {
				t.Errorf("binlake.commit = %q, want 42", commit)
			}
		})
	}
}

func TestWriteCheckpointRefusesBadRows(t *testing.T) {
	tests := []struct {
		name string
		row  []any
		want string
	}{
		{"short row", []any{int64(1)}, "row 0 has 1 values, schema version 1 has 27 columns"},
		{"wrong type", func() []any { r := nullRow(1); r[22] = "text"; return r }(), "column bin (varbinary(16)): string value has the wrong type, want []byte"},
		{"out of range", func() []any { r := nullRow(1); r[19] = int64(-1); return r }(), "column yr (year): int64 value is out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := layout.WriteCheckpoint(&bytes.Buffer{}, everyKind(), 5, [][]any{tt.row})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "shop.every_kind at commit 5") {
				t.Fatalf("WriteCheckpoint: %v, want an error naming the table, the commit and %q", err, tt.want)
			}
		})
	}
}

func TestReadCheckpointRefusesSegments(t *testing.T) {
	var buf bytes.Buffer
	if err := layout.WriteSegment(&buf, everyKind(), everyKindChanges()); err != nil {
		t.Fatal(err)
	}
	_, _, err := layout.ReadCheckpoint(buf.Bytes())
	if err == nil || !strings.Contains(err.Error(), "binlake.commit") {
		t.Fatalf("ReadCheckpoint of a segment: %v, want an error about binlake.commit", err)
	}
}

func FuzzReadCheckpoint(f *testing.F) {
	for _, rows := range [][][]any{{minRow(), nullRow(2)}, nil} {
		var buf bytes.Buffer
		if err := layout.WriteCheckpoint(&buf, everyKind(), 7, rows); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, rows, err := layout.ReadCheckpoint(data)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := layout.WriteCheckpoint(&buf, s, 1, rows); err != nil {
			t.Fatalf("decoded rows do not encode: %v", err)
		}
		_, again, err := layout.ReadCheckpoint(buf.Bytes())
		if err != nil {
			t.Fatalf("re-encoded checkpoint does not decode: %v", err)
		}
		for i := range rows {
			if err := sameImage(again[i], rows[i]); err != nil {
				t.Fatal(fmt.Errorf("row %d: %w", i, err))
			}
		}
	})
}
