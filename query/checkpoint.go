package query

import (
	"bytes"
	"context"
	"fmt"

	"github.com/binlake/binlake/layout"
)

// CheckpointResult says what Checkpoint did for one table.
type CheckpointResult struct {
	Table   layout.TableRef
	Object  *layout.Object // nil when skipped
	Changes int64          // change rows a reader would have applied without it
	Skipped string         // why not, when skipped
}

// Checkpoint stores the full state of tables as of ref, so that later reads
// start from it instead of replaying history, and links the new objects into
// the chain with one auxiliary manifest. Tables with fewer than minChanges
// change rows to replay are skipped. An empty tables list means every table.
func (e *Engine) Checkpoint(ctx context.Context, ref string, tables []layout.TableRef, minChanges int64) ([]CheckpointResult, error) {
	n, err := e.Chain.Resolve(ref)
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
		if r.Object != nil {
			objs = append(objs, *r.Object)
		}
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
	tb, err := e.AsOfRows(ctx, ref.DB, ref.Table, fmt.Sprint(n))
	if err != nil {
		return res, err
	}
	var buf bytes.Buffer
	if err := layout.WriteCheckpoint(&buf, &tb.Schema, n, tb.Rows); err != nil {
		return res, fmt.Errorf("encode checkpoint of %s at %d: %w", ref, n, err)
	}
	sha := layout.Hash(buf.Bytes())
	o := layout.Object{Key: layout.CheckpointKey(ref.DB, ref.Table, tb.Schema.Version, n, sha), SHA256: sha,
		Size: int64(buf.Len()), Kind: layout.ObjectCheckpoint, DB: ref.DB, Table: ref.Table,
		SchemaVersion: tb.Schema.Version, First: n, Last: n, Rows: int64(len(tb.Rows))}
	if err := e.Chain.Store().Put(ctx, o.Key, buf.Bytes()); err != nil {
		return res, fmt.Errorf("store checkpoint %s: %w", o.Key, err)
	}
	res.Object = &o
	return res, nil
}
