package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// binlake runs the CLI in-process and returns its output.
func binlake(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func fixtureDir(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "tests", "fixtures", "demo")
}

func TestCLIOverTheDemoFixture(t *testing.T) {
	dir := t.TempDir()
	common := []string{"--store", filepath.Join(dir, "store"), "--cache", filepath.Join(dir, "cache")}
	run := func(args ...string) string {
		t.Helper()
		out, err := binlake(t, append(args, common...)...)
		if err != nil {
			t.Fatalf("binlake %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	run("ingest", "--source", "file://"+fixtureDir(t), "--exit-when-caught-up")
	checks := []struct {
		args []string
		want []string
	}{
		{[]string{"log", "-n", "1", "--format", "csv"}, []string{"commit,gtid,time,kind,rows,tables,ddl", "25,0-1-25,"}},
		{[]string{"asof", "shop.customers", "--at", "0-1-22", "--format", "csv"}, []string{"Zoë Müller", "Zürich", "李雷"}},
		{[]string{"sql", "--at", "23", "SELECT DISTINCT city FROM customers"}, []string{"| Paris |", "1 row"}},
		{[]string{"show", "23", "--format", "jsonl"}, []string{`"op":"update"`, "Paris"}},
		{[]string{"diff", "22", "23", "--table", "shop.customers", "--format", "csv"}, []string{"modified"}},
		{[]string{"history", "shop.customers", "--key", "id=1", "--column", "city"}, []string{"Zürich", "Paris"}},
		{[]string{"find", "--op", "update", "--min-rows", "50"}, []string{"0-1-23", "0-1-19"}},
		{[]string{"revert", "0-1-23"}, []string{"-- kind: revert", "-- expect 1"}},
		{[]string{"verify", "--continuity"}, []string{"25 commits", "every before image matches"}},
	}
	for _, c := range checks {
		out := run(c.args...)
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("binlake %s: output lacks %q:\n%s", strings.Join(c.args, " "), w, out)
			}
		}
	}
}

func TestCLIErrorsNameTheCauseAndTheFix(t *testing.T) {
	dir := t.TempDir()
	store := []string{"--store", filepath.Join(dir, "store"), "--cache", filepath.Join(dir, "cache")}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ingest"}, "--source is required"},
		{[]string{"ingest", "--source", "postgres://x"}, "want mysql://"},
		{[]string{"ingest", "--source", "file:///nonexistent/binlogs"}, "/nonexistent/binlogs"},
		{[]string{"log"}, "binlake ingest --store " + filepath.Join(dir, "store") + " starts one"},
		{[]string{"verify"}, "no store is at"},
		{[]string{"asof", "customers"}, "DB.TABLE"},
		{[]string{"log", "--format", "xml"}, "use table, csv, jsonl or parquet"},
		{[]string{"log", "--since", "monday"}, "RFC 3339"},
	}
	for _, tt := range tests {
		out, err := binlake(t, append(tt.args, store...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("binlake %s: got %v (%s), want an error containing %q", strings.Join(tt.args, " "), err, out, tt.want)
		}
	}
	if _, err := binlake(t, append([]string{"ingest", "--source", "file://" + fixtureDir(t), "--exit-when-caught-up"}, store...)...); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"asof", "shop.nope"}, "tables then: shop.audit_log, shop.customers, shop.orders"},
		{[]string{"asof", "shop.orders", "--at", "last tuesday"}, "accepted forms"},
		{[]string{"asof", "shop.orders", "--at", "99"}, "commits run from 1 to 25"},
	} {
		out, err := binlake(t, append(tt.args, store...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("binlake %s: got %v (%s), want an error containing %q", strings.Join(tt.args, " "), err, out, tt.want)
		}
	}
}

// TestCLIStoresThatAreNotThere checks item 11 of "Exact under every
// fault": the default store works, readers of a missing or empty store
// fail with what to do, and only ingest creates a store.
func TestCLIStoresThatAreNotThere(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("BINLAKE_STORE", "")
	cache := []string{"--cache", filepath.Join(dir, "cache")}
	for _, args := range [][]string{{"verify"}, {"log"}, {"asof", "shop.orders"}, {"verify", "--store", "file://./typo"},
		{"log", "--store", filepath.Join(dir, "typo")}} {
		_, err := binlake(t, append(args, cache...)...)
		if err == nil || !strings.Contains(err.Error(), "no store is at") || !strings.Contains(err.Error(), "binlake ingest --store") {
			t.Errorf("binlake %s on a missing store: %v, want an error naming the store and the fix", strings.Join(args, " "), err)
		}
	}
	for _, name := range []string{"binlake-store", "typo"} {
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("a reader created %s", name)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"verify"}, {"log"}} {
		_, err := binlake(t, append(args, append(cache, "--store", "empty")...)...)
		if err == nil || !strings.Contains(err.Error(), "holds no manifests") {
			t.Errorf("binlake %s on an empty store: %v, want an error saying it holds no manifests", strings.Join(args, " "), err)
		}
	}
	// The default store, ./binlake-store: ingest creates it, readers use it.
	if out, err := binlake(t, append([]string{"ingest", "--source", "file://" + fixtureDir(t), "--exit-when-caught-up"}, cache...)...); err != nil {
		t.Fatalf("ingest into the default store: %v\n%s", err, out)
	}
	if out, err := binlake(t, append([]string{"log", "-n", "1", "--format", "csv"}, cache...)...); err != nil || !strings.Contains(out, "25,0-1-25,") {
		t.Fatalf("log of the default store: %v\n%s", err, out)
	}
	if out, err := binlake(t, append([]string{"verify", "--store", "file://./binlake-store"}, cache...)...); err != nil || !strings.Contains(out, "ok:") {
		t.Fatalf("verify of file://./binlake-store: %v\n%s", err, out)
	}
}

// TestCLIRefsMeanWhatTheySay checks the ref errors of item 9 end to end
// on the demo store (25 commits, GTIDs 0-1-1 .. 0-1-25).
func TestCLIRefsMeanWhatTheySay(t *testing.T) {
	dir := t.TempDir()
	common := []string{"--store", filepath.Join(dir, "store"), "--cache", filepath.Join(dir, "cache")}
	if out, err := binlake(t, append([]string{"ingest", "--source", "file://" + fixtureDir(t), "--exit-when-caught-up"}, common...)...); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"revert", "0-1-999"}, "newest GTID of domain 0 is 0-1-25"},
		{[]string{"revert", "other-bin.000009:4"}, "no commit in binlog file other-bin.000009"},
		{[]string{"show", "2099-01-01T00:00:00Z"}, "after the newest commit, commit 25"},
		{[]string{"asof", "shop.orders", "--at", "2024-03-01"}, "ambiguous"},
		{[]string{"asof", "shop.orders", "--at", "7-1-3"}, "no GTID of domain 7"},
	} {
		out, err := binlake(t, append(tt.args, common...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("binlake %s: got %v (%s), want an error containing %q", strings.Join(tt.args, " "), err, out, tt.want)
		}
	}
	out, err := binlake(t, append([]string{"show", "2099-01-01T00:00:00Z", "--time-after-head"}, common...)...)
	if err != nil || !strings.Contains(out, "commit 25") {
		t.Errorf("show of a time after head with --time-after-head: %v\n%s", err, out)
	}
}
