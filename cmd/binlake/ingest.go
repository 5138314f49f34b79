package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout"
)

func newIngestCmd(g *globals) *cobra.Command {
	var cfg ingest.Config
	var source string
	var cloudwatchMetrics bool
	cmd := &cobra.Command{
		Use:   "ingest --source mysql://user:pass@host:port | file:///path/to/binlogs",
		Short: "Follow a primary's binlog (or replay binlog files) into the store",
		Long: `Follows a MySQL or MariaDB primary as a replica would and turns every source
transaction into a commit of the chain. On first start against a primary that
already holds data it copies every table in one consistent snapshot. It resumes
from the last manifest after any stop, with no lost or duplicated transaction.

With --source file://PATH it ingests binlog files instead: one file, a directory
of binlog files, or a glob.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if source == "" {
				return fmt.Errorf("--source is required: mysql://user:password@host:port or file:///path/to/binlogs")
			}
			st, err := g.openStore(cmd.Context(), true)
			if err != nil {
				return err
			}
			cfg.Source, cfg.Store, cfg.Log = source, st, slog.Default()
			prog := &progress{start: time.Now(), every: 10 * time.Second}
			cfg.OnFlush = prog.flushed
			cfg.Stats = &ingest.Stats{}
			if cloudwatchMetrics {
				pub, err := newLagPublisher(cmd.Context(), g.store, cfg.Stats)
				if err != nil {
					return fmt.Errorf("--cloudwatch-metrics: %w", err)
				}
				mctx, stop := context.WithCancel(cmd.Context())
				done := make(chan struct{})
				go func() { defer close(done); pub.run(mctx, time.Second, time.Minute) }()
				defer func() { stop(); <-done }()
			}
			cfg.OnSnapshot = func(table string, rows, all int64) {
				if all > 0 {
					fmt.Fprintf(os.Stderr, "\rsnapshot %s: %d / ~%d rows", table, rows, all)
				}
				if rows >= all {
					fmt.Fprintln(os.Stderr)
				}
			}
			err = ingest.Run(cmd.Context(), cfg)
			if err == nil || prog.commits > 0 {
				prog.summary("ingest stopped")
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&source, "source", os.Getenv("BINLAKE_SOURCE"), "mysql://user:password@host:port, or file:///path to binlog files (env BINLAKE_SOURCE)")
	f.DurationVar(&cfg.FlushInterval, "flush-interval", time.Second, "longest a transaction waits before its manifest is written")
	f.IntVar(&cfg.FlushRows, "flush-rows", 200_000, "flush earlier when this many row changes are pending")
	f.IntVar(&cfg.FlushBytes, "flush-bytes", 64<<20, "flush earlier when the pending row changes take this many bytes")
	f.BoolVar(&cfg.ExitWhenCaughtUp, "exit-when-caught-up", false, "commit what the source has now, then exit (for scheduled runs)")
	f.StringSliceVar(&cfg.Filter.Include, "include", nil, "only these tables: db.table globs, e.g. shop.* (repeatable)")
	f.StringSliceVar(&cfg.Filter.Exclude, "exclude", nil, "never these tables: db.table globs (repeatable)")
	f.StringSliceVar(&cfg.Resnapshot, "resnapshot", nil,
		"copy these tables (db.table, repeatable) afresh from the live primary where the stream stands, skipping their changes "+
			"before it: the way on after ingest stopped at an event it could not read, once the setting is fixed (their history gets a gap)")
	f.BoolVar(&cloudwatchMetrics, "cloudwatch-metrics", os.Getenv("BINLAKE_CLOUDWATCH_METRICS") != "",
		"publish binlake/ReplicationLagSeconds to CloudWatch every minute (env BINLAKE_CLOUDWATCH_METRICS)")
	f.Uint32Var(&cfg.ReplicaID, "replica-id", 0, "server id binlake uses on the source (default random)")
	f.DurationVar(&cfg.SourceRetryFor, "source-retry-for", 5*time.Minute,
		"after losing the source connection, keep connecting again this long before giving up (-1s: for ever)")
	return cmd
}

// progress logs what ingest has committed: a line every so often while it
// runs, and a summary at the end.
type progress struct {
	start, last   time.Time
	every         time.Duration
	commits, rows uint64
	lastCommit    layout.Commit
}

func (p *progress) flushed(cs []layout.Commit, took time.Duration) {
	for i := range cs {
		p.rows += cs[i].Rows()
	}
	p.commits += uint64(len(cs))
	p.lastCommit = cs[len(cs)-1]
	slog.Debug("flushed", "commits", fmt.Sprintf("%d-%d", cs[0].N, p.lastCommit.N), "took", took.Round(time.Millisecond))
	if time.Since(p.last) >= p.every {
		p.last = time.Now()
		p.summary("ingesting")
	}
}

func (p *progress) summary(msg string) {
	secs := max(time.Since(p.start).Seconds(), 0.001)
	args := []any{"commits", p.commits, "row_changes", p.rows, "rows_per_sec", int64(float64(p.rows) / secs),
		"took", time.Since(p.start).Round(time.Millisecond)}
	if c := p.lastCommit; c.N > 0 {
		args = append(args, "head", c.N, "gtid", c.GTID, "position", fmt.Sprintf("%s:%d", c.File, c.Pos),
			"lag", time.Since(c.Time).Round(time.Second))
	}
	slog.Info(msg, args...)
}
