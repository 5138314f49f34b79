package catalog

import "github.com/binlake/binlake/layout"

// Link is one schema version in the lineage of a table's rows (see Lineage).
type Link struct {
	// Table is the table the version belongs to; it differs from the asked
	// table for versions before a RENAME TABLE moved the rows.
	Table  layout.TableRef
	Schema layout.TableSchema
	// Until is the last commit at which this version held the rows: the
	// commit Lineage was asked about for the first link, else the commit
	// before the next newer link's Since.
	Until uint64
}

// Lineage returns the schema versions that the rows of db.table as of
// commit went through, newest first: the version in force at commit, then,
// as long as a version maps the columns of an earlier one (Origins,
// following RENAME TABLE through RenamedFrom), that earlier version. A
// Truncated version keeps its link to the previous one for the column
// mapping, but its rows did not carry over: callers that follow rows must
// stop there. Nil when the table does not exist at commit.
func (c *Chain) Lineage(db, table string, commit uint64) []Link {
	ref := layout.TableRef{DB: db, Table: table}
	v := versionAt(c.tables[ref], commit)
	if v == nil || v.Dropped {
		return nil
	}
	links := []Link{{Table: ref, Schema: *v, Until: commit}}
	for len(v.Origins) > 0 && v.Since > 1 {
		src := ref
		if v.RenamedFrom != nil {
			src = *v.RenamedFrom
		}
		prev := versionAt(c.tables[src], v.Since-1)
		if prev == nil || prev.Dropped {
			break
		}
		links = append(links, Link{Table: src, Schema: *prev, Until: v.Since - 1})
		ref, v = src, prev
	}
	return links
}

// VersionAt returns the schema version of db.table in force at commit,
// Dropped versions included, or nil when the table was never created by
// then.
func (c *Chain) VersionAt(db, table string, commit uint64) *layout.TableSchema {
	v := versionAt(c.tables[layout.TableRef{DB: db, Table: table}], commit)
	if v == nil {
		return nil
	}
	cp := *v
	return &cp
}

// Segments returns the segments of db.table under one schema version that
// hold commits in (after, upto], in chain order.
func (c *Chain) Segments(db, table string, version int, after, upto uint64) []layout.Object {
	h := c.tables[layout.TableRef{DB: db, Table: table}]
	if h == nil {
		return nil
	}
	var out []layout.Object
	for _, o := range h.objects {
		if o.Kind == layout.ObjectSegment && o.SchemaVersion == version && o.Last > after && o.First <= upto {
			out = append(out, o)
		}
	}
	return out
}

// Checkpoints returns the checkpoints of db.table under one schema version,
// in chain order.
func (c *Chain) Checkpoints(db, table string, version int) []Checkpoint {
	h := c.tables[layout.TableRef{DB: db, Table: table}]
	if h == nil {
		return nil
	}
	var out []Checkpoint
	for _, cp := range h.checkpoints {
		if cp.Version == version {
			out = append(out, cp)
		}
	}
	return out
}
