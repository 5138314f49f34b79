package query

import (
	"context"
	"fmt"

	"github.com/binlake/binlake/layout"
)

// CheckpointResult says what Checkpoint did for one table.
type CheckpointResult struct {
	Table layout.TableRef
	// Objects are the checkpoint's parts (none when skipped).
	Objects []layout.Object
	Rows    int64  // rows of the table at the checkpoint
	Changes int64  // change rows a reader would have applied without it
	Skipped string // why not, when skipped
}

// Checkpoint stores the full state of tables as of ref, so that later reads
// start from it instead of replaying history, and links the new objects into
// the chain with one auxiliary manifest. Tables with fewer than
// opts.MinChanges change rows to replay are skipped.
func (e *Engine) Checkpoint(ctx context.Context, opts CheckpointOptions) ([]CheckpointResult, error) {
	tables, minChanges := opts.Tables, opts.MinChanges
	n, err := e.Resolve(refOrHead(opts.At))
	if err != nil {
		return nil, err
	}
	if len(tables) == 0 {
		for _, s := range e.Chain.TablesAt(n) {
			tables = append(tables, layout.TableRef{DB: s.DB, Table: s.Table})
		}
	}
	var results []CheckpointResult
	var objs []layout.Object
	for _, ref := range tables {
		r, err := e.checkpointTable(ctx, ref, n, minChanges)
		if err != nil {
			return results, err
		}
		results = append(results, r)
		objs = append(objs, r.Objects...)
	}
	if len(objs) == 0 {
		return results, nil
	}
	if err := e.Chain.AppendObjects(ctx, objs); err != nil {
		return results, fmt.Errorf("link checkpoints into the chain: %w", err)
	}
	return results, nil
}

func (e *Engine) checkpointTable(ctx context.Context, ref layout.TableRef, n uint64, minChanges int64) (CheckpointResult, error) {
	res := CheckpointResult{Table: ref}
	st, err := e.Chain.TableAt(ref.DB, ref.Table, n)
	if err != nil {
		return res, err
	}
	for st := st; st != nil; st = st.Base {
		for _, o := range st.Segments {
			res.Changes += o.Rows
		}
	}
	switch {
	case st.Checkpoint != nil && st.From == n:
		res.Skipped = "already checkpointed at this commit"
		return res, nil
	case res.Changes < minChanges:
		res.Skipped = fmt.Sprintf("%d changes to replay, fewer than %d", res.Changes, minChanges)
		return res, nil
	}
	// Rows stream from DuckDB into parts stored as they fill: a Lambda
	// function with little memory can checkpoint a large table.
	parts := layout.NewCheckpointParts(ctx, e.Chain.Store(), &st.Schema, n, e.PartRows, e.PartBytes)
	defer parts.Discard() // the spool of a part left open by an error
	if err := e.eachRow(ctx, st, false, parts.Write); err != nil {
		return res, fmt.Errorf("checkpoint %s at %d: %w", ref, n, err)
	}
	objs, err := parts.Close()
	if err != nil {
		return res, fmt.Errorf("checkpoint %s at %d: %w", ref, n, err)
	}
	res.Objects, res.Rows = objs, parts.Rows()
	return res, nil
}
