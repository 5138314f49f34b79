// Command binlake is the CLI over binlake's packages: ingest a MySQL or
// MariaDB binlog into a store, and query the chain.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "binlake:", err)
		os.Exit(1)
	}
}
