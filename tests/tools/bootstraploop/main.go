// Command bootstraploop starts private MariaDB servers (tests/testenv) N at
// a time for several rounds and counts the ones that fail to start, to show
// that concurrent test packages can bootstrap their servers side by side:
//
//	go run ./tests/tools/bootstraploop -rounds 5 -n 3
//
// It is run by hand, not by `go test`: each round takes seconds.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/binlake/binlake/tests/testenv"
)

func main() {
	rounds := flag.Int("rounds", 5, "rounds to run")
	n := flag.Int("n", 3, "servers started at once in each round")
	flag.Parse()
	ctx := context.Background()
	failures := 0
	for r := 1; r <= *rounds; r++ {
		start := time.Now()
		errs := make([]error, *n)
		var wg sync.WaitGroup
		for i := range *n {
			wg.Go(func() {
				db, err := testenv.NewMariaDB(ctx, testenv.MariaDBOptions{})
				if err == nil {
					err = check(ctx, db)
					db.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		failed := 0
		for i, err := range errs {
			if err != nil {
				failed++
				fmt.Fprintf(os.Stderr, "round %d, server %d: %v\n", r, i+1, err)
			}
		}
		failures += failed
		fmt.Printf("round %d: %d of %d servers failed (%v)\n", r, failed, *n, time.Since(start).Round(time.Millisecond))
	}
	fmt.Printf("%d rounds x %d concurrent: %d failures of %d starts\n", *rounds, *n, failures, *rounds**n)
	if failures > 0 {
		os.Exit(1)
	}
}

// check creates a table and checks that the server's tmpdir is its own.
func check(ctx context.Context, db *testenv.MariaDB) error {
	if err := db.Exec(ctx, "CREATE TABLE test.t (id INT PRIMARY KEY)"); err != nil {
		return err
	}
	c, err := db.Connect(ctx, "")
	if err != nil {
		return err
	}
	defer c.Close()
	r, err := c.Execute("SELECT @@tmpdir")
	if err != nil {
		return fmt.Errorf("read tmpdir: %w", err)
	}
	got, err := r.GetString(0, 0)
	if err != nil {
		return fmt.Errorf("read tmpdir: %w", err)
	}
	if want := filepath.Join(filepath.Dir(db.DataDir), "tmp"); got != want {
		return fmt.Errorf("tmpdir is %s, want %s", got, want)
	}
	return nil
}
