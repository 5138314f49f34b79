package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/tests/testenv"
)

// TestSmokeSnapshotStreamDDL checks the whole path in one process: snapshot
// of existing rows, streamed changes, an ALTER with a default, as-of reads.
func TestSmokeSnapshotStreamDDL(t *testing.T) {
	ctx := context.Background()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	must := func(q ...string) {
		t.Helper()
		if err := db.Exec(ctx, q...); err != nil {
			t.Fatal(err)
		}
	}
	must("CREATE DATABASE shop",
		"CREATE TABLE shop.t (id INT PRIMARY KEY, name VARCHAR(20), price DECIMAL(10,2), f FLOAT)",
		"INSERT INTO shop.t VALUES (1,'a',1.50,0.1),(2,'b',NULL,-2.5)",
		"CREATE TABLE shop.log (msg VARCHAR(10))",
		"INSERT INTO shop.log VALUES ('x'),('x')")
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("mysql://%s:%s@%s", db.User, db.Password, db.Addr())
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	run := func() {
		t.Helper()
		if err := ingest.Run(ctx, ingest.Config{Source: src, Store: st, ExitWhenCaughtUp: true, Log: logger}); err != nil {
			t.Fatal(err)
		}
	}
	run()
	must("INSERT INTO shop.t VALUES (3,'c',3.00,1e30)",
		"UPDATE shop.t SET name='A' WHERE id=1",
		"DELETE FROM shop.log LIMIT 1",
		"ALTER TABLE shop.t ADD COLUMN qty INT NOT NULL DEFAULT 7",
		"UPDATE shop.t SET qty=9 WHERE id=2")
	run()
	chain, err := catalog.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	cache, err := cache.New(t.TempDir(), st)
	if err != nil {
		t.Fatal(err)
	}
	e := &query.Engine{Chain: chain, Cache: cache}
	for _, c := range chain.Commits() {
		t.Logf("commit %d %s %s %s:%d %v %s", c.N, c.Kind, c.GTID, c.File, c.Pos, c.Tables, c.DDL)
	}
	check := func(table, ref string, want [][]any) {
		t.Helper()
		got, err := e.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: "shop", Table: table}, At: ref})
		if err != nil {
			t.Fatalf("asof %s at %s: %v", table, ref, err)
		}
		if !reflect.DeepEqual(got.Rows, want) {
			t.Errorf("asof %s at %s:\n got %v\nwant %v", table, ref, got.Rows, want)
		}
	}
	check("t", "1", [][]any{{int64(1), "a", "1.50", float32(0.1)}, {int64(2), "b", nil, float32(-2.5)}})
	check("log", "1", [][]any{{"x"}, {"x"}})
	check("log", "HEAD", [][]any{{"x"}})
	check("t", "HEAD", [][]any{
		{int64(1), "A", "1.50", float32(0.1), int64(7)},
		{int64(2), "b", nil, float32(-2.5), int64(9)},
		{int64(3), "c", "3.00", float32(1e30), int64(7)}})
}

// TestExitWhenCaughtUpAfterRotation checks that a live ingest with
// --exit-when-caught-up stops when the primary's head is behind events that
// belong to no transaction (a rotation writes a binlog checkpoint and a GTID
// list into the new file).
func TestExitWhenCaughtUpAfterRotation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	if err := db.Exec(ctx, "CREATE TABLE test.t (id INT PRIMARY KEY)", "INSERT INTO test.t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	run := func() {
		t.Helper()
		if err := ingestOnce(ctx, db, st); err != nil {
			t.Fatalf("ingest: %v (a hang here means the caught-up check never passed)", err)
		}
	}
	run()
	if err := db.Exec(ctx, "INSERT INTO test.t VALUES (2)", "FLUSH BINARY LOGS"); err != nil {
		t.Fatal(err)
	}
	run()
	if err := db.Exec(ctx, "FLUSH BINARY LOGS", "FLUSH BINARY LOGS"); err != nil {
		t.Fatal(err)
	}
	run()
	chain, err := catalog.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if chain.LastCommit() != 2 {
		t.Fatalf("%d commits, want 2 (snapshot and one insert)", chain.LastCommit())
	}
}

// TestSnapshotInParts snapshots tables larger than a checkpoint part: the
// rows go to the store part by part as they are read, and as-of reads see
// every part, keyless duplicates across equal parts included.
func TestSnapshotInParts(t *testing.T) {
	ctx := context.Background()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	q := []string{"CREATE DATABASE shop",
		"CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(20))",
		"CREATE TABLE shop.log (msg VARCHAR(10))"}
	for i := 0; i < 25; i++ {
		var items, logs []string
		for j := 0; j < 100; j++ {
			items = append(items, fmt.Sprintf("(%d,'item %d')", i*100+j, i*100+j))
			logs = append(logs, "('same')")
		}
		q = append(q, "INSERT INTO shop.items VALUES "+strings.Join(items, ","), "INSERT INTO shop.log VALUES "+strings.Join(logs, ","))
	}
	if err := db.Exec(ctx, q...); err != nil {
		t.Fatal(err)
	}
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := ingest.Config{Source: fmt.Sprintf("mysql://%s:%s@%s", db.User, db.Password, db.Addr()), Store: st,
		ExitWhenCaughtUp: true, SnapshotPartRows: 300, Log: slog.New(slog.DiscardHandler)}
	if err := ingest.Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(ctx, "DELETE FROM shop.items WHERE id < 10", "DELETE FROM shop.log LIMIT 5"); err != nil {
		t.Fatal(err)
	}
	if err := ingest.Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	chain, err := catalog.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"items", "log"} {
		cps := chain.Checkpoints("shop", table, 1)
		if len(cps) != 1 || len(cps[0].Objects) != 9 || cps[0].Rows() != 2500 {
			t.Fatalf("checkpoints of shop.%s: %+v, want one of 9 parts and 2500 rows", table, cps)
		}
	}
	cache, err := cache.New(t.TempDir(), st)
	if err != nil {
		t.Fatal(err)
	}
	e := &query.Engine{Chain: chain, Cache: cache}
	count := func(table, ref string) int {
		t.Helper()
		got, err := e.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: "shop", Table: table}, At: ref})
		if err != nil {
			t.Fatalf("asof %s at %s: %v", table, ref, err)
		}
		return len(got.Rows)
	}
	for _, c := range []struct {
		table, ref string
		want       int
	}{{"items", "1", 2500}, {"log", "1", 2500}, {"items", "HEAD", 2490}, {"log", "HEAD", 2495}} {
		if got := count(c.table, c.ref); got != c.want {
			t.Errorf("asof shop.%s at %s: %d rows, want %d", c.table, c.ref, got, c.want)
		}
	}
	items, err := e.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: "shop", Table: "items"}, At: "HEAD"})
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range items.Rows {
		if want := []any{int64(i + 10), fmt.Sprintf("item %d", i+10)}; !reflect.DeepEqual(row, want) {
			t.Fatalf("row %d of shop.items at HEAD: %v, want %v", i, row, want)
		}
	}
}

// TestLargeTransactionSpills follows one transaction of 30,000 row changes
// with a flush threshold of 64 KiB: it is stored in spilled segments while
// it is read, yet is one commit whose as-of matches the primary.
func TestLargeTransactionSpills(t *testing.T) {
	ctx := context.Background()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	if err := db.Exec(ctx, "CREATE DATABASE shop", "CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(40), qty INT)",
		"CREATE TABLE shop.log (msg VARCHAR(40))"); err != nil {
		t.Fatal(err)
	}
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := ingest.Config{Source: fmt.Sprintf("mysql://%s:%s@%s", db.User, db.Password, db.Addr()), Store: st,
		ExitWhenCaughtUp: true, FlushBytes: 64 << 10, Log: slog.New(slog.DiscardHandler)}
	if err := ingest.Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	q := []string{"BEGIN"}
	for i := 0; i < 100; i++ {
		var rows []string
		for j := 0; j < 100; j++ {
			rows = append(rows, fmt.Sprintf("(%d,'item number %d',%d)", i*100+j, i*100+j, j))
		}
		q = append(q, "INSERT INTO shop.items VALUES "+strings.Join(rows, ","), "INSERT INTO shop.log VALUES ('batch "+fmt.Sprint(i)+"')")
	}
	q = append(q, "UPDATE shop.items SET qty = qty + 1", "DELETE FROM shop.items WHERE id % 3 = 0", "COMMIT",
		"INSERT INTO shop.log VALUES ('after')")
	if err := db.Exec(ctx, q...); err != nil {
		t.Fatal(err)
	}
	if err := ingest.Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	chain, err := catalog.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	var big *layout.Commit
	for _, c := range chain.Commits() {
		if c.Rows() > 1000 {
			if big != nil {
				t.Fatalf("two large commits: %d and %d", big.N, c.N)
			}
			big = &c
		}
	}
	if big == nil || big.Rows() != 10_000+100+10_000+3_334 {
		t.Fatalf("the large transaction: %+v, want one commit of 23,434 row changes", big)
	}
	var segments int
	for _, m := range chain.Manifests() {
		for _, o := range m.Objects {
			if o.Kind == layout.ObjectSegment && o.First <= big.N && o.Last >= big.N {
				segments++
			}
		}
	}
	if segments < 10 {
		t.Fatalf("the large transaction is in %d segments; with 64 KiB flushes it should have spilled many", segments)
	}
	cache, err := cache.New(t.TempDir(), st)
	if err != nil {
		t.Fatal(err)
	}
	e := &query.Engine{Chain: chain, Cache: cache}
	items, err := e.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: "shop", Table: "items"}, At: "HEAD"})
	if err != nil {
		t.Fatal(err)
	}
	var want [][]any
	for id := 0; id < 10_000; id++ {
		if id%3 != 0 {
			want = append(want, []any{int64(id), fmt.Sprintf("item number %d", id), int64(id%100 + 1)})
		}
	}
	if !reflect.DeepEqual(items.Rows, want) {
		t.Fatalf("shop.items at HEAD: %d rows, want %d (first %v)", len(items.Rows), len(want), items.Rows[:min(3, len(items.Rows))])
	}
	before, err := e.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: "shop", Table: "items"}, At: fmt.Sprint(big.N - 1)})
	if err != nil || len(before.Rows) != 0 {
		t.Fatalf("shop.items before the transaction: %v rows, %v", len(before.Rows), err)
	}
	logRows, err := e.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: "shop", Table: "log"}, At: "HEAD"})
	if err != nil || len(logRows.Rows) != 101 {
		t.Fatalf("shop.log at HEAD: %d rows, %v; want 101", len(logRows.Rows), err)
	}
	t.Logf("commit %d: %d row changes in %d segments", big.N, big.Rows(), segments)
}
