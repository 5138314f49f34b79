package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the baseline's DuckDB

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/query/patch"
	"github.com/binlake/binlake/query/render"
)

const asofDB, asofTable = "sbtest", "sbtest1"

// asofResult is one as-of measure: binlake's as-of against DuckDB copying
// a plain Parquet file of the same state.
type asofResult struct {
	rows          int64
	checkpoint    bool // the table state starts from a checkpoint
	changesAfter  int64
	asof, plain   time.Duration
	plainFileSize int64
	// diff and revert of the last commit (1,000 rows), on the chain built
	// from files only.
	diff, revert time.Duration
	diffRows     int
}

// measureAsOf builds the as-of chain from the recorded binlog and times
// as-of reads against the plain-Parquet baseline, on that chain and (if
// built) on the chain whose table starts from a live snapshot checkpoint.
func measureAsOf(ctx context.Context, o *options, src *sources, dir string, rep *report) error {
	store := filepath.Join(dir, "store-asof")
	progress("as-of: ingesting the as-of binlog")
	t, err := timed(func() (int64, error) { return ingestFiles(ctx, src.asofDir, store) })
	if err != nil {
		return err
	}
	rep.asof.ingest = t
	progress("as-of: %d row changes ingested in %s", t.rows, t.wall.Round(time.Millisecond))
	if rep.asof.files, err = asofOn(ctx, o, store, filepath.Join(dir, "asof-files")); err != nil {
		return err
	}
	if src.cpStore != "" {
		if rep.asof.cp, err = asofOn(ctx, o, src.cpStore, filepath.Join(dir, "asof-checkpoint")); err != nil {
			return fmt.Errorf("checkpoint chain: %w", err)
		}
		if !rep.asof.cp.checkpoint {
			return fmt.Errorf("the snapshot chain has no checkpoint for %s.%s", asofDB, asofTable)
		}
	}
	return nil
}

// asofOn times the as-of of sbtest.sbtest1 at HEAD on the chain in
// storeDir (warm cache: one untimed run, then the best of o.runs) and the
// DuckDB baseline over the as-of output written as a plain Parquet file.
func asofOn(ctx context.Context, o *options, storeDir, work string) (*asofResult, error) {
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	store, err := filestore.New(storeDir)
	if err != nil {
		return nil, err
	}
	chain, err := catalog.Open(ctx, store)
	if err != nil {
		return nil, err
	}
	cache, err := cache.New(filepath.Join(work, "cache"), store)
	if err != nil {
		return nil, err
	}
	res := &asofResult{}
	head, err := chain.Resolve("HEAD")
	if err != nil {
		return nil, err
	}
	st, err := chain.TableAt(asofDB, asofTable, head)
	if err != nil {
		return nil, err
	}
	res.checkpoint = st.Checkpoint != nil
	for _, seg := range st.Segments {
		res.changesAfter += seg.Rows
	}
	eng := &query.Engine{Chain: chain, Cache: cache}
	plain := filepath.Join(work, "plain.parquet")
	out := filepath.Join(work, "asof.parquet")
	asof := func(path string) error {
		return eng.AsOf(ctx, query.AsOfOptions{Table: layout.TableRef{DB: asofDB, Table: asofTable}}, render.Output{Format: render.FormatParquet, Path: path})
	}
	// The untimed run warms the cache and writes the baseline's input.
	if err := asof(plain); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(plain); err == nil {
		res.plainFileSize = fi.Size()
	}
	if res.rows, err = countParquet(ctx, plain); err != nil {
		return nil, err
	}
	what := "as-of"
	if res.checkpoint {
		what = "as-of from a checkpoint"
	}
	progress("as-of: %s of %d rows (%d change rows after the starting point), best of %d", what, res.rows, res.changesAfter, o.runs)
	bt, err := best(o.runs, what, func() (int64, error) { return res.rows, asof(out) })
	if err != nil {
		return nil, err
	}
	res.asof = bt.wall
	copyPlain := func() (int64, error) { return res.rows, duckCopy(ctx, plain, filepath.Join(work, "copy.parquet")) }
	if _, err := copyPlain(); err != nil { // warm the page cache like the as-of
		return nil, err
	}
	bt, err = best(o.runs, "DuckDB copy of the plain file", copyPlain)
	if err != nil {
		return nil, err
	}
	res.plain = bt.wall
	if !res.checkpoint {
		if err := timeDiffRevert(ctx, o, eng, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// timeDiffRevert times diff HEAD~1 HEAD and revert HEAD, where HEAD is the
// 1,000-row update at the end of the as-of binlog (warm cache, best of
// o.runs).
func timeDiffRevert(ctx context.Context, o *options, eng *query.Engine, res *asofResult) error {
	tables := []layout.TableRef{{DB: asofDB, Table: asofTable}}
	diff := func() (int64, error) {
		d, err := eng.DiffRows(ctx, query.DiffOptions{From: "HEAD~1", To: "HEAD", Tables: tables})
		if err != nil {
			return 0, err
		}
		res.diffRows = 0
		for _, t := range d.Tables {
			res.diffRows += len(t.Rows)
		}
		return int64(res.diffRows), nil
	}
	revert := func() (int64, error) {
		r, err := patch.Revert(ctx, eng, patch.RevertOptions{Commits: []string{"HEAD"}, OnConflict: patch.ConflictSkip}, io.Discard)
		if err != nil {
			return 0, err
		}
		return r.Rows, nil
	}
	for _, m := range []struct {
		what string
		fn   func() (int64, error)
		dst  *time.Duration
	}{{"diff of the last commit", diff, &res.diff}, {"revert of the last commit", revert, &res.revert}} {
		if _, err := m.fn(); err != nil { // warm
			return fmt.Errorf("%s: %w", m.what, err)
		}
		bt, err := best(o.runs, m.what, m.fn)
		if err != nil {
			return err
		}
		*m.dst = bt.wall
	}
	progress("as-of: diff of the 1,000-row commit %s (%d rows), revert %s", res.diff.Round(time.Millisecond), res.diffRows, res.revert.Round(time.Millisecond))
	return nil
}

// duckCopy is the baseline: a fresh in-memory DuckDB (as every binlake
// query opens one) copying a plain Parquet file to a new zstd Parquet file.
func duckCopy(ctx context.Context, in, out string) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return fmt.Errorf("open duckdb: %w", err)
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "COPY (SELECT * FROM read_parquet("+sqlString(in)+")) TO "+sqlString(out)+" (FORMAT parquet, COMPRESSION zstd)")
	if err != nil {
		return fmt.Errorf("duckdb copy %s: %w", in, err)
	}
	return nil
}

func countParquet(ctx context.Context, path string) (int64, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return 0, fmt.Errorf("open duckdb: %w", err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM read_parquet("+sqlString(path)+")").Scan(&n); err != nil {
		return 0, fmt.Errorf("count rows of %s: %w", path, err)
	}
	return n, nil
}

func duckdbVersion(ctx context.Context) (string, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "", fmt.Errorf("open duckdb: %w", err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, "SELECT library_version FROM pragma_version()").Scan(&v); err != nil {
		return "", fmt.Errorf("read duckdb version: %w", err)
	}
	return v, nil
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
