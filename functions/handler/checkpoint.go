package handler

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/binlake/binlake/functions/lambdaio"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query"
)

// CheckpointRequest is the event of the checkpoint function (scheduled).
type CheckpointRequest struct {
	Tables     []string `json:"tables,omitempty"`      // DB.TABLE; empty means every table
	At         string   `json:"at,omitempty"`          // default HEAD
	MinChanges *int64   `json:"min_changes,omitempty"` // default 10000
}

// CheckpointAnswer lists what was written or skipped.
type CheckpointAnswer struct {
	Commit uint64            `json:"commit"`
	Tables []CheckpointTable `json:"tables"`
}

// CheckpointTable is one table's outcome.
type CheckpointTable struct {
	Table string `json:"table"`
	// Key is the checkpoint's object, the first of Parts when it has more
	// than one.
	Key     string `json:"key,omitempty"`
	Parts   int    `json:"parts,omitempty"`
	Rows    int64  `json:"rows,omitempty"`
	Changes int64  `json:"changes_replaced"`
	Skipped string `json:"skipped,omitempty"`
}

// Checkpoint writes table checkpoints and links them into the chain.
func (d *Deps) Checkpoint(ctx context.Context, raw json.RawMessage) (*CheckpointAnswer, error) {
	defer d.after()
	var req CheckpointRequest
	if err := lambdaio.DecodeStrict(raw, &req); err != nil {
		return nil, err
	}
	var tables []layout.TableRef
	for _, t := range req.Tables {
		db, name, ok := strings.Cut(t, ".")
		if !ok || db == "" || name == "" {
			return nil, lambdaio.BadField("tables", "%q: name each table as DB.TABLE", t)
		}
		tables = append(tables, layout.TableRef{DB: db, Table: name})
	}
	if req.At == "" {
		req.At = "HEAD"
	}
	minChanges := int64(10_000)
	if req.MinChanges != nil {
		minChanges = *req.MinChanges
	}
	e, err := d.engine(ctx)
	if err != nil {
		return nil, err
	}
	n, err := e.Chain.Resolve(req.At)
	if err != nil {
		return nil, lambdaio.BadField("at", "%v", err)
	}
	res, err := e.Checkpoint(ctx, query.CheckpointOptions{At: req.At, Tables: tables, MinChanges: minChanges})
	if err != nil {
		return nil, asBadRequest(err)
	}
	ans := &CheckpointAnswer{Commit: n, Tables: []CheckpointTable{}}
	for _, r := range res {
		t := CheckpointTable{Table: r.Table.String(), Changes: r.Changes, Skipped: r.Skipped}
		if len(r.Objects) > 0 {
			t.Key, t.Parts, t.Rows = r.Objects[0].Key, len(r.Objects), r.Rows
		}
		ans.Tables = append(ans.Tables, t)
	}
	d.Logger(ctx).Info("checkpointed", "commit", n, "tables", len(ans.Tables))
	return ans, nil
}
