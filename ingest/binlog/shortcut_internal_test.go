package binlog

import (
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
)

// shortcutTypes are the rows events the Shortcut takes.
var shortcutTypes = []replication.EventType{
	replication.WRITE_ROWS_EVENTv1, replication.UPDATE_ROWS_EVENTv1, replication.DELETE_ROWS_EVENTv1,
	replication.WRITE_ROWS_EVENTv2, replication.UPDATE_ROWS_EVENTv2, replication.DELETE_ROWS_EVENTv2,
	replication.MARIADB_WRITE_ROWS_COMPRESSED_EVENT_V1, replication.MARIADB_UPDATE_ROWS_COMPRESSED_EVENT_V1,
	replication.MARIADB_DELETE_ROWS_COMPRESSED_EVENT_V1,
}

// FuzzShortcutRowsHeader decodes arbitrary rows-event headers of a known
// table with the Shortcut and with go-mysql: the Shortcut must never
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
		ConfigureLazyParser(p, "mariadb")
		tmRaw := tableMapEvent(cols)
		tmEv, err := p.Parse(tmRaw)
		if err != nil {
			t.Fatal(err)
		}
		sc := NewShortcut(oneTableMap{body: tmRaw[replication.EventHeaderSize:], tm: tmEv.Event.(*replication.TableMapEvent)})
		fde, err := os.ReadFile("testdata/rows/format_description.bin")
		if err != nil {
			t.Fatal(err)
		}
		fde[len(fde)-5] = byte(replication.BINLOG_CHECKSUM_ALG_OFF)
		fdeEv, err := replication.NewBinlogParser().Parse(fde)
		if err != nil {
			t.Fatal(err)
		}
		sc.Seen(fdeEv)
		if ev, err := sc.Parse(tmRaw); err != nil || ev == nil {
			t.Fatalf("Shortcut did not take a known table map: %v, %v", ev, err)
		}
		raw := event(typ, append([]byte{testTableID, 0, 0, 0, 0, 0}, afterID...))
		mine, myErr := sc.Parse(raw)
		if myErr == nil && mine == nil {
			t.Fatal("Shortcut declined a rows event of a table map it took")
		}
		theirs, err := p.Parse(raw)
		if err != nil {
			return // go-mysql refuses it; the Shortcut may be more lenient (v2 extra data)
		}
		if myErr != nil {
			t.Fatalf("Shortcut failed (%v) where go-mysql read %+v", myErr, theirs.Event)
		}
		a, b := mine.Event.(*replication.RowsEvent), theirs.Event.(*replication.RowsEvent)
		da, _ := LazyRowsData(a)
		db, _ := LazyRowsData(b)
		if a.TableID != b.TableID || a.Flags != b.Flags || a.ColumnCount != b.ColumnCount || a.Version != b.Version ||
			!slices.Equal(a.ColumnBitmap1, b.ColumnBitmap1) || !slices.Equal(a.ColumnBitmap2, b.ColumnBitmap2) ||
			!slices.Equal(da, db) || a.Table != b.Table && a.Table.TableID != b.Table.TableID {
			t.Fatalf("Shortcut read %+v, go-mysql %+v", a, b)
		}
		if *mine.Header != *theirs.Header {
			t.Fatalf("Shortcut header %+v, go-mysql %+v", mine.Header, theirs.Header)
		}
	})
}

// oneTableMap knows one table map, by the bytes of its event body.
type oneTableMap struct {
	body []byte
	tm   *replication.TableMapEvent
}

func (m oneTableMap) KnownTableMap(body []byte) *replication.TableMapEvent {
	if string(body) == string(m.body) {
		return m.tm
	}
	return nil
}
