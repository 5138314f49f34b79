package binlog_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/ingest/binlog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/layout/value"
	"github.com/binlake/binlake/tests/testenv"
)

// typeTable is one table of the round-trip test: rows are inserted in order
// (ids 1, 2, ...), then row 1 is updated and row 2 deleted.
type typeTable struct {
	name     string
	ddl      string   // column definitions after "id INT PRIMARY KEY, "
	sqlTypes []string // expected SQLType of each column, id included
	rows     []typeRow
	update   string // SET clause applied to row 1
	updated  []any  // row 1 after the update
}

type typeRow struct {
	values string // the VALUES tuple, id included
	want   []any  // canonical values, id included
}

func TestValuesRoundTripMariaDB(t *testing.T) {
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	tables := typeTables()
	if err := db.Exec(ctx, workload(tables)...); err != nil {
		t.Fatal(err)
	}
	files, err := db.BinlogFiles()
	if err != nil {
		t.Fatal(err)
	}
	got := readBinlog(t, files)

	for _, tt := range tables {
		t.Run(tt.name, func(t *testing.T) {
			log, ok := got[tt.name]
			if !ok {
				t.Fatalf("no rows events for %s", tt.name)
			}
			checkColumns(t, log.cols, tt.sqlTypes)
			checkChanges(t, tt, log.changes)
			checkSnapshot(t, db, tt, log.cols)
		})
	}
	t.Run("minimal metadata is refused", func(t *testing.T) {
		log := got["minimal"]
		if log.err == nil || !strings.Contains(log.err.Error(), "binlog_row_metadata=FULL") {
			t.Fatalf("ColumnsFromTableMap error = %v, want one naming binlog_row_metadata=FULL", log.err)
		}
	})
	t.Run("primary keys", func(t *testing.T) {
		for name, want := range map[string][]int{"ints": {0}, "cpk": {2, 0}, "nopk": nil} {
			if pk := got[name].pk; !reflect.DeepEqual(pk, want) {
				t.Errorf("%s: primary key %v, want %v", name, pk, want)
			}
		}
	})
	t.Run("replication stream gives the same rows", func(t *testing.T) {
		streamed := streamBinlog(t, db, filepath.Base(files[0]))
		for _, tt := range tables {
			if !reflect.DeepEqual(streamed[tt.name], got[tt.name]) {
				t.Errorf("%s: the stream and the files differ", tt.name)
			}
		}
	})
	t.Run("latin1 matches the server", func(t *testing.T) {
		checkLatin1(t, db)
	})
	t.Run("ingest stores what go-mysql decodes", func(t *testing.T) {
		stored := ingestedChanges(t, files)
		for _, tt := range tables {
			if err := sameChanges(stored[tt.name], got[tt.name].changes); err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
		}
	})
}

// ingestedChanges runs ingest over the binlog files (which decodes rows
// with its own decoder, not go-mysql's) and reads back the change rows of
// every table of test.
func ingestedChanges(t *testing.T, files []string) map[string][]change {
	t.Helper()
	ctx := context.Background()
	store, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Base(files[0])
	pattern := filepath.Join(filepath.Dir(files[0]), base[:strings.LastIndexByte(base, '.')]+".[0-9]*")
	err = ingest.Run(ctx, ingest.Config{Source: "file://" + pattern, Store: store, ExitWhenCaughtUp: true,
		Filter: ingest.Filter{Include: []string{"test.*"}, Exclude: []string{"test.minimal"}},
		Log:    slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	chain, err := catalog.Open(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]change{}
	for _, m := range chain.Manifests() {
		for _, o := range m.Objects {
			if o.Kind != layout.ObjectSegment {
				continue
			}
			data, err := layout.ReadAll(ctx, store, o.Key, o.Size)
			if err != nil {
				t.Fatal(err)
			}
			_, changes, err := layout.ReadSegment(data)
			if err != nil {
				t.Fatalf("%s: %v", o.Key, err)
			}
			for _, c := range changes {
				out[o.Table] = append(out[o.Table], change{op: c.Op, before: c.Before, after: c.After})
			}
		}
	}
	return out
}

func sameChanges(got, want []change) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d changes stored, the binlog has %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.op != w.op || len(g.before) != len(w.before) || len(g.after) != len(w.after) {
			return fmt.Errorf("change %d: stored %+v, binlog %+v", i, g, w)
		}
		for j := range w.before {
			if !layout.ValuesEqual(g.before[j], w.before[j]) {
				return fmt.Errorf("change %d before column %d: stored %#v, binlog %#v", i, j+1, g.before[j], w.before[j])
			}
		}
		for j := range w.after {
			if !layout.ValuesEqual(g.after[j], w.after[j]) {
				return fmt.Errorf("change %d after column %d: stored %#v, binlog %#v", i, j+1, g.after[j], w.after[j])
			}
		}
	}
	return nil
}

// MariaDB's temporal formats from before 10.1.2 hide the fractional digits:
// binlake refuses them rather than decode them wrongly.
func TestOldTemporalFormatRefusedMariaDB(t *testing.T) {
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{ExtraArgs: []string{"--mysql56-temporal-format=OFF"}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := db.Exec(ctx, "CREATE TABLE test.old (d6 DATETIME(6))", "INSERT INTO test.old VALUES ('2024-01-02 03:04:05.25')"); err != nil {
		t.Fatal(err)
	}
	files, err := db.BinlogFiles()
	if err != nil {
		t.Fatal(err)
	}
	log := readBinlog(t, files)["old"]
	if log == nil || log.err == nil || !strings.Contains(log.err.Error(), "mysql56_temporal_format=ON") {
		t.Fatalf("table map of an old-format DATETIME(6): %+v, want an error naming mysql56_temporal_format", log)
	}
}

// workload creates the tables, inserts, updates and deletes, then writes
// two tables whose maps must be refused or checked for their keys.
func workload(tables []typeTable) []string {
	q := []string{"SET SESSION sql_mode = ''", "SET SESSION time_zone = '+02:00'", "USE test"}
	for _, tt := range tables {
		q = append(q, fmt.Sprintf("CREATE TABLE %s (id INT PRIMARY KEY, %s)", tt.name, tt.ddl))
		for _, r := range tt.rows {
			q = append(q, fmt.Sprintf("INSERT INTO %s VALUES %s", tt.name, r.values))
		}
		q = append(q,
			fmt.Sprintf("UPDATE %s SET %s WHERE id = 1", tt.name, tt.update),
			fmt.Sprintf("DELETE FROM %s WHERE id = 2", tt.name))
	}
	return append(q,
		"CREATE TABLE nopk (a INT, b VARCHAR(3))",
		"INSERT INTO nopk VALUES (1, 'x')",
		"CREATE TABLE cpk (a INT, b VARCHAR(3) CHARACTER SET latin1, c INT, PRIMARY KEY (c, a))",
		"INSERT INTO cpk VALUES (1, 'x', 2)",
		"CREATE TABLE minimal (a INT)",
		"SET GLOBAL binlog_row_metadata = 'MINIMAL'",
		"INSERT INTO minimal VALUES (1)",
	)
}

// tableLog is what the binlog says about one table.
type tableLog struct {
	cols    []layout.Column
	pk      []int
	err     error // from ColumnsFromTableMap
	changes []change
}

type change struct {
	op            layout.Op
	before, after []any
}

// binlogLogs collects what the binlog says, by table name.
type binlogLogs map[string]*tableLog

// handle converts the rows of a rows event; the first event of a table
// decides its columns.
func (logs binlogLogs) handle(e *replication.BinlogEvent) error {
	ev, ok := e.Event.(*replication.RowsEvent)
	if !ok {
		return nil
	}
	name := string(ev.Table.Table)
	log := logs[name]
	if log == nil {
		log = &tableLog{}
		logs[name] = log
		log.cols, log.pk, log.err = binlog.ColumnsFromTableMap(ev.Table)
	}
	if log.err != nil {
		return nil
	}
	return log.add(ev)
}

// readBinlog parses the binlog files as ingest does and converts every row.
func readBinlog(t *testing.T, files []string) binlogLogs {
	t.Helper()
	logs := binlogLogs{}
	p := replication.NewBinlogParser()
	binlog.ConfigureParser(p, "mariadb")
	for _, f := range files {
		if err := p.ParseFile(f, 0, logs.handle); err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
	}
	return logs
}

// streamBinlog reads the same events as a replica, with checksums
// verified, until the last table of the workload shows up.
func streamBinlog(t *testing.T, db *testenv.MariaDB, firstFile string) binlogLogs {
	t.Helper()
	cfg := replication.BinlogSyncerConfig{ServerID: 1000, Flavor: "mariadb", Host: db.Host, Port: uint16(db.Port),
		User: db.User, Password: db.Password, Logger: slog.New(slog.DiscardHandler)}
	binlog.ConfigureSyncer(&cfg)
	syncer := replication.NewBinlogSyncer(cfg)
	defer syncer.Close()
	streamer, err := syncer.StartSync(mysql.Position{Name: firstFile, Pos: 4})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	logs := binlogLogs{}
	for logs["minimal"] == nil {
		e, err := streamer.GetEvent(ctx)
		if err != nil {
			t.Fatalf("stream binlog: %v", err)
		}
		if err := logs.handle(e); err != nil {
			t.Fatal(err)
		}
	}
	return logs
}

func (l *tableLog) add(ev *replication.RowsEvent) error {
	images := make([][]any, len(ev.Rows))
	for i, row := range ev.Rows {
		images[i] = make([]any, len(row))
		for j, v := range row {
			c, err := binlog.Canonical(&l.cols[j], v)
			if err != nil {
				return err
			}
			images[i][j] = c
		}
	}
	switch ev.Type() {
	case replication.EnumRowsEventTypeInsert:
		for _, img := range images {
			l.changes = append(l.changes, change{op: layout.OpInsert, after: img})
		}
	case replication.EnumRowsEventTypeDelete:
		for _, img := range images {
			l.changes = append(l.changes, change{op: layout.OpDelete, before: img})
		}
	case replication.EnumRowsEventTypeUpdate:
		for i := 0; i+1 < len(images); i += 2 {
			l.changes = append(l.changes, change{op: layout.OpUpdate, before: images[i], after: images[i+1]})
		}
	default:
		return errors.New("unknown rows event type")
	}
	return nil
}

func checkColumns(t *testing.T, cols []layout.Column, want []string) {
	t.Helper()
	var got []string
	for _, c := range cols {
		got = append(got, c.SQLType)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SQL types\n got %q\nwant %q", got, want)
	}
}

func checkChanges(t *testing.T, tt typeTable, changes []change) {
	t.Helper()
	if len(changes) != len(tt.rows)+2 {
		t.Fatalf("%d changes, want %d inserts, an update and a delete", len(changes), len(tt.rows))
	}
	for i, r := range tt.rows {
		checkImage(t, fmt.Sprintf("insert of row %d", i+1), changes[i].after, r.want)
	}
	up, del := changes[len(tt.rows)], changes[len(tt.rows)+1]
	checkImage(t, "update before image", up.before, tt.rows[0].want)
	checkImage(t, "update after image", up.after, tt.updated)
	checkImage(t, "delete before image", del.before, tt.rows[1].want)
}

// checkSnapshot reads the table back over the binary protocol and checks
// that FromSQL gives what the binlog gave.
func checkSnapshot(t *testing.T, db *testenv.MariaDB, tt typeTable, cols []layout.Column) {
	t.Helper()
	conn, err := db.Connect(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range value.SessionSQL {
		if _, err := conn.Execute(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	r, err := conn.Execute("SELECT * FROM "+tt.name+" WHERE id >= ? ORDER BY id", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{tt.updated}
	for _, row := range tt.rows[2:] {
		want = append(want, row.want)
	}
	if r.RowNumber() != len(want) {
		t.Fatalf("snapshot has %d rows, want %d", r.RowNumber(), len(want))
	}
	for i := range want {
		img := make([]any, len(cols))
		for j := range cols {
			v, err := r.GetValue(i, j)
			if err != nil {
				t.Fatal(err)
			}
			if img[j], err = value.FromSQL(&cols[j], v); err != nil {
				t.Fatal(err)
			}
		}
		checkImage(t, fmt.Sprintf("snapshot row with id %v", want[i][0]), img, want[i])
	}
}

func checkImage(t *testing.T, what string, got, want []any) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	for j := range want {
		if !layout.Identical(got[j], want[j]) {
			t.Errorf("%s, column %d: got %#v, want %#v", what, j, got[j], want[j])
		}
	}
}

// checkLatin1 compares the latin1 decoding with the server's own
// conversion of every byte to utf8mb4.
func checkLatin1(t *testing.T, db *testenv.MariaDB) {
	conn, err := db.Connect(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	r, err := conn.Execute(fmt.Sprintf("SELECT CONVERT(_latin1 X'%X' USING utf8mb4)", all))
	if err != nil {
		t.Fatal(err)
	}
	server, err := r.GetString(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	col := layout.Column{Name: "l", Kind: layout.KindString, Charset: "latin1"}
	ours, err := binlog.Canonical(&col, all)
	if err != nil {
		t.Fatal(err)
	}
	if ours != server {
		t.Errorf("latin1 decoding differs from the server's:\n ours %+q\nserver %+q", ours, server)
	}
}

// geometry builds MySQL's internal geometry value: SRID, then little-endian
// WKB of a point (one ring of one point) or a polygon.
func geometry(srid uint32, wkbType uint32, rings ...[]float64) []byte {
	b := binary.LittleEndian.AppendUint32(nil, srid)
	b = append(b, 1)
	b = binary.LittleEndian.AppendUint32(b, wkbType)
	if wkbType == 3 {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(rings)))
	}
	for _, ring := range rings {
		if wkbType == 3 {
			b = binary.LittleEndian.AppendUint32(b, uint32(len(ring)/2))
		}
		for _, f := range ring {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
		}
	}
	return b
}

// latin1High is bytes 0x80..0xFF of MySQL's latin1 (cp1252 with the five
// holes mapped to C1 controls), spelled out independently of the code.
var latin1High = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ" +
	"\u00a0¡¢£¤¥¦§¨©ª«¬\u00ad®¯°±²³´µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ"

func byteRange(lo, hi int) []byte {
	b := make([]byte, 0, hi-lo+1)
	for i := lo; i <= hi; i++ {
		b = append(b, byte(i))
	}
	return b
}

func nulls(id int64, n int) []any {
	return append([]any{id}, make([]any, n)...)
}

func typeTables() []typeTable {
	return []typeTable{{
		name: "ints",
		ddl: "ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED, " +
			"i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED",
		sqlTypes: []string{"int", "tinyint", "tinyint unsigned", "smallint", "smallint unsigned", "mediumint",
			"mediumint unsigned", "int", "int unsigned", "bigint", "bigint unsigned"},
		rows: []typeRow{
			{"(1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1)",
				[]any{int64(1), int64(-1), uint64(1), int64(-1), uint64(1), int64(-1), uint64(1), int64(-1), uint64(1), int64(-1), uint64(1)}},
			{"(2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)",
				[]any{int64(2), int64(0), uint64(0), int64(0), uint64(0), int64(0), uint64(0), int64(0), uint64(0), int64(0), uint64(0)}},
			{"(3, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0)",
				[]any{int64(3), int64(-128), uint64(0), int64(-32768), uint64(0), int64(-8388608), uint64(0), int64(-2147483648), uint64(0), int64(math.MinInt64), uint64(0)}},
			{"(4, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615)",
				[]any{int64(4), int64(127), uint64(255), int64(32767), uint64(65535), int64(8388607), uint64(16777215), int64(2147483647), uint64(4294967295), int64(math.MaxInt64), uint64(math.MaxUint64)}},
			{"(5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)", nulls(5, 10)},
		},
		update:  "ti = 100, biu = 18446744073709551615, mi = NULL",
		updated: []any{int64(1), int64(100), uint64(1), int64(-1), uint64(1), nil, uint64(1), int64(-1), uint64(1), int64(-1), uint64(math.MaxUint64)},
	}, {
		name:     "nums",
		ddl:      "f FLOAT, d DOUBLE, dbig DECIMAL(65,30), dsmall DECIMAL(10,2), b1 BIT(1), b64 BIT(64), y YEAR",
		sqlTypes: []string{"int", "float", "double", "decimal(65,30)", "decimal(10,2)", "bit(1)", "bit(64)", "year"},
		rows: []typeRow{
			{"(1, 0.1, 0.1, '1.5', '-12.5', b'1', b'101', 2024)",
				[]any{int64(1), float32(0.1), 0.1, "1.500000000000000000000000000000", "-12.50", uint64(1), uint64(5), int64(2024)}},
			{"(2, 0, 0, 0, 0, b'0', 0, 0)",
				[]any{int64(2), float32(0), 0.0, "0.000000000000000000000000000000", "0.00", uint64(0), uint64(0), int64(0)}},
			// -1e-50 underflows to a FLOAT -0, which the binlog keeps and
			// SELECT returns as 0: both paths give 0.
			{"(3, -1e-50, -0e0, '-99999999999999999999999999999999999.999999999999999999999999999999', '-99999999.99', b'0', " +
				"b'1111111111111111111111111111111111111111111111111111111111111111', 1901)",
				[]any{int64(3), float32(0), float64(0), "-99999999999999999999999999999999999.999999999999999999999999999999", "-99999999.99",
					uint64(0), uint64(math.MaxUint64), int64(1901)}},
			{"(4, 3.4028234663852886e38, 1.7976931348623157e308, '99999999999999999999999999999999999.999999999999999999999999999999', " +
				"'99999999.99', b'1', 0x8000000000000001, 2155)",
				[]any{int64(4), float32(math.MaxFloat32), math.MaxFloat64, "99999999999999999999999999999999999.999999999999999999999999999999",
					"99999999.99", uint64(1), uint64(0x8000000000000001), int64(2155)}},
			{"(5, 1.401298464324817e-45, 1e-300, '-0.000000000000000000000000000001', '0.05', NULL, NULL, NULL)",
				[]any{int64(5), float32(math.SmallestNonzeroFloat32), 1e-300, "-0.000000000000000000000000000001", "0.05", nil, nil, nil}},
			{"(6, 1e38, -1e-320, '12345678901234567890123456789012345.123456789012345678901234567890', '-0.05', NULL, NULL, NULL)",
				[]any{int64(6), float32(1e38), -1e-320, "12345678901234567890123456789012345.123456789012345678901234567890", "-0.05", nil, nil, nil}},
			{"(7, NULL, NULL, NULL, NULL, NULL, NULL, NULL)", nulls(7, 7)},
		},
		update:  "f = -f, dsmall = dsmall * 2, b64 = b64 + 1, y = 1999",
		updated: []any{int64(1), float32(-0.1), 0.1, "1.500000000000000000000000000000", "-25.00", uint64(1), uint64(6), int64(1999)},
	}, {
		name: "times",
		ddl: "d DATE, dt0 DATETIME, dt3 DATETIME(3), dt6 DATETIME(6), ts0 TIMESTAMP NULL, ts6 TIMESTAMP(6) NULL, " +
			"t0 TIME, t2 TIME(2), t6 TIME(6), ts1 TIMESTAMP(1) NULL",
		sqlTypes: []string{"int", "date", "datetime", "datetime(3)", "datetime(6)", "timestamp", "timestamp(6)",
			"time", "time(2)", "time(6)", "timestamp(1)"},
		// The session's time zone is +02:00: TIMESTAMP values come back in UTC.
		rows: []typeRow{
			{"(1, '2024-02-29', '2024-02-29 23:59:59', '2024-02-29 23:59:59.999', '2024-02-29 23:59:59.123456', " +
				"'2024-03-01 02:00:00', '2024-03-01 02:00:00.5', '12:34:56', '-00:00:01.10', '-838:59:59.000000', '2024-03-01 02:00:00.1')",
				[]any{int64(1), "2024-02-29", "2024-02-29 23:59:59", "2024-02-29 23:59:59.999", "2024-02-29 23:59:59.123456",
					"2024-03-01 00:00:00", "2024-03-01 00:00:00.500000", "12:34:56", "-00:00:01.10", "-838:59:59.000000", "2024-03-01 00:00:00.1"}},
			{"(2, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00', " +
				"'0000-00-00 00:00:00', '0000-00-00 00:00:00', '00:00:00', '00:00:00', '00:00:00', '0000-00-00 00:00:00')",
				[]any{int64(2), "0000-00-00", "0000-00-00 00:00:00", "0000-00-00 00:00:00.000", "0000-00-00 00:00:00.000000",
					"0000-00-00 00:00:00", "0000-00-00 00:00:00.000000", "00:00:00", "00:00:00.00", "00:00:00.000000", "0000-00-00 00:00:00.0"}},
			{"(3, '2020-00-00', '2020-01-00 10:00:00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00', " +
				"'0000-00-00 00:00:00', '0000-00-00 00:00:00', '838:59:59', '-838:59:59', '00:00:00', '0000-00-00 00:00:00')",
				[]any{int64(3), "2020-00-00", "2020-01-00 10:00:00", "0000-00-00 00:00:00.000", "0000-00-00 00:00:00.000000",
					"0000-00-00 00:00:00", "0000-00-00 00:00:00.000000", "838:59:59", "-838:59:59.00", "00:00:00.000000", "0000-00-00 00:00:00.0"}},
			{"(4, '1000-01-01', '1000-01-01 00:00:00', '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999', " +
				"'1970-01-01 02:00:01', '2038-01-19 05:14:07.999999', '-838:59:59', '838:59:59.00', '-00:00:00.000001', '1970-01-01 02:00:01.0')",
				[]any{int64(4), "1000-01-01", "1000-01-01 00:00:00", "9999-12-31 23:59:59.999", "9999-12-31 23:59:59.999999",
					"1970-01-01 00:00:01", "2038-01-19 03:14:07.999999", "-838:59:59", "838:59:59.00", "-00:00:00.000001", "1970-01-01 00:00:01.0"}},
			{"(5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)", nulls(5, 10)},
		},
		update: "dt6 = '2000-01-01 00:00:00', t6 = '100:00:00.5', ts6 = '2024-06-01 02:00:00'",
		updated: []any{int64(1), "2024-02-29", "2024-02-29 23:59:59", "2024-02-29 23:59:59.999", "2000-01-01 00:00:00.000000",
			"2024-03-01 00:00:00", "2024-06-01 00:00:00.000000", "12:34:56", "-00:00:01.10", "100:00:00.500000", "2024-03-01 00:00:00.1"},
	}, {
		name: "texts",
		ddl: "c CHAR(10), vc VARCHAR(20), tx TEXT, cl CHAR(100), u VARCHAR(10) COLLATE utf8mb4_uca1400_ai_ci, g GEOMETRY, " +
			"lc CHAR(5) CHARACTER SET latin1, lvc VARCHAR(300) CHARACTER SET latin1, ltx MEDIUMTEXT CHARACTER SET latin1, j JSON",
		sqlTypes: []string{"int", "char(10)", "varchar(20)", "text", "char(100)", "varchar(10)", "geometry",
			"char(5)", "varchar(300)", "mediumtext", "longtext"},
		rows: []typeRow{
			{`(1, 'héllo 😀', '😀🎉 naïve', 'text ✓', REPEAT('ü', 100), 'Straße', ST_GeomFromText('POINT(1 2)'), 'é€', 'Ça coûte 5€', 'L''été', '{"a": [1, 2.5, "é"], "b": null}')`,
				[]any{int64(1), "héllo 😀", "😀🎉 naïve", "text ✓", strings.Repeat("ü", 100), "Straße", geometry(0, 1, []float64{1, 2}),
					"é€", "Ça coûte 5€", "L'été", `{"a": [1, 2.5, "é"], "b": null}`}},
			{"(2, 'ab  ', 'x  ', '', '', '', ST_GeomFromText('POLYGON((0 0,4 0,4 4,0 4,0 0))', 4326), '', X'" +
				fmt.Sprintf("%X", byteRange(0x80, 0xFF)) + "', X'00FF', '[]')",
				[]any{int64(2), "ab", "x  ", "", "", "", geometry(4326, 3, []float64{0, 0, 4, 0, 4, 4, 0, 4, 0, 0}),
					"", latin1High, "\x00ÿ", "[]"}},
			{"(3, 'ab  ', 'x  ', '', '', '', ST_GeomFromText('POLYGON((0 0,4 0,4 4,0 4,0 0))', 4326), '', X'" +
				fmt.Sprintf("%X", byteRange(0x80, 0xFF)) + "', X'00FF', '[]')",
				[]any{int64(3), "ab", "x  ", "", "", "", geometry(4326, 3, []float64{0, 0, 4, 0, 4, 4, 0, 4, 0, 0}),
					"", latin1High, "\x00ÿ", "[]"}},
			{"(4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)", nulls(4, 10)},
		},
		update: "vc = 'ok', lc = 'ÿ', g = ST_GeomFromText('POINT(-1.5 1e300)')",
		updated: []any{int64(1), "héllo 😀", "ok", "text ✓", strings.Repeat("ü", 100), "Straße", geometry(0, 1, []float64{-1.5, 1e300}),
			"ÿ", "Ça coûte 5€", "L'été", `{"a": [1, 2.5, "é"], "b": null}`},
	}, {
		name: "blobs",
		ddl: "bin BINARY(4), vb VARBINARY(10), tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB, " +
			"e ENUM('a','b','it''s','é') CHARACTER SET latin1, s SET('x','y','z'), p POINT",
		sqlTypes: []string{"int", "binary(4)", "varbinary(10)", "tinyblob", "blob", "mediumblob", "longblob",
			"enum('a','b','it''s','é')", "set('x','y','z')", "point"},
		rows: []typeRow{
			{fmt.Sprintf("(1, X'0102', X'00FF00', X'', X'DEADBEEF', X'00', X'%X', 'é', 'z,x', ST_GeomFromText('POINT(3 4)'))", byteRange(0, 255)),
				[]any{int64(1), []byte{1, 2, 0, 0}, []byte{0, 0xff, 0}, []byte{}, []byte{0xde, 0xad, 0xbe, 0xef}, []byte{0},
					byteRange(0, 255), "é", "x,z", geometry(0, 1, []float64{3, 4})}},
			{"(2, X'00000000', X'', X'01', X'', X'', X'', 'zzz', '', NULL)",
				[]any{int64(2), []byte{0, 0, 0, 0}, []byte{}, []byte{1}, []byte{}, []byte{}, []byte{}, "", "", nil}},
			{"(3, X'01000000', 'abc', X'FF', X'00', X'', X'FF00', 'it''s', 'x,y,z', ST_GeomFromText('POINT(0 0)'))",
				[]any{int64(3), []byte{1, 0, 0, 0}, []byte("abc"), []byte{0xff}, []byte{0}, []byte{}, []byte{0xff, 0},
					"it's", "x,y,z", geometry(0, 1, []float64{0, 0})}},
			{"(4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)", nulls(4, 9)},
			{"(5, X'00000000', X'', X'', X'', X'', X'', 'zzz', '', NULL)",
				[]any{int64(5), []byte{0, 0, 0, 0}, []byte{}, []byte{}, []byte{}, []byte{}, []byte{}, "", "", nil}},
		},
		update: "bin = X'FFFFFFFF', e = 'a', s = 'y'",
		updated: []any{int64(1), []byte{0xff, 0xff, 0xff, 0xff}, []byte{0, 0xff, 0}, []byte{}, []byte{0xde, 0xad, 0xbe, 0xef}, []byte{0},
			byteRange(0, 255), "a", "y", geometry(0, 1, []float64{3, 4})},
	}}
}
