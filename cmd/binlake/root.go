package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// globals are the flags every command shares.
type globals struct {
	store     string
	cache     string
	pathStyle bool
	verbose   bool
	// timeAfterHead lets a time after the newest commit mean HEAD.
	timeAfterHead bool
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "binlake",
		Short: "A versioned, serverless replica of a MySQL/MariaDB primary in object storage",
		Long: `binlake turns every transaction of a MySQL or MariaDB primary's binlog into an
immutable commit of Parquet change rows in an object store, and answers what any
table looked like as of any transaction.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	f := root.PersistentFlags()
	f.StringVar(&g.store, "store", envOr("BINLAKE_STORE", "./binlake-store"),
		"where the chain lives: file:///dir, a directory, or s3://bucket/prefix (env BINLAKE_STORE)")
	f.StringVar(&g.cache, "cache", envOr("BINLAKE_CACHE", defaultCache()),
		"local directory for verified copies of store objects (env BINLAKE_CACHE)")
	f.BoolVar(&g.pathStyle, "s3-path-style", os.Getenv("BINLAKE_S3_PATH_STYLE") != "" || os.Getenv("AWS_ENDPOINT_URL") != "",
		"path-style S3 addressing (default on when AWS_ENDPOINT_URL is set: MinIO, LocalStack)")
	f.BoolVarP(&g.verbose, "verbose", "v", false, "log debug details")
	f.BoolVar(&g.timeAfterHead, "time-after-head", false,
		"let a time after the newest commit mean the newest commit (HEAD), which may lag the primary; without it such a time is an error")
	root.PersistentPreRun = func(*cobra.Command, []string) {
		level := slog.LevelInfo
		if g.verbose {
			level = slog.LevelDebug
		}
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	}
	root.AddCommand(newIngestCmd(g), newLogCmd(g), newAsOfCmd(g), newSQLCmd(g), newCheckpointCmd(g), newVerifyCmd(g),
		newShowCmd(g), newDiffCmd(g), newHistoryCmd(g), newBlameCmd(g), newFindCmd(g),
		newRevertCmd(g), newPatchCmd(g), newApplyCmd(g))
	return root
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func defaultCache() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "binlake")
	}
	return filepath.Join(os.TempDir(), "binlake-cache")
}

// splitTable parses "db.table".
func splitTable(s string) (db, table string, ok bool) {
	db, table, ok = strings.Cut(s, ".")
	return db, table, ok && db != "" && table != ""
}
