package catalog

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/binlake/binlake/layout"
)

// memStore is a map-backed layout.Store for unit tests.
type memStore struct {
	mu   sync.Mutex
	objs map[string][]byte
}

func newMemStore() *memStore { return &memStore{objs: map[string][]byte{}} }

func (s *memStore) get(key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.objs[key]
	if !ok {
		return nil, fmt.Errorf("get %s: %w", key, layout.ErrNotFound)
	}
	return b, nil // never changed in place: Put replaces
}

func (s *memStore) Open(_ context.Context, key string) (io.ReadCloser, error) {
	b, err := s.get(key)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (s *memStore) GetRange(_ context.Context, key string, off, n int64) ([]byte, error) {
	b, err := s.get(key)
	if err != nil {
		return nil, err
	}
	off = min(off, int64(len(b)))
	return append([]byte(nil), b[off:min(off+n, int64(len(b)))]...), nil
}

func (s *memStore) List(_ context.Context, prefix, after string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.objs {
		if strings.HasPrefix(k, prefix) && k > after {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (s *memStore) Put(_ context.Context, key string, r io.Reader, size int64) error {
	var buf bytes.Buffer
	if err := layout.CopyExact(&buf, r, size); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objs[key] = buf.Bytes()
	return nil
}

func (s *memStore) Create(_ context.Context, key string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.objs[key]; ok {
		return fmt.Errorf("create %s: %w", key, layout.ErrExists)
	}
	s.objs[key] = append([]byte(nil), data...)
	return nil
}
