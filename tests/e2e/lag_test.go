package e2e

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/tests/testenv"
)

// stallingStore holds manifest creates while stalled: a store outage, as
// ingest sees it.
type stallingStore struct {
	layout.Store
	mu      sync.Mutex
	stalled chan struct{} // closed to release; nil when not stalled
}

func (s *stallingStore) stall() {
	s.mu.Lock()
	s.stalled = make(chan struct{})
	s.mu.Unlock()
}

func (s *stallingStore) release() {
	s.mu.Lock()
	close(s.stalled)
	s.stalled = nil
	s.mu.Unlock()
}

func (s *stallingStore) Create(ctx context.Context, key string, data []byte) error {
	s.mu.Lock()
	ch := s.stalled
	s.mu.Unlock()
	if ch != nil {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return s.Store.Create(ctx, key, data)
}

// TestLagTellsTheTruth checks item 8 of "Exact under every fault": the lag
// is about 0 when the chain has everything, grows while the store stalls
// and while the primary is down, and falls back once they are back.
func TestLagTellsTheTruth(t *testing.T) {
	ctx := context.Background()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	if err := db.Exec(ctx, "CREATE TABLE test.t (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	st := &stallingStore{Store: newFileStore(t)}
	stats := &ingest.Stats{}
	ictx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- ingest.Run(ictx, ingest.Config{Source: sourceURL(db), Store: st, FlushInterval: 50 * time.Millisecond,
			Log: quietLog(), Stats: stats, SourceRetryFor: time.Minute})
	}()
	defer func() {
		stop()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("ingest: %v", err)
		}
	}()
	waitFor := func(what string, cond func(lag time.Duration) bool) time.Duration {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			lag := stats.Lag(time.Now())
			if cond(lag) {
				return lag
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the lag is %v after 60 s", what, lag)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	committed := func(id string) {
		t.Helper()
		conn, err := db.Connect(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		mustExec(t, conn, "INSERT INTO t VALUES ("+id+")")
		waitCaughtUp(t, st, conn)
	}
	committed("1")
	waitFor("caught up", func(l time.Duration) bool { return l < time.Second })

	st.stall()
	if err := db.Exec(ctx, "INSERT INTO test.t VALUES (2)"); err != nil {
		t.Fatal(err)
	}
	stalled := waitFor("store stalled", func(l time.Duration) bool { return l >= 2*time.Second })
	st.release()
	waitFor("store back", func(l time.Duration) bool { return l < time.Second })

	db.Kill()
	down := waitFor("primary down", func(l time.Duration) bool { return l >= 2*time.Second })
	if err := db.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	committed("3")
	waitFor("primary back", func(l time.Duration) bool { return l < time.Second })
	_, reconnects := stats.Counts()
	if reconnects == 0 {
		t.Error("no reconnect counted after the primary went down")
	}
	t.Logf("lag: %v while the store stalled, %v while the primary was down; %d reconnects", stalled, down, reconnects)
}
