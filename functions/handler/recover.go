package handler

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/functions/lambdaio"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query/patch"
)

// RecoverRequest is the event of the recover function.
type RecoverRequest struct {
	Op string `json:"op"` // revert or patch
	// Commits are the refs of the transactions to undo (revert).
	Commits []string `json:"commits,omitempty"`
	// OnConflict is fail (default: no patch, the conflicts are the answer)
	// or skip (a patch that leaves conflicting rows alone).
	OnConflict string `json:"on_conflict,omitempty"`
	// From and To are the states a patch moves tables between (patch).
	From   string   `json:"from,omitempty"`
	To     string   `json:"to,omitempty"`
	Tables []string `json:"tables,omitempty"` // DB.TABLE; patch: default every table
}

// RecoverAnswer locates the patch written under patches/ and reports
// conflicts. With on_conflict fail and conflicts, OK is false and no patch
// is written.
type RecoverAnswer struct {
	OK         bool             `json:"ok"`
	Op         string           `json:"op"`
	Patch      *lambdaio.Result `json:"patch,omitempty"`
	Statements int              `json:"statements"`
	Rows       int64            `json:"rows"`
	Conflicts  []patch.Conflict `json:"conflicts,omitempty"`
}

// Recover writes a revert or patch SQL file for operators to review and
// apply (binlake apply FILE --to mysql://...).
func (d *Deps) Recover(ctx context.Context, raw json.RawMessage) (*RecoverAnswer, error) {
	defer d.after()
	var req RecoverRequest
	if err := lambdaio.DecodeStrict(raw, &req); err != nil {
		return nil, err
	}
	tables, err := req.validate()
	if err != nil {
		return nil, err
	}
	e, err := d.engine(ctx)
	if err != nil {
		return nil, err
	}
	ans := &RecoverAnswer{Op: req.Op}
	// The patch goes to a file, then to the store from it: a patch can be
	// larger than the function's memory.
	f, err := os.CreateTemp("", "binlake-patch-*.sql")
	if err != nil {
		return nil, fmt.Errorf("patch file: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := bufio.NewWriterSize(f, 256<<10)
	if req.Op == "revert" {
		res, err := patch.Revert(ctx, e, patch.RevertOptions{Commits: req.Commits, OnConflict: req.OnConflict, Store: d.StoreURL}, buf)
		var ce *patch.ConflictError
		if errors.As(err, &ce) {
			ans.Conflicts = ce.Conflicts
			return ans, nil
		}
		if err != nil {
			return nil, asBadRequest(badRefField(err, "commits"))
		}
		ans.Statements, ans.Rows, ans.Conflicts = res.Statements, res.Rows, res.Conflicts
	} else {
		res, err := patch.Restore(ctx, e, patch.RestoreOptions{From: req.From, To: req.To, Tables: tables, Store: d.StoreURL}, buf)
		if err != nil {
			return nil, asBadRequest(badRefField(err, "from"))
		}
		ans.Statements, ans.Rows = res.Statements, res.Rows
	}
	if err := buf.Flush(); err != nil {
		return nil, fmt.Errorf("patch file: %w", err)
	}
	key := layout.PatchKey(req.Op + "-" + lambdaio.RequestID(ctx))
	if ans.Patch, err = lambdaio.StoreFile(ctx, d.Store, key, f.Name(), "sql"); err != nil {
		return nil, err
	}
	ans.OK = true
	d.Logger(ctx).Info("recovery patch written", "op", req.Op, "key", key, "statements", ans.Statements, "conflicts", len(ans.Conflicts))
	return ans, nil
}

func (r *RecoverRequest) validate() ([]layout.TableRef, error) {
	switch r.Op {
	case "revert":
		if len(r.Commits) == 0 {
			return nil, lambdaio.BadField("commits", "is missing: the refs of the transactions to undo, e.g. [\"0-1-4711\"]")
		}
	case "patch":
		if r.From == "" {
			return nil, lambdaio.BadField("from", "is missing: the ref of the state to move from")
		}
		if r.To == "" {
			return nil, lambdaio.BadField("to", "is missing: the ref of the state to move to")
		}
	case "":
		return nil, lambdaio.BadField("op", "is missing; use revert or patch")
	default:
		return nil, lambdaio.BadField("op", "%q is not an operation; use revert or patch", r.Op)
	}
	switch r.OnConflict {
	case "":
		r.OnConflict = "fail"
	case "fail", "skip":
	default:
		return nil, lambdaio.BadField("on_conflict", "%q: use fail or skip", r.OnConflict)
	}
	var tables []layout.TableRef
	for _, t := range r.Tables {
		db, name, ok := strings.Cut(t, ".")
		if !ok || db == "" || name == "" {
			return nil, lambdaio.BadField("tables", "%q: name each table as DB.TABLE", t)
		}
		tables = append(tables, layout.TableRef{DB: db, Table: name})
	}
	return tables, nil
}

// badRefField names field for errors about the refs it holds: refs that
// do not resolve, commits revert cannot undo.
func badRefField(err error, field string) error {
	var re *catalog.RefError
	if errors.As(err, &re) || errors.Is(err, patch.ErrNotRevertible) {
		return lambdaio.BadField(field, "%v", err)
	}
	return err
}
