package filestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/binlake/binlake/layout"
)

// Put copies the size bytes of r into a temporary file and, once it is
// synced and r has yielded exactly size bytes, renames it over key,
// replacing any object there. On any error the temporary file is removed
// and the key is untouched.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := s.write(ctx, key, r, size, os.Rename); err != nil {
		return fmt.Errorf("file put %s: %w", key, err)
	}
	return nil
}

// Create writes data under key only if nothing is there yet. The object
// appears by hard-linking a synced temporary file to its name, which the
// file system does atomically and exclusively: of two racing Creates, one
// gets EEXIST and returns layout.ErrExists.
func (s *Store) Create(ctx context.Context, key string, data []byte) error {
	err := s.write(ctx, key, bytes.NewReader(data), int64(len(data)), os.Link)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("file create %s: %w", key, layout.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("file create %s: %w", key, err)
	}
	return nil
}

// write copies the size bytes of r to a temporary file beside the object,
// syncs it, calls publish(tmp, final) to make it visible, and syncs the
// directory.
func (s *Store) write(ctx context.Context, key string, r io.Reader, size int64, publish func(oldname, newname string) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	final, err := s.path(key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(final)
	if err := s.mkdirAll(dir); err != nil {
		return err
	}
	tmp, err := writeTemp(dir, r, size)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // after a rename there is nothing left to remove
	if err := publish(tmp, final); err != nil {
		return err
	}
	return syncDir(dir)
}

// writeTemp copies the size bytes of r to a new temporary file in dir and
// syncs it. On an error, the file is removed.
func writeTemp(dir string, r io.Reader, size int64) (string, error) {
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	err = layout.CopyExact(f, r, size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// mkdirAll creates dir and its missing parents below the root, syncing the
// parent of each directory it creates so the new entries are durable.
func (s *Store) mkdirAll(dir string) error {
	if dir == s.root {
		// The root itself, made with the first object (see New).
		if info, err := os.Stat(dir); err == nil && info.IsDir() {
			return nil
		}
		return os.MkdirAll(dir, 0o755)
	}
	if info, err := os.Stat(dir); err == nil && info.IsDir() {
		return nil
	}
	parent := filepath.Dir(dir)
	if err := s.mkdirAll(parent); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // made by a concurrent writer
		}
		return err
	}
	return syncDir(parent)
}

// syncDir fsyncs a directory so that entries created or renamed in it
// survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
