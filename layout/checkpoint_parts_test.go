package layout_test

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
)

// failingPuts is a store whose Puts fail after reading what they are given.
type failingPuts struct{ layout.Store }

var errPut = errors.New("put refused")

func (f failingPuts) Put(_ context.Context, _ string, r io.Reader, _ int64) error {
	_, _ = io.Copy(io.Discard, r)
	return errPut
}

// TestCheckpointPartsSpool: parts are spooled in TempDir and stored from
// there, and no spool file outlives the checkpoint, whether it succeeds,
// fails or is given up.
func TestCheckpointPartsSpool(t *testing.T) {
	row := func(i int) []any { return []any{int64(i), "name", []byte{byte(i)}} }
	tests := []struct {
		name      string
		failPut   bool
		write     []any // nil: rows 0..6; a row that does not fit the schema fails
		discard   bool  // give up before Close
		wantParts int
		wantErr   error // nil: any error when wantParts is 0
	}{
		{name: "three parts", wantParts: 3},
		{name: "bad row", write: []any{"not an id"}},
		{name: "put fails", failPut: true, wantErr: errPut},
		{name: "given up", discard: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := filestore.New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			var st layout.Store = fs
			if tc.failPut {
				st = failingPuts{fs}
			}
			spool := t.TempDir()
			parts := layout.NewCheckpointParts(context.Background(), st, kvSchema(), 9, 3, 0)
			parts.TempDir = spool
			var werr error
			for i := range 7 {
				r := row(i)
				if tc.write != nil && i == 4 {
					r = tc.write
				}
				if werr = parts.Write(r); werr != nil {
					break
				}
			}
			var objs []layout.Object
			var cerr error
			if tc.discard {
				parts.Discard()
			} else {
				objs, cerr = parts.Close()
			}
			if left, _ := os.ReadDir(spool); len(left) != 0 {
				t.Errorf("%d spool files left", len(left))
			}
			switch {
			case tc.wantParts > 0:
				if werr != nil || cerr != nil || len(objs) != tc.wantParts {
					t.Fatalf("Write: %v; Close = %d parts, %v; want %d parts", werr, len(objs), cerr, tc.wantParts)
				}
				for _, o := range objs {
					data, err := layout.ReadAll(context.Background(), st, o.Key, o.Size)
					if err != nil || layout.Hash(data) != o.SHA256 {
						t.Errorf("part %d: %v, or its bytes do not hash to %s", o.Part, err, o.SHA256)
					}
				}
			case tc.discard:
				if werr != nil {
					t.Fatalf("Write: %v", werr)
				}
			default:
				if werr == nil || (tc.wantErr != nil && !errors.Is(werr, tc.wantErr)) {
					t.Fatalf("Write error = %v, want %v", werr, tc.wantErr)
				}
				// The checkpoint is lost: Close says so again, not with a
				// checkpoint missing rows.
				if cerr != werr || objs != nil {
					t.Errorf("Close after a failed Write = %d parts, %v; want the Write's error %v", len(objs), cerr, werr)
				}
			}
		})
	}
}
