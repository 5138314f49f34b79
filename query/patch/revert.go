package patch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query"
)

// Conflict policies of RevertOptions.OnConflict.
const (
	ConflictFail = "fail"
	ConflictSkip = "skip"
)

// ErrConflictPolicy is returned for an OnConflict that is neither fail nor
// skip.
var ErrConflictPolicy = errors.New("unknown conflict policy: want fail or skip")

// ErrNotRevertible wraps the refusal of a commit revert cannot undo: the
// initial snapshot, a schema change, or no commit named at all.
var ErrNotRevertible = errors.New("cannot revert")

// RevertOptions says which commits Revert undoes and what it does about
// rows changed since.
type RevertOptions struct {
	// Commits are refs (see catalog.RefForms) of the commits to undo.
	Commits []string
	// OnConflict is ConflictFail (the default: no patch when any row
	// conflicts) or ConflictSkip (a patch without the conflicting rows,
	// which the header lists).
	OnConflict string
	// Store names the store in the patch header.
	Store string
}

// ConflictError is returned by Revert with OnConflict "fail" when rows
// conflict; no patch is written. Its message lists the conflicts; how to
// ask for a patch that skips them is for the caller to say in its own
// terms (a flag, an event field).
type ConflictError struct{ Conflicts []Conflict }

func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d conflicting value(s): rows the reverted commits changed were changed again later, so undoing them would overwrite later work:", len(e.Conflicts))
	for i, c := range e.Conflicts {
		if i == 50 {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Conflicts)-i)
			break
		}
		b.WriteString("\n  " + c.String())
	}
	return b.String()
}

// RevertResult says what Revert wrote.
type RevertResult struct {
	Header     Header
	Conflicts  []Conflict
	Statements int
	Rows       int64
}

// Revert writes to w a patch that undoes the given commits on the primary
// as it is now: every row they changed goes back to its image before them,
// by statements guarded by the full image they left. Rows that a later
// commit changed again are conflicts: with OnConflict "fail" Revert
// returns a *ConflictError and writes nothing; with "skip" it leaves those
// rows out and lists them in the patch header.
func Revert(ctx context.Context, e *query.Engine, opts RevertOptions, w io.Writer) (*RevertResult, error) {
	switch opts.OnConflict {
	case "":
		opts.OnConflict = ConflictFail
	case ConflictFail, ConflictSkip:
	default:
		return nil, fmt.Errorf("%q: %w", opts.OnConflict, ErrConflictPolicy)
	}
	plan, err := planRevert(ctx, e, opts.Commits)
	if err != nil {
		return nil, err
	}
	res := &RevertResult{Conflicts: plan.conflicts}
	if len(plan.conflicts) > 0 && opts.OnConflict == ConflictFail {
		return res, &ConflictError{Conflicts: plan.conflicts}
	}
	res.Header = revertHeader(e, opts, plan)
	pw, err := NewWriter(w, &res.Header)
	if err != nil {
		return nil, err
	}
	if err := pw.Begin(); err != nil {
		return nil, err
	}
	for _, u := range plan.undos {
		st, ok, err := undoStatement(u.schema, u.table.String(), u.want, u.now, u.single, u.by)
		if err != nil {
			return nil, fmt.Errorf("revert %s: %w", u.table, err)
		}
		if !ok {
			continue
		}
		if err := pw.Write(st); err != nil {
			return nil, err
		}
	}
	if err := pw.Commit(); err != nil {
		return nil, err
	}
	if err := pw.Close(); err != nil {
		return nil, fmt.Errorf("write patch: %w", err)
	}
	res.Statements, res.Rows = pw.Statements(), pw.Rows()
	return res, nil
}

func revertHeader(e *query.Engine, opts RevertOptions, plan *revertPlan) Header {
	h := Header{Kind: "revert", Store: opts.Store, Created: time.Now().UTC(), OnConflict: opts.OnConflict}
	if m := e.Chain.Head(); m != nil {
		h.Source = fmt.Sprintf("%s server_id=%d", m.Source.Flavor, m.Source.ServerID)
		if m.Source.UUID != "" {
			h.Source += " uuid=" + m.Source.UUID
		}
	}
	for _, c := range plan.commits {
		h.Commits = append(h.Commits, commitOf(c))
	}
	if head, ok := e.Chain.Commit(e.Chain.LastCommit()); ok {
		pc := commitOf(head)
		h.Head = &pc
	}
	for _, t := range plan.tables {
		h.Tables = append(h.Tables, t.String())
	}
	for _, c := range plan.conflicts {
		h.Conflicts = append(h.Conflicts, "skipped: "+c.String())
	}
	return h
}

func commitOf(c layout.Commit) Commit {
	return Commit{N: c.N, GTID: c.GTID, Time: c.Time}
}
