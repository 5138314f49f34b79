package verifier_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/binlake/binlake/functions/internal/golden"
	"github.com/binlake/binlake/functions/lambdaio"
	"github.com/binlake/binlake/functions/verifier"
	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout/filestore"
)

// TestGoldenAnswers answers every event under testdata/golden/verify over
// a store of the bundled demo binlog and compares the answers with their
// golden files.
func TestGoldenAnswers(t *testing.T) {
	ctx := context.Background()
	_, file, _, _ := runtime.Caller(0)
	demo := filepath.Join(filepath.Dir(file), "..", "..", "tests", "fixtures", "demo")
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	if err := ingest.Run(ctx, ingest.Config{Source: "file://" + demo, Store: st, ExitWhenCaughtUp: true, Log: quiet}); err != nil {
		t.Fatal(err)
	}
	v := &verifier.Verifier{Env: &lambdaio.Env{Store: st, StoreURL: "file:///demo", Log: quiet}}
	for _, c := range golden.Cases(t, filepath.Join("testdata", "golden", "verify")) {
		t.Run(c.Name, func(t *testing.T) {
			ans, err := v.Verify(ctx, c.Event)
			golden.Answer(t, c, ans, err)
		})
	}
}

// TestEmptyStoreIsABreak checks that a store with no manifests (a
// mistyped BINLAKE_STORE prefix) does not verify.
func TestEmptyStoreIsABreak(t *testing.T) {
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	v := &verifier.Verifier{Env: &lambdaio.Env{Store: st, StoreURL: "s3://lake/typo", Log: slog.New(slog.DiscardHandler)}}
	ans, err := v.Verify(context.Background(), []byte(`{}`))
	if err != nil || ans.OK || ans.Break == "" {
		t.Fatalf("verify of an empty store: %+v, %v; want a break", ans, err)
	}
}
