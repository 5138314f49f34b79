package ingest

import (
	"sync"

	"github.com/binlake/binlake/layout"
)

// builderPool keeps the segment builders of written batches for the next
// batches of the same schema versions: a builder that has grown to a
// batch's size does not have to grow again, which was a tenth of ingest's
// CPU time in copies and page faults. The committer puts, the assembler
// gets.
type builderPool struct {
	mu   sync.Mutex
	free map[*layout.TableSchema][]*layout.SegmentBuilder
	n    int
	// maxBytes is the largest builder kept; a batch of one huge
	// transaction should not pin its memory.
	maxBytes int
}

// maxPooled bounds the builders kept, of all schema versions.
const maxPooled = 64

func newBuilderPool(maxBytes int) *builderPool {
	return &builderPool{free: map[*layout.TableSchema][]*layout.SegmentBuilder{}, maxBytes: maxBytes}
}

// get returns an empty builder for s.
func (p *builderPool) get(s *layout.TableSchema) (*layout.SegmentBuilder, error) {
	if p != nil {
		p.mu.Lock()
		if list := p.free[s]; len(list) > 0 {
			b := list[len(list)-1]
			p.free[s] = list[:len(list)-1]
			p.n--
			p.mu.Unlock()
			return b, nil
		}
		p.mu.Unlock()
	}
	return layout.NewSegmentBuilder(s)
}

// put gives back a builder whose rows are written.
func (p *builderPool) put(b *layout.SegmentBuilder) {
	if p == nil || b.Size() > p.maxBytes {
		return
	}
	b.Reset()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n >= maxPooled {
		clear(p.free) // schema versions come and go; start over
		p.n = 0
	}
	s := b.Schema()
	p.free[s] = append(p.free[s], b)
	p.n++
}
