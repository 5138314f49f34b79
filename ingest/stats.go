package ingest

import (
	"sync"
	"time"
)

// Stats follows how far the chain is behind the source, for a lag metric
// that tells the truth: Lag is the age of the oldest source event ingest
// has read and not yet committed to the chain (a transaction being read,
// or read and waiting for its flush), so it grows while the store stalls;
// with nothing pending it is 0, except while the source is unreachable,
// when it is the time since the last contact. It is safe for concurrent
// use: the reader, the committer and a metrics publisher share it.
type Stats struct {
	mu sync.Mutex
	// reading is the source time of the transaction being read (zero when
	// between transactions).
	reading time.Time
	// pending are the transactions read and not yet committed, in order.
	pending []pendingTxn
	// lastContact is when the source last sent anything; lost, when set,
	// is when the connection was lost.
	lastContact, lost time.Time
	// Commits and Reconnects count, for logs and metrics.
	commits, reconnects uint64
}

type pendingTxn struct {
	n  uint64
	at time.Time // source time of the transaction's first event
}

// Lag is how far the chain is behind the source at now (see Stats).
func (s *Stats) Lag(now time.Time) time.Duration {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var oldest time.Time
	if len(s.pending) > 0 {
		oldest = s.pending[0].at
	} else if !s.reading.IsZero() {
		oldest = s.reading
	}
	switch {
	case !oldest.IsZero():
		return max(now.Sub(oldest), 0)
	case !s.lost.IsZero():
		return max(now.Sub(s.lastContact), 0)
	}
	return 0
}

// Counts returns the commits made and the reconnections so far.
func (s *Stats) Counts() (commits, reconnects uint64) {
	if s == nil {
		return 0, 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commits, s.reconnects
}

// contact notes that the source sent something.
func (s *Stats) contact(now time.Time) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.lastContact, s.lost = now, time.Time{}
	s.mu.Unlock()
}

// disconnected notes that the connection was lost at lost.
func (s *Stats) disconnected(lost time.Time) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if s.lost.IsZero() {
		s.reconnects++
	}
	s.lost = lost
	if s.lastContact.IsZero() || s.lastContact.After(lost) {
		s.lastContact = lost
	}
	s.mu.Unlock()
}

// begin notes a transaction starting to be read, committed on the source
// at sourceTime; end moves it to the pending ones as commit n; drop
// forgets one that will be read again.
func (s *Stats) begin(sourceTime time.Time) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.reading = sourceTime
	s.mu.Unlock()
}

func (s *Stats) end(n uint64) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if !s.reading.IsZero() {
		s.pending = append(s.pending, pendingTxn{n: n, at: s.reading})
	}
	s.reading = time.Time{}
	s.mu.Unlock()
}

func (s *Stats) drop() {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.reading = time.Time{}
	s.mu.Unlock()
}

// committed notes that every commit up to last is in the chain.
func (s *Stats) committed(last uint64, commits int) {
	if s == nil {
		return
	}
	s.mu.Lock()
	i := 0
	for i < len(s.pending) && s.pending[i].n <= last {
		i++
	}
	s.pending = append(s.pending[:0], s.pending[i:]...)
	s.commits += uint64(commits)
	s.mu.Unlock()
}
