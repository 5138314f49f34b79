package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/binlake/binlake/tests/testenv"
)

// lambdaResult holds the function package sizes and the query function's
// cold start.
type lambdaResult struct {
	zips      map[string]int64 // function -> zip bytes
	bootstrap map[string]int64 // function -> bootstrap bytes
	coldStart time.Duration    // process start to the first answer, best of runs
	cliStart  time.Duration    // the CLI answering the same question, best of runs
}

// measureLambda builds the functions as deployed (tests/tools/build-lambda.sh,
// what make lambda runs), records their sizes, and times the query
// function's cold start behind the Runtime API harness over the as-of chain,
// next to the CLI process answering the same question.
func measureLambda(ctx context.Context, o *options, storeDir, dir string, rep *report) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	out := filepath.Join(dir, "lambda")
	progress("lambda: building the functions as deployed (static bootstrap, zip)")
	build := exec.CommandContext(ctx, "bash", "tests/tools/build-lambda.sh", out)
	build.Dir = root
	if b, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build functions: %v\n%s", err, b)
	}
	cli := filepath.Join(dir, "binlake-cli")
	gb := exec.CommandContext(ctx, "go", "build", "-o", cli, "./cmd/binlake")
	gb.Dir = root
	if b, err := gb.CombinedOutput(); err != nil {
		return fmt.Errorf("build CLI: %v\n%s", err, b)
	}
	res := &lambdaResult{zips: map[string]int64{}, bootstrap: map[string]int64{}}
	for _, fn := range []string{"query", "recover", "verify", "checkpoint"} {
		if zi, err := os.Stat(filepath.Join(out, fn+".zip")); err == nil {
			res.zips[fn] = zi.Size()
		}
		if bi, err := os.Stat(filepath.Join(out, fn, "bootstrap")); err == nil {
			res.bootstrap[fn] = bi.Size()
		}
	}
	store := "file://" + storeDir
	event := []byte(`{"op":"log","limit":1}`)
	for i := 0; i < o.runs; i++ {
		cache := filepath.Join(dir, fmt.Sprintf("lambda-cache-%d", i))
		l, err := testenv.NewLambda("binlake-query", filepath.Join(out, "query", "bootstrap"),
			[]string{"BINLAKE_STORE=" + store, "BINLAKE_CACHE=" + cache})
		if err != nil {
			return err
		}
		rep, err := l.Invoke(ctx, event)
		l.Close()
		if err != nil {
			return err
		}
		if rep.Failed() {
			return fmt.Errorf("query function: %s: %s", rep.ErrorType, rep.ErrorMessage)
		}
		if res.coldStart == 0 || l.ColdStart < res.coldStart {
			res.coldStart = l.ColdStart
		}
		t0 := time.Now()
		c := exec.CommandContext(ctx, cli, "--store", store, "--cache", cache+"-cli", "log", "-n", "1", "--format", "jsonl")
		if b, err := c.CombinedOutput(); err != nil {
			return fmt.Errorf("CLI log: %v\n%s", err, b)
		}
		if d := time.Since(t0); res.cliStart == 0 || d < res.cliStart {
			res.cliStart = d
		}
	}
	progress("lambda: query cold start %s (CLI %s); zips %v", res.coldStart.Round(time.Millisecond), res.cliStart.Round(time.Millisecond), res.zips)
	rep.lambda = res
	return nil
}

func moduleRoot(ctx context.Context) (string, error) {
	b, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the module root: %w", err)
	}
	return filepath.Dir(strings.TrimSpace(string(b))), nil
}
