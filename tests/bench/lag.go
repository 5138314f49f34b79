package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
)

const probeTable = "probe"

// lagRecorder collects both ends of every probe: when its INSERT returned
// to the client, and when the manifest holding its commit was written.
type lagRecorder struct {
	mu        sync.Mutex
	sent      []time.Time // INSERT returned, in probe order
	visible   []time.Time // commit visible, in commit order
	flushTook []time.Duration
	flushes   int
	firstSeen chan struct{} // closed at the first flush (the snapshot)
	once      sync.Once
}

// onFlush is ingest.Config.OnFlush: it runs right after the manifest of
// commits was written, so now is when they became visible.
func (r *lagRecorder) onFlush(commits []layout.Commit, took time.Duration) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushes++
	r.flushTook = append(r.flushTook, took)
	for _, c := range commits {
		for _, t := range c.Tables {
			if t.DB == "sbtest" && t.Table == probeTable && t.Inserts > 0 && c.Kind != layout.CommitSnapshot {
				r.visible = append(r.visible, now)
			}
		}
	}
	r.once.Do(func() { close(r.firstSeen) })
}

func (r *lagRecorder) counts() (sent, visible int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent), len(r.visible)
}

// measureLag follows the server live with ingest.Run while sysbench writes
// at a fixed rate, and a probe goroutine inserts one row every probeEvery.
// The commit order of the probes is their insert order (one connection,
// autocommit), so the k-th probe commit in the chain is the k-th insert.
func measureLag(ctx context.Context, o *options, srv *server, dir string, rep *report) error {
	progress("lag: preparing %d sysbench tables of %d rows and the probe table", o.ingestTables, o.lagTableSize)
	if err := srv.resetDatabase(ctx); err != nil {
		return err
	}
	if err := srv.db.Exec(ctx, "CREATE TABLE sbtest."+probeTable+" (id BIGINT PRIMARY KEY, sent_ns BIGINT NOT NULL)"); err != nil {
		return err
	}
	tables := "--tables=" + strconv.Itoa(o.ingestTables)
	size := "--table-size=" + strconv.Itoa(o.lagTableSize)
	if _, err := srv.sysbench(ctx, "prepare", tables, size); err != nil {
		return err
	}
	store, err := filestore.New(filepath.Join(dir, "store-live"))
	if err != nil {
		return err
	}
	rec := &lagRecorder{firstSeen: make(chan struct{})}
	ictx, stopIngest := context.WithCancel(ctx)
	defer stopIngest()
	ingestErr := make(chan error, 1)
	go func() {
		ingestErr <- ingest.Run(ictx, ingest.Config{Source: srv.sourceURL(), Store: store, OnFlush: rec.onFlush})
	}()
	select {
	case <-rec.firstSeen:
	case err := <-ingestErr:
		return fmt.Errorf("live ingest stopped before its snapshot: %v", err)
	case <-time.After(2 * time.Minute):
		return errors.New("live ingest: no snapshot after 2 minutes")
	}

	progress("lag: sysbench oltp_write_only at %d tx/s for %s, probes every %s", o.lagRate, o.lagTime, o.probeEvery)
	bench := make(chan error, 1)
	var res sysbenchResult
	go func() {
		var err error
		res, err = srv.sysbench(ctx, "run", tables, size, "--rate="+strconv.Itoa(o.lagRate),
			fmt.Sprintf("--time=%d", int(o.lagTime.Seconds())))
		bench <- err
	}()
	// Probe only while the load runs: start after 2 s, stop 2 s early.
	probeFor := o.lagTime - 4*time.Second
	if probeFor < time.Second {
		probeFor = time.Second
	}
	sleep(ctx, 2*time.Second)
	probeErr := probe(ctx, srv, rec, o.probeEvery, probeFor)
	if err := <-bench; err != nil {
		return err
	}
	if probeErr != nil {
		return probeErr
	}
	// Wait for the last probes to become visible.
	deadline := time.Now().Add(15 * time.Second)
	for {
		s, v := rec.counts()
		if v >= s || time.Now().After(deadline) {
			break
		}
		sleep(ctx, 50*time.Millisecond)
	}
	stopIngest()
	if err := <-ingestErr; err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("live ingest: %w", err)
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	l := &rep.lag
	l.sysbenchTxns, l.sysbenchTPS = res.transactions, res.tps
	l.probes, l.seen, l.flushes = len(rec.sent), len(rec.visible), rec.flushes
	for i := range min(len(rec.sent), len(rec.visible)) {
		l.lags = append(l.lags, rec.visible[i].Sub(rec.sent[i]))
	}
	l.flushTook = rec.flushTook
	progress("lag: %d probes, %d seen; p50 %s, p99 %s", l.probes, l.seen,
		percentile(l.lags, 50).Round(time.Millisecond), percentile(l.lags, 99).Round(time.Millisecond))
	if l.seen != l.probes {
		return fmt.Errorf("%d probes inserted but %d probe commits became visible", l.probes, l.seen)
	}
	return nil
}

// probe inserts one probe row every interval for d on its own connection
// and records when each INSERT returned.
func probe(ctx context.Context, srv *server, rec *lagRecorder, interval, d time.Duration) error {
	c, err := srv.db.Connect(ctx, "sbtest")
	if err != nil {
		return err
	}
	defer c.Close()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	end := time.Now().Add(d)
	for id := 1; time.Now().Before(end); id++ {
		q := fmt.Sprintf("INSERT INTO %s (id, sent_ns) VALUES (%d, %d)", probeTable, id, time.Now().UnixNano())
		if _, err := c.Execute(q); err != nil {
			return fmt.Errorf("probe %d: %w", id, err)
		}
		returned := time.Now()
		rec.mu.Lock()
		rec.sent = append(rec.sent, returned)
		rec.mu.Unlock()
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
