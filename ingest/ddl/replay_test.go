package ddl_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/ingest/binlog"
	"github.com/binlake/binlake/ingest/ddl"
	"github.com/binlake/binlake/layout"
)

// ddlReplay replays the binlog through Apply.
type ddlReplay struct {
	t        *testing.T
	set      ddl.SchemaSet
	selected map[string][]*string
	// added holds, per table, the defaults of the columns the last DDL
	// added, until the next UPDATE's before images are checked.
	added   map[layout.TableRef]map[int]*string
	checked map[string]bool // table@version whose table map was compared
	// fallback marks tables whose last DDL failed as expected: their next
	// table map gives the new version, as the ingest tracker does.
	fallback map[layout.TableRef]bool
	commit   uint64
	ddls     int
	values   int // default comparisons made
}

func (r *ddlReplay) event(e *replication.BinlogEvent) error {
	switch ev := e.Event.(type) {
	case *replication.QueryEvent:
		r.query(ev, time.Unix(int64(e.Header.Timestamp), 0))
	case *replication.RowsEvent:
		r.rows(ev)
	}
	return nil
}

func (r *ddlReplay) query(ev *replication.QueryEvent, at time.Time) {
	q := string(ev.Query)
	if q == "BEGIN" || q == "COMMIT" {
		return
	}
	r.commit++
	r.ddls++
	versions, err := ddl.Apply(r.set, string(ev.Schema), q, r.commit, at)
	if err != nil {
		var de *ddl.Error
		if !errors.Is(err, ddl.ErrValuesUnknown) || !errors.As(err, &de) || !r.unknown(q) {
			r.t.Errorf("Apply: %v", err)
			return
		}
		r.fallback[de.Table] = true
		return
	}
	for _, v := range versions {
		ref := layout.TableRef{DB: v.DB, Table: v.Table}
		delete(r.added, ref)
		for j, o := range v.Origins {
			if o.From >= 0 {
				continue
			}
			if r.added[ref] == nil {
				r.added[ref] = map[int]*string{}
			}
			r.added[ref][j] = o.Default
			if sel, ok := r.selected[q]; ok && sel != nil {
				r.compareValue(fmt.Sprintf("%s: SELECT of added column %s", q, v.Columns[j].Name), v.Columns[j], o.Default, sel[j], true)
			}
		}
	}
}

func (r *ddlReplay) unknown(q string) bool {
	for _, s := range ddlWorkload() {
		if s.sql == q {
			return s.unknown
		}
	}
	return false
}

// rows compares the table map with the tracked schema and, for the first
// UPDATE after an ADD COLUMN, the before images with the defaults.
func (r *ddlReplay) rows(ev *replication.RowsEvent) {
	ref := layout.TableRef{DB: string(ev.Table.Schema), Table: string(ev.Table.Table)}
	cols, pk, err := binlog.ColumnsFromTableMap(ev.Table)
	if err != nil {
		r.t.Errorf("ColumnsFromTableMap(%s): %v", ref, err)
		return
	}
	if r.fallback[ref] {
		delete(r.fallback, ref)
		prev := r.set[ref]
		r.set[ref] = &layout.TableSchema{DB: ref.DB, Table: ref.Table, Version: prev.Version + 1, Columns: cols, PrimaryKey: pk}
	}
	s := r.set[ref]
	if s == nil || s.Dropped || len(s.Columns) == 0 {
		r.t.Errorf("rows of %s, whose schema Apply does not know", ref)
		return
	}
	key := fmt.Sprintf("%s@%d", ref, s.Version)
	if !r.checked[key] {
		r.checked[key] = true
		compareColumns(r.t, key, s.Columns, cols)
		if !slices.Equal(s.PrimaryKey, pk) {
			r.t.Errorf("%s: primary key %v, the table map says %v", key, s.PrimaryKey, pk)
		}
	}
	added := r.added[ref]
	if ev.Type() != replication.EnumRowsEventTypeUpdate || added == nil {
		return
	}
	delete(r.added, ref)
	for i := 0; i < len(ev.Rows); i += 2 {
		for j, def := range added {
			v, err := binlog.Canonical(&cols[j], ev.Rows[i][j])
			if err != nil {
				r.t.Errorf("%s: %v", key, err)
				continue
			}
			r.compareValue(fmt.Sprintf("%s: before image of added column %s", key, cols[j].Name), cols[j], def, canonicalText(v), false)
		}
	}
}

// compareValue compares a computed default with a value MariaDB gave; hexed
// marks a SELECT of a bytes column, which reads it as HEX().
func (r *ddlReplay) compareValue(what string, c layout.Column, def, got *string, hexed bool) {
	r.t.Helper()
	r.values++
	want := def
	if want != nil && hexed && (c.Kind == layout.KindBytes || c.Kind == layout.KindGeometry) {
		h := strings.ToUpper(hex.EncodeToString([]byte(*want)))
		want = &h
	}
	switch {
	case want == nil && got == nil:
	case want == nil || got == nil:
		r.t.Errorf("%s: default %s, MariaDB has %s", what, show(want), show(got))
	case c.Kind == layout.KindFloat || c.Kind == layout.KindDouble:
		a, _ := strconv.ParseFloat(*want, 64)
		b, _ := strconv.ParseFloat(*got, 64)
		if float32(a) != float32(b) {
			r.t.Errorf("%s: default %s, MariaDB has %s", what, *want, *got)
		}
	case *want != *got:
		r.t.Errorf("%s: default %q, MariaDB has %q", what, *want, *got)
	}
}

func show(s *string) string {
	if s == nil {
		return "NULL"
	}
	return strconv.Quote(*s)
}

// canonicalText formats a canonical value as ColumnOrigin.Default holds it.
func canonicalText(v any) *string {
	var s string
	switch v := v.(type) {
	case nil:
		return nil
	case int64:
		s = strconv.FormatInt(v, 10)
	case uint64:
		s = strconv.FormatUint(v, 10)
	case float32:
		s = strconv.FormatFloat(float64(v), 'g', -1, 32)
	case float64:
		s = strconv.FormatFloat(v, 'g', -1, 64)
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		s = fmt.Sprint(v)
	}
	return &s
}

// compareColumns checks the fields both sources must agree on.
func compareColumns(t *testing.T, what string, got, want []layout.Column) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: Apply has %d columns %v, the table map %d %v", what, len(got), names(got), len(want), names(want))
		return
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Name != w.Name || g.Kind != w.Kind || g.Unsigned != w.Unsigned || g.Width != w.Width || g.Scale != w.Scale ||
			g.Fixed != w.Fixed || !slices.Equal(g.Members, w.Members) || g.SQLType != w.SQLType || g.Nullable != w.Nullable {
			t.Errorf("%s column %d:\n Apply  %+v\n table map %+v", what, i, g, w)
		}
	}
}

func names(cols []layout.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}
