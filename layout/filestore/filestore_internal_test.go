package filestore

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestInvalidKeys(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, key := range []string{
		"", "/abs", "../escape", "a/../b", "a/..", "./a", "a//b", "a/", `a\b`, "a\x00b",
		".tmp-x", "dir/.tmp-123",
	} {
		ops := map[string]error{
			"Open":   func() error { _, err := s.Open(ctx, key); return err }(),
			"Put":    s.Put(ctx, key, strings.NewReader("x"), 1),
			"Create": s.Create(ctx, key, []byte("x")),
		}
		for op, err := range ops {
			if err == nil {
				t.Errorf("%s(%q) succeeded, want an error", op, key)
			} else if !strings.Contains(err.Error(), "invalid key") {
				t.Errorf("%s(%q) error = %v, want one naming the invalid key", op, key, err)
			}
		}
	}
	// Nothing was written outside the keys' rules.
	if keys, err := s.List(ctx, "", ""); err != nil || len(keys) != 0 {
		t.Errorf("List = %q, %v; want nothing", keys, err)
	}
}

func TestListSkipsTempFiles(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Put(ctx, "dir/a", strings.NewReader("a"), 1); err != nil {
		t.Fatal(err)
	}
	// A writer that crashed between writing and publishing leaves this.
	if err := os.WriteFile(filepath.Join(s.Root(), "dir", tmpPrefix+"123"), []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	keys, err := s.List(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"dir/a"}; !slices.Equal(keys, want) {
		t.Errorf("List = %q, want %q", keys, want)
	}
}

func TestNewCreatesDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Create(context.Background(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "k")); err != nil || string(got) != "v" {
		t.Errorf("file = %q, %v; want %q", got, err, "v")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the object (no temp file left)", len(entries))
	}
}

// TestFailedPutLeavesNoTempFile: a reader that does not match its size
// leaves neither the object nor a temporary file behind.
func TestFailedPutLeavesNoTempFile(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, size := range []int64{4, 6} {
		if err := s.Put(ctx, "dir/k", strings.NewReader("hello"), size); err == nil {
			t.Errorf("Put of 5 bytes as %d succeeded", size)
		}
	}
	entries, err := os.ReadDir(filepath.Join(s.Root(), "dir"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("failed Puts left %s behind", e.Name())
	}
}
