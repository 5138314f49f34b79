package ingest

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/layout"
)

// assembler turns the binlog's event stream into source transactions. It
// runs on the goroutine that reads events, because go-mysql's decoded
// values may point into buffers that are reused after each event.
type assembler struct {
	tracker *tracker
	filter  *Filter
	pos     *positionTracker
	next    uint64 // number of the next commit
	cur     *txn
	emit    func(*txn) error
	log     *slog.Logger
	// checksum is the length of the checksum that ends every event.
	checksum int
}

// handle processes one event read from file.
func (a *assembler) handle(file string, ev *replication.BinlogEvent) error {
	a.pos.file = file
	h := ev.Header
	switch e := ev.Event.(type) {
	case *replication.RotateEvent:
		a.pos.rotate(string(e.NextLogName), uint32(e.Position))
		return nil
	case *replication.MariadbGTIDEvent:
		a.begin(h, e.GTID.String())
		return nil
	case *replication.GTIDEvent:
		a.begin(h, mysqlGTID(e))
		if e.OriginalCommitTimestamp > 0 {
			a.cur.time, a.cur.preciseTime = time.UnixMicro(int64(e.OriginalCommitTimestamp)), true
		}
		return nil
	case *replication.FormatDescriptionEvent:
		a.checksum = 0
		if e.ChecksumAlgorithm == replication.BINLOG_CHECKSUM_ALG_CRC32 {
			a.checksum = replication.BinlogChecksumLength
		}
	case *replication.TableMapEvent:
		// The body without its checksum, which covers the header's
		// timestamp and position too.
		if end := len(ev.RawData) - a.checksum; end > replication.EventHeaderSize {
			a.tracker.tableMap(e, ev.RawData[replication.EventHeaderSize:end])
		}
		return nil
	case *replication.QueryEvent:
		return a.query(h, e)
	case *replication.RowsEvent:
		return a.rows(h, e)
	case *replication.XIDEvent:
		return a.end(h)
	}
	// Between transactions, events that belong to none (binlog checkpoints,
	// GTID lists, heartbeats) still move the position, so a reader waiting
	// for a head position behind them sees it reached. Resume positions are
	// taken at commits only, so re-reading these after a restart is harmless.
	if a.cur == nil && h.LogPos > 0 {
		a.pos.pos = h.LogPos
	}
	return nil
}

func mysqlGTID(e *replication.GTIDEvent) string {
	sid := e.SID
	if len(sid) != 16 {
		return ""
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x:%d", sid[0:4], sid[4:6], sid[6:8], sid[8:10], sid[10:16], e.GNO)
}

func (a *assembler) begin(h *replication.EventHeader, gtid string) {
	a.cur = &txn{kind: layout.CommitDML, gtid: gtid, time: time.Unix(int64(h.Timestamp), 0)}
}

func (a *assembler) query(h *replication.EventHeader, e *replication.QueryEvent) error {
	stmt := strings.TrimSpace(string(e.Query))
	word := strings.ToUpper(firstWord(stmt))
	switch word {
	case "BEGIN", "XA":
		if a.cur == nil {
			a.begin(h, "")
		}
		return nil
	case "COMMIT":
		return a.end(h)
	case "SAVEPOINT", "ROLLBACK":
		return nil
	case "INSERT", "UPDATE", "DELETE", "REPLACE", "LOAD":
		return fmt.Errorf("binlog %s:%d holds a statement-based change (%.60q): binlake needs binlog_format=ROW on the source (SET GLOBAL binlog_format='ROW' and restart writers)", a.pos.file, h.LogPos, stmt)
	}
	if a.cur == nil {
		a.begin(h, "")
	}
	tx := a.cur
	if tx.rows > 0 {
		return fmt.Errorf("binlog %s:%d: DDL inside a transaction with row changes is not supported: %.80q", a.pos.file, h.LogPos, stmt)
	}
	tx.kind, tx.ddl, tx.schema = layout.CommitDDL, stmt, string(e.Schema)
	if err := a.tracker.ddl(tx.schema, stmt, a.next, tx.time, tx, a.filter); err != nil {
		return err
	}
	return a.end(h)
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t\r\n("); i >= 0 {
		return s[:i]
	}
	return s
}

func (a *assembler) rows(h *replication.EventHeader, e *replication.RowsEvent) error {
	if a.cur == nil {
		a.begin(h, "")
	}
	m, err := a.tracker.mapped(e.Table)
	if err != nil {
		return fmt.Errorf("binlog %s:%d: %w", a.pos.file, h.LogPos, err)
	}
	if len(e.ColumnBitmap1) > 0 || len(e.ColumnBitmap2) > 0 || len(e.SkippedColumns) > 0 {
		if !fullImage(e) {
			return fmt.Errorf("binlog %s:%d: rows of %s do not carry full row images: binlake needs binlog_row_image=FULL on the source (SET GLOBAL binlog_row_image='FULL')", a.pos.file, h.LogPos, m.ref)
		}
	}
	if !a.filter.Match(m.ref.DB, m.ref.Table) {
		return nil
	}
	s := a.tracker.schemaFor(m, a.next, a.cur)
	return a.addRows(h, e, m, s)
}

// fullImage reports whether a rows event's column bitmaps cover every column.
func fullImage(e *replication.RowsEvent) bool {
	for _, skipped := range e.SkippedColumns {
		if len(skipped) > 0 {
			return false
		}
	}
	return true
}

func (a *assembler) addRows(h *replication.EventHeader, e *replication.RowsEvent, m *mappedTable, s *layout.TableSchema) error {
	convert := func(row []any) ([]any, error) {
		out := make([]any, len(m.cols))
		for i := range m.cols {
			if i >= len(row) {
				return nil, fmt.Errorf("row of %s has %d values, table map has %d columns", m.ref, len(row), len(m.cols))
			}
			v, err := Canonical(&m.cols[i], row[i])
			if err != nil {
				return nil, fmt.Errorf("binlog %s:%d: %s.%s: %w", a.pos.file, h.LogPos, m.ref, m.cols[i].Name, err)
			}
			if b, ok := v.([]byte); ok {
				v = append([]byte(nil), b...) // the event buffer is reused
			}
			out[i] = v
		}
		return out, nil
	}
	switch h.EventType {
	case replication.WRITE_ROWS_EVENTv0, replication.WRITE_ROWS_EVENTv1, replication.WRITE_ROWS_EVENTv2, replication.MARIADB_WRITE_ROWS_COMPRESSED_EVENT_V1:
		for _, r := range e.Rows {
			after, err := convert(r)
			if err != nil {
				return err
			}
			a.cur.add(s, layout.OpInsert, nil, after)
		}
	case replication.DELETE_ROWS_EVENTv0, replication.DELETE_ROWS_EVENTv1, replication.DELETE_ROWS_EVENTv2, replication.MARIADB_DELETE_ROWS_COMPRESSED_EVENT_V1:
		for _, r := range e.Rows {
			before, err := convert(r)
			if err != nil {
				return err
			}
			a.cur.add(s, layout.OpDelete, before, nil)
		}
	case replication.UPDATE_ROWS_EVENTv0, replication.UPDATE_ROWS_EVENTv1, replication.UPDATE_ROWS_EVENTv2, replication.MARIADB_UPDATE_ROWS_COMPRESSED_EVENT_V1, replication.PARTIAL_UPDATE_ROWS_EVENT:
		if len(e.Rows)%2 != 0 {
			return fmt.Errorf("binlog %s:%d: update of %s has an odd number of images", a.pos.file, h.LogPos, m.ref)
		}
		for i := 0; i < len(e.Rows); i += 2 {
			before, err := convert(e.Rows[i])
			if err != nil {
				return err
			}
			after, err := convert(e.Rows[i+1])
			if err != nil {
				return err
			}
			if len(s.PrimaryKey) > 0 && !sameKey(s.PrimaryKey, before, after) {
				a.cur.add(s, layout.OpDelete, before, nil)
				a.cur.add(s, layout.OpInsert, nil, after)
				continue
			}
			a.cur.add(s, layout.OpUpdate, before, after)
		}
	default:
		return fmt.Errorf("binlog %s:%d: unsupported rows event %s", a.pos.file, h.LogPos, h.EventType)
	}
	return nil
}

func (a *assembler) end(h *replication.EventHeader) error {
	if a.cur == nil {
		return nil
	}
	tx := a.cur
	a.cur = nil
	if err := a.pos.commit(h.LogPos, tx.gtid); err != nil {
		return err
	}
	tx.end = a.pos.position()
	if !tx.preciseTime && h.Timestamp > 0 {
		tx.time = time.Unix(int64(h.Timestamp), 0) // the commit event's time
	}
	tx.n = a.next
	a.next++
	return a.emit(tx)
}

// idle reports whether the assembler is between transactions.
func (a *assembler) idle() bool { return a.cur == nil }

// sameKey reports whether two images agree on the primary-key columns.
func sameKey(pk []int, a, b []any) bool {
	for _, i := range pk {
		if !layout.ValuesEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}
