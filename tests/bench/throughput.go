package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/ingest/binlog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
)

// timing is one timed run: wall time, CPU time of this process, and the
// row changes it handled.
type timing struct {
	wall, cpu time.Duration
	rows      int64
}

func (t timing) rate() float64    { return float64(t.rows) / t.wall.Seconds() }
func (t timing) cpuRate() float64 { return float64(t.rows) / t.cpu.Seconds() }
func (t timing) cores() float64   { return t.cpu.Seconds() / t.wall.Seconds() }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timed runs fn after a GC, measuring wall and CPU time.
func timed(fn func() (int64, error)) (timing, error) {
	runtime.GC()
	c0, t0 := cpuTime(), time.Now()
	rows, err := fn()
	return timing{wall: time.Since(t0), cpu: cpuTime() - c0, rows: rows}, err
}

// best runs fn n times and returns the fastest run.
func best(n int, what string, fn func() (int64, error)) (timing, error) {
	var b timing
	for i := range max(n, 1) {
		t, err := timed(fn)
		if err != nil {
			return t, err
		}
		progress("  %s run %d: %d rows in %s (%.0f/s, %.2f cores)", what, i+1, t.rows, t.wall.Round(time.Millisecond), t.rate(), t.cores())
		if i == 0 || t.wall < b.wall {
			b = t
		}
	}
	return b, nil
}

// binlogFiles lists the binlog files of dir in order.
func binlogFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var files []string
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); !e.IsDir() && len(ext) > 1 && strings.Trim(ext[1:], "0123456789") == "" {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	return files, nil
}

// rawDecode is the baseline: go-mysql parsing the files with binlake's
// parser settings, counting the row changes of rows events and nothing else.
// It reads through the same 1 MiB buffer ingest uses (go-mysql's ParseFile
// reads unbuffered, a syscall per event, which would flatter the ratio).
func rawDecode(files []string) (int64, error) {
	p := replication.NewBinlogParser()
	binlog.ConfigureParser(p, "mariadb")
	var rows int64
	for _, f := range files {
		err := parseBuffered(p, f, func(ev *replication.BinlogEvent) error {
			if re, ok := ev.Event.(*replication.RowsEvent); ok {
				n := len(re.Rows)
				if re.Type() == replication.EnumRowsEventTypeUpdate {
					n /= 2 // before and after image
				}
				rows += int64(n)
			}
			return nil
		})
		if err != nil {
			return rows, fmt.Errorf("parse %s: %w", f, err)
		}
	}
	return rows, nil
}

// ingestFiles ingests the binlog files of src into a new local store at
// dir and returns the row changes the chain committed.
func ingestFiles(ctx context.Context, src, dir string) (int64, error) {
	if err := os.RemoveAll(dir); err != nil {
		return 0, err
	}
	store, err := filestore.New(dir)
	if err != nil {
		return 0, err
	}
	var rows int64
	err = ingest.Run(ctx, ingest.Config{Source: "file://" + src, Store: store, ExitWhenCaughtUp: true,
		OnFlush: func(commits []layout.Commit, _ time.Duration) {
			for i := range commits {
				rows += int64(commits[i].Rows())
			}
		}})
	return rows, err
}

// measureIngest times ingest of the ingest binlog against the raw decode
// of the same files, with all cores and with GOMAXPROCS=1, sizes the store
// (measure 4) and profiles one more ingest run.
func measureIngest(ctx context.Context, o *options, src, dir string, rep *report) error {
	files, err := binlogFiles(src)
	if err != nil {
		return err
	}
	store := filepath.Join(dir, "store-ingest")
	r := &rep.ingest
	raw := func() (int64, error) { return rawDecode(files) }
	ing := func() (int64, error) { return ingestFiles(ctx, src, store) }

	progress("ingest throughput: raw decode of %d binlog files (GOMAXPROCS=%d)", len(files), runtime.GOMAXPROCS(0))
	if r.raw, err = best(o.runs, "raw decode", raw); err != nil {
		return err
	}
	progress("ingest throughput: ingest.Run from files")
	if r.ingest, err = best(o.ingestRuns, "ingest", ing); err != nil {
		return err
	}
	if r.storeBytes, r.storeFiles, err = dirSize(store); err != nil {
		return err
	}

	prev := runtime.GOMAXPROCS(1)
	progress("ingest throughput: GOMAXPROCS=1")
	r.raw1, err = best(o.runs-1, "raw decode, 1 core", raw)
	if err == nil {
		r.ingest1, err = best(o.ingestRuns, "ingest, 1 core", ing)
	}
	runtime.GOMAXPROCS(prev)
	if err != nil {
		return err
	}

	progress("ingest throughput: profiled ingest run -> %s", o.cpuProfile)
	top, err := profile(o.cpuProfile, ing)
	if err != nil {
		return err
	}
	rep.profileTop = top
	fmt.Fprint(os.Stderr, top)
	if r.raw.rows != r.ingest.rows {
		progress("warning: raw decode counted %d row changes, the chain %d", r.raw.rows, r.ingest.rows)
	}
	return nil
}

// profile writes a CPU profile of one run of fn to path and returns the
// top 15 entries of `go tool pprof -top`.
func profile(path string, fn func() (int64, error)) (string, error) {
	f, err := os.Create(path)
	if err != nil {
		return "", fmt.Errorf("create CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return "", fmt.Errorf("start CPU profile: %w", err)
	}
	_, err = fn()
	pprof.StopCPUProfile()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=15", path).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go tool pprof -top %s: %w\n%s", path, err, out)
	}
	return string(out), nil
}

// parseBuffered parses a whole binlog file through a 1 MiB buffer.
func parseBuffered(p *replication.BinlogParser, path string, fn replication.OnEventFunc) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	if _, err := br.Discard(len(replication.BinLogFileHeader)); err != nil {
		return err
	}
	return p.ParseReader(br, fn)
}
