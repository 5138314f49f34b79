package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// report collects every figure of one run.
type report struct {
	started time.Time
	wall    time.Duration
	opts    *options
	env     struct {
		nproc                      int
		goVersion, duckdb, mariadb string
		sysbench, load             string
	}
	ingest struct {
		sysbenchTxns               int64
		sysbenchTPS                float64
		binlogBytes                int64
		raw, ingest, raw1, ingest1 timing
		storeBytes                 int64
		storeFiles                 int
	}
	lag struct {
		sysbenchTxns          int64
		sysbenchTPS           float64
		probes, seen, flushes int
		lags, flushTook       []time.Duration
	}
	asof struct {
		binlogBytes  int64
		snapshotTook time.Duration
		cpChangeTxns int64
		ingest       timing
		files, cp    *asofResult
	}
	profileTop string
	lambda     *lambdaResult
}

func (r *report) machine(ctx context.Context) error {
	r.env.nproc = runtime.NumCPU()
	r.env.goVersion = runtime.Version()
	v, err := duckdbVersion(ctx)
	if err != nil {
		return err
	}
	r.env.duckdb = v
	out, err := exec.CommandContext(ctx, "sysbench", "--version").Output()
	if err != nil {
		return fmt.Errorf("sysbench --version: %w (make tools installs it)", err)
	}
	r.env.sysbench = strings.TrimSpace(string(out))
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		r.env.load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	progress("machine: %d cores, %s, DuckDB %s, %s, load %s", r.env.nproc, r.env.goVersion, r.env.duckdb, r.env.sysbench, r.env.load)
	return nil
}

// row is one line of the results table.
type row struct {
	measure, value, baseline, baseValue string
	ratio                               float64
	target                              string
	pass                                *bool // nil: informational
}

func verdict(ok bool) *bool { return &ok }

func (r *report) rows() []row {
	var rows []row
	in := &r.ingest
	if in.raw.rows > 0 {
		rows = append(rows,
			row{"Ingest throughput from files, all cores", fmt.Sprintf("%s row changes/s (%.2f cores busy)", num(in.ingest.rate()), in.ingest.cores()),
				"go-mysql raw decode of the same files", fmt.Sprintf("%s row changes/s", num(in.raw.rate())),
				in.ingest.rate() / in.raw.rate(), "≥ 0.5×", verdict(in.ingest.rate() >= 0.5*in.raw.rate())},
			row{"Ingest throughput from files, GOMAXPROCS=1", fmt.Sprintf("%s row changes/s (%.2f cores busy)", num(in.ingest1.rate()), in.ingest1.cores()),
				"raw decode, GOMAXPROCS=1", fmt.Sprintf("%s row changes/s", num(in.raw1.rate())),
				in.ingest1.rate() / in.raw1.rate(), "≥ 0.5× (≈300k/s here)", verdict(in.ingest1.rate() >= 0.5*in.raw1.rate())},
			row{"Ingest CPU cost", fmt.Sprintf("%s row changes per CPU-second", num(in.ingest.cpuRate())),
				"raw decode", fmt.Sprintf("%s row changes per CPU-second", num(in.raw.cpuRate())),
				in.ingest.cpuRate() / in.raw.cpuRate(), "—", nil},
		)
	}
	if l := &r.lag; len(l.lags) > 0 {
		p50, p99 := percentile(l.lags, 50), percentile(l.lags, 99)
		rows = append(rows,
			row{"Commit-to-visible lag p50", secs(p50), "flush interval", "1.000 s", p50.Seconds(), "—", nil},
			row{"Commit-to-visible lag p99", secs(p99), "flush interval", "1.000 s", p99.Seconds(), "p99 < 2 s (< 2×)", verdict(p99 < 2*time.Second)},
		)
	}
	if a := r.asof.files; a != nil {
		rows = append(rows, row{fmt.Sprintf("As-of of a %s-row table (no checkpoint: %s change rows)", num(float64(a.rows)), num(float64(a.changesAfter))),
			secs(a.asof), "DuckDB copying a plain Parquet file of the same state", secs(a.plain),
			ratio(a.asof, a.plain), "≤ 3×", verdict(a.asof <= 3*a.plain)})
	}
	if a := r.asof.files; a != nil && a.diff > 0 {
		rows = append(rows, row{fmt.Sprintf("diff of a %s-row commit on that table (1M changes of history)", num(float64(a.diffRows))),
			secs(a.diff), "as-of of the same table", secs(a.asof), ratio(a.diff, a.asof), "well under (≤ 0.1×)", verdict(a.diff*10 <= a.asof)})
		rows = append(rows, row{"revert of that 1,000-row commit (patch written, conflicts checked)",
			secs(a.revert), "as-of of the same table", secs(a.asof), ratio(a.revert, a.asof), "well under (≤ 0.1×)", verdict(a.revert*10 <= a.asof)})
	}
	if a := r.asof.cp; a != nil {
		rows = append(rows, row{fmt.Sprintf("As-of of a %s-row table from a checkpoint + %s change rows", num(float64(a.rows)), num(float64(a.changesAfter))),
			secs(a.asof), "DuckDB copying a plain Parquet file of the same state", secs(a.plain),
			ratio(a.asof, a.plain), "≤ 3×", verdict(a.asof <= 3*a.plain)})
	}
	if l := r.lambda; l != nil {
		rows = append(rows, row{"query function cold start (Runtime API harness, process start to first answer)",
			secs(l.coldStart), "the CLI process answering the same question", secs(l.cliStart), ratio(l.coldStart, l.cliStart), "—", nil})
		for _, fn := range []string{"query", "recover", "verify", "checkpoint"} {
			if z := l.zips[fn]; z > 0 {
				rows = append(rows, row{"`" + fn + "` function package (bin/lambda/" + fn + ".zip)", mib(z), "its static bootstrap",
					mib(l.bootstrap[fn]), float64(z) / float64(l.bootstrap[fn]), "—", nil})
			}
		}
	}
	if n := in.ingest.rows; n > 0 {
		s, b := float64(in.storeBytes)/float64(n), float64(in.binlogBytes)/float64(n)
		rows = append(rows, row{"Store bytes per row change", fmt.Sprintf("%.1f B", s),
			"binlog bytes per row change", fmt.Sprintf("%.1f B", b), s / b, "< 0.5×", verdict(s < 0.5*b)})
	}
	return rows
}

// table renders the results table.
func (r *report) table() string {
	var b strings.Builder
	b.WriteString("| measure | value | baseline | baseline value | ratio | target | result |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, x := range r.rows() {
		res := "info"
		if x.pass != nil {
			res = "miss"
			if *x.pass {
				res = "pass"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %.2f× | %s | %s |\n", x.measure, x.value, x.baseline, x.baseValue, x.ratio, x.target, res)
	}
	return b.String()
}

func (r *report) write(path string) error {
	var b bytes.Buffer
	o := r.opts
	fmt.Fprintf(&b, "# Benchmarks\n\n")
	fmt.Fprintf(&b, "Written by `make bench` (`go run ./tests/bench -out docs/BENCHMARKS.md`). Every figure stands next to a\n"+
		"baseline measured in the same run, and the ratio is what to compare between runs: absolute times\n"+
		"drift on shared machines. Targets are informational; a miss does not fail the run.\n\n")
	fmt.Fprintf(&b, "- date: %s (run took %s)\n", r.started.UTC().Format("2006-01-02 15:04 MST"), r.wall.Round(time.Second))
	fmt.Fprintf(&b, "- machine: %d cores (nproc), %s/%s, load average at start %s\n", r.env.nproc, runtime.GOOS, runtime.GOARCH, r.env.load)
	fmt.Fprintf(&b, "- software: %s, DuckDB %s, MariaDB %s, %s\n\n", r.env.goVersion, r.env.duckdb, r.env.mariadb, r.env.sysbench)
	b.WriteString(r.table())

	b.WriteString("\n## Workloads\n\n")
	in := &r.ingest
	fmt.Fprintf(&b, "- ingest binlog: sysbench `oltp_write_only`, %d tables of %s rows (prepare), then `run` for %s with %d threads "+
		"(%s transactions, %.0f/s): %s row changes in %s of binlog. The store after ingesting it: %s in %d files "+
		"(manifests and segments).\n",
		o.ingestTables, num(float64(o.ingestTableSize)), o.ingestTime, o.threads, num(float64(in.sysbenchTxns)), in.sysbenchTPS,
		num(float64(in.ingest.rows)), mib(in.binlogBytes), mib(in.storeBytes), in.storeFiles)
	fmt.Fprintf(&b, "- best runs: raw decode %s (%.2f cores), ingest %s (%.2f cores); with GOMAXPROCS=1 raw decode %s, ingest %s.\n",
		secs(in.raw.wall), in.raw.cores(), secs(in.ingest.wall), in.ingest.cores(), secs(in.raw1.wall), secs(in.ingest1.wall))
	if l := &r.lag; len(l.lags) > 0 {
		fmt.Fprintf(&b, "- lag: live ingest of sysbench `oltp_write_only --rate=%d` on %d tables of %s rows for %s "+
			"(%s transactions, %.0f/s achieved); %d probes, every %s; lag max %s; %d flushes, flush time p50 %s, p99 %s.\n",
			o.lagRate, o.ingestTables, num(float64(o.lagTableSize)), o.lagTime, num(float64(l.sysbenchTxns)), l.sysbenchTPS,
			l.probes, o.probeEvery, secs(slices.Max(l.lags)), l.flushes, secs(percentile(l.flushTook, 50)), secs(percentile(l.flushTook, 99)))
	}
	a := &r.asof
	if a.files != nil {
		fmt.Fprintf(&b, "- as-of table: sysbench `prepare` of 1 table of %s rows (multi-row INSERTs), %s of binlog, ingested from files "+
			"in %s; the plain Parquet file of its state is %s. This chain has no checkpoint: binlake writes checkpoints only "+
			"for the initial snapshot of a live source, so as-of reads all %s change rows.\n",
			num(float64(o.asofRows)), mib(a.binlogBytes), secs(a.ingest.wall), mib(a.files.plainFileSize), num(float64(a.files.changesAfter)))
	}
	if a.cp != nil {
		fmt.Fprintf(&b, "- checkpoint chain: a live ingest of the same server snapshotted the table (a checkpoint at commit 1; snapshot and catch-up took %s), "+
			"then followed 5 s of sysbench `oltp_write_only` on it (%s transactions, %s change rows after the checkpoint).\n",
			secs(a.snapshotTook), num(float64(a.cpChangeTxns)), num(float64(a.cp.changesAfter)))
	}

	b.WriteString(methods)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

const methods = `
## How each figure was measured

- **Ingest throughput.** A private MariaDB (` + "`testenv.NewMariaDB`" + `, with a larger buffer pool and no fsync per
  commit so that loading is quick) is loaded with sysbench; after ` + "`FLUSH BINARY LOGS`" + ` its binlog files are copied
  to a directory and the server is stopped before anything is timed. Ingest is
  ` + "`ingest.Run(ingest.Config{Source: \"file://\" + dir, Store: filestore, ExitWhenCaughtUp: true})`" + ` into a new
  local store, default flush settings; row changes are the sum of the committed commits' counts (OnFlush). The baseline
  is go-mysql's ` + "`BinlogParser.ParseReader`" + ` over the same files, through the same 1 MiB buffered reader, with
  ` + "`binlog.ConfigureParser(p, \"mariadb\")`" + ` and a callback that only counts the rows of rows events (an update's
  before/after pair counts once). Ingest does all the baseline does but decode row images through go-mysql: its own
  decoder (` + "`ingest/rowdecode.go`" + `, checked value for value against go-mysql) writes them straight into columnar
  segment builders; it also converts values, encodes and compresses Parquet, hashes and writes every object and
  manifest. Both are the
  best of several runs after a GC; "cores busy" is the process CPU time (getrusage) over wall time. The same pair is
  measured again with ` + "`runtime.GOMAXPROCS(1)`" + `. The CPU-cost row divides row changes by CPU time instead of wall time.
- **Commit-to-visible lag.** ` + "`ingest.Run`" + ` follows the server live (` + "`mysql://`" + ` source, in-process, flush interval 1 s)
  while sysbench ` + "`oltp_write_only --rate`" + ` writes to it. A probe goroutine inserts one row into ` + "`sbtest.probe`" + `
  every probe interval on its own autocommit connection and records when each INSERT returned; ` + "`Config.OnFlush`" + `
  records when each commit became visible (right after its manifest was written). Probe commits are those whose
  ` + "`Tables`" + ` name the probe table; one connection commits them in insert order, so the k-th probe commit is the k-th
  insert. Lag = visible − returned. The baseline is the flush interval, which bounds how long a commit may wait for
  its flush.
- **As-of.** ` + "`(&query.Engine{Chain, Cache}).AsOf(ctx, \"sbtest\", \"sbtest1\", \"HEAD\", render.Output{Format: render.FormatParquet, Path: tmp})`" + `,
  run once untimed (warms the cache and writes the baseline's input), then the best of several runs. The baseline is a
  fresh in-memory DuckDB (every as-of also opens one) running
  ` + "`COPY (SELECT * FROM read_parquet('<plain>')) TO '<tmp2>' (FORMAT parquet, COMPRESSION zstd)`" + ` where ` + "`<plain>`" + ` is the
  as-of output itself: the same final state as one plain Parquet file. (Parquet as-of output is not sorted; text
  formats are sorted by primary key.)
- **Diff and revert.** The as-of binlog ends with one transaction updating 1,000 rows of the 1M-row table whose
  history is 1M inserts. ` + "`Engine.Diff(ctx, \"HEAD~1\", \"HEAD\", ...)`" + ` and ` + "`Engine.Revert(ctx, {Commits: [\"HEAD\"], OnConflict: \"skip\"}, io.Discard)`" + `
  (the guarded patch written, later history checked for conflicts) are timed warm, best of several runs, next to the
  as-of of the same table.
- **Store bytes per row change.** The size of every file in the store after ingesting the ingest binlog (manifests and
  segments) divided by its row changes, against the size of the binlog files divided by the same count.
`

// percentile is the nearest-rank percentile p of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ratio(a, b time.Duration) float64 { return a.Seconds() / b.Seconds() }

func secs(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

// num formats a count with thousands separators.
func num(f float64) string {
	s := fmt.Sprintf("%.0f", f)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
