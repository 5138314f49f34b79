package ingest_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
)

const fixture = "../tests/fixtures/demo/demo-bin.000001"

func ingestFiles(t *testing.T, st layout.Store, dir string) *catalog.Chain {
	t.Helper()
	ctx := context.Background()
	err := ingest.Run(ctx, ingest.Config{Source: "file://" + dir, Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newStore(t *testing.T) layout.Store {
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestFileIngestResumesMidFile ingests a binlog that ends after commit 10
// (as a file still being written would), then the whole file: the second
// run resumes at the offset and the chain equals a one-shot ingest.
func TestFileIngestResumesMidFile(t *testing.T) {
	full, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	fullDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(fullDir, "demo-bin.000001"), full, 0o644); err != nil {
		t.Fatal(err)
	}
	once := ingestFiles(t, newStore(t), fullDir)
	c10, ok := once.Commit(10)
	if !ok {
		t.Fatal("fixture has fewer than 10 commits")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "demo-bin.000001")
	if err := os.WriteFile(path, full[:c10.Pos], 0o644); err != nil {
		t.Fatal(err)
	}
	st := newStore(t)
	if got := ingestFiles(t, st, dir).LastCommit(); got != 10 {
		t.Fatalf("truncated file gave %d commits, want 10", got)
	}
	if err := os.WriteFile(path, full, 0o644); err != nil {
		t.Fatal(err)
	}
	twice := ingestFiles(t, st, dir)
	strip := func(cs []layout.Commit) []layout.Commit { return append([]layout.Commit(nil), cs...) }
	if !reflect.DeepEqual(strip(twice.Commits()), strip(once.Commits())) {
		t.Fatalf("resumed chain has %d commits, one-shot %d; they differ", twice.LastCommit(), once.LastCommit())
	}
	if len(twice.Manifests()) != 2 {
		t.Fatalf("%d manifests, want 2 (one per run)", len(twice.Manifests()))
	}
}
