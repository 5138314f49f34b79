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

// committer writes batches: one segment per table and schema version, then
// one manifest holding every commit of the batch. The manifest create is
// the commit point, so a crash before it leaves only unreferenced objects,
// and a crash after it loses nothing.
type committer struct {
	chain    *catalog.Chain
	source   layout.Source
	uploads  int // parallel object encodes and uploads
	observer func(flushed []layout.Commit, took time.Duration)
	stats    *Stats
}

// write stores one batch and appends its manifest.
func (c *committer) write(ctx context.Context, b *batch) error {
	if b.empty() {
		return nil
	}
	start := time.Now()
	m := &layout.Manifest{Created: start.UTC(), Source: c.source, Commits: make([]layout.Commit, 0, len(b.txns))}
	var stored []layout.Object
	for _, tx := range b.txns {
		if want := c.chain.LastCommit() + uint64(len(m.Commits)) + 1; tx.n != want {
			return fmt.Errorf("flush: transaction numbered %d where commit %d is next", tx.n, want)
		}
		m.Commits = append(m.Commits, tx.record())
		m.Schemas = append(m.Schemas, tx.schemas...)
		stored = append(stored, tx.stored...)
	}
	first, last := b.txns[0].n, b.txns[len(b.txns)-1].n
	m.Resume = b.txns[len(b.txns)-1].end
	var segs []*layout.SegmentBuilder
	for _, seg := range b.segments {
		if seg.b.Len() > 0 {
			segs = append(segs, seg.b)
		}
	}
	objects := make([]layout.Object, len(segs), len(segs)+len(stored))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(c.uploads, 1))
	for i, sb := range segs {
		g.Go(func() error {
			o, err := putSegment(gctx, c.chain.Store(), sb)
			objects[i] = o
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("flush commits %d-%d: %w", first, last, err)
	}
	m.Objects = append(objects, stored...)
	if err := c.chain.Append(ctx, m); err != nil {
		return fmt.Errorf("flush commits %d-%d: %w", first, last, err)
	}
	c.stats.committed(last, len(m.Commits))
	if c.observer != nil {
		c.observer(m.Commits, time.Since(start))
	}
	return nil
}

func putSegment(ctx context.Context, store layout.Store, b *layout.SegmentBuilder) (layout.Object, error) {
	return putSegmentRange(ctx, store, b, 0, b.Len())
}

// putSegmentRange stores rows [from, to) of a builder as one segment.
func putSegmentRange(ctx context.Context, store layout.Store, b *layout.SegmentBuilder, from, to int) (layout.Object, error) {
	s := b.Schema()
	var buf bytes.Buffer
	buf.Grow(b.Size() / 2)
	if err := b.WriteRange(&buf, from, to); err != nil {
		return layout.Object{}, fmt.Errorf("encode segment: %w", err)
	}
	first, last := b.CommitRangeOf(from, to)
	sha := layout.Hash(buf.Bytes())
	o := layout.Object{Key: layout.SegmentKey(s.DB, s.Table, s.Version, first, last, sha), SHA256: sha,
		Size: int64(buf.Len()), Kind: layout.ObjectSegment, DB: s.DB, Table: s.Table,
		SchemaVersion: s.Version, First: first, Last: last, Rows: int64(to - from)}
	if err := store.Put(ctx, o.Key, bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
		return o, fmt.Errorf("store segment %s: %w", o.Key, err)
	}
	return o, nil
}
