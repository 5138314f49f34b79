package ingest

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
)

// committer groups transactions and flushes them: one segment per table and
// schema version, then one manifest holding every commit of the flush. The
// manifest create is the commit point, so a crash before it leaves only
// unreferenced objects, and a crash after it loses nothing.
type committer struct {
	chain  *catalog.Chain
	source layout.Source
	// pending transactions, in commit order.
	pending  []*txn
	rows     int
	firstAt  time.Time // when the oldest pending transaction arrived
	uploads  int       // parallel object uploads
	observer func(flushed []layout.Commit, took time.Duration)
	// inflight receives the outcome of the flush being written in the
	// background; nil when none is. At most one is in flight, so manifests
	// are appended in order while the next batch is assembled.
	inflight chan error
}

func (c *committer) add(tx *txn, now time.Time) {
	if len(c.pending) == 0 {
		c.firstAt = now
	}
	c.pending = append(c.pending, tx)
	c.rows += tx.rows
}

// due reports whether a flush is due: the oldest pending transaction has
// waited interval, or maxRows row changes are pending.
func (c *committer) due(now time.Time, interval time.Duration, maxRows int) bool {
	return len(c.pending) > 0 && (now.Sub(c.firstAt) >= interval || c.rows >= maxRows)
}

// flush writes every pending transaction to the store and appends one
// manifest for them, and returns when that is done.
func (c *committer) flush(ctx context.Context) error {
	if err := c.flushAsync(ctx); err != nil {
		return err
	}
	return c.wait()
}

// flushAsync starts writing the pending transactions in the background,
// after the flush before it (if any) has finished; the caller goes on
// assembling the next batch meanwhile.
func (c *committer) flushAsync(ctx context.Context) error {
	if err := c.wait(); err != nil {
		return err
	}
	if len(c.pending) == 0 {
		return nil
	}
	batch := c.pending
	c.pending, c.rows = nil, 0
	done := make(chan error, 1)
	// A stop request lets a started flush finish: its transactions are
	// complete, and committing them now saves re-reading them later.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	go func() {
		defer cancel()
		done <- c.write(wctx, batch)
	}()
	c.inflight = done
	return nil
}

// wait returns the outcome of the flush in flight, if any.
func (c *committer) wait() error {
	if c.inflight == nil {
		return nil
	}
	err := <-c.inflight
	c.inflight = nil
	return err
}

// write stores one batch of transactions and appends its manifest.
func (c *committer) write(ctx context.Context, batch []*txn) error {
	start := time.Now()
	m := &layout.Manifest{Created: start.UTC(), Source: c.source}
	groups := map[*layout.TableSchema][]layout.Change{}
	var order []*layout.TableSchema
	var cps []checkpoint
	var cpCommit []uint64
	for _, tx := range batch {
		if want := c.chain.LastCommit() + uint64(len(m.Commits)) + 1; tx.n != want {
			return fmt.Errorf("flush: transaction numbered %d where commit %d is next", tx.n, want)
		}
		m.Commits = append(m.Commits, tx.commit(tx.n))
		m.Schemas = append(m.Schemas, tx.schemas...)
		for _, tc := range tx.tables {
			if len(tc.changes) == 0 {
				continue
			}
			if _, ok := groups[tc.schema]; !ok {
				order = append(order, tc.schema)
			}
			groups[tc.schema] = append(groups[tc.schema], tc.changes...)
		}
		for _, cp := range tx.checkpoints {
			cps, cpCommit = append(cps, cp), append(cpCommit, tx.n)
		}
	}
	last := batch[len(batch)-1]
	m.Resume = last.end
	objects := make([]layout.Object, len(order)+len(cps))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(c.uploads, 1))
	for i, s := range order {
		g.Go(func() error {
			o, err := putSegment(gctx, c.chain.Store(), s, groups[s])
			objects[i] = o
			return err
		})
	}
	for i, cp := range cps {
		g.Go(func() error {
			o, err := putCheckpoint(gctx, c.chain.Store(), cp.schema, cpCommit[i], cp.rows)
			objects[len(order)+i] = o
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("flush commits %d-%d: %w", m.Commits[0].N, last.n, err)
	}
	m.Objects = objects
	if err := c.chain.Append(ctx, m); err != nil {
		return fmt.Errorf("flush commits %d-%d: %w", m.Commits[0].N, last.n, err)
	}
	if c.observer != nil {
		c.observer(m.Commits, time.Since(start))
	}
	return nil
}

func putSegment(ctx context.Context, store layout.Store, s *layout.TableSchema, changes []layout.Change) (layout.Object, error) {
	var buf bytes.Buffer
	if err := layout.WriteSegment(&buf, s, changes); err != nil {
		return layout.Object{}, fmt.Errorf("encode segment of %s: %w", s.Name(), err)
	}
	first, last := changes[0].Commit, changes[len(changes)-1].Commit
	sha := layout.Hash(buf.Bytes())
	o := layout.Object{Key: layout.SegmentKey(s.DB, s.Table, s.Version, first, last, sha), SHA256: sha,
		Size: int64(buf.Len()), Kind: layout.ObjectSegment, DB: s.DB, Table: s.Table,
		SchemaVersion: s.Version, First: first, Last: last, Rows: int64(len(changes))}
	if err := store.Put(ctx, o.Key, buf.Bytes()); err != nil {
		return o, fmt.Errorf("store segment %s: %w", o.Key, err)
	}
	return o, nil
}

func putCheckpoint(ctx context.Context, store layout.Store, s *layout.TableSchema, commit uint64, rows [][]any) (layout.Object, error) {
	var buf bytes.Buffer
	if err := layout.WriteCheckpoint(&buf, s, commit, rows); err != nil {
		return layout.Object{}, fmt.Errorf("encode checkpoint of %s: %w", s.Name(), err)
	}
	sha := layout.Hash(buf.Bytes())
	o := layout.Object{Key: layout.CheckpointKey(s.DB, s.Table, s.Version, commit, sha), SHA256: sha,
		Size: int64(buf.Len()), Kind: layout.ObjectCheckpoint, DB: s.DB, Table: s.Table,
		SchemaVersion: s.Version, First: commit, Last: commit, Rows: int64(len(rows))}
	if err := store.Put(ctx, o.Key, buf.Bytes()); err != nil {
		return o, fmt.Errorf("store checkpoint %s: %w", o.Key, err)
	}
	return o, nil
}
