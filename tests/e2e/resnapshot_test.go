package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/tests/testenv"
)

// TestFormatRefusalsDoNotWedgeTheChain checks item 5 of "Exact under every
// fault": a statement-based or minimal-image event of a table binlake does
// not replicate is passed over; one of a replicated table stops ingest,
// naming the position and the setting, and every later start stops there
// too; once the setting is fixed, ingest --resnapshot copies the table
// afresh and the chain goes on, with the gap shown by log and verify.
func TestFormatRefusalsDoNotWedgeTheChain(t *testing.T) {
	ctx := context.Background()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	if err := db.Exec(ctx, "CREATE DATABASE shop",
		"CREATE TABLE shop.a (id INT PRIMARY KEY, v VARCHAR(20))", "CREATE TABLE shop.skip (id INT PRIMARY KEY, v VARCHAR(20))",
		"INSERT INTO shop.a VALUES (1, 'one'), (2, 'two')"); err != nil {
		t.Fatal(err)
	}
	st := newFileStore(t)
	catchUp := func(resnapshot ...string) error {
		return ingest.Run(ctx, ingest.Config{Source: sourceURL(db), Store: st, ExitWhenCaughtUp: true, Log: quietLog(),
			Filter: ingest.Filter{Exclude: []string{"shop.skip"}}, Resnapshot: resnapshot})
	}
	if err := catchUp(); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Connect(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	run := func(qs ...string) {
		t.Helper()
		for _, q := range qs {
			if _, err := conn.Execute(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}

	// Statement-based and minimal-image events of an excluded table pass.
	run("SET SESSION binlog_format = 'STATEMENT'", "INSERT INTO skip VALUES (1, 'stmt')",
		"SET SESSION binlog_format = 'ROW'", "SET SESSION binlog_row_image = 'MINIMAL'", "UPDATE skip SET v = 'min' WHERE id = 1",
		"SET SESSION binlog_row_image = 'FULL'", "INSERT INTO a VALUES (3, 'three')")
	if err := catchUp(); err != nil {
		t.Fatalf("events of an excluded table stopped ingest: %v", err)
	}

	for _, tc := range []struct {
		name, setting string
		bad           []string
	}{
		{"statement", "binlog_format", []string{"SET SESSION binlog_format = 'STATEMENT'", "UPDATE a SET v = 'stmt' WHERE id = 1",
			"SET SESSION binlog_format = 'ROW'"}},
		{"minimal image", "binlog_row_image", []string{"SET SESSION binlog_row_image = 'MINIMAL'", "UPDATE a SET v = 'minimal' WHERE id = 2",
			"SET SESSION binlog_row_image = 'FULL'"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(tc.bad...)
			run("INSERT INTO a VALUES (" + itoaTest(10+len(tc.name)) + ", 'after')")
			for range 2 { // every start stops at the same event
				err := catchUp()
				if err == nil || !strings.Contains(err.Error(), tc.setting) || !strings.Contains(err.Error(), "--resnapshot") ||
					!strings.Contains(err.Error(), "bin.") {
					t.Fatalf("ingest past a %s event: %v; want a refusal naming the position, %s and --resnapshot", tc.name, err, tc.setting)
				}
			}
			if err := catchUp("shop.a"); err != nil {
				t.Fatalf("ingest --resnapshot shop.a: %v", err)
			}
			checkTableEqualsPrimary(t, st, conn, "shop", "a")
			chain, err := catalog.Open(ctx, st)
			if err != nil {
				t.Fatal(err)
			}
			var resnaps int
			for _, c := range chain.Commits() {
				if c.Kind == layout.CommitResnapshot {
					resnaps++
				}
			}
			gaps := chain.Gaps()
			if resnaps == 0 || len(gaps) != resnaps || gaps[len(gaps)-1].Table.Table != "a" {
				t.Fatalf("%d resnapshot commits, gaps %+v", resnaps, gaps)
			}
			// the chain goes on
			run("UPDATE a SET v = 'later' WHERE id = 3")
			if err := catchUp(); err != nil {
				t.Fatal(err)
			}
			checkTableEqualsPrimary(t, st, conn, "shop", "a")
		})
	}
}

// checkTableEqualsPrimary compares a table's as-of at HEAD with the
// primary's rows.
func checkTableEqualsPrimary(t *testing.T, st layout.Store, conn *client.Conn, db, table string) {
	t.Helper()
	ctx := context.Background()
	chain, err := catalog.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cache.New(t.TempDir(), st)
	if err != nil {
		t.Fatal(err)
	}
	e := &query.Engine{Chain: chain, Cache: c}
	lake, err := e.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: db, Table: table}})
	if err != nil {
		t.Fatal(err)
	}
	primary, err := readPrimaryTable(conn, db, table)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffRows(columnNames(lake.Schema.Columns), primary.Rows, lake.Rows); d != "" {
		t.Fatalf("as-of of %s.%s differs from the primary:\n%s", db, table, d)
	}
}

func itoaTest(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
