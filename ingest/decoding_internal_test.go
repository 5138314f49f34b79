package ingest

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
)

// TestOwnDecodingMatchesGoMySQL ingests the demo binlog (every kind of
// table and change the demo has, DDL included) twice: as ingest does, with
// the Shortcut and RowDecoder, and with go-mysql parsing every event and
// decoding every row. The segments must be the same bytes.
func TestOwnDecodingMatchesGoMySQL(t *testing.T) {
	segments := func(goMySQLOnly bool) []string {
		st, err := filestore.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		err = Run(ctx, Config{Source: "file://../tests/fixtures/demo", Store: st, ExitWhenCaughtUp: true,
			Log: slog.New(slog.DiscardHandler), goMySQLOnly: goMySQLOnly})
		if err != nil {
			t.Fatal(err)
		}
		c, err := catalog.Open(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, m := range c.Manifests() {
			for _, o := range m.Objects {
				if o.Kind == layout.ObjectSegment {
					keys = append(keys, o.Key) // named by content hash
				}
			}
		}
		return keys
	}
	own, theirs := segments(false), segments(true)
	if len(own) < 5 {
		t.Fatalf("only %d segments from the demo binlog", len(own))
	}
	if !slices.Equal(own, theirs) {
		t.Fatalf("segments differ:\n own    %q\n go-mysql %q", own, theirs)
	}
}
