package binlog_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/ingest/binlog"
	"github.com/binlake/binlake/layout"
)

func TestConfigureSyncer(t *testing.T) {
	c := replication.BinlogSyncerConfig{Flavor: "mariadb", ParseTime: true, UseDecimal: true}
	binlog.ConfigureSyncer(&c)
	if c.ParseTime || c.UseDecimal || c.TimestampStringLocation != time.UTC || !c.RenderJSONAsMySQLText ||
		!c.VerifyChecksum || c.RowsEventDecodeFunc == nil || c.Flavor != "mariadb" {
		t.Errorf("ConfigureSyncer left %+v", c)
	}
}

func TestDecodeRowsRefusesMalformedEvents(t *testing.T) {
	tests := []struct {
		name string
		typ  replication.EventType
		body []byte
	}{
		// go-mysql's header decoding would index out of range.
		{"too short for a table id", replication.WRITE_ROWS_EVENTv1, []byte{1, 0, 0}},
		// go-mysql would add empty rows for ever (found by FuzzDecodeRows).
		{"no columns", replication.UPDATE_ROWS_EVENTv1, []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, '|'}},
		{"empty column bitmap", replication.WRITE_ROWS_EVENTv1, []byte{1, 0, 0, 0, 0, 0, 0, 0, 21, 0, 0, 0, 1, 2, 3}},
		{"more columns than the table map", replication.WRITE_ROWS_EVENTv1, []byte{1, 0, 0, 0, 0, 0, 0, 0, 22, 0xff, 0xff, 0x3f, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fixedParser(t).Parse(binlogEvent(tt.typ, tt.body))
			if err == nil || !strings.Contains(err.Error(), "malformed") {
				t.Fatalf("error %v, want a malformed-event error", err)
			}
		})
	}
}

func FuzzDecodeRows(f *testing.F) {
	f.Add(uint8(0), fixedRowsBody(false, fixedRow))
	f.Add(uint8(1), fixedRowsBody(true, fixedRow, fixedRow))
	f.Add(uint8(2), fixedRowsBody(false, fixedNullRow))
	f.Add(uint8(0), fixedRowsBody(false, fixedRow[:len(fixedRow)-7]))
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		p := fixedParser(t)
		typ := []replication.EventType{replication.WRITE_ROWS_EVENTv1, replication.UPDATE_ROWS_EVENTv1,
			replication.DELETE_ROWS_EVENTv1}[int(op)%3]
		ev, err := p.Parse(binlogEvent(typ, body))
		if err != nil {
			return
		}
		rows := ev.Event.(*replication.RowsEvent)
		cols, _, err := binlog.ColumnsFromTableMap(rows.Table)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows.Rows {
			for j, v := range row {
				if j < len(cols) {
					_, _ = binlog.Canonical(&cols[j], v)
				}
			}
		}
	})
}

func TestFixedRowsDecode(t *testing.T) {
	p := fixedParser(t)
	ev, err := p.Parse(binlogEvent(replication.WRITE_ROWS_EVENTv1, fixedRowsBody(false, fixedRow)))
	if err != nil {
		t.Fatal(err)
	}
	rows := ev.Event.(*replication.RowsEvent)
	cols, _, err := binlog.ColumnsFromTableMap(rows.Table)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{int64(7), uint64(200), int64(-1), float32(1.5), -2.25, "12.34", uint64(513), "2024-02-29",
		"0000-00-00 00:00:00.000000", "1970-01-01 00:00:01.000", "00:00:00.00", int64(2024), "abc", "é",
		[]byte{1, 0, 0, 0}, []byte{0xde, 0xad}, "hi", "b", "a,b", "true", geometry(0, 1, []float64{1, 2})}
	got := make([]any, len(cols))
	for j := range cols {
		if got[j], err = binlog.Canonical(&cols[j], rows.Rows[0][j]); err != nil {
			t.Fatal(err)
		}
	}
	checkImage(t, "fixed row", got, want)
}

// binlogEvent frames an event body with a v4 header.
func binlogEvent(typ replication.EventType, body []byte) []byte {
	h := make([]byte, replication.EventHeaderSize, replication.EventHeaderSize+len(body))
	h[4] = byte(typ)
	binary.LittleEndian.PutUint32(h[5:], 1)
	binary.LittleEndian.PutUint32(h[9:], uint32(replication.EventHeaderSize+len(body)))
	return append(h, body...)
}

// fixedParser is a parser that has read a format description (checksums
// off) and the table map of fixedTableMap.
func fixedParser(t testing.TB) *replication.BinlogParser {
	p := replication.NewBinlogParser()
	binlog.ConfigureParser(p, "mysql")
	fde := binary.LittleEndian.AppendUint16(nil, 4)
	fde = append(fde, []byte("8.0.40\x00")...)
	fde = append(fde, make([]byte, 50-len("8.0.40\x00"))...)
	fde = append(fde, 0, 0, 0, 0, replication.EventHeaderSize)
	fde = append(fde, bytes.Repeat([]byte{8}, 40)...)
	fde = append(fde, 0, 0, 0, 0, 0) // checksum algorithm off
	for _, e := range [][]byte{binlogEvent(replication.FORMAT_DESCRIPTION_EVENT, fde),
		binlogEvent(replication.TABLE_MAP_EVENT, fixedTableMap())} {
		if _, err := p.Parse(e); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// fixedTableMap describes table db.t with one column of most types:
// int, tinyint unsigned, bigint, float, double, decimal(10,2), bit(10),
// date, datetime(6), timestamp(3), time(2), year, varchar(20) utf8mb4,
// char(4) latin1, binary(4), blob, text, enum('a','b'), set('a','b'), json,
// point.
func fixedTableMap() []byte {
	types := []byte{3, 1, 8, 4, 5, 246, 16, 10, 18, 17, 19, 13, 15, 254, 254, 252, 252, 254, 254, 245, 255}
	meta := []byte{4, 8, 10, 2, 2, 1, 6, 3, 2, 80, 0, 0xfe, 4, 0xfe, 4, 2, 2, 0xf7, 1, 0xf8, 1, 4, 4}
	b := []byte{1, 0, 0, 0, 0, 0, 1, 0, 2, 'd', 'b', 0, 1, 't', 0, byte(len(types))}
	b = append(b, types...)
	b = append(b, byte(len(meta)))
	b = append(b, meta...)
	b = append(b, 0xff, 0xff, 0x1f) // all nullable
	tlv := func(typ byte, v ...byte) { b = append(append(b, typ, byte(len(v))), v...) }
	tlv(replication.TABLE_MAP_OPT_META_SIGNEDNESS, 0x40) // only the tinyint is unsigned
	tlv(replication.TABLE_MAP_OPT_META_COLUMN_CHARSET, 45, 8, 63, 63, 45)
	var names []byte
	for i := range types {
		names = append(names, 2, 'c', 'a'+byte(i))
	}
	tlv(replication.TABLE_MAP_OPT_META_COLUMN_NAME, names...)
	tlv(replication.TABLE_MAP_OPT_META_ENUM_STR_VALUE, 2, 1, 'a', 1, 'b')
	tlv(replication.TABLE_MAP_OPT_META_SET_STR_VALUE, 2, 1, 'a', 1, 'b')
	tlv(replication.TABLE_MAP_OPT_META_ENUM_AND_SET_COLUMN_CHARSET, 45, 45)
	tlv(replication.TABLE_MAP_OPT_META_GEOMETRY_TYPE, 1)
	tlv(replication.TABLE_MAP_OPT_META_SIMPLE_PRIMARY_KEY, 0)
	return b
}

// fixedRow is one row image of fixedTableMap: null bitmap, then values.
var fixedRow = bytes.Join([][]byte{
	{0, 0, 0},
	{7, 0, 0, 0}, {200}, bytes.Repeat([]byte{0xff}, 8),
	binary.LittleEndian.AppendUint32(nil, math.Float32bits(1.5)),
	binary.LittleEndian.AppendUint64(nil, math.Float64bits(-2.25)),
	{0x80, 0, 0, 12, 34}, {0x02, 0x01}, {0x5d, 0xd0, 0x0f},
	{0x80, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 1, 0, 0}, {0x80, 0, 0, 0}, {124},
	{3, 'a', 'b', 'c'}, {1, 0xe9}, {1, 1}, {2, 0, 0xde, 0xad}, {2, 0, 'h', 'i'}, {2}, {3},
	{2, 0, 0, 0, 0x04, 0x01},
	{25, 0, 0, 0}, geometry(0, 1, []float64{1, 2}),
}, nil)

// fixedNullRow is a row of NULLs.
var fixedNullRow = []byte{0xff, 0xff, 0x1f}

// fixedRowsBody is the body of a rows event of fixedTableMap.
func fixedRowsBody(update bool, rows ...[]byte) []byte {
	b := []byte{1, 0, 0, 0, 0, 0, 1, 0, 21, 0xff, 0xff, 0x1f}
	if update {
		b = append(b, 0xff, 0xff, 0x1f)
	}
	for _, r := range rows {
		b = append(b, r...)
	}
	return b
}

func TestCanonicalRefusesPartialJSON(t *testing.T) {
	col := layout.Column{Name: "js", Kind: layout.KindJSON, SQLType: "json"}
	_, err := binlog.Canonical(&col, &replication.JsonDiff{})
	if err == nil || !strings.Contains(err.Error(), "binlog_row_value_options") || !strings.Contains(err.Error(), "column js") {
		t.Fatalf("error %v, want one naming the column and binlog_row_value_options", err)
	}
}
