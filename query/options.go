package query

import (
	"time"

	"github.com/binlake/binlake/layout"
)

// The Engine's methods follow one naming rule: X writes an answer to an
// render.Output in the format it names, and XRows returns the same answer as Go
// values. Each takes a context and an options struct; refs are strings in
// any form catalog.RefForms lists, HEAD when empty.

// AsOfOptions names a table and the commit to read it at.
type AsOfOptions struct {
	Table layout.TableRef
	At    string // a ref; HEAD when empty
}

// SQLOptions is a user's query over every table as of a commit.
type SQLOptions struct {
	At  string // a ref; HEAD when empty
	SQL string
}

// LogOptions selects commits for Log. Zero fields select everything.
type LogOptions struct {
	Table string    // "db.table": only commits that touched it
	Since time.Time // source time at or after
	Until time.Time // source time at or before
	Limit int       // at most this many, newest first
}

// ShowOptions names the commit Show lists the changes of.
type ShowOptions struct {
	Commit string // a ref
}

// DiffOptions names the two commits Diff compares, and the tables.
type DiffOptions struct {
	From, To string // refs
	// Tables limits the diff; empty means every table at either commit.
	Tables []layout.TableRef
}

// HistoryOptions names the rows History follows.
type HistoryOptions struct {
	Table layout.TableRef
	// Key selects rows: "col=value[,col=value...]" (see value.KeyForm).
	Key string
	// Column, when set, narrows History to the changes of one column.
	Column string
	At     string // a ref: history up to it; HEAD when empty
}

// BlameOptions names the rows Blame explains.
type BlameOptions struct {
	Table layout.TableRef
	// Key, when set, selects rows: "col=value[,col=value...]" (see value.KeyForm).
	Key string
	// Column, when set, narrows Blame to one column.
	Column string
	At     string // a ref; HEAD when empty
}

// CheckpointOptions says which tables Checkpoint stores, as of when.
type CheckpointOptions struct {
	At string // a ref; HEAD when empty
	// Tables to checkpoint; empty means every table at At.
	Tables []layout.TableRef
	// MinChanges skips tables with fewer change rows to replay.
	MinChanges int64
}

// ContinuityOptions bounds CheckContinuity.
type ContinuityOptions struct {
	// Limit is the most divergences returned (0: 20).
	Limit int
}

// refOrHead is ref, or HEAD when it is empty.
func refOrHead(ref string) string {
	if ref == "" {
		return "HEAD"
	}
	return ref
}
