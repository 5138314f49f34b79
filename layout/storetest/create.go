package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/binlake/binlake/layout"
)

func testCreateExists(t *testing.T, s layout.Store) {
	ctx := context.Background()
	const key = "manifests/00000000000000000001.json"
	if err := s.Create(ctx, key, []byte("first")); err != nil {
		t.Fatalf("first Create: %v", err)
	}
	for _, data := range []string{"second", "first"} {
		err := s.Create(ctx, key, []byte(data))
		if !errors.Is(err, layout.ErrExists) {
			t.Fatalf("Create(%q) again: error = %v, want ErrExists", data, err)
		}
	}
	if got := mustRead(t, s, key); string(got) != "first" {
		t.Errorf("after a refused Create, Open = %q, want %q", got, "first")
	}
	if keys := mustList(t, s, "manifests/", ""); len(keys) != 1 || keys[0] != key {
		t.Errorf("List after Creates = %q, want only %q", keys, key)
	}
}

func testCreateRace(t *testing.T, s layout.Store) {
	ctx := context.Background()
	const writers = 8
	const key = "manifests/00000000000000000002.json"
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			errs[i] = s.Create(ctx, key, fmt.Appendf(nil, "writer %d", i))
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("writers %d and %d both created %s", winner, i, key)
		case err == nil:
			winner = i
		case !errors.Is(err, layout.ErrExists):
			t.Errorf("writer %d: error = %v, want nil or ErrExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no writer created %s: %v", key, errs)
	}
	if got, want := string(mustRead(t, s, key)), fmt.Sprintf("writer %d", winner); got != want {
		t.Errorf("Open = %q, want the winner's %q", got, want)
	}
}
