package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/binlake/binlake/layout"
)

func testListOrder(t *testing.T, s layout.Store) {
	var want []string
	for _, n := range []int{10, 9, 100, 1, 2} { // put out of order
		key := fmt.Sprintf("manifests/%020d.json", n)
		mustPut(t, s, key, []byte("m"))
		want = append(want, key)
	}
	slices.Sort(want)
	if got := mustList(t, s, "", ""); !slices.Equal(got, want) {
		t.Errorf("List = %q, want %q", got, want)
	}
	if got := mustList(t, s, "manifests/", want[1]); !slices.Equal(got, want[2:]) {
		t.Errorf("List after %q = %q, want %q", want[1], got, want[2:])
	}
	if got := mustList(t, s, "manifests/", want[len(want)-1]); len(got) != 0 {
		t.Errorf("List after the last key = %q, want none", got)
	}
}

func testListPrefix(t *testing.T, s layout.Store) {
	for _, key := range []string{
		"a-b", "a/b", "a/c/d", "a/cd", "ab", "b/x", "segments/db/t/1/x.parquet",
	} {
		mustPut(t, s, key, []byte(key))
	}
	tests := []struct {
		prefix, startAfter string
		want               []string
	}{
		{"", "", []string{"a-b", "a/b", "a/c/d", "a/cd", "ab", "b/x", "segments/db/t/1/x.parquet"}},
		{"a", "", []string{"a-b", "a/b", "a/c/d", "a/cd", "ab"}},
		{"a/", "", []string{"a/b", "a/c/d", "a/cd"}},
		{"a/c", "", []string{"a/c/d", "a/cd"}},
		{"a/c/", "", []string{"a/c/d"}},
		{"a/", "a/b", []string{"a/c/d", "a/cd"}},
		{"a/", "a/c", []string{"a/c/d", "a/cd"}},
		{"", "a/cd", []string{"ab", "b/x", "segments/db/t/1/x.parquet"}},
		{"b/", "a", []string{"b/x"}},
		{"segments/db/", "", []string{"segments/db/t/1/x.parquet"}},
		{"zzz", "", nil},
		{"a/b/", "", nil},
		{"nodir/", "", nil},
	}
	for _, tc := range tests {
		got := mustList(t, s, tc.prefix, tc.startAfter)
		if !slices.Equal(got, tc.want) {
			t.Errorf("List(%q, %q) = %q, want %q", tc.prefix, tc.startAfter, got, tc.want)
		}
	}
}

// testListMany lists more keys than one S3 page (1000) holds.
func testListMany(t *testing.T, s layout.Store) {
	const n = 1234
	want := make([]string, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := range n {
		want[i] = fmt.Sprintf("many/%06d", i)
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = s.Put(context.Background(), want[i], bytes.NewReader(nil), 0)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Put(%q): %v", want[i], err)
		}
	}
	mustPut(t, s, "other", []byte("x"))
	if got := mustList(t, s, "many/", ""); !slices.Equal(got, want) {
		t.Errorf("List(many/) returned %d keys, want %d in order", len(got), n)
	}
	if got := mustList(t, s, "many/", want[500]); !slices.Equal(got, want[501:]) {
		t.Errorf("List(many/, %q) returned %d keys, want %d", want[500], len(got), n-501)
	}
}

func testUnusualKeys(t *testing.T, s layout.Store) {
	keys := []string{
		"odd/with space",
		"odd/per%cent%20",
		"odd/eq=ual&amp",
		"odd/plus+sign",
		"odd/ünïcødé/日本語",
		"odd/semi;colon,comma'quote\"",
		"odd/tilde~star*(paren)",
	}
	for _, key := range keys {
		mustPut(t, s, key, []byte(key))
		if got := mustRead(t, s, key); !bytes.Equal(got, []byte(key)) {
			t.Errorf("Open(%q) = %q", key, got)
		}
	}
	want := slices.Sorted(slices.Values(keys))
	if got := mustList(t, s, "odd/", ""); !slices.Equal(got, want) {
		t.Errorf("List(odd/) = %q, want %q", got, want)
	}
}
