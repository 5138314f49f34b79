package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout"
)

// followToMarker runs a live ingest until it has committed everything the
// server had, then stops it. It does not use ExitWhenCaughtUp: on MariaDB
// that can wait for ever when the source's head position lies after
// trailing non-transaction events (a Binlog_checkpoint event written after
// FLUSH BINARY LOGS), which never advance ingest's position. Instead, once
// the ingest is streaming (after its snapshot on a new store), it writes a
// marker transaction and stops when the marker's GTID is committed.
func followToMarker(ctx context.Context, srv *server, cfg ingest.Config, newStore bool, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var (
		mu      sync.Mutex
		lastSeq uint64
		flushed = make(chan struct{}, 1)
	)
	cfg.ExitWhenCaughtUp = false
	cfg.OnFlush = func(commits []layout.Commit, _ time.Duration) {
		mu.Lock()
		for _, c := range commits {
			if s, ok := gtidSeq(c.GTID); ok {
				lastSeq = max(lastSeq, s)
			}
		}
		mu.Unlock()
		select {
		case flushed <- struct{}{}:
		default:
		}
	}
	done := make(chan error, 1)
	go func() { done <- ingest.Run(runCtx, cfg) }()
	if newStore { // the snapshot is the first flush
		select {
		case <-flushed:
		case err := <-done:
			return fmt.Errorf("live ingest stopped before its snapshot was committed: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("live ingest: no snapshot within %s", limit)
		}
	}
	target, err := srv.marker(ctx)
	if err != nil {
		return err
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		mu.Lock()
		caught := lastSeq >= target
		mu.Unlock()
		if caught {
			stop()
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("live ingest: %w", err)
			}
			return nil
		}
		select {
		case err := <-done:
			return fmt.Errorf("live ingest stopped before the marker transaction (seq %d) was committed: %v", target, err)
		case <-ctx.Done():
			return fmt.Errorf("live ingest: marker transaction (seq %d) not committed within %s", target, limit)
		case <-tick.C:
		}
	}
}

// marker commits one transaction outside the replicated tables and returns
// its GTID sequence number.
func (s *server) marker(ctx context.Context) (uint64, error) {
	c, err := s.db.Connect(ctx, "")
	if err != nil {
		return 0, err
	}
	defer c.Close()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS test.bench_marker (id INT AUTO_INCREMENT PRIMARY KEY)",
		"INSERT INTO test.bench_marker VALUES ()",
	} {
		if _, err := c.Execute(q); err != nil {
			return 0, fmt.Errorf("marker transaction: %s: %w", q, err)
		}
	}
	r, err := c.Execute("SELECT @@last_gtid")
	if err != nil {
		return 0, fmt.Errorf("marker transaction: read its GTID: %w", err)
	}
	g, _ := r.GetString(0, 0)
	seq, ok := gtidSeq(g)
	if !ok {
		return 0, fmt.Errorf("marker transaction: unexpected GTID %q", g)
	}
	return seq, nil
}

// gtidSeq is the sequence number of a MariaDB GTID (domain-server-seq).
// The bench server has one domain, so sequence numbers order transactions.
func gtidSeq(g string) (uint64, bool) {
	i := strings.LastIndexByte(g, '-')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseUint(g[i+1:], 10, 64)
	return n, err == nil
}
