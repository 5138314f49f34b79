package binlog

import (
	"encoding/binary"
	"os"
	"slices"
	"testing"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
)

// Test helpers that write binlog events byte by byte, so that a table map of
// any shape and rows of any bytes can be fed to go-mysql's parser.

// testColumn is one column of a synthetic table map.
type testColumn struct {
	name     string
	typ      byte
	meta     uint16 // as go-mysql decodes it (TableMapEvent.ColumnMeta)
	unsigned bool
	coll     uint64   // collation of character, enum and set columns
	members  []string // enum and set labels
}

func (c testColumn) realType() byte {
	if c.typ == mysql.MYSQL_TYPE_STRING && c.meta >= 256 {
		if rt := byte(c.meta >> 8); rt == mysql.MYSQL_TYPE_ENUM || rt == mysql.MYSQL_TYPE_SET {
			return rt
		}
	}
	return c.typ
}

func (c testColumn) numeric() bool {
	switch c.realType() {
	case mysql.MYSQL_TYPE_TINY, mysql.MYSQL_TYPE_SHORT, mysql.MYSQL_TYPE_INT24, mysql.MYSQL_TYPE_LONG,
		mysql.MYSQL_TYPE_LONGLONG, mysql.MYSQL_TYPE_NEWDECIMAL, mysql.MYSQL_TYPE_FLOAT, mysql.MYSQL_TYPE_DOUBLE,
		mysql.MYSQL_TYPE_YEAR:
		return true
	}
	return false
}

// character reports a column of the charset metadata (MariaDB counts
// GEOMETRY there too).
func (c testColumn) character() bool {
	switch c.realType() {
	case mysql.MYSQL_TYPE_STRING, mysql.MYSQL_TYPE_VAR_STRING, mysql.MYSQL_TYPE_VARCHAR, mysql.MYSQL_TYPE_BLOB, mysql.MYSQL_TYPE_GEOMETRY:
		return true
	}
	return false
}

// metaBytes is the column's metadata as the table map stores it.
func (c testColumn) metaBytes() []byte {
	switch c.typ {
	case mysql.MYSQL_TYPE_STRING, mysql.MYSQL_TYPE_NEWDECIMAL:
		return []byte{byte(c.meta >> 8), byte(c.meta)}
	case mysql.MYSQL_TYPE_VAR_STRING, mysql.MYSQL_TYPE_VARCHAR, mysql.MYSQL_TYPE_BIT:
		return []byte{byte(c.meta), byte(c.meta >> 8)}
	case mysql.MYSQL_TYPE_BLOB, mysql.MYSQL_TYPE_DOUBLE, mysql.MYSQL_TYPE_FLOAT, mysql.MYSQL_TYPE_GEOMETRY,
		mysql.MYSQL_TYPE_JSON, mysql.MYSQL_TYPE_TIME2, mysql.MYSQL_TYPE_DATETIME2, mysql.MYSQL_TYPE_TIMESTAMP2:
		return []byte{byte(c.meta)}
	}
	return nil
}

func lenenc(dst []byte, n uint64) []byte {
	switch {
	case n < 251:
		return append(dst, byte(n))
	case n < 1<<16:
		return append(dst, 0xfc, byte(n), byte(n>>8))
	case n < 1<<24:
		return append(dst, 0xfd, byte(n), byte(n>>8), byte(n>>16))
	}
	dst = append(dst, 0xfe)
	return binary.LittleEndian.AppendUint64(dst, n)
}

func lenencBytes(dst []byte, b []byte) []byte {
	return append(lenenc(dst, uint64(len(b))), b...)
}

// event frames a body as a binlog event, without a checksum (testParser
// turns them off). Its capacity is its length: go-mysql slices values up
// to the capacity, and would read past the end of a malformed event into
// whatever followed.
func event(typ replication.EventType, body []byte) []byte {
	size := replication.EventHeaderSize + len(body)
	h := make([]byte, 0, size)
	h = binary.LittleEndian.AppendUint32(h, 1_700_000_000)
	h = append(h, byte(typ))
	h = binary.LittleEndian.AppendUint32(h, 1)
	h = binary.LittleEndian.AppendUint32(h, uint32(size))
	h = binary.LittleEndian.AppendUint32(h, 0)
	h = binary.LittleEndian.AppendUint16(h, 0)
	return slices.Clip(append(h, body...))
}

const testTableID = 42

// tableMapEvent encodes a table map of test.t with full metadata.
func tableMapEvent(cols []testColumn) []byte {
	b := []byte{testTableID, 0, 0, 0, 0, 0, 1, 0}
	b = append(append(append(b, 4), "test"...), 0)
	b = append(append(append(b, 1), "t"...), 0)
	b = lenenc(b, uint64(len(cols)))
	var meta []byte
	for _, c := range cols {
		b = append(b, c.typ)
		meta = append(meta, c.metaBytes()...)
	}
	b = lenencBytes(b, meta)
	nulls := make([]byte, (len(cols)+7)/8)
	for i := range nulls {
		nulls[i] = 0xff
	}
	b = append(b, nulls...)

	tlv := func(t byte, v []byte) { b = lenencBytes(append(b, t), v) }
	var signed []byte
	k := 0
	for _, c := range cols {
		if !c.numeric() {
			continue
		}
		if k%8 == 0 {
			signed = append(signed, 0)
		}
		if c.unsigned {
			signed[k/8] |= 0x80 >> (k % 8)
		}
		k++
	}
	tlv(replication.TABLE_MAP_OPT_META_SIGNEDNESS, signed)
	var charsets, enumSetCharsets, names, enums, sets, geoms []byte
	for _, c := range cols {
		names = lenencBytes(names, []byte(c.name))
		switch {
		case c.character():
			charsets = lenenc(charsets, c.coll)
		case c.realType() == mysql.MYSQL_TYPE_ENUM || c.realType() == mysql.MYSQL_TYPE_SET:
			enumSetCharsets = lenenc(enumSetCharsets, c.coll)
			var labels []byte
			labels = lenenc(labels, uint64(len(c.members)))
			for _, m := range c.members {
				labels = lenencBytes(labels, []byte(m))
			}
			if c.realType() == mysql.MYSQL_TYPE_ENUM {
				enums = append(enums, labels...)
			} else {
				sets = append(sets, labels...)
			}
		}
		if c.typ == mysql.MYSQL_TYPE_GEOMETRY {
			geoms = lenenc(geoms, 0)
		}
	}
	tlv(replication.TABLE_MAP_OPT_META_COLUMN_CHARSET, charsets)
	tlv(replication.TABLE_MAP_OPT_META_COLUMN_NAME, names)
	if len(enums) > 0 {
		tlv(replication.TABLE_MAP_OPT_META_ENUM_STR_VALUE, enums)
	}
	if len(sets) > 0 {
		tlv(replication.TABLE_MAP_OPT_META_SET_STR_VALUE, sets)
	}
	if len(enumSetCharsets) > 0 {
		tlv(replication.TABLE_MAP_OPT_META_ENUM_AND_SET_COLUMN_CHARSET, enumSetCharsets)
	}
	if len(geoms) > 0 {
		tlv(replication.TABLE_MAP_OPT_META_GEOMETRY_TYPE, geoms)
	}
	return event(replication.TABLE_MAP_EVENT, b)
}

// rowsEvent encodes a v1 rows event of the test table with full column
// bitmaps around the given row images; rowsData says where they start.
func rowsEvent(typ replication.EventType, ncols int, images []byte) (ev []byte, rowsData int) {
	b := []byte{testTableID, 0, 0, 0, 0, 0, 1, 0}
	b = lenenc(b, uint64(ncols))
	bitmap := make([]byte, (ncols+7)/8)
	for i := range ncols {
		bitmap[i/8] |= 1 << (i % 8)
	}
	b = append(b, bitmap...)
	if typ == replication.UPDATE_ROWS_EVENTv1 {
		b = append(b, bitmap...)
	}
	return event(typ, append(b, images...)), replication.EventHeaderSize + len(b)
}

// testParser returns a MariaDB parser set up as binlake's, past a real
// MariaDB 10.11 format description event whose checksum algorithm is set
// to none.
func testParser(t testing.TB) *replication.BinlogParser {
	t.Helper()
	fde, err := os.ReadFile("testdata/rows/format_description.bin")
	if err != nil {
		t.Fatal(err)
	}
	fde[len(fde)-5] = byte(replication.BINLOG_CHECKSUM_ALG_OFF)
	p := replication.NewBinlogParser()
	ConfigureParser(p, "mariadb")
	if _, err := p.Parse(fde); err != nil {
		t.Fatalf("parse format description: %v", err)
	}
	return p
}
