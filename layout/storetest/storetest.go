// Package storetest is the contract every layout.Store must meet, as one
// suite run against each implementation (the local directory store and a
// real S3 server). It is a test-support package: only tests import it.
package storetest

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/binlake/binlake/layout"
)

// Run runs the contract suite. newStore must return an empty store, and a
// different one on each call; subtests run in parallel.
func Run(t *testing.T, newStore func(t *testing.T) layout.Store) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s layout.Store)
	}{
		{"PutOpen", testPutOpen},
		{"PutFromPosition", testPutFromPosition},
		{"PutWrongSize", testPutWrongSize},
		{"LargeObject", testLargeObject},
		{"ConcurrentPuts", testConcurrentPuts},
		{"ReadAll", testReadAll},
		{"Missing", testMissing},
		{"GetRange", testGetRange},
		{"CreateExists", testCreateExists},
		{"CreateRace", testCreateRace},
		{"ListOrder", testListOrder},
		{"ListPrefix", testListPrefix},
		{"ListMany", testListMany},
		{"UnusualKeys", testUnusualKeys},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore(t))
		})
	}
}

func mustPut(t *testing.T, s layout.Store, key string, data []byte) {
	t.Helper()
	if err := s.Put(context.Background(), key, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

// mustRead returns the whole object through Open.
func mustRead(t *testing.T, s layout.Store, key string) []byte {
	t.Helper()
	r, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("close %q: %v", key, err)
	}
	return data
}

func mustList(t *testing.T, s layout.Store, prefix, startAfter string) []string {
	t.Helper()
	keys, err := s.List(context.Background(), prefix, startAfter)
	if err != nil {
		t.Fatalf("List(%q, %q): %v", prefix, startAfter, err)
	}
	return keys
}
