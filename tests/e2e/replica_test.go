package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"golang.org/x/sync/errgroup"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/layout/storeurl"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/tests/testenv"
)

// The acceptance test of the core replica: a random workload on a real
// MariaDB, with interleaved DDL and an ingest killed with SIGKILL and
// restarted again and again, must leave a chain whose as-of reads equal,
// row for row and byte for byte, what the primary held at each of many
// recorded moments, and which holds every source transaction exactly once.

// TestReplicaMinIO runs the acceptance test against a real S3 server.
func TestReplicaMinIO(t *testing.T) {
	minio := testenv.StartMinIO(t)
	minio.CreateBucket(t, "lake", false)
	cfg := minio.AWSConfig()
	const url = "s3://lake/replica"
	runReplica(t, replicaStore{
		url: url,
		env: []string{
			"AWS_ACCESS_KEY_ID=" + minio.AccessKey,
			"AWS_SECRET_ACCESS_KEY=" + minio.SecretKey,
			"AWS_REGION=us-east-1",
			"AWS_ENDPOINT_URL=" + minio.Endpoint(),
		},
		open: func(ctx context.Context) (layout.Store, error) {
			return storeurl.Open(ctx, url, storeurl.Options{AWS: &cfg, PathStyle: true})
		},
	})
}

// TestReplicaLocalDir runs the acceptance test against a local directory,
// with a flush threshold of 8 KiB: most transactions of the workload are
// larger, so they spill segments while they are read, and kills land
// between spills and their manifest too.
func TestReplicaLocalDir(t *testing.T) {
	dir := t.TempDir()
	runReplica(t, replicaStore{
		url:   "file://" + dir,
		open:  func(context.Context) (layout.Store, error) { return filestore.New(dir) },
		flags: []string{"--flush-bytes", "8192"},
	})
}

// replicaStore is where a run keeps its chain: the URL and environment the
// CLI gets, and the same store opened in-process; flags are more ingest
// flags.
type replicaStore struct {
	url   string
	env   []string
	open  func(ctx context.Context) (layout.Store, error)
	flags []string
}

// The workload runs until all of these are reached (and at most
// workloadMax).
const (
	workloadMin  = 35 * time.Second
	workloadMax  = 150 * time.Second
	minMoments   = 20 // moments recorded before the workload stops, besides the final one
	minKills     = 3
	minDDLCycles = 3 // rounds of every kind of DDL
	dmlWorkers   = 3
	database     = "e2e"
)

// workloadSeed returns the seed of the run's randomness: $E2E_SEED, or the
// time.
func workloadSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("E2E_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("E2E_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("workload seed %d (replay the random choices with E2E_SEED=%d; the interleaving of connections is not replayed)", seed, seed)
	return seed
}

// replicaRun is the state of one run of the acceptance test.
type replicaRun struct {
	t      *testing.T
	seed   uint64
	db     *testenv.MariaDB
	store  layout.Store
	ing    *ingester
	stats  workloadStats
	keys   keys
	ddlMu  sync.Mutex // held by each DDL, and while a moment is recorded
	evolve *evolver

	mu      sync.Mutex
	moments []*moment
}

func (r *replicaRun) rng(stream uint64) *rand.Rand { return rand.New(rand.NewPCG(r.seed, stream)) }

func (r *replicaRun) addMoment(m *moment) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m.N = len(r.moments)
	r.moments = append(r.moments, m)
}

func (r *replicaRun) momentCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.moments)
}

func runReplica(t *testing.T, rs replicaStore) {
	ctx := context.Background()
	began := time.Now()
	r := &replicaRun{t: t, seed: workloadSeed(t)}
	rec := r.start(ctx, rs)
	setupTook := time.Since(began)

	workStart := time.Now()
	r.workload(ctx, rec)
	workTook := time.Since(workStart)

	catchStart := time.Now()
	r.finish(ctx, rec)
	catchTook := time.Since(catchStart)

	checkStart := time.Now()
	chain, rep := r.openChain(ctx)
	txns := r.checkExactlyOnce(chain)
	tally := r.checkMoments(ctx, chain)
	checkTook := time.Since(checkStart)

	t.Logf("setup %v, workload %v, catch-up %v, checks %v, total %v",
		setupTook.Round(time.Millisecond), workTook.Round(time.Millisecond), catchTook.Round(time.Millisecond),
		checkTook.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	t.Logf("moments %d, transactions committed %d (%d statements; %d rolled back, %d abandoned on conflicts), "+
		"binlog transactions after the snapshot %d, DDL %d (%s), binlog rotations %d",
		len(r.moments), r.stats.committed.Load(), r.stats.statements.Load(), r.stats.rolledBack.Load(),
		r.stats.conflicts.Load(), txns, r.stats.ddl.Load(), r.stats.ddlSummary(), r.stats.rotations.Load())
	t.Logf("ingest started %d times, killed with SIGKILL %d times; chain: %d manifests, %d commits, %d objects, %d bytes",
		r.ing.starts, r.ing.killCount(), rep.Manifests, rep.Commits, rep.Objects, rep.Bytes)
	t.Logf("compared %d tables at %d moments, %d rows in all", tally.tables, len(r.moments), tally.rows)
}

// start starts the servers, creates and fills the tables, records the
// first moment, starts ingest (whose first run takes the initial snapshot)
// and, once that is committed, adds columns with every kind of default.
// It returns the recorder's connection.
func (r *replicaRun) start(ctx context.Context, rs replicaStore) *client.Conn {
	t := r.t
	r.db = testenv.StartMariaDB(t, testenv.MariaDBOptions{}) // first: it skips under -short
	bin := binlakeBinary(t)
	st, err := rs.open(ctx)
	if err != nil {
		t.Fatalf("open store %s: %v", rs.url, err)
	}
	r.store = st
	rec := r.connect(ctx, "")
	if err := prepareRecorderConn(rec); err != nil {
		t.Fatal(err)
	}
	r.setUp(ctx)
	r.recordNow(rec) // the state the snapshot must copy

	src := fmt.Sprintf("mysql://%s:%s@%s", r.db.User, r.db.Password, r.db.Addr())
	logPath := filepath.Join(t.TempDir(), "ingest.log")
	r.ing = newIngester(bin, logPath, rs.env, append([]string{"--source", src, "--store", rs.url, "--flush-interval", "200ms"}, rs.flags...)...)
	t.Cleanup(func() {
		r.ing.kill()
		if t.Failed() {
			t.Logf("--- end of the binlake ingest log (%s) ---\n%s", logPath, r.ing.logTail(6000))
		}
	})
	if err := r.ing.start(); err != nil {
		t.Fatal(err)
	}
	r.waitForSnapshot(ctx)

	// Streamed, not snapshotted: columns with every kind of default added
	// to a table that has rows.
	for _, step := range []func() error{
		func() error { return r.evolve.inserts(6) },
		r.evolve.addEveryDefault,
		func() error { return r.evolve.writes(3) },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	r.recordNow(rec)
	return rec
}

// recordNow records a moment while nothing else writes.
func (r *replicaRun) recordNow(rec *client.Conn) {
	m, err := recordMoment(rec, database)
	if err != nil {
		r.t.Fatal(err)
	}
	r.addMoment(m)
}

// finish records the last moment, kills the live ingest and lets a fresh
// one catch up; a second run must find nothing to do.
func (r *replicaRun) finish(ctx context.Context, rec *client.Conn) {
	r.recordNow(rec)
	r.ing.kill()
	for range 2 {
		if err := r.ing.catchUp(ctx, 3*time.Minute); err != nil {
			r.t.Fatal(err)
		}
	}
}

func (r *replicaRun) connect(ctx context.Context, db string) *client.Conn {
	c, err := r.db.Connect(ctx, db)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { c.Close() })
	return c
}

// setUp creates the tables and fills them before ingest first starts, so
// that the initial snapshot has rows of every kind to copy.
func (r *replicaRun) setUp(ctx context.Context) {
	t := r.t
	if err := r.db.Exec(ctx, "CREATE DATABASE "+database, allTypesDDL(), nopkDDL(), accountsDDL); err != nil {
		t.Fatal(err)
	}
	w := r.newDMLWorker(ctx, 100, "+00:00")
	if err := w.seed(); err != nil {
		t.Fatalf("seed rows: %v", err)
	}
	c := r.connect(ctx, "")
	if err := sessionSetup(c, "+00:00"); err != nil {
		t.Fatal(err)
	}
	r.evolve = &evolver{c: c, r: r.rng(200), mu: &r.ddlMu, stats: &r.stats}
	if err := r.evolve.create(); err != nil {
		t.Fatal(err)
	}
	if err := r.evolve.add(); err != nil {
		t.Fatal(err)
	}
	if err := r.evolve.writes(5); err != nil {
		t.Fatal(err)
	}
}

// newDMLWorker opens a connection whose session time zone is tz.
func (r *replicaRun) newDMLWorker(ctx context.Context, stream uint64, tz string) *dmlWorker {
	c := r.connect(ctx, "")
	if err := sessionSetup(c, tz); err != nil {
		r.t.Fatal(err)
	}
	return &dmlWorker{c: c, r: r.rng(stream), cols: allTypesFor(tz == "+00:00"), keys: &r.keys, stats: &r.stats}
}

// waitForSnapshot waits until the first ingest has committed its snapshot.
func (r *replicaRun) waitForSnapshot(ctx context.Context) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		keys, err := r.store.List(ctx, "manifests/", "")
		if err == nil && len(keys) > 0 {
			return
		}
		select {
		case err := <-r.ing.exited:
			r.t.Fatalf("waiting for the initial snapshot: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("no manifest in the store 2 minutes after ingest started (last list error: %v)", err)
		}
	}
}

// workload runs the DML workers, the evolver, the recorder and the killer
// until the run has enough of everything.
func (r *replicaRun) workload(ctx context.Context, rec *client.Conn) {
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	g, gctx := errgroup.WithContext(wctx)
	zones := []string{"+00:00", "+05:30", "-08:00"}
	for i := range dmlWorkers {
		w := r.newDMLWorker(ctx, uint64(i), zones[i%len(zones)])
		g.Go(func() error { return w.run(gctx) })
	}
	g.Go(func() error { return r.evolve.run(gctx) })
	g.Go(func() error { return r.record(gctx, rec) })
	g.Go(func() error { return r.killer(gctx) })

	start := time.Now()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-gctx.Done():
			stop()
			r.t.Fatalf("workload stopped: %v", g.Wait())
		case err := <-r.ing.exited:
			stop()
			_ = g.Wait()
			r.t.Fatal(err)
		case <-tick.C:
		}
		if r.enough(start) {
			break
		}
		if time.Since(start) > workloadMax {
			stop()
			_ = g.Wait()
			r.t.Fatalf("after %v: %d moments, %d kills, %d DDL rounds; wanted %d, %d, %d",
				workloadMax, r.momentCount(), r.ing.killCount(), r.evolve.cycles.Load(), minMoments, minKills, minDDLCycles)
		}
	}
	stop()
	if err := g.Wait(); err != nil {
		r.t.Fatalf("workload: %v", err)
	}
	select {
	case err := <-r.ing.exited:
		r.t.Fatal(err)
	default:
	}
}

func (r *replicaRun) enough(start time.Time) bool {
	return time.Since(start) >= workloadMin && r.momentCount() >= minMoments &&
		r.ing.killCount() >= minKills && r.evolve.cycles.Load() >= minDDLCycles
}

// record takes a moment every one to two seconds.
func (r *replicaRun) record(ctx context.Context, c *client.Conn) error {
	rng := r.rng(300)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Duration(1000+rng.IntN(1000)) * time.Millisecond):
		}
		r.ddlMu.Lock()
		m, err := recordMoment(c, database)
		r.ddlMu.Unlock()
		if err != nil {
			return err
		}
		r.addMoment(m)
	}
}

// killer kills the live ingest with SIGKILL at random moments and starts
// it again: mostly after a few seconds of streaming, sometimes while it is
// still resuming and catching up.
func (r *replicaRun) killer(ctx context.Context) error {
	rng := r.rng(400)
	for {
		wait := time.Duration(2000+rng.IntN(4000)) * time.Millisecond
		if rng.IntN(3) == 0 {
			wait = time.Duration(100+rng.IntN(900)) * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		if !r.ing.kill() {
			return nil // it had stopped by itself: the workload loop reports it
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		if err := r.ing.start(); err != nil {
			return err
		}
	}
}

// openChain opens the chain and checks every object's hash.
func (r *replicaRun) openChain(ctx context.Context) (*catalog.Chain, catalog.VerifyReport) {
	chain, err := catalog.Open(ctx, r.store)
	if err != nil {
		r.t.Fatalf("open chain: %v", err)
	}
	rep, err := chain.Verify(ctx, nil)
	if err != nil {
		r.t.Fatalf("verify chain: %v", err)
	}
	return chain, rep
}

// checkExactlyOnce compares the chain's commits with the primary's binlog
// and returns the number of binlog transactions after the snapshot.
func (r *replicaRun) checkExactlyOnce(chain *catalog.Chain) int {
	files, err := r.db.BinlogFiles()
	if err != nil {
		r.t.Fatal(err)
	}
	txns, err := readBinlog(files)
	if err != nil {
		r.t.Fatal(err)
	}
	if problems := checkExactlyOnce(chain, txns); len(problems) > 0 {
		r.t.Errorf("the chain does not hold each source transaction exactly once:\n%s", strings.Join(problems, "\n"))
	}
	return len(chain.Commits()) - 1
}

// checkMoments reads every table the primary had at every moment as of
// the moment's binlog position and compares.
func (r *replicaRun) checkMoments(ctx context.Context, chain *catalog.Chain) compareTally {
	cache, err := cache.New(r.t.TempDir(), r.store)
	if err != nil {
		r.t.Fatal(err)
	}
	e := &query.Engine{Chain: chain, Cache: cache}
	bad := 0
	var tally compareTally
	for _, m := range r.moments {
		problems := checkMoment(ctx, e, database, m, &tally)
		for _, p := range problems {
			if bad++; bad <= 12 {
				r.t.Error(p)
			}
		}
	}
	if bad > 12 {
		r.t.Errorf("... and %d more differences", bad-12)
	}
	// Every before image must equal the lake's own previous image of its
	// row (DESIGN invariant 6).
	divs, err := e.CheckContinuity(ctx, query.ContinuityOptions{Limit: 5})
	if err != nil {
		r.t.Fatalf("check continuity: %v", err)
	}
	for _, d := range divs {
		r.t.Errorf("divergence in %s at commit %d (%s) seq %d: %s: expected %v, found %v",
			d.Table, d.Commit, d.GTID, d.Seq, d.Problem, d.Expected, d.Found)
	}
	return tally
}
