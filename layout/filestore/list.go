package filestore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// List returns the keys that start with prefix and sort after startAfter,
// in ascending byte order. Temporary files are never listed.
func (s *Store) List(ctx context.Context, prefix, startAfter string) ([]string, error) {
	keys, err := s.list(ctx, prefix, startAfter)
	if err != nil {
		return nil, fmt.Errorf("file list %q after %q: %w", prefix, startAfter, err)
	}
	return keys, nil
}

func (s *Store) list(ctx context.Context, prefix, startAfter string) ([]string, error) {
	// Walk only the deepest directory the prefix names in full.
	base := ""
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		base = prefix[:i]
	}
	start := s.root
	if base != "" {
		if err := checkKey(base); err != nil {
			return nil, nil // no valid key has this prefix
		}
		start = filepath.Join(s.root, filepath.FromSlash(base))
	}
	var keys []string
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == start && (errors.Is(err, fs.ErrNotExist) || isNotDir(err)) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), tmpPrefix) || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if strings.HasPrefix(key, prefix) && key > startAfter {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Directory order is not key order: "a/b" sorts after "a-b".
	slices.Sort(keys)
	return keys, nil
}

func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }
