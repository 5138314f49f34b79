package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/query/patch"
	"github.com/binlake/binlake/tests/testenv"
)

// recovery is one primary with the e2e tables, a lake that follows it,
// and a recorder connection that reads the primary's exact contents.
type recovery struct {
	t     *testing.T
	ctx   context.Context
	db    *testenv.MariaDB
	store layout.Store
	rec   *client.Conn
}

func newRecovery(t *testing.T, ddl ...string) *recovery {
	ctx := context.Background()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	if err := db.Exec(ctx, append([]string{"CREATE DATABASE " + database}, ddl...)...); err != nil {
		t.Fatal(err)
	}
	rec, err := db.Connect(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rec.Close() })
	if err := prepareRecorderConn(rec); err != nil {
		t.Fatal(err)
	}
	return &recovery{t: t, ctx: ctx, db: db, store: newFileStore(t), rec: rec}
}

// catchUp ingests everything the primary wrote so far and opens the chain.
func (r *recovery) catchUp() *query.Engine {
	r.t.Helper()
	if err := ingestOnce(r.ctx, r.db, r.store); err != nil {
		r.t.Fatal(err)
	}
	chain, err := catalog.Open(r.ctx, r.store)
	if err != nil {
		r.t.Fatal(err)
	}
	cache, err := cache.New(r.t.TempDir(), r.store)
	if err != nil {
		r.t.Fatal(err)
	}
	return &query.Engine{Chain: chain, Cache: cache}
}

func (r *recovery) moment() *moment {
	r.t.Helper()
	m, err := recordMoment(r.rec, database)
	if err != nil {
		r.t.Fatal(err)
	}
	return m
}

func (r *recovery) target() patch.Target {
	return patch.Target{Addr: r.db.Addr(), User: r.db.User, Password: r.db.Password}
}

func (r *recovery) apply(sql []byte) (*patch.ApplyReport, error) {
	return patch.Apply(r.ctx, bytes.NewReader(sql), patch.ApplyOptions{Target: r.target()})
}

// lastGTID returns the GTID of the last transaction the session committed.
func lastGTID(c *client.Conn) (string, error) {
	res, err := c.Execute("SELECT @@last_gtid")
	if err != nil {
		return "", err
	}
	s, _ := res.GetString(0, 0)
	return s, nil
}

// keyedTables are the e2e tables with a primary key, all on column 0.
var keyedTables = map[string]bool{"alltypes": true, "accounts": true}

// tableRows indexes a table's rows: by the id column for keyed tables, by
// the whole image (with a count) otherwise.
func tableRows(t *primaryTable, keyed bool) map[string][]any {
	out := map[string][]any{}
	for _, row := range t.Rows {
		k := rowKey(row)
		if keyed {
			k = valueKey(row[0])
		}
		for i := 0; ; i++ {
			if _, dup := out[k+fmt.Sprint("#", i)]; !dup {
				out[k+fmt.Sprint("#", i)] = row
				break
			}
		}
	}
	return out
}

// changed returns the identities whose rows differ between two states of
// a table (an image with a count for tables without a key).
func changed(a, b *primaryTable, keyed bool) map[string]bool {
	ra, rb := tableRows(a, keyed), tableRows(b, keyed)
	out := map[string]bool{}
	for k, row := range ra {
		if o, ok := rb[k]; !ok || rowKey(o) != rowKey(row) {
			out[k] = true
		}
	}
	for k := range rb {
		if _, ok := ra[k]; !ok {
			out[k] = true
		}
	}
	return out
}

// revertExpectation computes, from the primary's own states alone, what a
// revert of step b must leave: for every table, the rows step b changed
// go back to their state before it, unless a later step changed them
// again (a conflict); every other row stays as it is now. states[0] is the
// state before the first step; states[i] the state after step i.
func revertExpectation(states []*moment, b int) (want map[string][][]any, conflicts map[string]bool, exact map[string]bool) {
	now := states[len(states)-1]
	want, conflicts, exact = map[string][][]any{}, map[string]bool{}, map[string]bool{}
	for name, cur := range now.Tables {
		keyed := keyedTables[name]
		before, after := states[b-1].Tables[name], states[b].Tables[name]
		bad := changed(before, after, keyed)
		later := map[string]bool{}
		for j := b + 1; j < len(states); j++ {
			for k := range changed(states[j-1].Tables[name], states[j].Tables[name], keyed) {
				later[k] = true
			}
		}
		rows := tableRows(cur, keyed)
		exact[name] = true
		if keyed {
			br := tableRows(before, true)
			for k := range bad {
				if later[k] {
					conflicts[name+" id="+strings.TrimSuffix(strings.TrimPrefix(k, "int64:"), "#0")] = true
					continue
				}
				delete(rows, k)
				if row, ok := br[k]; ok {
					rows[k] = row
				}
			}
		} else {
			// Without a key: the images step b added leave, those it
			// removed come back, unless a later step removed such an
			// image again; then the exact outcome is not computed here.
			added, removed := multisetMinus(after, before), multisetMinus(before, after)
			for j := b + 1; j < len(states) && exact[name]; j++ {
				for _, img := range multisetMinus(states[j-1].Tables[name], states[j].Tables[name]) {
					for _, a := range added {
						if rowKey(a) == rowKey(img) {
							exact[name] = false
						}
					}
				}
			}
			all := append([][]any{}, cur.Rows...)
			for _, a := range added {
				for i := range all {
					if rowKey(all[i]) == rowKey(a) {
						all = append(all[:i], all[i+1:]...)
						break
					}
				}
			}
			want[name] = append(all, removed...)
			continue
		}
		for _, row := range rows {
			want[name] = append(want[name], row)
		}
	}
	return want, conflicts, exact
}

// multisetMinus returns the rows of a not in b, with multiplicity.
func multisetMinus(a, b *primaryTable) [][]any {
	count := map[string]int{}
	for _, r := range b.Rows {
		count[rowKey(r)]++
	}
	var out [][]any
	for _, r := range a.Rows {
		if count[rowKey(r)] > 0 {
			count[rowKey(r)]--
			continue
		}
		out = append(out, r)
	}
	return out
}

// TestRecoverRevertRandomTransactions runs a random workload over every
// type, then reverts random transactions through revert + apply on the
// real primary, and checks the primary against an expectation computed
// from its own recorded states: the rows of the reverted transaction as
// they were before it, except rows a later transaction changed again
// (which revert must report as conflicts and leave alone), and every
// later change kept.
func TestRecoverRevertRandomTransactions(t *testing.T) {
	r := newRecovery(t, allTypesDDL(), nopkDDL(), accountsDDL)
	seed := workloadSeed(t)
	rnd := rand.New(rand.NewPCG(seed, 7))
	c, err := r.db.Connect(r.ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := sessionSetup(c, "+05:30"); err != nil { // TIMESTAMPs go through a time zone
		t.Fatal(err)
	}
	w := &dmlWorker{c: c, r: rnd, cols: allTypesFor(false), keys: &keys{}, stats: &workloadStats{}}
	if err := w.seed(); err != nil {
		t.Fatal(err)
	}
	r.catchUp()
	states := []*moment{r.moment()}
	var gtids []string // gtids[i] is the GTID of step i+1
	last, _ := lastGTID(c)
	for len(gtids) < 60 {
		if err := w.txn(); err != nil {
			t.Fatal(err)
		}
		g, err := lastGTID(c)
		if err != nil {
			t.Fatal(err)
		}
		if g == last { // rolled back, abandoned, or changed nothing
			continue
		}
		last = g
		gtids = append(gtids, g)
		states = append(states, r.moment())
	}
	trials, conflictTrials := 0, 0
	for trial := 0; trial < 6; trial++ {
		e := r.catchUp()
		b := 1 + rnd.IntN(60) // a workload step, never a revert's own
		want, wantConflicts, exact := revertExpectation(states, b)
		var buf bytes.Buffer
		res, err := patch.Revert(r.ctx, e, patch.RevertOptions{Commits: []string{gtids[b-1]}, OnConflict: "skip", Store: "test"}, &buf)
		if err != nil {
			t.Fatalf("trial %d: revert step %d (GTID %s): %v", trial, b, gtids[b-1], err)
		}
		gotConflicts := map[string]bool{}
		nopkConflicts := false
		for _, cf := range res.Conflicts {
			if cf.Table == database+".nopk" {
				nopkConflicts = true
				continue
			}
			gotConflicts[strings.TrimPrefix(cf.Table, database+".")+" "+cf.Key] = true
		}
		if got, want := strings.Join(sortedStrings(mapKeys(gotConflicts)), ", "), strings.Join(sortedStrings(mapKeys(wantConflicts)), ", "); got != want {
			t.Errorf("trial %d (step %d): revert reported conflicts [%s], the primary's history says [%s]", trial, b, got, want)
		}
		if len(wantConflicts) > 0 {
			conflictTrials++
		}
		if !exact["nopk"] || nopkConflicts {
			exact["nopk"] = false
		}
		if _, err := r.apply(buf.Bytes()); err != nil {
			t.Fatalf("trial %d: apply the revert of step %d: %v\npatch:\n%s", trial, b, err, clip(buf.String(), 6000))
		}
		now := r.moment()
		for name, rows := range want {
			if !exact[name] {
				t.Logf("trial %d: %s not compared exactly (a later step removed an image step %d added)", trial, name, b)
				continue
			}
			cols := columnNames(now.Tables[name].Columns)
			if d := diffRows(cols, rows, now.Tables[name].Rows); d != "" {
				t.Errorf("trial %d: after reverting step %d (GTID %s), %s differs from the expectation: %s", trial, b, gtids[b-1], name, d)
			}
		}
		g, err := r.globalGTID()
		if err != nil {
			t.Fatal(err)
		}
		gtids = append(gtids, g) // the revert is a step too; later trials keep it
		states = append(states, now)
		trials++
		t.Logf("trial %d: reverted step %d (GTID %s): %d statements, %d rows, %d conflicts", trial, b, gtids[b-1],
			res.Statements, res.Rows, len(res.Conflicts))
	}
	t.Logf("%d reverts applied, %d with conflicts (seed %d)", trials, conflictTrials, seed)
	// The lake followed the reverts exactly.
	e := r.catchUp()
	if p := checkMoment(r.ctx, e, database, r.moment(), &compareTally{}); len(p) > 0 {
		t.Errorf("the lake differs from the primary after the reverts: %s", strings.Join(p, "\n"))
	}
}

func (r *recovery) globalGTID() (string, error) {
	res, err := r.rec.Execute("SELECT @@gtid_binlog_pos")
	if err != nil {
		return "", err
	}
	s, _ := res.GetString(0, 0)
	return s, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "\n..."
	}
	return s
}

// TestRecoverConflicts: a row changed after the bad transaction is
// reported by revert and left alone by the applied patch; a patch whose
// guards no longer match (the primary moved on after it was written) rolls
// back with a report naming the row.
func TestRecoverConflicts(t *testing.T) {
	r := newRecovery(t, accountsDDL)
	must := func(q ...string) {
		t.Helper()
		if err := r.db.Exec(r.ctx, q...); err != nil {
			t.Fatal(err)
		}
	}
	must("INSERT INTO e2e.accounts VALUES (1, 'ann', 10.00, '2024-01-01 00:00:00', NULL), (2, 'bob', 20.00, '2024-01-01 00:00:00', 'x'), " +
		"(3, 'cy', 30.00, '2024-01-01 00:00:00', NULL), (4, 'di', 40.00, '2024-01-01 00:00:00', NULL)")
	r.catchUp()
	before := r.moment()
	must("UPDATE e2e.accounts SET balance = 0, note = 'oops' WHERE id <= 3") // the bad transaction
	bad, _ := r.globalGTID()
	must("UPDATE e2e.accounts SET balance = 99.00 WHERE id = 2") // a later change to one of its rows
	later, _ := r.globalGTID()
	e := r.catchUp()

	var buf bytes.Buffer
	_, err := patch.Revert(r.ctx, e, patch.RevertOptions{Commits: []string{bad}}, &buf)
	var ce *patch.ConflictError
	if !errors.As(err, &ce) || buf.Len() != 0 {
		t.Fatalf("revert with --on-conflict fail: got %v and %d bytes, want a ConflictError and no patch", err, buf.Len())
	}
	if len(ce.Conflicts) != 1 {
		t.Fatalf("conflicts: %v", err)
	}
	cf := ce.Conflicts[0]
	if cf.Table != "e2e.accounts" || cf.Key != "id=2" || cf.Column != "balance" || cf.Bad != "0.00" || cf.Later != "99.00" || cf.GTID != later {
		t.Errorf("conflict %+v, want e2e.accounts id=2 balance 0.00 → 99.00 by %s", cf, later)
	}
	t.Logf("%v", err)

	res, err := patch.Revert(r.ctx, e, patch.RevertOptions{Commits: []string{bad}, OnConflict: "skip"}, &buf)
	if err != nil || len(res.Conflicts) != 1 {
		t.Fatalf("revert with --on-conflict skip: %v %+v", err, res)
	}
	if !strings.Contains(buf.String(), "-- conflict: skipped: e2e.accounts id=2 column balance") {
		t.Errorf("the patch header does not list the conflict:\n%s", clip(buf.String(), 3000))
	}
	if _, err := r.apply(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	now := r.moment().Tables["accounts"]
	want := append([][]any{}, before.Tables["accounts"].Rows...)
	want[1] = now.Rows[1] // row 2 keeps the later change and the bad note
	if d := diffRows(columnNames(now.Columns), want, now.Rows); d != "" {
		t.Errorf("after the revert: %s", d)
	}
	if now.Rows[1][2] != "99.00" || now.Rows[1][4] != "oops" {
		t.Errorf("row 2 was touched: %v", now.Rows[1])
	}

	// A patch made, then the primary changes the row before it is applied.
	must("UPDATE e2e.accounts SET owner = 'eve' WHERE id = 4")
	bad2, _ := r.globalGTID()
	e = r.catchUp()
	buf.Reset()
	if _, err := patch.Revert(r.ctx, e, patch.RevertOptions{Commits: []string{bad2}}, &buf); err != nil {
		t.Fatal(err)
	}
	must("UPDATE e2e.accounts SET note = 'meanwhile' WHERE id = 4")
	stateBefore := r.moment().Tables["accounts"]
	_, err = r.apply(buf.Bytes())
	var ae *patch.ApplyError
	if !errors.As(err, &ae) {
		t.Fatalf("applying a stale patch: got %v, want an ApplyError", err)
	}
	if !strings.Contains(ae.Note, "e2e.accounts id=4") || ae.Expected != 1 || ae.Got != 0 {
		t.Errorf("the report does not name the row: %+v", ae)
	}
	t.Logf("%v", err)
	if d := diffRows(columnNames(stateBefore.Columns), stateBefore.Rows, r.moment().Tables["accounts"].Rows); d != "" {
		t.Errorf("the failed apply changed the primary: %s", d)
	}
}

// TestRecoverPatchAfterDeleteTruncateDrop damages a table of every type in
// three ways and brings it back each time with patch + apply, comparing
// with the primary's exact contents recorded before the damage.
func TestRecoverPatchAfterDeleteTruncateDrop(t *testing.T) {
	r := newRecovery(t, allTypesDDL(), nopkDDL())
	c, err := r.db.Connect(r.ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := sessionSetup(c, "+00:00"); err != nil {
		t.Fatal(err)
	}
	w := &dmlWorker{c: c, r: rand.New(rand.NewPCG(workloadSeed(t), 9)), cols: allTypesFor(true), keys: &keys{}, stats: &workloadStats{}}
	for range 40 {
		stmts := []stmt{w.insertAllTypes(5, false), w.insertNoPK(), w.insertNoPK()}
		if w.r.IntN(8) == 0 {
			stmts = append(stmts, w.insertAllTypes(1, true)) // the invalid ENUM value
		}
		if err := execTxn(c, w.stats, stmts, false); err != nil {
			t.Fatal(err)
		}
	}
	r.catchUp() // the rows arrive as a snapshot
	for range 20 {
		if err := execTxn(c, w.stats, []stmt{w.updateAllTypes(), w.insertNoPK(), w.updateNoPK()}, false); err != nil {
			t.Fatal(err)
		}
	}
	good := r.moment()
	e := r.catchUp()
	goodRef := fmt.Sprint(e.Chain.LastCommit())
	t.Logf("alltypes has %d rows, nopk %d at commit %s", len(good.Tables["alltypes"].Rows), len(good.Tables["nopk"].Rows), goodRef)

	noise := 0
	restore := func(what string, tables ...string) {
		t.Helper()
		// Unrelated later work, which the patch must not undo.
		if err := execTxn(c, w.stats, []stmt{w.insertNoise()}, false); err != nil {
			t.Fatal(err)
		}
		noise++
		e := r.catchUp()
		var refs []layout.TableRef
		for _, tb := range tables {
			refs = append(refs, layout.TableRef{DB: database, Table: tb})
		}
		var buf bytes.Buffer
		res, err := patch.Restore(r.ctx, e, patch.RestoreOptions{From: "HEAD", To: goodRef, Tables: refs, Store: "test"}, &buf)
		if err != nil {
			t.Fatalf("%s: patch: %v", what, err)
		}
		rep, err := r.apply(buf.Bytes())
		if err != nil {
			t.Fatalf("%s: apply: %v", what, err)
		}
		t.Logf("%s: %+v; applied %d statements, %d rows", what, res.Tables, rep.Executed, rep.Rows)
		now := r.moment()
		for _, tb := range tables {
			if d := diffRows(columnNames(good.Tables[tb].Columns), good.Tables[tb].Rows, now.Tables[tb].Rows); d != "" {
				t.Errorf("%s: %s is not back: %s", what, tb, d)
			}
		}
		if n := len(now.Tables["noise"].Rows); n != noise {
			t.Errorf("%s: e2e.noise has %d rows, want %d: the patch touched unrelated work", what, n, noise)
		}
	}
	must := func(q ...string) {
		t.Helper()
		if err := r.db.Exec(r.ctx, q...); err != nil {
			t.Fatal(err)
		}
	}
	must("CREATE TABLE e2e.noise (v INT)")
	must("DELETE FROM e2e.alltypes WHERE id % 3 <> 0", "DELETE FROM e2e.nopk WHERE a < 3")
	restore("DELETE of many rows", "alltypes", "nopk")
	must("TRUNCATE TABLE e2e.alltypes")
	restore("TRUNCATE", "alltypes")
	must("DROP TABLE e2e.alltypes", "DROP TABLE e2e.nopk")
	restore("DROP TABLE", "alltypes", "nopk")
	// The re-created tables replicate like any other.
	e = r.catchUp()
	if p := checkMoment(r.ctx, e, database, r.moment(), &compareTally{}); len(p) > 0 {
		t.Errorf("the lake differs from the primary after the restores: %s", strings.Join(p, "\n"))
	}
}

// insertNoise writes a row to e2e.noise: work unrelated to
// the damaged tables.
func (w *dmlWorker) insertNoise() stmt {
	return stmt{"INSERT INTO e2e.noise VALUES (?)", []any{w.r.Int64N(1000)}}
}
