package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/ingest/binlog"
	"github.com/binlake/binlake/layout"
)

// assembler turns the binlog's event stream into source transactions and
// groups them into batches: it decodes each transaction's rows into the
// segment builders of the batch being built, and hands the batch on when
// the flush policy says it is due. It runs on the goroutine that reads
// events.
type assembler struct {
	tracker *tracker
	filter  *Filter
	pos     *positionTracker
	next    uint64 // number of the next commit
	cur     *txn
	batch   *batch
	pool    *builderPool
	policy  flushPolicy
	// ctx and store are where spill writes.
	ctx   context.Context
	store layout.Store
	// out receives every batch that is due, and the last one.
	out func(*batch) error
	log *slog.Logger
	// checksum is the length of the checksum that ends every event.
	checksum int
	// goMySQLOnly decodes every row with go-mysql (Config.goMySQLOnly).
	goMySQLOnly bool
	// resnap, when set, is a copy of some tables waiting for the stream to
	// reach its position (see resnapshot); cfg configures its reading.
	resnap *resnapshot
	cfg    *Config
	stats  *Stats
	// prepared are the XA transactions prepared and not yet committed or
	// rolled back, by XID.
	prepared map[string]*preparedXA
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
		return a.begin(h, e.GTID.String())
	case *replication.GTIDEvent:
		if err := a.begin(h, mysqlGTID(e)); err != nil {
			return err
		}
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
	case *replication.GenericEvent:
		if h.EventType == replication.XA_PREPARE_LOG_EVENT {
			return a.xaPrepare(h, ev.RawData)
		}
	}
	// Between transactions, events that belong to none (binlog checkpoints,
	// GTID lists, heartbeats) still move the position, so a reader waiting
	// for a head position behind them sees it reached. Resume positions are
	// taken at commits only, so re-reading these after a restart is harmless.
	if a.cur == nil && h.LogPos > a.pos.pos {
		a.pos.pos = h.LogPos // forward only: a reconnect sends the file's first events again
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

func (a *assembler) begin(h *replication.EventHeader, gtid string) error {
	if a.cur != nil {
		// A transaction that never ended (the binlog of a crashed server):
		// it was not committed, so neither are its rows.
		a.batch.dropPartial()
		a.stats.drop()
	}
	if a.batch == nil {
		a.batch = newBatch(a.pool)
	}
	if a.resnap != nil && !a.resnap.covers(a.pos.flavor, gtid, a.pos.file, h.LogPos) {
		// The first transaction after the copy's read view: the copy is
		// the commit before it.
		if err := a.takeResnapshot(); err != nil {
			return err
		}
	}
	a.cur = &txn{kind: layout.CommitDML, gtid: gtid, time: time.Unix(int64(h.Timestamp), 0)}
	seen, err := a.pos.seen(gtid, a.pos.file, h.LogPos)
	if err != nil {
		return fmt.Errorf("binlog %s:%d: %w", a.pos.file, h.LogPos, err)
	}
	if !seen {
		a.stats.begin(a.cur.time)
	} else {
		a.cur.replayed = true
		a.log.Warn("dropping a transaction the chain already has: the source sent it again",
			"gtid", gtid, "position", fmt.Sprintf("%s:%d", a.pos.file, h.LogPos), "resume", a.pos.position().String())
	}
	return nil
}

// restart drops the transaction being read and returns the position after
// the last one handed on, where a source that lost its connection must
// read again: never the replication library's own idea of where it was.
func (a *assembler) restart() layout.Position {
	if a.cur != nil {
		a.batch.dropPartial()
		a.cur = nil
		a.stats.drop()
	}
	return a.pos.position()
}

func (a *assembler) query(h *replication.EventHeader, e *replication.QueryEvent) error {
	stmt := strings.TrimSpace(string(e.Query))
	word := strings.ToUpper(firstWord(stmt))
	if a.cur != nil && a.cur.replayed {
		if word == "XA" {
			if _, _, ok := xidOfStatement(stmt); ok {
				return a.end(h) // a replayed XA COMMIT or ROLLBACK
			}
			return nil
		}
		switch word {
		case "BEGIN", "XA", "SAVEPOINT", "ROLLBACK", "INSERT", "UPDATE", "DELETE", "REPLACE", "LOAD":
			return nil
		}
		return a.end(h) // COMMIT, or a DDL that is its own transaction
	}
	switch word {
	case "BEGIN", "XA":
		if a.cur == nil {
			if err := a.begin(h, ""); err != nil {
				return err
			}
		}
		if xid, commit, ok := xidOfStatement(stmt); ok && !a.cur.replayed {
			return a.xaComplete(h, xid, commit)
		}
		return nil
	case "COMMIT":
		return a.end(h)
	case "SAVEPOINT", "ROLLBACK":
		return nil
	case "INSERT", "UPDATE", "DELETE", "REPLACE", "LOAD":
		ref, ok := statementTable(stmt, string(e.Schema))
		if ok && (!a.filter.Match(ref.DB, ref.Table) || a.skipped(ref)) {
			return nil // not replicated, or left to a pending copy of the table
		}
		what := "a table"
		if ok {
			what = ref.String()
		}
		return fmt.Errorf("binlog %s:%d holds a statement-based change of %s (%.60q): binlake needs binlog_format=ROW on the source "+
			"(SET GLOBAL binlog_format='ROW' and restart writers); then binlake ingest --resnapshot DB.TABLE copies the table afresh "+
			"and goes on past this event", a.pos.file, h.LogPos, what, stmt)
	}
	if a.cur == nil {
		if err := a.begin(h, ""); err != nil {
			return err
		}
	}
	tx := a.cur
	if tx.replayed {
		return a.end(h)
	}
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
		if err := a.begin(h, ""); err != nil {
			return err
		}
	}
	if a.cur.replayed {
		return nil
	}
	if !a.filter.Match(string(e.Table.Schema), string(e.Table.Table)) {
		return nil // a table binlake does not replicate need not meet its requirements
	}
	if a.skipped(layout.TableRef{DB: string(e.Table.Schema), Table: string(e.Table.Table)}) {
		return nil
	}
	m, err := a.tracker.mapped(e.Table)
	if err != nil {
		return fmt.Errorf("binlog %s:%d: %w", a.pos.file, h.LogPos, err)
	}
	if !fullBitmaps(e) {
		return fmt.Errorf("binlog %s:%d: rows of %s do not carry full row images: binlake needs binlog_row_image=FULL on the source "+
			"(SET GLOBAL binlog_row_image='FULL'); then binlake ingest --resnapshot %s copies the table afresh and goes on past this event",
			a.pos.file, h.LogPos, m.ref, m.ref)
	}
	op, ok := rowsEventOps[h.EventType]
	if !ok {
		return fmt.Errorf("binlog %s:%d: unsupported rows event %s", a.pos.file, h.LogPos, h.EventType)
	}
	s := a.tracker.schemaFor(m, a.next, a.cur)
	seg, err := a.batch.segment(s)
	if err != nil {
		return fmt.Errorf("binlog %s:%d: %w", a.pos.file, h.LogPos, err)
	}
	tc := a.cur.table(s)
	tc.seg = seg
	sizeBefore := seg.b.Size()
	r := rowAdder{a: a, tc: tc, b: seg.b, op: op, pk: s.PrimaryKey}
	data, lazy := binlog.LazyRowsData(e)
	if lazy && m.decoder != nil && !a.goMySQLOnly && h.EventType != replication.PARTIAL_UPDATE_ROWS_EVENT {
		err = r.decode(m.decoder, h.EventType, data)
	} else {
		if lazy {
			if err := binlog.DecodeRowsNow(e, data); err != nil {
				return fmt.Errorf("binlog %s:%d: %w", a.pos.file, h.LogPos, err)
			}
		}
		err = r.convert(m, e.Rows)
	}
	if err != nil {
		return fmt.Errorf("binlog %s:%d: %s: %w", a.pos.file, h.LogPos, m.ref, err)
	}
	if a.cur.unspilled += seg.b.Size() - sizeBefore; a.cur.unspilled >= a.policy.bytes {
		if err := a.spill(); err != nil {
			return fmt.Errorf("binlog %s:%d: %w", a.pos.file, h.LogPos, err)
		}
	}
	return nil
}

// spill stores the rows the transaction being read has so far, as segments
// of their own, and drops them from the builders: a transaction of millions
// of rows (the bulk UPDATE one may later want to revert) is held in memory
// a flush's worth at a time. The segments are named by the transaction's
// commit, so its source time is fixed from here on (the GTID event's time,
// which on MariaDB is the commit's; MySQL gives the commit time up front).
// Until that commit's manifest names them they are garbage; a transaction
// that never ends leaves them so.
func (a *assembler) spill() error {
	tx := a.cur
	tx.timeFixed = true
	for _, tc := range tx.tables {
		seg := tc.seg
		if seg == nil || seg.b.Len() == seg.committed {
			continue
		}
		seg.b.SetCommit(a.next, tx.time.UTC(), tx.gtid)
		o, err := putSegmentRange(a.ctx, a.store, seg.b, seg.committed, seg.b.Len())
		if err != nil {
			return fmt.Errorf("spill commit %d: %w", a.next, err)
		}
		tx.stored = append(tx.stored, o)
		seg.b.Truncate(seg.committed)
	}
	tx.unspilled = 0
	return nil
}

// rowsEventOps maps the rows event types to the operation of their rows.
var rowsEventOps = map[replication.EventType]layout.Op{
	replication.WRITE_ROWS_EVENTv0: layout.OpInsert, replication.WRITE_ROWS_EVENTv1: layout.OpInsert,
	replication.WRITE_ROWS_EVENTv2: layout.OpInsert, replication.MARIADB_WRITE_ROWS_COMPRESSED_EVENT_V1: layout.OpInsert,
	replication.DELETE_ROWS_EVENTv0: layout.OpDelete, replication.DELETE_ROWS_EVENTv1: layout.OpDelete,
	replication.DELETE_ROWS_EVENTv2: layout.OpDelete, replication.MARIADB_DELETE_ROWS_COMPRESSED_EVENT_V1: layout.OpDelete,
	replication.UPDATE_ROWS_EVENTv0: layout.OpUpdate, replication.UPDATE_ROWS_EVENTv1: layout.OpUpdate,
	replication.UPDATE_ROWS_EVENTv2: layout.OpUpdate, replication.MARIADB_UPDATE_ROWS_COMPRESSED_EVENT_V1: layout.OpUpdate,
	replication.PARTIAL_UPDATE_ROWS_EVENT: layout.OpUpdate,
}

// fullBitmaps reports whether a rows event's column bitmaps name every
// column (binlog_row_image=FULL).
func fullBitmaps(e *replication.RowsEvent) bool {
	for _, bitmap := range [][]byte{e.ColumnBitmap1, e.ColumnBitmap2} {
		if bitmap == nil {
			continue
		}
		for i := uint64(0); i < e.ColumnCount; i++ {
			if i/8 >= uint64(len(bitmap)) || bitmap[i/8]&(1<<(i%8)) == 0 {
				return false
			}
		}
	}
	return true
}

func (a *assembler) end(h *replication.EventHeader) error {
	if a.cur == nil {
		return nil
	}
	tx := a.cur
	a.cur = nil
	if tx.replayed {
		a.batch.dropPartial()
		return nil
	}
	if err := a.pos.commit(h.LogPos, tx.gtid); err != nil {
		return err
	}
	tx.end = a.pos.position()
	if !tx.preciseTime && !tx.timeFixed && h.Timestamp > 0 {
		tx.time = time.Unix(int64(h.Timestamp), 0) // the commit event's time
	}
	tx.n = a.next
	a.next++
	a.stats.end(tx.n)
	for _, tc := range tx.tables {
		if last, ok := tc.seg.b.LastCommit(); !ok || last != tx.n {
			continue // every row of the table was spilled
		}
		tc.seg.b.SetCommit(tx.n, tx.time.UTC(), tx.gtid)
		if err := tc.seg.b.Err(); err != nil {
			return fmt.Errorf("binlog %s:%d: commit %d: %w", a.pos.file, h.LogPos, tx.n, err)
		}
	}
	now := time.Now()
	a.batch.add(tx, now)
	if a.policy.due(a.batch, now) {
		return a.handOff()
	}
	return nil
}

// tick hands the batch on if it is due and no transaction is being read;
// the source calls it while it waits for events.
func (a *assembler) tick(now time.Time) error {
	if a.cur == nil && a.resnap != nil && a.reached(a.resnap.at) {
		if err := a.takeResnapshot(); err != nil {
			return err
		}
	}
	if a.cur == nil && a.batch != nil && a.policy.due(a.batch, now) {
		return a.handOff()
	}
	return nil
}

// finish hands on the complete transactions read so far; the rows of one
// that did not end are dropped.
func (a *assembler) finish() error {
	if a.batch == nil {
		return nil
	}
	a.batch.dropPartial()
	a.cur = nil
	if a.resnap != nil {
		if !a.reached(a.resnap.at) {
			a.log.Warn("stopped before the stream reached the copy's position: the tables were not copied; start again to copy them",
				"tables", strings.Join(refNames(a.resnap.tables), ", "), "position", a.pos.position().String(), "copy_at", a.resnap.at.String())
			a.resnap.close()
			a.resnap = nil
		} else if err := a.takeResnapshot(); err != nil {
			return err
		}
	}
	if a.batch.empty() {
		return nil
	}
	return a.handOff()
}

// skipped reports whether the changes of a table in the transaction being
// read are left to a pending copy of it (resnapshot with skip).
func (a *assembler) skipped(ref layout.TableRef) bool {
	return a.resnap != nil && a.resnap.skip && a.resnap.tables[ref]
}

// reached reports whether every transaction up to p has been read.
func (a *assembler) reached(p layout.Position) bool {
	cur := a.pos.position()
	if p.GTIDSet != "" && a.pos.gtids != nil && a.resnap != nil && a.resnap.gtids != nil {
		return a.pos.gtids.Contain(a.resnap.gtids)
	}
	return !cur.Before(p)
}

// takeResnapshot reads the pending copy into the commit numbered next and
// adds it to the batch; streaming goes on meanwhile in the server's
// buffers (and, should the connection drop, reconnects as usual).
func (a *assembler) takeResnapshot() error {
	r := a.resnap
	a.resnap = nil
	tx, err := r.take(a.ctx, a.store, a.tracker, a.next, a.cfg)
	if err != nil {
		return err
	}
	tx.end = a.pos.position()
	a.next++
	if a.batch == nil {
		a.batch = newBatch(a.pool)
	}
	a.batch.add(tx, time.Now())
	return nil
}

func (a *assembler) handOff() error {
	b := a.batch
	a.batch = newBatch(a.pool)
	return a.out(b)
}

// idle reports whether the assembler is between transactions.
func (a *assembler) idle() bool { return a.cur == nil }
