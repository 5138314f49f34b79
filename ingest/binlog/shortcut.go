package binlog

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/go-mysql-org/go-mysql/replication"
)

// Shortcut parses the events ingest reads most without go-mysql: rows
// events, and the table maps before them, of tables whose table map the
// reader of table maps has seen before (the same bytes) and whose rows RowDecoder
// decodes. go-mysql decodes every table map afresh, though a busy table's
// is the same in every transaction, and builds a parser object for every
// rows event; that was a tenth of a single core. Every other event, and
// every event of any other table, goes to go-mysql as before.
//
// Table maps hold for one statement, as in go-mysql: a rows event that ends
// a statement forgets them. A table id is either taken by the Shortcut for
// a whole statement or left to go-mysql, whose own table maps then hold.
//
// The events it returns are reused for the next one (the assembler keeps
// nothing of an event but copies), which saves five allocations an event.
type Shortcut struct {
	maps   TableMaps
	fde    *replication.FormatDescriptionEvent
	tables map[uint64]*replication.TableMapEvent // table maps of this statement taken here

	ev     replication.BinlogEvent
	header replication.EventHeader
	rows   replication.RowsEvent
	data   []any // the rows event's one value, lazyRows
	image  [1][]any
}

// TableMaps is what the shortcut needs of the reader of table maps: the
// table-map event it derived from the given bytes of an event body, if
// RowDecoder decodes the rows of that table (nil otherwise).
type TableMaps interface {
	KnownTableMap(body []byte) *replication.TableMapEvent
}

// NewShortcut returns a shortcut that takes the tables maps knows.
func NewShortcut(maps TableMaps) *Shortcut {
	return &Shortcut{maps: maps, tables: map[uint64]*replication.TableMapEvent{}}
}

// parse returns the event raw holds, or nil for go-mysql to parse it.
func (s *Shortcut) Parse(raw []byte) (*replication.BinlogEvent, error) {
	if s.fde == nil || len(raw) < replication.EventHeaderSize {
		return nil, nil
	}
	h := &s.header
	*h = replication.EventHeader{
		Timestamp: binary.LittleEndian.Uint32(raw[0:]),
		EventType: replication.EventType(raw[4]),
		ServerID:  binary.LittleEndian.Uint32(raw[5:]),
		EventSize: binary.LittleEndian.Uint32(raw[9:]),
		LogPos:    binary.LittleEndian.Uint32(raw[13:]),
		Flags:     binary.LittleEndian.Uint16(raw[17:]),
	}
	end := len(raw)
	if s.fde.ChecksumAlgorithm == replication.BINLOG_CHECKSUM_ALG_CRC32 {
		end -= replication.BinlogChecksumLength
	}
	if int(h.EventSize) != len(raw) || end < replication.EventHeaderSize {
		return nil, nil
	}
	body := raw[replication.EventHeaderSize:end]
	idSize := s.tableIDSize(h.EventType)
	if idSize == 0 || len(body) < idSize {
		return nil, nil
	}
	id := littleEndian(body[:idSize])
	if h.EventType == replication.TABLE_MAP_EVENT {
		tm := s.maps.KnownTableMap(body)
		if tm == nil || tm.TableID != id {
			delete(s.tables, id)
			return nil, nil
		}
		s.tables[id] = tm
		s.ev = replication.BinlogEvent{RawData: raw, Header: h, Event: tm}
		return &s.ev, nil
	}
	tm := s.tables[id]
	if tm == nil {
		return nil, nil
	}
	e, err := s.rowsEvent(h.EventType, body, idSize, tm)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", h.EventType, err)
	}
	s.ev = replication.BinlogEvent{RawData: raw, Header: h, Event: e}
	return &s.ev, nil
}

// tableIDSize is the width of the table id of the events the Shortcut
// takes (by their post-header length, as go-mysql reads it), 0 for others.
func (s *Shortcut) tableIDSize(t replication.EventType) int {
	switch t {
	case replication.TABLE_MAP_EVENT, replication.WRITE_ROWS_EVENTv1, replication.UPDATE_ROWS_EVENTv1,
		replication.DELETE_ROWS_EVENTv1, replication.WRITE_ROWS_EVENTv2, replication.UPDATE_ROWS_EVENTv2,
		replication.DELETE_ROWS_EVENTv2, replication.MARIADB_WRITE_ROWS_COMPRESSED_EVENT_V1,
		replication.MARIADB_UPDATE_ROWS_COMPRESSED_EVENT_V1, replication.MARIADB_DELETE_ROWS_COMPRESSED_EVENT_V1:
	default:
		return 0
	}
	lengths := s.fde.EventTypeHeaderLengths
	if int(t) > len(lengths) || t == 0 {
		return 0
	}
	if lengths[t-1] == 6 {
		return 4
	}
	return 6
}

var errShortHeader = errors.New("malformed event: it ends inside its header")

// rowsEvent decodes a rows event's header as go-mysql's DecodeHeader does
// and keeps its rows data for the assembler (as decodeRowsLazily does).
func (s *Shortcut) rowsEvent(t replication.EventType, body []byte, idSize int, tm *replication.TableMapEvent) (*replication.RowsEvent, error) {
	e := &s.rows
	*e = replication.RowsEvent{Table: tm}
	pos := idSize
	e.TableID = littleEndian(body[:idSize])
	if len(body) < pos+2 {
		return nil, errShortHeader
	}
	e.Flags = binary.LittleEndian.Uint16(body[pos:])
	pos += 2
	switch t {
	case replication.WRITE_ROWS_EVENTv2, replication.UPDATE_ROWS_EVENTv2, replication.DELETE_ROWS_EVENTv2:
		e.Version = 2
		if len(body) < pos+2 {
			return nil, errShortHeader
		}
		extra := int(binary.LittleEndian.Uint16(body[pos:]))
		if extra < 2 || len(body) < pos+extra {
			return nil, errShortHeader
		}
		pos += extra
	default:
		e.Version = 1
	}
	n, size := lengthEncoded(body[pos:])
	if size == 0 {
		return nil, errShortHeader
	}
	e.ColumnCount = n
	pos += size
	bitmap := int((n + 7) / 8)
	if n > uint64(len(body)) || len(body) < pos+bitmap {
		return nil, errShortHeader
	}
	e.ColumnBitmap1 = body[pos : pos+bitmap]
	pos += bitmap
	if t == replication.UPDATE_ROWS_EVENTv1 || t == replication.UPDATE_ROWS_EVENTv2 || t == replication.MARIADB_UPDATE_ROWS_COMPRESSED_EVENT_V1 {
		if len(body) < pos+bitmap {
			return nil, errShortHeader
		}
		e.ColumnBitmap2 = body[pos : pos+bitmap]
		pos += bitmap
	}
	if err := checkRowsHeader(e); err != nil {
		return nil, err
	}
	if s.data == nil {
		s.data = make([]any, 1)
	}
	s.data[0] = lazyRows(body[pos:]) // boxes the slice header: one allocation
	s.image[0] = s.data
	e.Rows = s.image[:]
	return e, nil
}

// lengthEncoded reads a MySQL length-encoded integer; size 0 means b is too
// short.
func lengthEncoded(b []byte) (n uint64, size int) {
	if len(b) == 0 {
		return 0, 0
	}
	switch b[0] {
	case 0xfc:
		size = 3
	case 0xfd:
		size = 4
	case 0xfe:
		size = 9
	default:
		return uint64(b[0]), 1
	}
	if len(b) < size {
		return 0, 0
	}
	return littleEndian(b[1:size]), size
}

// seen follows the events read, whichever parsed them: the format
// description, and the end of each statement.
func (s *Shortcut) Seen(ev *replication.BinlogEvent) {
	switch e := ev.Event.(type) {
	case *replication.FormatDescriptionEvent:
		s.fde = e
		clear(s.tables)
	case *replication.RowsEvent:
		if e.Flags&replication.RowsEventStmtEndFlag != 0 {
			clear(s.tables)
		}
	}
}
