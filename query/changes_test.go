package query_test

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/query"
)

// audChain writes a chain by hand, as ingest would, with group commit:
// commits gather until flush, which writes one manifest and one segment per
// table and schema version spanning the flushed commits.
type audChain struct {
	t       testing.TB
	store   layout.Store
	chain   *catalog.Chain
	eng     *query.Engine
	n       uint64
	commits []layout.Commit
	schemas []layout.TableSchema
	pending map[segKey]*pendingSeg
	order   []segKey
}

type segKey struct {
	ref     layout.TableRef
	version int
}

type pendingSeg struct {
	s       layout.TableSchema
	changes []layout.Change
}

// tc is the changes one commit makes to one table.
type tc struct {
	s  *layout.TableSchema
	ch []layout.Change
}

func newAudChain(t testing.TB) *audChain {
	t.Helper()
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Open(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	cache, err := query.NewCache(t.TempDir(), st)
	if err != nil {
		t.Fatal(err)
	}
	return &audChain{t: t, store: st, chain: c, eng: &query.Engine{Chain: c, Cache: cache}, pending: map[segKey]*pendingSeg{}}
}

func audTime(n uint64) time.Time { return time.Unix(int64(1_700_000_000+10*n), 0).UTC() }

// commit adds one commit (not yet flushed) with new schema versions and
// changes to tables; it returns the commit number.
func (b *audChain) commit(schemas []layout.TableSchema, changes ...tc) uint64 {
	b.n++
	cm := layout.Commit{N: b.n, Kind: layout.CommitDML, GTID: fmt.Sprintf("0-1-%d", b.n), File: "bin.000001",
		Pos: uint32(100 * b.n), Time: audTime(b.n)}
	if len(schemas) > 0 && len(changes) == 0 {
		cm.Kind, cm.DDL = layout.CommitDDL, "-- ddl"
		for _, s := range schemas {
			cm.DDL += " " + s.Table
		}
	}
	for i := range schemas {
		schemas[i].Since = b.n
	}
	b.schemas = append(b.schemas, schemas...)
	seq := uint32(0)
	for _, c := range changes {
		k := segKey{layout.TableRef{DB: c.s.DB, Table: c.s.Table}, c.s.Version}
		p := b.pending[k]
		if p == nil {
			p = &pendingSeg{s: *c.s}
			b.pending[k] = p
			b.order = append(b.order, k)
		}
		count := layout.TableCount{DB: c.s.DB, Table: c.s.Table}
		for _, ch := range c.ch {
			ch.Commit, ch.Seq, ch.Time, ch.GTID = b.n, seq, cm.Time, cm.GTID
			seq++
			p.changes = append(p.changes, ch)
			switch ch.Op {
			case layout.OpInsert:
				count.Inserts++
			case layout.OpUpdate:
				count.Updates++
			case layout.OpDelete:
				count.Deletes++
			}
		}
		cm.Tables = append(cm.Tables, count)
	}
	b.commits = append(b.commits, cm)
	return b.n
}

// flush writes the pending commits as one manifest.
func (b *audChain) flush() {
	b.t.Helper()
	if len(b.commits) == 0 {
		return
	}
	ctx := context.Background()
	m := &layout.Manifest{Source: layout.Source{Flavor: "mariadb", ServerID: 1, Origin: "live"},
		Commits: b.commits, Schemas: b.schemas}
	for _, k := range b.order {
		p := b.pending[k]
		var buf bytes.Buffer
		if err := layout.WriteSegment(&buf, &p.s, p.changes); err != nil {
			b.t.Fatal(err)
		}
		sha := layout.Hash(buf.Bytes())
		first, last := p.changes[0].Commit, p.changes[len(p.changes)-1].Commit
		o := layout.Object{Key: layout.SegmentKey(k.ref.DB, k.ref.Table, k.version, first, last, sha), SHA256: sha,
			Size: int64(buf.Len()), Kind: layout.ObjectSegment, DB: k.ref.DB, Table: k.ref.Table, SchemaVersion: k.version,
			First: first, Last: last, Rows: int64(len(p.changes))}
		if err := b.store.Put(ctx, o.Key, bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
			b.t.Fatal(err)
		}
		m.Objects = append(m.Objects, o)
	}
	if err := b.chain.Append(ctx, m); err != nil {
		b.t.Fatal(err)
	}
	b.commits, b.schemas, b.pending, b.order = nil, nil, map[segKey]*pendingSeg{}, nil
}

// one commits and flushes.
func (b *audChain) one(schemas []layout.TableSchema, changes ...tc) uint64 {
	n := b.commit(schemas, changes...)
	b.flush()
	return n
}

func (b *audChain) checkpoint(n uint64) {
	b.t.Helper()
	b.flush()
	if _, err := b.eng.Checkpoint(context.Background(), fmt.Sprint(n), nil, 0); err != nil {
		b.t.Fatal(err)
	}
}

func aIns(after ...any) layout.Change  { return layout.Change{Op: layout.OpInsert, After: after} }
func aDel(before ...any) layout.Change { return layout.Change{Op: layout.OpDelete, Before: before} }
func aUpd(before, after []any) layout.Change {
	return layout.Change{Op: layout.OpUpdate, Before: before, After: after}
}
func r(v ...any) []any { return v }

func intCol(name string) layout.Column {
	return layout.Column{Name: name, Kind: layout.KindInt, SQLType: "int", Width: 4, Nullable: true}
}

func strCol(name string) layout.Column {
	return layout.Column{Name: name, Kind: layout.KindString, SQLType: "varchar(20)", Nullable: true, Charset: "utf8mb4"}
}

func decCol(name string) layout.Column {
	return layout.Column{Name: name, Kind: layout.KindDecimal, SQLType: "decimal(10,2)", Width: 10, Scale: 2, Nullable: true}
}

func text(s string) *string { return &s }

// diffText renders a diff for comparison in tests: one line per row,
// sorted.
func diffText(d *query.DiffResult) []string {
	var out []string
	for _, t := range d.Tables {
		for _, r := range t.Rows {
			out = append(out, fmt.Sprintf("%s %s%s before=%v after=%v changed=%v", t.Table, r.Kind, statusText(t.Status), r.Before, r.After, r.Changed))
		}
	}
	sort.Strings(out)
	return out
}

func statusText(s query.TableStatus) string {
	if s == "" {
		return ""
	}
	return "(" + string(s) + ")"
}

// snapshot adds commit 1 as an initial snapshot of tables: their schemas
// and one checkpoint each.
func (b *audChain) snapshot(tables map[*layout.TableSchema][][]any) uint64 {
	b.t.Helper()
	if b.n != 0 {
		b.t.Fatal("the snapshot must be commit 1")
	}
	b.n = 1
	ctx := context.Background()
	m := &layout.Manifest{Source: layout.Source{Flavor: "mariadb", ServerID: 1, Origin: "live"},
		Commits: []layout.Commit{{N: 1, Kind: layout.CommitSnapshot, File: "bin.000001", Pos: 4, Time: audTime(1)}}}
	var names []*layout.TableSchema
	for s := range tables {
		names = append(names, s)
	}
	sort.Slice(names, func(i, j int) bool { return names[i].Name() < names[j].Name() })
	for _, s := range names {
		s.Since = 1
		m.Schemas = append(m.Schemas, *s)
		var buf bytes.Buffer
		if err := layout.WriteCheckpoint(&buf, s, 1, tables[s]); err != nil {
			b.t.Fatal(err)
		}
		sha := layout.Hash(buf.Bytes())
		m.Objects = append(m.Objects, layout.Object{Key: layout.CheckpointKey(s.DB, s.Table, s.Version, 1, sha), SHA256: sha,
			Size: int64(buf.Len()), Kind: layout.ObjectCheckpoint, DB: s.DB, Table: s.Table, SchemaVersion: s.Version,
			First: 1, Last: 1, Rows: int64(len(tables[s]))})
		if err := b.store.Put(ctx, m.Objects[len(m.Objects)-1].Key, bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
			b.t.Fatal(err)
		}
	}
	if err := b.chain.Append(ctx, m); err != nil {
		b.t.Fatal(err)
	}
	return 1
}
