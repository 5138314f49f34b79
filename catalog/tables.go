package catalog

import (
	"fmt"
	"sort"
	"strings"

	"github.com/binlake/binlake/layout"
)

// ErrNoTable is returned (wrapped) when a table does not exist at a commit.
var ErrNoTable = fmt.Errorf("no such table")

// TableState says how to build a table's contents as of one commit: start
// from Base (mapped through Schema.Origins) or from Checkpoint, or from
// nothing, then apply the change rows of Segments with commit numbers in
// (From, Commit].
type TableState struct {
	Schema layout.TableSchema // the schema in force at Commit
	Commit uint64
	// From is the commit after which Segments' rows apply: the checkpoint's
	// commit, or Schema.Since-1 (the rows of Since itself are included).
	From uint64
	// Checkpoint, when set, holds the full table at From.
	Checkpoint *Checkpoint
	// Base, when set, is the previous schema version's state at Since-1,
	// whose rows carry over through Schema.Origins.
	Base     *TableState
	Segments []layout.Object
}

// TableAt returns how to read db.table as of commit.
func (c *Chain) TableAt(db, table string, commit uint64) (*TableState, error) {
	h := c.tables[layout.TableRef{DB: db, Table: table}]
	v := versionAt(h, commit)
	if v == nil || v.Dropped {
		return nil, fmt.Errorf("%s.%s at commit %d: %w (tables then: %s)", db, table, commit, ErrNoTable, c.tableList(commit))
	}
	st := &TableState{Schema: *v, Commit: commit, From: v.Since - 1}
	if cp := latestCheckpoint(h, v.Version, commit); cp != nil {
		st.Checkpoint, st.From = cp, cp.Commit
	} else if len(v.Origins) > 0 && !v.Truncated {
		src := layout.TableRef{DB: db, Table: table}
		if v.RenamedFrom != nil {
			src = *v.RenamedFrom
		}
		base, err := c.TableAt(src.DB, src.Table, v.Since-1)
		if err != nil {
			return nil, fmt.Errorf("%s.%s version %d carries rows of %s: %w", db, table, v.Version, src, err)
		}
		st.Base = base
	}
	for _, o := range h.objects {
		if o.Kind == layout.ObjectSegment && o.SchemaVersion == v.Version && o.Last > st.From && o.First <= commit {
			st.Segments = append(st.Segments, o)
		}
	}
	return st, nil
}

func versionAt(h *tableHistory, commit uint64) *layout.TableSchema {
	if h == nil {
		return nil
	}
	var v *layout.TableSchema
	for i := range h.versions {
		if h.versions[i].Since <= commit {
			v = &h.versions[i]
		}
	}
	return v
}

func latestCheckpoint(h *tableHistory, version int, commit uint64) *Checkpoint {
	var best *Checkpoint
	for i := range h.checkpoints {
		cp := &h.checkpoints[i]
		if cp.Version == version && cp.Commit <= commit && (best == nil || cp.Commit > best.Commit) {
			best = cp
		}
	}
	return best
}

// TablesAt returns the tables that exist at commit, sorted by name.
func (c *Chain) TablesAt(commit uint64) []layout.TableSchema {
	var out []layout.TableSchema
	for _, h := range c.tables {
		if v := versionAt(h, commit); v != nil && !v.Dropped {
			out = append(out, *v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

func (c *Chain) tableList(commit uint64) string {
	ts := c.TablesAt(commit)
	if len(ts) == 0 {
		return "none"
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name()
	}
	return strings.Join(names, ", ")
}

// Objects returns every object the chain references, in chain order.
func (c *Chain) Objects() []layout.Object {
	var out []layout.Object
	for _, m := range c.manifests {
		out = append(out, m.Objects...)
	}
	return out
}

// VersionState returns how to read the whole history of one schema version
// of a table: its starting state (the snapshot checkpoint taken at the
// version's first commit, the previous version's rows carried over, or
// nothing) and every segment of the version, through commit upTo. Later
// checkpoints are ignored, so every change row is covered.
func (c *Chain) VersionState(db, table string, version int, upTo uint64) (*TableState, error) {
	h := c.tables[layout.TableRef{DB: db, Table: table}]
	if h == nil || version < 1 || version > len(h.versions) {
		return nil, fmt.Errorf("%s.%s version %d: %w", db, table, version, ErrNoTable)
	}
	v := h.versions[version-1]
	st := &TableState{Schema: v, Commit: upTo, From: v.Since - 1}
	if cp := h.checkpointAt(version, v.Since); cp != nil {
		st.Checkpoint, st.From = cp, cp.Commit
	}
	if st.Checkpoint == nil && len(v.Origins) > 0 && !v.Truncated {
		src := layout.TableRef{DB: db, Table: table}
		if v.RenamedFrom != nil {
			src = *v.RenamedFrom
		}
		base, err := c.TableAt(src.DB, src.Table, v.Since-1)
		if err != nil {
			return nil, fmt.Errorf("%s.%s version %d carries rows of %s: %w", db, table, version, src, err)
		}
		st.Base = base
	}
	for _, o := range h.objects {
		if o.Kind == layout.ObjectSegment && o.SchemaVersion == version && o.Last > st.From && o.First <= upTo {
			st.Segments = append(st.Segments, o)
		}
	}
	return st, nil
}

// Tables returns every table the chain has seen, dropped ones included.
func (c *Chain) Tables() []layout.TableRef {
	out := make([]layout.TableRef, 0, len(c.tables))
	for ref := range c.tables {
		out = append(out, ref)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// Prepared returns the xa-prepare commit of an XA transaction and the
// prepared objects holding its rows, when the chain has it (the newest,
// should an XID be reused).
func (c *Chain) Prepared(xid string) (layout.Commit, []layout.Object, bool) {
	for i := len(c.manifests) - 1; i >= 0; i-- {
		m := c.manifests[i]
		for _, cm := range m.Commits {
			if cm.Kind != layout.CommitXAPrepare || cm.XID != xid {
				continue
			}
			var objs []layout.Object
			for _, o := range m.Objects {
				if o.Kind == layout.ObjectPrepared && o.First == cm.N {
					objs = append(objs, o)
				}
			}
			return cm, objs, true
		}
	}
	return layout.Commit{}, nil, false
}
