// Package filestore is a layout.Store kept in a local directory: the store
// behind file:// URLs and the embedded default.
//
// Every write goes to a temporary file in the destination directory, is
// fsynced, and only then appears under its key (rename for Put, hard link
// for Create), so readers never see a partial object. The directory is
// fsynced afterwards so a completed write survives a crash.
package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/binlake/binlake/layout"
)

var _ layout.Store = (*Store)(nil)

// Store is a layout.Store rooted at a local directory. It is safe for
// concurrent use, also by several processes sharing the directory.
type Store struct {
	root string
}

// Open returns the store rooted at dir, which must exist: a directory
// that is not there is layout.ErrNoStore, and none is created (a reader
// with a mistyped path must not leave a new empty store behind).
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("file store: empty directory")
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("file store %s: %w", dir, err)
	}
	info, err := os.Stat(root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("file store %s: %w: the directory does not exist", root, layout.ErrNoStore)
	case err != nil:
		return nil, fmt.Errorf("file store %s: %w", root, err)
	case !info.IsDir():
		return nil, fmt.Errorf("file store %s: %w: it is a file, not a directory", root, layout.ErrNoStore)
	}
	return &Store{root: root}, nil
}

// New returns a store rooted at dir, which need not exist: the directory
// is made with the first object written, so a writer that fails before it
// writes anything (a bad source, a refused setting) leaves nothing behind.
func New(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("file store: empty directory")
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("file store %s: %w", dir, err)
	}
	if info, err := os.Stat(root); err == nil && !info.IsDir() {
		return nil, fmt.Errorf("file store %s: it is a file, not a directory", root)
	}
	return &Store{root: root}, nil
}

// Root returns the absolute directory the store lives in.
func (s *Store) Root() string { return s.root }

// Open returns the file under key, open for reading (its read errors name
// the file). A missing key is layout.ErrNotFound, from Open itself.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	f, _, err := s.open(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("file open %s: %w", key, err)
	}
	return f, nil
}

// GetRange returns up to length bytes of the object under key, starting at
// offset; fewer at the end of the object, none past it.
func (s *Store) GetRange(ctx context.Context, key string, offset, length int64) ([]byte, error) {
	if offset < 0 || length < 0 {
		return nil, fmt.Errorf("file get %s range %d+%d: negative offset or length", key, offset, length)
	}
	f, size, err := s.open(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("file get %s: %w", key, err)
	}
	defer f.Close()
	if offset >= size {
		return []byte{}, nil
	}
	data := make([]byte, min(length, size-offset))
	n, err := f.ReadAt(data, offset)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("file get %s range %d+%d: %w", key, offset, length, err)
	}
	return data[:n], nil
}

// open opens the regular file under key and returns its size. A missing
// file, or a directory, is layout.ErrNotFound.
func (s *Store) open(ctx context.Context, key string) (*os.File, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	p, err := s.path(key)
	if err != nil {
		return nil, 0, err
	}
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
			return nil, 0, layout.ErrNotFound
		}
		return nil, 0, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, 0, layout.ErrNotFound
	}
	return f, info.Size(), nil
}
