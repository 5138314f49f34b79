// Package cache keeps verified local copies of store objects, named by
// their SHA-256, so DuckDB (query) reads plain local files and a warm
// process never fetches an object twice. Every byte is checked against the
// hash the chain records before it is trusted.
package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/binlake/binlake/layout"
)

// Cache keeps verified copies of store objects in a local directory, named by
// their SHA-256, so DuckDB reads plain local files and a warm process never
// fetches an object twice.
type Cache struct {
	dir   string
	store layout.Store
}

// New returns a cache in dir (created if missing) over store.
func New(dir string, store layout.Store) (*Cache, error) {
	if err := os.MkdirAll(filepath.Join(dir, "objects"), 0o755); err != nil {
		return nil, fmt.Errorf("create cache directory %s: %w", dir, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("cache directory %s: %w", dir, err)
	}
	return &Cache{dir: abs, store: store}, nil
}

// Dir is the cache's root directory.
func (c *Cache) Dir() string { return c.dir }

func (c *Cache) path(o layout.Object) string {
	return filepath.Join(c.dir, "objects", o.SHA256[:2], o.SHA256+".parquet")
}

// Fetch returns the local path of an object, downloading it and checking its
// hash against the chain first if it is not cached yet. The object streams
// from the store into a temporary file beside its place in the cache,
// hashed on the way, and is renamed into place only if its size and
// SHA-256 are the chain's: it is never held in memory.
func (c *Cache) Fetch(ctx context.Context, o layout.Object) (string, error) {
	p := c.path(o)
	if _, err := os.Stat(p); err == nil {
		now := time.Now()
		_ = os.Chtimes(p, now, now) // recently used: trimmed last
		return p, nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("cache %s: %w", o.Key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".fetch-*")
	if err != nil {
		return "", fmt.Errorf("cache %s: %w", o.Key, err)
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing left to remove
	size, sha, err := c.download(ctx, o.Key, tmp, o.Size)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("cache %s: %w", o.Key, cerr)
	}
	if err != nil {
		return "", err
	}
	if size != o.Size || sha != o.SHA256 {
		got := fmt.Sprintf("%d bytes with SHA-256 %s", size, sha)
		if size > o.Size {
			got = fmt.Sprintf("more than %d bytes", o.Size)
		}
		return "", fmt.Errorf("object %s is corrupt or was altered: it has %s, the chain records %d bytes with SHA-256 %s",
			o.Key, got, o.Size, o.SHA256)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return "", fmt.Errorf("cache %s: %w", o.Key, err)
	}
	return p, nil
}

// download copies the object under key into w, reading at most one byte
// more than want (enough to tell that it is too large), and returns how
// many bytes it read and their SHA-256 (as layout.Hash gives it).
func (c *Cache) download(ctx context.Context, key string, w io.Writer, want int64) (int64, string, error) {
	r, err := c.store.Open(ctx, key)
	if err != nil {
		return 0, "", fmt.Errorf("fetch %s: %w", key, err)
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(r, want+1))
	if err != nil {
		return 0, "", fmt.Errorf("fetch %s: %w", key, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// FetchAll fetches objects in parallel and returns their paths in order.
func (c *Cache) FetchAll(ctx context.Context, objs []layout.Object) ([]string, error) {
	paths := make([]string, len(objs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, o := range objs {
		g.Go(func() error {
			p, err := c.Fetch(gctx, o)
			paths[i] = p
			return err
		})
	}
	return paths, g.Wait()
}

// Trim deletes the least recently used objects until the cache holds at
// most maxBytes. Objects a running query has open stay readable on Unix.
func (c *Cache) Trim(maxBytes int64) error {
	type entry struct {
		path string
		size int64
		used time.Time
	}
	var entries []entry
	var total int64
	err := filepath.WalkDir(filepath.Join(c.dir, "objects"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		entries = append(entries, entry{p, info.Size(), info.ModTime()})
		total += info.Size()
		return nil
	})
	if err != nil {
		return fmt.Errorf("trim cache %s: %w", c.dir, err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].used.Before(entries[j].used) })
	for _, e := range entries {
		if total <= maxBytes {
			break
		}
		if err := os.Remove(e.path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("trim cache: %w", err)
		}
		total -= e.size
	}
	return nil
}
