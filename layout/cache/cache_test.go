package cache_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/layout/filestore"
)

func putObject(t *testing.T, st layout.Store, key string, data []byte) layout.Object {
	t.Helper()
	if err := st.Put(context.Background(), key, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	return layout.Object{Key: key, SHA256: layout.Hash(data), Size: int64(len(data))}
}

func TestCacheVerifiesAndTrims(t *testing.T) {
	ctx := context.Background()
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := cache.New(t.TempDir(), st)
	if err != nil {
		t.Fatal(err)
	}
	a := putObject(t, st, "segments/a", make([]byte, 1000))
	b := putObject(t, st, "segments/b", make([]byte, 2000))
	pa, err := c.Fetch(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(pa, old, old); err != nil {
		t.Fatal(err)
	}
	pb, err := c.Fetch(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Trim(2500); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(pa); !os.IsNotExist(err) {
		t.Errorf("least recently used object survived the trim")
	}
	if _, err := os.Stat(pb); err != nil {
		t.Errorf("recent object trimmed: %v", err)
	}
	// an object altered in the store is refused, naming it, whether its
	// size changed or not
	for _, evil := range []string{"evil", "good, and then some", "go", ""} {
		tampered := putObject(t, st, "segments/c", []byte("good"))
		if err := st.Put(ctx, "segments/c", strings.NewReader(evil), int64(len(evil))); err != nil {
			t.Fatal(err)
		}
		_, err := c.Fetch(ctx, tampered)
		if err == nil || !strings.Contains(err.Error(), "segments/c") || !strings.Contains(err.Error(), "corrupt or was altered") {
			t.Fatalf("object altered to %q: %v", evil, err)
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(c.Dir(), "objects", "*", "*")); len(matches) != 1 {
		t.Fatalf("cache holds %d objects, want 1", len(matches))
	}
}
