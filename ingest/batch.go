package ingest

import (
	"time"

	"github.com/binlake/binlake/layout"
)

// batch is the unit of group commit: complete transactions, in commit
// order, whose change rows sit in one segment builder per table and schema
// version. One batch becomes one manifest. The reader goroutine builds a
// batch and hands it, complete, to the committer.
type batch struct {
	txns     []*txn
	segments []*segment // in first-touched order
	bySchema map[*layout.TableSchema]*segment
	rows     int       // row changes of the complete transactions
	firstAt  time.Time // when the first transaction was added
	pool     *builderPool
}

// segment is one builder of a batch.
type segment struct {
	b *layout.SegmentBuilder
	// committed is the number of rows of complete transactions; rows after
	// it belong to the transaction being read.
	committed int
}

// newBatch returns an empty batch whose builders come from pool (which
// may be nil).
func newBatch(pool *builderPool) *batch {
	return &batch{bySchema: map[*layout.TableSchema]*segment{}, pool: pool}
}

// segment returns the builder of a schema version, adding it on first use.
func (b *batch) segment(s *layout.TableSchema) (*segment, error) {
	if seg := b.bySchema[s]; seg != nil {
		return seg, nil
	}
	sb, err := b.pool.get(s)
	if err != nil {
		return nil, err
	}
	seg := &segment{b: sb}
	b.bySchema[s] = seg
	b.segments = append(b.segments, seg)
	return seg, nil
}

// add appends a complete transaction; its rows are in the segments already.
func (b *batch) add(tx *txn, now time.Time) {
	if len(b.txns) == 0 {
		b.firstAt = now
	}
	b.txns = append(b.txns, tx)
	b.rows += tx.rows
	for _, tc := range tx.tables {
		if tc.seg != nil {
			tc.seg.committed = tc.seg.b.Len()
		}
	}
}

// size is about how many bytes the batch's rows take in memory.
func (b *batch) size() int {
	n := 0
	for _, seg := range b.segments {
		n += seg.b.Size()
	}
	return n
}

// dropPartial drops the rows of a transaction that was not completed.
func (b *batch) dropPartial() {
	for _, seg := range b.segments {
		seg.b.Truncate(seg.committed)
	}
}

func (b *batch) empty() bool { return len(b.txns) == 0 }

// release gives the builders back to the pool once the batch is written.
func (b *batch) release() {
	for _, seg := range b.segments {
		b.pool.put(seg.b)
	}
	b.segments, b.bySchema = nil, nil
}

// flushPolicy says when a batch is due: its first transaction has waited
// interval, or it holds rows row changes or bytes bytes.
type flushPolicy struct {
	interval time.Duration
	rows     int
	bytes    int
}

func (p flushPolicy) due(b *batch, now time.Time) bool {
	return !b.empty() && (now.Sub(b.firstAt) >= p.interval || b.rows >= p.rows || b.size() >= p.bytes)
}
