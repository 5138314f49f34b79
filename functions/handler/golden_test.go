package handler_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/binlake/binlake/functions/handler"
	"github.com/binlake/binlake/functions/internal/golden"
	"github.com/binlake/binlake/functions/lambdaio"
	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout/filestore"
)

// demoDeps are the handlers over a store of the bundled demo binlog,
// ingested in-process: no server, no Lambda.
func demoDeps(t *testing.T) *handler.Deps {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	demo := filepath.Join(filepath.Dir(file), "..", "..", "tests", "fixtures", "demo")
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	if err := ingest.Run(context.Background(), ingest.Config{Source: "file://" + demo, Store: st, ExitWhenCaughtUp: true, Log: quiet}); err != nil {
		t.Fatal(err)
	}
	d, err := handler.New(&lambdaio.Env{Store: st, Results: st, StoreURL: "file:///demo", CacheDir: t.TempDir(),
		InlineLimit: 64 << 10, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestGoldenAnswers answers every event under testdata/golden/<function>
// and compares the answer (volatile fields masked) with its golden file.
func TestGoldenAnswers(t *testing.T) {
	ctx := context.Background()
	d := demoDeps(t)
	for _, fn := range []struct {
		name   string
		answer func(context.Context, json.RawMessage) (any, error)
	}{
		{"query", func(ctx context.Context, ev json.RawMessage) (any, error) { return d.Query(ctx, ev) }},
		{"recover", func(ctx context.Context, ev json.RawMessage) (any, error) { return d.Recover(ctx, ev) }},
		// last: checkpoints change the chain the others read
		{"checkpoint", func(ctx context.Context, ev json.RawMessage) (any, error) { return d.Checkpoint(ctx, ev) }},
	} {
		for _, c := range golden.Cases(t, filepath.Join("testdata", "golden", fn.name)) {
			t.Run(fn.name+"/"+c.Name, func(t *testing.T) {
				ans, err := fn.answer(ctx, c.Event)
				golden.Answer(t, c, ans, err)
			})
		}
	}
}
