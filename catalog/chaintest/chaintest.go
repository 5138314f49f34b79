// Package chaintest writes small chains by hand, as ingest would, for the
// tests of the packages that read them (query, query/patch, functions).
// Only tests import it.
package chaintest

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
)

// Builder appends commits to a chain in a local-directory store. Commit n
// gets GTID 0-1-n, binlog position bin.000001:100n and source time
// 1,700,000,000+n seconds.
type Builder struct {
	t     testing.TB
	Store layout.Store
	Chain *catalog.Chain
	N     uint64 // the last commit appended
}

// New returns a builder over an empty store in a temporary directory.
func New(t testing.TB) *Builder {
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Open(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return &Builder{t: t, Store: st, Chain: c}
}

// Changes are the changes of one commit to one table.
type Changes struct {
	Schema  *layout.TableSchema
	Changes []layout.Change
}

// On groups changes to the table of s.
func On(s *layout.TableSchema, changes ...layout.Change) Changes { return Changes{s, changes} }

// DML appends a commit of row changes; new schema versions ride along.
func (b *Builder) DML(schemas []layout.TableSchema, parts ...Changes) uint64 {
	return b.Commit(layout.CommitDML, "", schemas, parts...)
}

// DDL appends a schema change.
func (b *Builder) DDL(stmt string, schemas ...layout.TableSchema) uint64 {
	return b.Commit(layout.CommitDDL, stmt, schemas)
}

// Commit appends one commit in one manifest: a segment per table part that
// has changes, with the commit's per-table counts, and the schema versions
// it introduces. It fills in the changes' commit, seq, time and GTID.
func (b *Builder) Commit(kind layout.CommitKind, ddl string, schemas []layout.TableSchema, parts ...Changes) uint64 {
	b.t.Helper()
	ctx := context.Background()
	b.N++
	cm := layout.Commit{N: b.N, Kind: kind, GTID: "0-1-" + strconv.FormatUint(b.N, 10), File: "bin.000001",
		Pos: uint32(100 * b.N), Time: CommitTime(b.N), DDL: ddl}
	m := &layout.Manifest{Source: layout.Source{Flavor: "mariadb", ServerID: 1, Origin: "live"}, Schemas: schemas}
	seq := uint32(0)
	for _, p := range parts {
		if len(p.Changes) == 0 {
			continue
		}
		count := layout.TableCount{DB: p.Schema.DB, Table: p.Schema.Table}
		for i := range p.Changes {
			c := &p.Changes[i]
			c.Commit, c.Seq, c.Time, c.GTID = b.N, seq, cm.Time, cm.GTID
			seq++
			Count(&count, c.Op)
		}
		cm.Tables = append(cm.Tables, count)
		m.Objects = append(m.Objects, b.Segment(p.Schema, b.N, b.N, p.Changes))
	}
	m.Commits = []layout.Commit{cm}
	if err := b.Chain.Append(ctx, m); err != nil {
		b.t.Fatal(err)
	}
	return b.N
}

// Segment stores the change rows of commits first..last of a table and
// returns the object that names them (for a manifest of the caller's).
func (b *Builder) Segment(s *layout.TableSchema, first, last uint64, changes []layout.Change) layout.Object {
	b.t.Helper()
	var buf bytes.Buffer
	if err := layout.WriteSegment(&buf, s, changes); err != nil {
		b.t.Fatal(err)
	}
	sha := layout.Hash(buf.Bytes())
	o := layout.Object{Key: layout.SegmentKey(s.DB, s.Table, s.Version, first, last, sha), SHA256: sha,
		Size: int64(buf.Len()), Kind: layout.ObjectSegment, DB: s.DB, Table: s.Table, SchemaVersion: s.Version,
		First: first, Last: last, Rows: int64(len(changes))}
	if err := b.Store.Put(context.Background(), o.Key, bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
		b.t.Fatal(err)
	}
	return o
}

// CommitTime is the source time the builder gives commit n.
func CommitTime(n uint64) time.Time { return time.Unix(int64(1_700_000_000+n), 0).UTC() }

// Ins is an insert of a row image.
func Ins(after ...any) layout.Change { return layout.Change{Op: layout.OpInsert, After: after} }

// Del is a delete of a row image.
func Del(before ...any) layout.Change { return layout.Change{Op: layout.OpDelete, Before: before} }

// Upd is an update of a row from one image to another.
func Upd(before, after []any) layout.Change {
	return layout.Change{Op: layout.OpUpdate, Before: before, After: after}
}

// Row is a row image.
func Row(v ...any) []any { return v }

// Checkpoint stores the rows of a table at a commit as one checkpoint
// object and returns the object (for a manifest of the caller's).
func (b *Builder) Checkpoint(s *layout.TableSchema, commit uint64, rows [][]any) layout.Object {
	b.t.Helper()
	var buf bytes.Buffer
	if err := layout.WriteCheckpoint(&buf, s, commit, rows); err != nil {
		b.t.Fatal(err)
	}
	sha := layout.Hash(buf.Bytes())
	o := layout.Object{Key: layout.CheckpointKey(s.DB, s.Table, s.Version, commit, sha), SHA256: sha,
		Size: int64(buf.Len()), Kind: layout.ObjectCheckpoint, DB: s.DB, Table: s.Table, SchemaVersion: s.Version,
		First: commit, Last: commit, Rows: int64(len(rows))}
	if err := b.Store.Put(context.Background(), o.Key, bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
		b.t.Fatal(err)
	}
	return o
}

// Count adds a change of operation op to a commit's table count.
func Count(tc *layout.TableCount, op layout.Op) {
	switch op {
	case layout.OpInsert:
		tc.Inserts++
	case layout.OpUpdate:
		tc.Updates++
	case layout.OpDelete:
		tc.Deletes++
	}
}
