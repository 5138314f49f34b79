package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout/filestore"
)

// recordAsOfBinlog builds the as-of table (sysbench prepare writes it with
// multi-row INSERTs) and copies its binlog. With -checkpoint it also builds
// a second chain from the live server: a snapshot (a checkpoint of the
// whole table at commit 1) followed by a few seconds of sysbench changes.
func recordAsOfBinlog(ctx context.Context, o *options, srv *server, src *sources, dir string, rep *report) error {
	progress("as-of table: sysbench prepare, 1 table of %d rows", o.asofRows)
	if err := srv.resetDatabase(ctx); err != nil {
		return err
	}
	res, err := srv.sysbench(ctx, "prepare", "--tables=1", "--table-size="+strconv.Itoa(o.asofRows))
	if err != nil {
		return err
	}
	// The last transaction changes 1,000 rows: what diff and revert are timed on.
	if err := srv.db.Exec(ctx, "UPDATE sbtest.sbtest1 SET k = k + 1 WHERE id <= 1000"); err != nil {
		return fmt.Errorf("the 1,000-row change: %w", err)
	}
	size, err := srv.copyBinlogs(ctx, src.asofDir)
	if err != nil {
		return err
	}
	rep.asof.binlogBytes = size
	progress("as-of table: prepared in %s, binlog %s", res.elapsed.Round(time.Second), mib(size))
	if !o.checkpoint {
		return nil
	}

	src.cpStore = filepath.Join(dir, "store-checkpoint")
	store, err := filestore.New(src.cpStore)
	if err != nil {
		return err
	}
	cfg := ingest.Config{Source: srv.sourceURL(), Store: store, Filter: ingest.Filter{Include: []string{"sbtest.*"}}}
	progress("as-of table: live snapshot (checkpoint) of %d rows", o.asofRows)
	t0 := time.Now()
	if err := followToMarker(ctx, srv, cfg, true, 5*time.Minute); err != nil {
		return fmt.Errorf("live snapshot: %w", err)
	}
	rep.asof.snapshotTook = time.Since(t0)
	progress("as-of table: snapshot and catch-up took %s; 5 s of sysbench changes on top", rep.asof.snapshotTook.Round(time.Second))
	chg, err := srv.sysbench(ctx, "run", "--tables=1", "--table-size="+strconv.Itoa(o.asofRows), "--time=5")
	if err != nil {
		return err
	}
	rep.asof.cpChangeTxns = chg.transactions
	if err := followToMarker(ctx, srv, cfg, false, 5*time.Minute); err != nil {
		return fmt.Errorf("live ingest after the snapshot: %w", err)
	}
	return nil
}

// recordIngestBinlog loads the server with sysbench (prepare, then a
// timed oltp_write_only run) and copies the binlog of both.
func recordIngestBinlog(ctx context.Context, o *options, srv *server, out string, rep *report) error {
	progress("ingest workload: sysbench prepare, %d tables of %d rows", o.ingestTables, o.ingestTableSize)
	if err := srv.resetDatabase(ctx); err != nil {
		return err
	}
	tables := "--tables=" + strconv.Itoa(o.ingestTables)
	size := "--table-size=" + strconv.Itoa(o.ingestTableSize)
	if _, err := srv.sysbench(ctx, "prepare", tables, size); err != nil {
		return err
	}
	progress("ingest workload: sysbench oltp_write_only run for %s, %d threads", o.ingestTime, o.threads)
	res, err := srv.sysbench(ctx, "run", tables, size, fmt.Sprintf("--time=%d", int(o.ingestTime.Seconds())))
	if err != nil {
		return err
	}
	rep.ingest.sysbenchTxns, rep.ingest.sysbenchTPS = res.transactions, res.tps
	n, err := srv.copyBinlogs(ctx, out)
	if err != nil {
		return err
	}
	rep.ingest.binlogBytes = n
	progress("ingest workload: %d transactions (%.0f/s), binlog %s", res.transactions, res.tps, mib(n))
	return nil
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
