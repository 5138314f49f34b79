package ingest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/go-mysql-org/go-mysql/mysql"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
)

// resnapshot copies some tables afresh, in one consistent snapshot of the
// primary, into the middle of the stream: the read view is opened at once
// (at position at), and the rows are read when the stream reaches at, so
// that the copy becomes the commit between the last transaction it covers
// and the first it does not. The tables' versions from that commit on are
// marked Gap: their history before it is incomplete.
//
// With skip set (--resnapshot after events binlake could not read), the
// tables' changes in the transactions the copy covers are not read at all:
// the copy replaces them.
type resnapshot struct {
	conn   *client.Conn // holds the consistent read view until done
	at     layout.Position
	gtids  mysql.GTIDSet // at's GTID set, nil without GTIDs
	tables map[layout.TableRef]bool
	skip   bool
	why    string // for the log and the commit
}

// openResnapshot opens a consistent-snapshot read view of the primary for
// tables and returns where it stands. The caller reads it with take, or
// closes it.
func openResnapshot(ctx context.Context, s *liveSource, tables []layout.TableRef, skip bool, why string) (*resnapshot, error) {
	conn, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	r := &resnapshot{conn: conn, tables: map[layout.TableRef]bool{}, skip: skip, why: why}
	for _, t := range tables {
		r.tables[t] = true
	}
	session := append([]string{"SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"}, value.SessionSQL...)
	for _, q := range session {
		if _, err := conn.Execute(q); err != nil {
			conn.Close()
			return nil, fmt.Errorf("resnapshot: %s: %w", q, err)
		}
	}
	if r.at, err = startSnapshot(conn, s.flavor); err != nil {
		conn.Close()
		return nil, err
	}
	if r.at.GTIDSet != "" {
		if r.gtids, err = mysql.ParseGTIDSet(s.flavor, r.at.GTIDSet); err != nil {
			conn.Close()
			return nil, fmt.Errorf("resnapshot: parse GTID set %q: %w", r.at.GTIDSet, err)
		}
	}
	return r, nil
}

// covers reports whether a transaction (its GTID, or without one, the
// position its first event ends at) is in the snapshot's read view.
func (r *resnapshot) covers(flavor, gtid, file string, eventEnd uint32) bool {
	if gtid != "" && r.gtids != nil {
		one, err := mysql.ParseGTIDSet(flavor, gtid)
		return err == nil && r.gtids.Contain(one)
	}
	return layout.Position{File: file, Pos: eventEnd}.Before(r.at)
}

// take reads the tables' rows from the read view into a resnapshot commit
// numbered n, whose versions follow the tracker's current ones.
func (r *resnapshot) take(ctx context.Context, store layout.Store, t *tracker, n uint64, cfg *Config) (*txn, error) {
	defer r.close()
	tx := &txn{n: n, kind: layout.CommitResnapshot, time: time.Now().UTC(), preciseTime: true, ddl: "-- " + r.why}
	for _, ref := range sortedRefs(r.tables) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		version := 1
		if cur := t.set[ref]; cur != nil {
			version = cur.Version + 1
		}
		s, err := snapshotTable(ctx, r.conn, store, ref, tx, cfg, version)
		if err != nil {
			return nil, fmt.Errorf("resnapshot: %w", err)
		}
		s.Gap = true
		tx.schemas[len(tx.schemas)-1].Gap = true
		t.set[ref] = s
	}
	cfg.Log.Info("tables copied afresh", "tables", strings.Join(refNames(r.tables), ", "), "commit", n, "rows", tx.rows,
		"position", r.at.String(), "why", r.why)
	return tx, nil
}

func (r *resnapshot) close() {
	if r.conn != nil {
		r.conn.Execute("ROLLBACK") //nolint:errcheck // a read-only transaction
		r.conn.Close()
		r.conn = nil
	}
}

func sortedRefs(m map[layout.TableRef]bool) []layout.TableRef {
	out := make([]layout.TableRef, 0, len(m))
	for ref := range m {
		out = append(out, ref)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].String() < out[j-1].String(); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func refNames(m map[layout.TableRef]bool) []string {
	var out []string
	for _, ref := range sortedRefs(m) {
		out = append(out, ref.String())
	}
	return out
}
