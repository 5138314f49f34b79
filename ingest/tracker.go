package ingest

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/ingest/binlog"
	"github.com/binlake/binlake/ingest/ddl"
	"github.com/binlake/binlake/layout"
)

// tracker follows the schema of every table through history: DDL statements
// create versions, and table-map events (which carry the authoritative
// column metadata) confirm them or, when history started mid-way or a DDL
// could not be followed, create them.
type tracker struct {
	set ddl.SchemaSet
	log *slog.Logger
	// maps holds what the latest table-map event of each table id says.
	maps map[uint64]*mappedTable
	// known caches mapped tables by the bytes of their table-map event's
	// body: a busy table is mapped again in every transaction, always with
	// the same bytes, and deriving its columns each time was a tenth of
	// ingest's CPU time.
	known map[string]*mappedTable
}

// maxKnownMaps bounds the table-map cache; it starts over when full.
const maxKnownMaps = 4096

// mappedTable is what one table-map event says about a table.
type mappedTable struct {
	tm   *replication.TableMapEvent
	ref  layout.TableRef
	cols []layout.Column // from the table map: used to convert values
	pk   []int
	// schema is the version rows of this map were last stored under; it
	// stays right while the tracker's version of the table is the same.
	schema *layout.TableSchema
	// decoder decodes its rows straight into segment builders; nil when a
	// column needs go-mysql's decoding.
	decoder *binlog.RowDecoder
}

func newTracker(log *slog.Logger, known []layout.TableSchema) *tracker {
	t := &tracker{set: ddl.SchemaSet{}, log: log, maps: map[uint64]*mappedTable{}, known: map[string]*mappedTable{}}
	for i := range known {
		s := known[i]
		t.set[layout.TableRef{DB: s.DB, Table: s.Table}] = &s
	}
	return t
}

// tableMap notes a table-map event; body is the event's bytes after its
// header, which identify what it says. A table map binlake cannot use is
// reported by mapped, when rows refer to it.
func (t *tracker) tableMap(tm *replication.TableMapEvent, body []byte) {
	if m := t.known[string(body)]; m != nil {
		m.tm = tm
		t.maps[tm.TableID] = m
		return
	}
	m, err := t.derive(tm)
	if err != nil {
		return
	}
	if len(t.known) >= maxKnownMaps {
		clear(t.known)
	}
	t.known[string(body)] = m
}

// KnownTableMap returns the table map derived from the given bytes of a
// table-map event's body, if its rows decode with binlog.RowDecoder: the
// binlog.Shortcut then parses the rows events of that table itself.
func (t *tracker) KnownTableMap(body []byte) *replication.TableMapEvent {
	if m := t.known[string(body)]; m != nil && m.decoder != nil {
		return m.tm
	}
	return nil
}

// mapped returns the columns of the table-map event that rows events of
// tm's table id refer to.
func (t *tracker) mapped(tm *replication.TableMapEvent) (*mappedTable, error) {
	if m := t.maps[tm.TableID]; m != nil && m.tm == tm {
		return m, nil
	}
	return t.derive(tm)
}

func (t *tracker) derive(tm *replication.TableMapEvent) (*mappedTable, error) {
	ref := layout.TableRef{DB: string(tm.Schema), Table: string(tm.Table)}
	cols, pk, err := binlog.ColumnsFromTableMap(tm)
	if err != nil {
		return nil, fmt.Errorf("table map of %s: %w", ref, err)
	}
	m := &mappedTable{tm: tm, ref: ref, cols: cols, pk: pk, decoder: binlog.NewRowDecoder(tm, cols)}
	t.maps[tm.TableID] = m
	return m, nil
}

// schemaFor returns the schema version that rows of a table map are stored
// under at commit n, creating a version when the table is new to the chain
// or its columns changed without a DDL the tracker followed.
func (t *tracker) schemaFor(m *mappedTable, n uint64, tx *txn) *layout.TableSchema {
	cur := t.set[m.ref]
	if cur != nil && cur == m.schema {
		return cur
	}
	if cur != nil && !cur.Dropped && compatible(cur, m.cols, m.pk) {
		m.schema = cur
		return cur
	}
	next := &layout.TableSchema{DB: m.ref.DB, Table: m.ref.Table, Version: 1, Since: n,
		Columns: m.cols, PrimaryKey: m.pk}
	if cur != nil {
		next.Version = cur.Version + 1
		if !cur.Dropped {
			next.Origins = originsByName(cur, m.cols)
			t.log.Warn("table changed without a DDL statement binlake followed; carrying rows over by column name",
				"table", m.ref.String(), "version", next.Version, "commit", n)
		}
	}
	t.set[m.ref] = next
	m.schema = next
	tx.schemas = append(tx.schemas, *next)
	return next
}

// compatible reports whether rows described by cols can be stored under s:
// the same columns with the same storage types and the same primary key.
func compatible(s *layout.TableSchema, cols []layout.Column, pk []int) bool {
	if len(s.Columns) != len(cols) || !slices.Equal(s.PrimaryKey, pk) {
		return false
	}
	for i, c := range cols {
		o := &s.Columns[i]
		if !strings.EqualFold(o.Name, c.Name) || o.Kind != c.Kind || o.Unsigned != c.Unsigned ||
			o.Scale != c.Scale || !slices.Equal(o.Members, c.Members) || storageWidth(o) != storageWidth(&c) {
			return false
		}
	}
	return true
}

// storageWidth is the part of Width that changes the stored type.
func storageWidth(c *layout.Column) int {
	switch c.Kind {
	case layout.KindInt:
		return c.Width
	case layout.KindBytes:
		if c.Fixed {
			return c.Width
		}
	}
	return 0
}

func originsByName(prev *layout.TableSchema, cols []layout.Column) []layout.ColumnOrigin {
	out := make([]layout.ColumnOrigin, len(cols))
	for i, c := range cols {
		out[i] = layout.ColumnOrigin{From: prev.ColumnIndex(c.Name)}
	}
	return out
}

// ddl applies a DDL statement at commit n and records the versions it
// creates for replicated tables on the transaction.
func (t *tracker) ddl(db, stmt string, n uint64, at time.Time, tx *txn, f *Filter) error {
	versions, err := ddl.Apply(t.set, db, stmt, n, at)
	if err != nil {
		// A statement binlake cannot follow is not fatal: the next table map
		// of an affected table shows its new columns.
		t.log.Warn("could not follow DDL; schema will be taken from the next table map",
			"statement", stmt, "db", db, "err", err)
		return nil
	}
	for _, v := range versions {
		if f.Match(v.DB, v.Table) {
			tx.schemas = append(tx.schemas, v)
		}
	}
	return nil
}
