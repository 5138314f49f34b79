package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/tests/testenv"
)

// TestXATransactions checks the XA part of item 10 of "Exact under every
// fault": a prepared transaction becomes a commit when its XA COMMIT
// arrives and never if it is rolled back, exactly once, also when ingest
// restarts between PREPARE and COMMIT and when the prepared transaction
// is large enough to be spilled while it is read.
func TestXATransactions(t *testing.T) {
	ctx := context.Background()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	if err := db.Exec(ctx, "CREATE TABLE test.x (id INT PRIMARY KEY, v VARCHAR(40))", "INSERT INTO test.x VALUES (0, 'before')"); err != nil {
		t.Fatal(err)
	}
	st := newFileStore(t)
	catchUp := func() {
		t.Helper()
		err := ingest.Run(ctx, ingest.Config{Source: sourceURL(db), Store: st, ExitWhenCaughtUp: true, Log: quietLog(), FlushBytes: 8192})
		if err != nil {
			t.Fatal(err)
		}
	}
	catchUp()
	conn, err := db.Connect(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	big := make([]string, 0, 2000)
	for i := range 2000 {
		big = append(big, fmt.Sprintf("(%d, 'big row %d of a prepared one')", 1000+i, i))
	}
	mustExec(t, conn,
		"XA START 'a'", "INSERT INTO x VALUES (1, 'committed')", "UPDATE x SET v = 'changed by a' WHERE id = 0", "XA END 'a'",
		"XA PREPARE 'a'", "XA COMMIT 'a'",
		"XA START 'b'", "INSERT INTO x VALUES (2, 'rolled back')", "XA END 'b'", "XA PREPARE 'b'", "XA ROLLBACK 'b'",
		"XA START 'c'", "INSERT INTO x VALUES (3, 'one phase')", "XA END 'c'", "XA COMMIT 'c' ONE PHASE")
	// A session holds one prepared transaction; its end leaves it
	// prepared, for another session to commit.
	for _, stmts := range [][]string{
		{"XA START 'd'", "INSERT INTO x VALUES (4, 'prepared, then a restart')", "XA END 'd'", "XA PREPARE 'd'"},
		{"XA START 'e'", "INSERT INTO x VALUES " + strings.Join(big, ","), "XA END 'e'", "XA PREPARE 'e'"},
	} {
		c, err := db.Connect(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, c, stmts...)
		c.Close()
	}
	mustExec(t, conn, "INSERT INTO x VALUES (5, 'between')")
	catchUp() // stops between the PREPAREs and their COMMITs
	chain, err := catalog.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	checkTableEqualsPrimary(t, st, conn, "test", "x") // d and e not visible yet
	mustExec(t, conn, "XA COMMIT 'd'", "XA COMMIT 'e'")
	catchUp()
	checkTableEqualsPrimary(t, st, conn, "test", "x")

	chain, err = catalog.Open(ctx, st)
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
	kinds := map[layout.CommitKind]int{}
	var xaCommits int
	for _, c := range chain.Commits() {
		kinds[c.Kind]++
		if c.Kind == layout.CommitDML && c.XID != "" {
			xaCommits++
		}
	}
	if kinds[layout.CommitXAPrepare] != 4 || kinds[layout.CommitXARollback] != 1 || xaCommits != 3 {
		t.Fatalf("commit kinds %v, %d XA COMMITs; want 4 xa-prepare, 1 xa-rollback, 3 XA COMMITs", kinds, xaCommits)
	}
	t.Logf("%d commits: %v", chain.LastCommit(), kinds)
}
