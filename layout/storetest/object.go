package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/binlake/binlake/layout"
)

func testPutOpen(t *testing.T, s layout.Store) {
	ctx := context.Background()
	tests := []struct {
		key  string
		data []byte
	}{
		{"a", []byte("hello")},
		{"dir/sub/object.bin", []byte{0, 1, 2, 0xff}},
		{"empty", []byte{}},
		{"big", bytes.Repeat([]byte("0123456789"), 200_000)},
	}
	for _, tc := range tests {
		mustPut(t, s, tc.key, tc.data)
		if got := mustRead(t, s, tc.key); !bytes.Equal(got, tc.data) {
			t.Errorf("Open(%q) read %d bytes, want the %d put", tc.key, len(got), len(tc.data))
		}
	}
	// Put replaces, and writing the same bytes again is fine.
	for _, data := range [][]byte{[]byte("second"), []byte("second")} {
		if err := s.Put(ctx, "a", bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatalf("Put again: %v", err)
		}
		if got := mustRead(t, s, "a"); !bytes.Equal(got, data) {
			t.Errorf("Open after second Put read %q, want %q", got, data)
		}
	}
}

func testMissing(t *testing.T, s layout.Store) {
	ctx := context.Background()
	mustPut(t, s, "dir/present", []byte("x"))
	for _, key := range []string{"absent", "dir/absent", "dir", "dir/present/below"} {
		// Open itself reports the missing key, before any Read.
		if r, err := s.Open(ctx, key); !errors.Is(err, layout.ErrNotFound) || r != nil {
			if r != nil {
				r.Close()
			}
			t.Errorf("Open(%q) = %v, %v; want nil, ErrNotFound", key, r, err)
		}
		if _, err := s.GetRange(ctx, key, 0, 10); !errors.Is(err, layout.ErrNotFound) {
			t.Errorf("GetRange(%q) error = %v, want ErrNotFound", key, err)
		}
		if _, err := s.GetRange(ctx, key, 0, 0); !errors.Is(err, layout.ErrNotFound) {
			t.Errorf("GetRange(%q, 0, 0) error = %v, want ErrNotFound", key, err)
		}
	}
}

func testGetRange(t *testing.T, s layout.Store) {
	ctx := context.Background()
	mustPut(t, s, "r", []byte("0123456789"))
	mustPut(t, s, "empty", []byte{})
	tests := []struct {
		key            string
		offset, length int64
		want           string
	}{
		{"r", 0, 10, "0123456789"},
		{"r", 0, 3, "012"},
		{"r", 4, 2, "45"},
		{"r", 9, 1, "9"},
		{"r", 7, 100, "789"},
		{"r", 10, 5, ""},
		{"r", 50, 5, ""},
		{"r", 3, 0, ""},
		{"empty", 0, 10, ""},
	}
	for _, tc := range tests {
		got, err := s.GetRange(ctx, tc.key, tc.offset, tc.length)
		if err != nil {
			t.Errorf("GetRange(%q, %d, %d): %v", tc.key, tc.offset, tc.length, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("GetRange(%q, %d, %d) = %q, want %q", tc.key, tc.offset, tc.length, got, tc.want)
		}
	}
	for _, bad := range [][2]int64{{-1, 1}, {0, -1}} {
		if _, err := s.GetRange(ctx, "r", bad[0], bad[1]); err == nil {
			t.Errorf("GetRange(r, %d, %d) succeeded, want an error", bad[0], bad[1])
		}
	}
}
