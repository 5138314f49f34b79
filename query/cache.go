// Package query answers questions about a chain with DuckDB over a local,
// content-addressed cache of the store's Parquet objects.
package query

import (
	"context"
	"fmt"
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

// NewCache returns a cache in dir (created if missing) over store.
func NewCache(dir string, store layout.Store) (*Cache, error) {
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
// hash against the chain first if it is not cached yet.
func (c *Cache) Fetch(ctx context.Context, o layout.Object) (string, error) {
	p := c.path(o)
	if _, err := os.Stat(p); err == nil {
		now := time.Now()
		_ = os.Chtimes(p, now, now) // recently used: trimmed last
		return p, nil
	}
	b, err := c.store.Get(ctx, o.Key)
	if err != nil {
		return "", fmt.Errorf("fetch %s: %w", o.Key, err)
	}
	if got := layout.Hash(b); got != o.SHA256 {
		return "", fmt.Errorf("object %s is corrupt or was altered: its SHA-256 is %s, the chain records %s", o.Key, got, o.SHA256)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("cache %s: %w", o.Key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".fetch-*")
	if err != nil {
		return "", fmt.Errorf("cache %s: %w", o.Key, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return "", fmt.Errorf("cache %s: %w", o.Key, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("cache %s: %w", o.Key, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return "", fmt.Errorf("cache %s: %w", o.Key, err)
	}
	return p, nil
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
