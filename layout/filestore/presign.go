package filestore

import (
	"context"
	"path/filepath"
	"time"
)

// Presign returns a file:// URL of the object: a local store has no access
// control to delegate, so the URL is only useful on the same machine.
func (s *Store) Presign(_ context.Context, key string, _ time.Duration) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	return "file://" + filepath.Join(s.root, filepath.FromSlash(key)), nil
}
