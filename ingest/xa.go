package ingest

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
)

// XA transactions reach the binlog in two event groups, each with its own
// GTID: the prepared transaction (its rows, ending with an XA_PREPARE
// event), and later XA COMMIT or XA ROLLBACK. Both are commits of the
// chain, as every source transaction is: the xa-prepare commit holds the
// rows aside in prepared objects, which readers leave alone; the XA COMMIT
// becomes a dml commit with the same rows, and an XA ROLLBACK an
// xa-rollback commit with none. The prepared rows are in the store from
// the xa-prepare commit on, so a restart between PREPARE and COMMIT loses
// nothing.

// openPrepared lists the chain's prepared XA transactions that have no
// outcome yet: a restart between PREPARE and COMMIT finds them here.
func openPrepared(chain *catalog.Chain) map[string]*preparedXA {
	out := map[string]*preparedXA{}
	for _, c := range chain.Commits() {
		switch {
		case c.XID == "":
		case c.Kind == layout.CommitXAPrepare:
			_, objs, _ := chain.Prepared(c.XID)
			out[c.XID] = &preparedXA{commit: c.N, objects: objs}
		default: // its XA COMMIT or XA ROLLBACK
			delete(out, c.XID)
		}
	}
	return out
}

// preparedXA is a prepared transaction waiting for its outcome.
type preparedXA struct {
	commit  uint64
	objects []layout.Object
}

// xaPrepare ends the transaction being read as an XA PREPARE: its rows
// are stored as prepared objects, and it becomes an xa-prepare commit
// with none.
func (a *assembler) xaPrepare(h *replication.EventHeader, raw []byte) error {
	if a.cur == nil {
		return nil
	}
	xid, err := xidOfPrepareEvent(raw, a.checksum)
	if err != nil {
		return fmt.Errorf("binlog %s:%d: XA_PREPARE event: %w", a.pos.file, h.LogPos, err)
	}
	tx := a.cur
	if tx.replayed {
		return a.end(h)
	}
	prep := &preparedXA{commit: a.next}
	for _, tc := range tx.tables {
		seg := tc.seg
		if seg == nil || seg.b.Len() == seg.committed {
			continue
		}
		seg.b.SetCommit(a.next, tx.time.UTC(), tx.gtid)
		o, err := putPrepared(a, seg.b, seg.committed, seg.b.Len())
		if err != nil {
			return fmt.Errorf("binlog %s:%d: XA PREPARE %s: %w", a.pos.file, h.LogPos, xid, err)
		}
		prep.objects = append(prep.objects, o)
		seg.b.Truncate(seg.committed)
	}
	for i := range tx.stored { // spilled while the transaction was read
		o := &tx.stored[i]
		if o.Kind == layout.ObjectSegment {
			o.Kind = layout.ObjectPrepared
			prep.objects = append(prep.objects, *o)
		}
	}
	tx.stored = prep.objects
	tx.kind, tx.xid, tx.tables, tx.rows = layout.CommitXAPrepare, xid, nil, 0
	if a.prepared == nil {
		a.prepared = map[string]*preparedXA{}
	}
	a.prepared[xid] = prep
	return a.end(h)
}

// xaComplete ends the transaction being read, the XA COMMIT or XA ROLLBACK
// of a prepared one: a commit adds the prepared rows to it.
func (a *assembler) xaComplete(h *replication.EventHeader, xid string, commit bool) error {
	tx := a.cur
	if tx.replayed {
		return a.end(h)
	}
	prep := a.prepared[xid]
	delete(a.prepared, xid)
	tx.xid = xid
	if !commit {
		tx.kind = layout.CommitXARollback
		return a.end(h)
	}
	if prep == nil {
		return fmt.Errorf("binlog %s:%d: XA COMMIT %s of a transaction prepared before the chain's history began: its rows are "+
			"not in the chain; binlake ingest --resnapshot DB.TABLE copies the tables it changed afresh", a.pos.file, h.LogPos, xid)
	}
	for _, o := range prep.objects {
		if err := a.addPrepared(o); err != nil {
			return fmt.Errorf("binlog %s:%d: XA COMMIT %s: rows prepared by commit %d: %w", a.pos.file, h.LogPos, xid, prep.commit, err)
		}
	}
	return a.end(h)
}

// addPrepared adds the rows of a prepared object to the transaction being
// read, renumbered into it.
func (a *assembler) addPrepared(o layout.Object) error {
	data, err := layout.ReadAll(a.ctx, a.store, o.Key, 1<<30)
	if err != nil {
		return err
	}
	_, changes, err := layout.ReadSegment(data)
	if err != nil {
		return fmt.Errorf("read %s: %w", o.Key, err)
	}
	s := a.tracker.set[layout.TableRef{DB: o.DB, Table: o.Table}]
	if s == nil || s.Version != o.SchemaVersion {
		return fmt.Errorf("%s.%s changed schema between XA PREPARE and XA COMMIT", o.DB, o.Table)
	}
	seg, err := a.batch.segment(s)
	if err != nil {
		return err
	}
	tc := a.cur.table(s)
	tc.seg = seg
	for i := range changes {
		c := &changes[i]
		c.Commit, c.Seq = a.next, a.cur.seq
		a.cur.count(tc, c.Op)
		if err := seg.b.AppendChange(c); err != nil {
			return err
		}
	}
	return nil
}

// putPrepared stores rows from..to of a builder as a prepared object.
func putPrepared(a *assembler, b *layout.SegmentBuilder, from, to int) (layout.Object, error) {
	s := b.Schema()
	var buf bytes.Buffer
	if err := b.WriteRange(&buf, from, to); err != nil {
		return layout.Object{}, fmt.Errorf("encode prepared rows: %w", err)
	}
	first, last := b.CommitRangeOf(from, to)
	sha := layout.Hash(buf.Bytes())
	o := layout.Object{Key: layout.PreparedKey(s.DB, s.Table, s.Version, first, sha), SHA256: sha, Size: int64(buf.Len()),
		Kind: layout.ObjectPrepared, DB: s.DB, Table: s.Table, SchemaVersion: s.Version, First: first, Last: last, Rows: int64(to - from)}
	if err := a.store.Put(a.ctx, o.Key, bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
		return o, fmt.Errorf("store prepared rows %s: %w", o.Key, err)
	}
	return o, nil
}

// xidOfPrepareEvent reads the XID of an XA_PREPARE event (one_phase byte,
// format id, gtrid and bqual lengths, the data) as MySQL writes it in XA
// statements: X'<gtrid hex>',X'<bqual hex>',<format id>.
func xidOfPrepareEvent(raw []byte, checksum int) (string, error) {
	if len(raw) < replication.EventHeaderSize+checksum+13 {
		return "", fmt.Errorf("malformed event: %d bytes", len(raw))
	}
	body := raw[replication.EventHeaderSize : len(raw)-checksum]
	format := binary.LittleEndian.Uint32(body[1:])
	gl, bl := int(binary.LittleEndian.Uint32(body[5:])), int(binary.LittleEndian.Uint32(body[9:]))
	if gl < 0 || bl < 0 || gl > 64 || bl > 64 || len(body) < 13+gl+bl {
		return "", fmt.Errorf("malformed event: XID lengths %d and %d in %d bytes", gl, bl, len(body))
	}
	data := body[13:]
	return formatXID(data[:gl], data[gl:gl+bl], format), nil
}

func formatXID(gtrid, bqual []byte, format uint32) string {
	return "X'" + hex.EncodeToString(gtrid) + "',X'" + hex.EncodeToString(bqual) + "'," + strconv.FormatUint(uint64(format), 10)
}

// xidOfStatement reads the XID of "XA COMMIT ..." or "XA ROLLBACK ..." as
// the binlog writes it (X'..',X'..',n), and whether it commits. ok is false
// for other XA statements.
func xidOfStatement(stmt string) (xid string, commit, ok bool) {
	f := strings.Fields(stmt)
	if len(f) < 3 || !strings.EqualFold(f[0], "XA") {
		return "", false, false
	}
	switch strings.ToUpper(f[1]) {
	case "COMMIT":
		commit = true
	case "ROLLBACK":
	default:
		return "", false, false
	}
	rest := strings.TrimSpace(stmt[strings.Index(strings.ToUpper(stmt), strings.ToUpper(f[1]))+len(f[1]):])
	parts := strings.Split(rest, ",")
	if len(parts) != 3 {
		return "", false, false
	}
	g, err1 := hexLiteral(parts[0])
	b, err2 := hexLiteral(parts[1])
	n, err3 := strconv.ParseUint(strings.TrimSpace(parts[2]), 10, 32)
	if err1 != nil || err2 != nil || err3 != nil {
		return "", false, false
	}
	return formatXID(g, b, uint32(n)), commit, true
}

func hexLiteral(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) < 3 || (s[0] != 'X' && s[0] != 'x') || s[1] != '\'' || s[len(s)-1] != '\'' {
		return nil, fmt.Errorf("not a hex literal: %q", s)
	}
	return hex.DecodeString(s[2 : len(s)-1])
}
