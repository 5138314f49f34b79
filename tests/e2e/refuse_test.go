package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/tests/testenv"
)

func sourceURL(db *testenv.MariaDB) string {
	return fmt.Sprintf("mysql://%s:%s@%s", db.User, db.Password, db.Addr())
}

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(&strings.Builder{}, &slog.HandlerOptions{Level: slog.LevelError}))
}

func ingestOnce(ctx context.Context, db *testenv.MariaDB, st layout.Store) error {
	return ingest.Run(ctx, ingest.Config{Source: sourceURL(db), Store: st, ExitWhenCaughtUp: true, Log: quietLog()})
}

func newFileStore(t *testing.T) layout.Store {
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestRefusesUnsupportedSources checks that a source binlake cannot
// replicate exactly is refused at start with the setting named.
func TestRefusesUnsupportedSources(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"statement format", []string{"--binlog-format=STATEMENT"}, "binlog_format"},
		{"mixed format", []string{"--binlog-format=MIXED"}, "binlog_format"},
		{"minimal image", []string{"--binlog-row-image=MINIMAL"}, "binlog_row_image"},
		{"noblob image", []string{"--binlog-row-image=NOBLOB"}, "binlog_row_image"},
		{"minimal metadata", []string{"--binlog-row-metadata=MINIMAL"}, "binlog_row_metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := testenv.StartMariaDB(t, testenv.MariaDBOptions{ExtraArgs: tt.args})
			err := ingestOnce(context.Background(), db, newFileStore(t))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a refusal naming %s", err, tt.want)
			}
			t.Log(err)
		})
	}
}

// TestRefusesBinlogFilesWithoutFullImages reads binlog files written with
// settings a live check would have refused: the events themselves must be
// refused too.
func TestRefusesBinlogFilesWithoutFullImages(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"statement format", []string{"--binlog-format=STATEMENT"}, "binlog_format=ROW"},
		{"minimal image", []string{"--binlog-row-image=MINIMAL"}, "binlog_row_image=FULL"},
		{"minimal metadata", []string{"--binlog-row-metadata=MINIMAL"}, "binlog_row_metadata=FULL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := testenv.StartMariaDB(t, testenv.MariaDBOptions{ExtraArgs: tt.args})
			if err := db.Exec(ctx, "CREATE TABLE test.t (id INT PRIMARY KEY, a INT, b TEXT)",
				"INSERT INTO test.t VALUES (1, 2, 'x')", "UPDATE test.t SET a = 3 WHERE id = 1", "FLUSH BINARY LOGS"); err != nil {
				t.Fatal(err)
			}
			files, err := db.BinlogFiles()
			if err != nil {
				t.Fatal(err)
			}
			err = ingest.Run(ctx, ingest.Config{Source: "file://" + files[0], Store: newFileStore(t), Log: quietLog()})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a refusal naming %s", err, tt.want)
			}
			t.Log(err)
		})
	}
}

// TestRefusesAnotherPrimary checks that a store holding one primary's
// history cannot be extended from another.
func TestRefusesAnotherPrimary(t *testing.T) {
	ctx := context.Background()
	a := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	b := testenv.StartMariaDB(t, testenv.MariaDBOptions{ExtraArgs: []string{"--server-id=2"}})
	st := newFileStore(t)
	if err := ingestOnce(ctx, a, st); err != nil {
		t.Fatal(err)
	}
	err := ingestOnce(ctx, b, st)
	if err == nil || !strings.Contains(err.Error(), "server_id 1") || !strings.Contains(err.Error(), "new store") {
		t.Fatalf("got %v, want a refusal naming both primaries", err)
	}
	t.Log(err)
}

// TestRefusesPurgedBinlog checks that resuming after the primary purged the
// binlog the chain stopped in is refused with the way out.
func TestRefusesPurgedBinlog(t *testing.T) {
	ctx := context.Background()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	st := newFileStore(t)
	if err := db.Exec(ctx, "CREATE TABLE test.t (id INT PRIMARY KEY)", "INSERT INTO test.t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if err := ingestOnce(ctx, db, st); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(ctx, "INSERT INTO test.t VALUES (2)", "FLUSH BINARY LOGS", "INSERT INTO test.t VALUES (3)",
		"FLUSH BINARY LOGS"); err != nil {
		t.Fatal(err)
	}
	purgeBinlogsBefore(t, db, "bin.000002")
	err := ingestOnce(ctx, db, st)
	if err == nil || !strings.Contains(err.Error(), "purged") || !strings.Contains(err.Error(), "file://") {
		t.Fatalf("got %v, want a refusal about the purged binlog", err)
	}
	t.Log(err)
}

// purgeBinlogsBefore purges binlog files until the oldest left is at least
// first. MariaDB keeps a file whose binlog checkpoint has not been written
// yet (it writes them in the background), so one PURGE may leave it.
func purgeBinlogsBefore(t *testing.T, db *testenv.MariaDB, first string) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Connect(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	oldest := ""
	for try := 0; try < 100; try++ {
		if _, err := conn.Execute("PURGE BINARY LOGS TO 'bin.000003'"); err != nil {
			t.Fatal(err)
		}
		r, err := conn.Execute("SHOW BINARY LOGS")
		if err != nil {
			t.Fatal(err)
		}
		if oldest, _ = r.GetString(0, 0); oldest >= first {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the primary still has %s after 100 purges", oldest)
}

// TestRefusesMissingGrants checks item 4 of "Exact under every fault": a
// source user without a privilege binlake needs is refused at start, with
// the grant named, before any object is written.
func TestRefusesMissingGrants(t *testing.T) {
	ctx := context.Background()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	if err := db.Exec(ctx, "CREATE DATABASE shop", "CREATE TABLE shop.t (id INT PRIMARY KEY)", "INSERT INTO shop.t VALUES (1)",
		"CREATE DATABASE other", "CREATE TABLE other.u (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ name, grants string }{
		{"noselect", "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'noselect'@'127.0.0.1'"},
		{"norepl", "GRANT SELECT ON *.* TO 'norepl'@'127.0.0.1'"},
		{"noclient", "GRANT REPLICATION SLAVE, SELECT ON *.* TO 'noclient'@'127.0.0.1'"},
		{"shoponly", "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'shoponly'@'127.0.0.1'"},
	} {
		if err := db.Exec(ctx, fmt.Sprintf("CREATE USER '%s'@'127.0.0.1' IDENTIFIED BY 'pw'", u.name), u.grants); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Exec(ctx, "GRANT SELECT ON shop.* TO 'shoponly'@'127.0.0.1'"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user    string
		include []string
		want    []string // every one must be in the error; nil: ingest succeeds
		notWant string
	}{
		{user: "noselect", want: []string{"SELECT ON *.*", "it may read no table"}},
		{user: "norepl", want: []string{"BINLOG MONITOR", "REPLICATION SLAVE"}},
		{user: "noclient", want: []string{"BINLOG MONITOR"}, notWant: "REPLICATION SLAVE"},
		{user: "shoponly", want: []string{"SELECT ON *.*", "it may read shop.*"}},
		{user: "shoponly", include: []string{"other.*"}, want: []string{"SELECT ON `other`.*"}},
		{user: "shoponly", include: []string{"shop.*"}},
	}
	for _, tt := range tests {
		t.Run(tt.user+strings.Join(tt.include, ","), func(t *testing.T) {
			st := newFileStore(t)
			src := fmt.Sprintf("mysql://%s:pw@%s", tt.user, db.Addr())
			err := ingest.Run(ctx, ingest.Config{Source: src, Store: st, ExitWhenCaughtUp: true, Log: quietLog(),
				Filter: ingest.Filter{Include: tt.include}})
			if tt.want == nil {
				if err != nil {
					t.Fatalf("ingest with SELECT on shop.* and --include shop.*: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("ingest succeeded, want a refusal")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("refusal %q does not name %q", err, w)
				}
			}
			if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
				t.Errorf("refusal %q names %q, which the user has", err, tt.notWant)
			}
			if keys, lerr := st.List(ctx, "", ""); lerr != nil || len(keys) > 0 {
				t.Errorf("the refused start wrote %d objects (%v): %q", len(keys), lerr, keys)
			}
			t.Log(err)
		})
	}
}
