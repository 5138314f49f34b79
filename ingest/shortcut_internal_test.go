package ingest

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
)

// TestOwnDecodingMatchesGoMySQL ingests the demo binlog (every kind of
// table and change the demo has, DDL included) twice: as ingest does, with
// the shortcut and rowDecoder, and with go-mysql parsing every event and
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

// shortcutTypes are the rows events the shortcut takes.
var shortcutTypes = []replication.EventType{
	replication.WRITE_ROWS_EVENTv1, replication.UPDATE_ROWS_EVENTv1, replication.DELETE_ROWS_EVENTv1,
	replication.WRITE_ROWS_EVENTv2, replication.UPDATE_ROWS_EVENTv2, replication.DELETE_ROWS_EVENTv2,
	replication.MARIADB_WRITE_ROWS_COMPRESSED_EVENT_V1, replication.MARIADB_UPDATE_ROWS_COMPRESSED_EVENT_V1,
	replication.MARIADB_DELETE_ROWS_COMPRESSED_EVENT_V1,
}

// FuzzShortcutRowsHeader decodes arbitrary rows-event headers of a known
// table with the shortcut and with go-mysql: the shortcut must never
// panic, and wherever go-mysql reads an event it must read the same one.
func FuzzShortcutRowsHeader(f *testing.F) {
	cols := []testColumn{{name: "id", typ: mysql.MYSQL_TYPE_LONG}, {name: "v", typ: mysql.MYSQL_TYPE_VARCHAR, meta: 40, coll: utf8mb4Coll}}
	rng := rand.New(rand.NewPCG(7, 8))
	for k, typ := range shortcutTypes {
		raw, _ := rowsEvent(replication.WRITE_ROWS_EVENTv1, len(cols), randomImages(rng, cols, 2))
		body := slices.Clone(raw[replication.EventHeaderSize+6:])
		if k >= 3 && k < 6 {
			body = append(body[:2:2], append([]byte{2, 0}, body[2:]...)...) // v2: empty extra data
		}
		if typ == replication.UPDATE_ROWS_EVENTv1 || typ == replication.UPDATE_ROWS_EVENTv2 {
			body = append(body[:4:4], append([]byte{3}, body[4:]...)...) // a second bitmap
		}
		f.Add(byte(k), body)
	}
	f.Fuzz(func(t *testing.T, which byte, afterID []byte) {
		typ := shortcutTypes[int(which)%len(shortcutTypes)]
		p := testParser(t)
		configureIngestParser(p, "mariadb")
		tmRaw := tableMapEvent(cols)
		tmEv, err := p.Parse(tmRaw)
		if err != nil {
			t.Fatal(err)
		}
		tr := newTracker(slog.New(slog.DiscardHandler), nil)
		tr.tableMap(tmEv.Event.(*replication.TableMapEvent), tmRaw[replication.EventHeaderSize:])
		sc := newShortcut(tr)
		fde, err := os.ReadFile("testdata/rows/format_description.bin")
		if err != nil {
			t.Fatal(err)
		}
		fde[len(fde)-5] = byte(replication.BINLOG_CHECKSUM_ALG_OFF)
		fdeEv, err := replication.NewBinlogParser().Parse(fde)
		if err != nil {
			t.Fatal(err)
		}
		sc.seen(fdeEv)
		if ev, err := sc.parse(tmRaw); err != nil || ev == nil {
			t.Fatalf("shortcut did not take a known table map: %v, %v", ev, err)
		}
		raw := event(typ, append([]byte{testTableID, 0, 0, 0, 0, 0}, afterID...))
		mine, myErr := sc.parse(raw)
		if myErr == nil && mine == nil {
			t.Fatal("shortcut declined a rows event of a table map it took")
		}
		theirs, err := p.Parse(raw)
		if err != nil {
			return // go-mysql refuses it; the shortcut may be more lenient (v2 extra data)
		}
		if myErr != nil {
			t.Fatalf("shortcut failed (%v) where go-mysql read %+v", myErr, theirs.Event)
		}
		a, b := mine.Event.(*replication.RowsEvent), theirs.Event.(*replication.RowsEvent)
		da, _ := lazyRowsData(a)
		db, _ := lazyRowsData(b)
		if a.TableID != b.TableID || a.Flags != b.Flags || a.ColumnCount != b.ColumnCount || a.Version != b.Version ||
			!slices.Equal(a.ColumnBitmap1, b.ColumnBitmap1) || !slices.Equal(a.ColumnBitmap2, b.ColumnBitmap2) ||
			!slices.Equal(da, db) || a.Table != b.Table && a.Table.TableID != b.Table.TableID {
			t.Fatalf("shortcut read %+v, go-mysql %+v", a, b)
		}
		if *mine.Header != *theirs.Header {
			t.Fatalf("shortcut header %+v, go-mysql %+v", mine.Header, theirs.Header)
		}
	})
}
