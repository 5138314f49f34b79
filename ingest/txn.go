package ingest

import (
	"time"

	"github.com/binlake/binlake/layout"
)

// txn is one source transaction, assembled from binlog events and ready to
// become a commit of the chain.
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
	// tables holds the change rows per table, in first-touched order.
	tables []*tableChanges
	// schemas are the schema versions this transaction introduced.
	schemas []layout.TableSchema
	// checkpoints are full table states stored with the commit (snapshot).
	checkpoints []checkpoint
	seq         uint32
	rows        int
}

// tableChanges are the change rows of one table under one schema version.
type tableChanges struct {
	schema  *layout.TableSchema
	changes []layout.Change
	counts  layout.TableCount
}

// checkpoint is a full table state taken by the initial snapshot.
type checkpoint struct {
	schema *layout.TableSchema
	rows   [][]any
}

// add appends a change row to the table's list, numbering it inside the
// transaction.
func (t *txn) add(s *layout.TableSchema, op layout.Op, before, after []any) {
	tc := t.table(s)
	tc.changes = append(tc.changes, layout.Change{Seq: t.seq, Op: op, Before: before, After: after})
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

// commit turns the transaction into the chain's record of commit n (the
// number the assembler gave it), and stamps n, time and GTID on its change
// rows.
func (t *txn) commit(n uint64) layout.Commit {
	c := layout.Commit{N: n, Kind: t.kind, GTID: t.gtid, File: t.end.File, Pos: t.end.Pos,
		Time: t.time.UTC(), DDL: t.ddl, Schema: t.schema}
	for _, tc := range t.tables {
		for i := range tc.changes {
			ch := &tc.changes[i]
			ch.Commit, ch.Time, ch.GTID = n, c.Time, t.gtid
		}
		c.Tables = append(c.Tables, tc.counts)
	}
	return c
}
