// Command bench measures binlake against baselines measured in the same run
// and writes the results as a markdown table (make bench writes
// docs/BENCHMARKS.md). It starts what it needs itself: a private MariaDB
// loaded with sysbench, and local stores in a temporary directory.
//
// Every figure stands next to a baseline measured in the same run, as a
// ratio, because absolute times drift on shared machines. A missed target
// is reported, never an error: the exit status is non-zero only when a
// measurement could not be made at all.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/binlake/binlake/tests/testenv"
)

// options are the command-line flags; the defaults are the full-size run.
type options struct {
	out        string
	workDir    string
	keep       bool
	cpuProfile string
	runs       int
	timeout    time.Duration
	ingestRuns int
	ingestOnly string

	// measure 1 and 4: a sysbench oltp_write_only binlog read from files
	ingestTables    int
	ingestTableSize int
	ingestTime      time.Duration
	threads         int

	// measure 3: one table built by sysbench prepare
	asofRows   int
	checkpoint bool

	// measure 2: live ingest under a rate-limited sysbench load
	lagTime      time.Duration
	lagRate      int
	lagTableSize int
	probeEvery   time.Duration
}

func parseFlags() *options {
	o := &options{}
	flag.StringVar(&o.out, "out", "docs/BENCHMARKS.md", "markdown file to write the results to")
	flag.StringVar(&o.workDir, "workdir", "", "directory for stores, caches and binlog copies (default: a new temporary directory)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "where to write the CPU profile of one ingest run (default: in the work directory, kept)")
	flag.DurationVar(&o.timeout, "timeout", 25*time.Minute, "give up after this long (a hang is reported, not waited out)")
	flag.IntVar(&o.runs, "runs", 3, "timed repetitions of raw decode, as-of and DuckDB (the best counts)")
	flag.IntVar(&o.ingestRuns, "ingest-runs", 2, "timed repetitions of file ingest, with all cores and with GOMAXPROCS=1 (the best counts; one more run is profiled)")
	flag.StringVar(&o.ingestOnly, "ingest-only", "", "measure only ingest throughput, of the binlog files in this directory (kept from an earlier -keep run); prints the figures, writes no report")
	flag.IntVar(&o.ingestTables, "ingest-tables", 4, "sysbench tables of the ingest binlog")
	flag.IntVar(&o.ingestTableSize, "ingest-table-size", 150_000, "rows per sysbench table of the ingest binlog (prepare)")
	flag.DurationVar(&o.ingestTime, "ingest-time", 50*time.Second, "sysbench oltp_write_only run time of the ingest binlog")
	flag.IntVar(&o.threads, "threads", 4, "sysbench threads")
	flag.IntVar(&o.asofRows, "asof-rows", 1_000_000, "rows of the as-of table")
	flag.BoolVar(&o.checkpoint, "checkpoint", true, "also build a chain whose as-of starts from a checkpoint (a live snapshot of the as-of table)")
	flag.DurationVar(&o.lagTime, "lag-time", 45*time.Second, "duration of the live lag measurement")
	flag.IntVar(&o.lagRate, "lag-rate", 250, "sysbench transactions per second during the lag measurement")
	flag.IntVar(&o.lagTableSize, "lag-table-size", 10_000, "rows per sysbench table during the lag measurement")
	flag.DurationVar(&o.probeEvery, "probe-every", 50*time.Millisecond, "interval between lag probe transactions")
	flag.Parse()
	return o
}

func main() {
	o := parseFlags()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	// ingest logs every flush at info level: keep stderr for progress.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func run(ctx context.Context, o *options) error {
	start := time.Now()
	rep := &report{started: start, opts: o}
	if err := rep.machine(ctx); err != nil {
		return err
	}
	dir := o.workDir
	if dir == "" {
		d, err := os.MkdirTemp("", "binlake-bench-")
		if err != nil {
			return fmt.Errorf("create work directory: %w", err)
		}
		dir = d
		if !o.keep {
			defer os.RemoveAll(dir)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create work directory: %w", err)
	}
	if o.cpuProfile == "" {
		o.cpuProfile = filepath.Join(os.TempDir(), "binlake-bench-ingest.pprof")
	}
	progress("work directory %s", dir)
	if o.ingestOnly != "" {
		if err := measureIngest(ctx, o, o.ingestOnly, dir, rep); err != nil {
			return fmt.Errorf("ingest throughput: %w", err)
		}
		fmt.Fprint(os.Stderr, rep.table())
		return nil
	}

	// Everything that needs the server first; then the server stops so
	// that the CPU-bound measures have the machine to themselves.
	src, err := prepareSources(ctx, o, dir, rep)
	if err != nil {
		return err
	}

	if err := measureIngest(ctx, o, src.ingestDir, dir, rep); err != nil {
		return fmt.Errorf("ingest throughput: %w", err)
	}
	if err := measureAsOf(ctx, o, src, dir, rep); err != nil {
		return fmt.Errorf("as-of: %w", err)
	}
	if err := measureLambda(ctx, o, filepath.Join(dir, "store-asof"), dir, rep); err != nil {
		return fmt.Errorf("lambda: %w", err)
	}
	rep.wall = time.Since(start)
	if err := rep.write(o.out); err != nil {
		return err
	}
	progress("wrote %s in %s", o.out, rep.wall.Round(time.Second))
	fmt.Fprint(os.Stderr, rep.table())
	return nil
}

// sources are the inputs the server-free measures use.
type sources struct {
	asofDir   string // binlog files that build the as-of table
	ingestDir string // binlog files of the ingest workload
	cpStore   string // store whose as-of table starts from a checkpoint ("" if not built)
}

// prepareSources runs every phase that needs MariaDB: it records the two
// binlog file sets, builds the checkpoint chain, and measures lag.
func prepareSources(ctx context.Context, o *options, dir string, rep *report) (*sources, error) {
	progress("starting a private MariaDB")
	db, err := testenv.NewMariaDB(ctx, testenv.MariaDBOptions{ExtraArgs: serverArgs})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	srv := &server{db: db, threads: o.threads}
	if rep.env.mariadb, err = srv.version(ctx); err != nil {
		return nil, err
	}
	src := &sources{asofDir: filepath.Join(dir, "binlog-asof"), ingestDir: filepath.Join(dir, "binlog-ingest")}

	if err := recordAsOfBinlog(ctx, o, srv, src, dir, rep); err != nil {
		return nil, fmt.Errorf("as-of table: %w", err)
	}
	if err := recordIngestBinlog(ctx, o, srv, src.ingestDir, rep); err != nil {
		return nil, fmt.Errorf("ingest workload: %w", err)
	}
	if err := measureLag(ctx, o, srv, dir, rep); err != nil {
		return nil, fmt.Errorf("lag: %w", err)
	}
	progress("stopping MariaDB")
	return src, nil
}
