package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/tests/testenv"
)

// TestDumpThreadKilled kills the primary's Binlog Dump thread while ingest
// follows it, five times, between transactions and with a DDL among them,
// on a table without a primary key (where a transaction read twice shows
// as a duplicate row), then restarts the primary twice (a new binlog file
// each time, written while ingest is disconnected). Every binlog
// transaction must be in the chain exactly once, and the table's as-of
// must equal the primary's.
func TestDumpThreadKilled(t *testing.T) {
	ctx := context.Background()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	if err := db.Exec(ctx, "CREATE TABLE test.k (a INT, b VARCHAR(20))", "INSERT INTO test.k VALUES (0, 'start')"); err != nil {
		t.Fatal(err)
	}
	st := newFileStore(t)
	ictx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- ingest.Run(ictx, ingest.Config{Source: sourceURL(db), Store: st, FlushInterval: 50 * time.Millisecond,
			Log: quietLog()})
	}()
	defer func() {
		stop()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("ingest: %v", err)
		}
	}()
	conn, err := db.Connect(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { conn.Close() }()
	row := 0
	for kill := 1; kill <= 5; kill++ {
		for range 3 {
			row++
			mustExec(t, conn, fmt.Sprintf("INSERT INTO k (a, b) VALUES (%d, 'row %d')", row, row))
		}
		if kill == 3 {
			mustExec(t, conn, "ALTER TABLE k ADD COLUMN c INT DEFAULT 7")
		}
		waitCaughtUp(t, st, conn)
		killDumpThread(t, conn)
		row++
		mustExec(t, conn, fmt.Sprintf("INSERT INTO k (a, b) VALUES (%d, 'after kill %d')", row, kill))
	}
	waitCaughtUp(t, st, conn)
	for restart := 1; restart <= 2; restart++ {
		conn.Close()
		if err := db.Restart(ctx); err != nil {
			t.Fatal(err)
		}
		if conn, err = db.Connect(ctx, "test"); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			row++
			mustExec(t, conn, fmt.Sprintf("INSERT INTO k (a, b) VALUES (%d, 'after restart %d')", row, restart))
		}
		waitCaughtUp(t, st, conn)
	}

	chain, err := catalog.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	files, err := db.BinlogFiles()
	if err != nil {
		t.Fatal(err)
	}
	txns, err := readBinlog(files)
	if err != nil {
		t.Fatal(err)
	}
	if problems := checkExactlyOnce(chain, txns); len(problems) > 0 {
		t.Fatalf("the chain does not hold every binlog transaction exactly once:\n  %s", strings.Join(problems, "\n  "))
	}
	primary, err := readPrimaryTable(conn, "test", "k")
	if err != nil {
		t.Fatal(err)
	}
	cache, err := cache.New(t.TempDir(), st)
	if err != nil {
		t.Fatal(err)
	}
	e := &query.Engine{Chain: chain, Cache: cache}
	lake, err := e.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: "test", Table: "k"}})
	if err != nil {
		t.Fatal(err)
	}
	if d := diffRows(columnNames(lake.Schema.Columns), primary.Rows, lake.Rows); d != "" {
		t.Fatalf("as-of of test.k differs from the primary (%d rows there, %d in the lake):\n%s", len(primary.Rows), len(lake.Rows), d)
	}
	t.Logf("5 dump threads killed, 2 restarts; %d commits, %d rows, each once", chain.LastCommit(), len(lake.Rows))
}

// killDumpThread kills the Binlog Dump thread serving binlake, waiting
// for it to show up first.
func killDumpThread(t *testing.T, conn *client.Conn) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := conn.Execute("SELECT id FROM information_schema.processlist WHERE command = 'Binlog Dump'")
		if err != nil {
			t.Fatal(err)
		}
		if r.RowNumber() > 0 {
			id, _ := r.GetInt(0, 0)
			if _, err := conn.Execute(fmt.Sprintf("KILL %d", id)); err != nil {
				t.Fatalf("kill the Binlog Dump thread %d: %v", id, err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no Binlog Dump thread after 30 s: binlake is not connected")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitCaughtUp waits until the chain holds the primary's last GTID.
func waitCaughtUp(t *testing.T, st layout.Store, conn *client.Conn) {
	t.Helper()
	r, err := conn.Execute("SELECT @@gtid_binlog_pos")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := r.GetString(0, 0)
	deadline := time.Now().Add(60 * time.Second)
	for {
		chain, err := catalog.Open(context.Background(), st)
		if err == nil {
			if head := chain.Head(); head != nil && head.Resume.GTIDSet == want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the chain did not reach GTID position %s within 60 s", want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
