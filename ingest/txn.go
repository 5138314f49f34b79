package ingest

import (
	"time"

	"github.com/binlake/binlake/layout"
)

// txn is one source transaction, assembled from binlog events and ready to
// become a commit of the chain. Its change rows are in the segments of the
// batch it belongs to; it keeps what the manifest records.
type txn struct {
	n    uint64 // commit number
	kind layout.CommitKind
	gtid string
	time time.Time
	// preciseTime is set when the source gave a sub-second commit time.
	preciseTime bool
	ddl         string
	schema      string // default database of a DDL statement
	// end is the source position just after the transaction, including the
	// GTID set that covers it.
	end layout.Position
	// tables counts the change rows per table and schema version, in
	// first-touched order.
	tables []*tableChanges
	// schemas are the schema versions this transaction introduced.
	schemas []layout.TableSchema
	// stored are objects already in the store that the commit adds: the
	// checkpoint parts of the initial snapshot, the segments a large
	// transaction spilled while it was read.
	stored []layout.Object
	seq    uint32
	rows   int
	// unspilled is about how many bytes of the transaction's rows are in
	// the builders; timeFixed is set once rows were written with time.
	unspilled int
	timeFixed bool
	// replayed is set for a transaction the chain already has: its events
	// are read and dropped.
	replayed bool
	// xid names the XA transaction this one prepares or completes.
	xid string
}

// tableChanges counts the change rows of one table under one schema
// version, held in seg (nil for a snapshot, whose rows are checkpoints).
type tableChanges struct {
	schema *layout.TableSchema
	seg    *segment
	counts layout.TableCount
}

// count records one change row to a table; seq numbers it inside the
// transaction.
func (t *txn) count(tc *tableChanges, op layout.Op) {
	t.seq++
	t.rows++
	switch op {
	case layout.OpInsert:
		tc.counts.Inserts++
	case layout.OpUpdate:
		tc.counts.Updates++
	case layout.OpDelete:
		tc.counts.Deletes++
	}
}

// table returns the counts of a schema version, adding them on first use.
func (t *txn) table(s *layout.TableSchema) *tableChanges {
	for _, tc := range t.tables {
		if tc.schema == s {
			return tc
		}
	}
	tc := &tableChanges{schema: s, counts: layout.TableCount{DB: s.DB, Table: s.Table}}
	t.tables = append(t.tables, tc)
	return tc
}

// record is the chain's record of the transaction as commit t.n.
func (t *txn) record() layout.Commit {
	c := layout.Commit{N: t.n, Kind: t.kind, GTID: t.gtid, File: t.end.File, Pos: t.end.Pos,
		Time: t.time.UTC(), DDL: t.ddl, Schema: t.schema, XID: t.xid}
	if len(t.tables) > 0 {
		c.Tables = make([]layout.TableCount, 0, len(t.tables))
	}
	for _, tc := range t.tables {
		c.Tables = append(c.Tables, tc.counts)
	}
	return c
}
