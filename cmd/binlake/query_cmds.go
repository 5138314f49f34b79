package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/query/render"
)

// outputFlags are the flags of commands that print results.
type outputFlags struct {
	format string
	out    string
}

func (o *outputFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.format, "format", "table", "table, csv, jsonl or parquet")
	cmd.Flags().StringVar(&o.out, "out", "", "write to this file instead of standard output")
}

// open returns the Output and a function that finishes it.
func (o *outputFlags) open(stdout io.Writer) (render.Output, func() error, error) {
	f, err := render.ParseFormat(o.format)
	if err != nil {
		return render.Output{}, nil, err
	}
	if f == render.FormatParquet || o.out == "" {
		return render.Output{Format: f, W: stdout, Path: o.out}, func() error { return nil }, nil
	}
	file, err := os.Create(o.out)
	if err != nil {
		return render.Output{}, nil, fmt.Errorf("create output file: %w", err)
	}
	return render.Output{Format: f, W: file}, file.Close, nil
}

// run opens the engine and the output, answers with fn, and finishes the
// output: the shape of every command that prints a result.
func (o *outputFlags) run(cmd *cobra.Command, g *globals, fn func(*query.Engine, render.Output) error) error {
	if _, err := render.ParseFormat(o.format); err != nil {
		return err // before touching the store: the flag is wrong either way
	}
	e, err := g.openEngine(cmd.Context())
	if err != nil {
		return err
	}
	out, done, err := o.open(cmd.OutOrStdout())
	if err != nil {
		return err
	}
	if err := fn(e, out); err != nil {
		return err
	}
	return done()
}

func newLogCmd(g *globals) *cobra.Command {
	var o outputFlags
	var f query.LogOptions
	var since, until string
	cmd := &cobra.Command{
		Use:   "log",
		Short: "List commits, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if f.Since, err = parseTime("--since", since); err != nil {
				return err
			}
			if f.Until, err = parseTime("--until", until); err != nil {
				return err
			}
			return o.run(cmd, g, func(e *query.Engine, out render.Output) error {
				return e.Log(cmd.Context(), f, out)
			})
		},
	}
	o.add(cmd)
	cmd.Flags().StringVar(&f.Table, "table", "", "only commits that touched db.table")
	cmd.Flags().StringVar(&since, "since", "", "only commits at or after this RFC 3339 time")
	cmd.Flags().StringVar(&until, "until", "", "only commits at or before this RFC 3339 time")
	cmd.Flags().IntVarP(&f.Limit, "limit", "n", 0, "at most this many commits")
	return cmd
}

func parseTime(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, fmt.Errorf("%s %q: want an RFC 3339 time like 2026-11-22T14:02:00Z", flag, s)
	}
	return t, nil
}

func newAsOfCmd(g *globals) *cobra.Command {
	var o outputFlags
	var at string
	cmd := &cobra.Command{
		Use:   "asof DB.TABLE --at REF",
		Short: "Print a table as it was at a commit",
		Long:  "Prints a table exactly as the primary had it right after the commit REF names.\n\nREF is " + catalog.RefForms + ".",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := parseTable(args[0])
			if err != nil {
				return err
			}
			return o.run(cmd, g, func(e *query.Engine, out render.Output) error {
				return e.AsOf(cmd.Context(), query.AsOfOptions{Table: ref, At: at}, out)
			})
		},
	}
	o.add(cmd)
	cmd.Flags().StringVar(&at, "at", "HEAD", "the commit: "+catalog.RefForms)
	return cmd
}

func newSQLCmd(g *globals) *cobra.Command {
	var o outputFlags
	var at string
	cmd := &cobra.Command{
		Use:   `sql --at REF "SELECT ..."`,
		Short: "Run DuckDB SQL over every table as it was at a commit",
		Long: `Runs a DuckDB query in which every replicated table is visible under its own
name (db.table, or just table) as it was right after the commit REF names.
The query can read nothing but those tables.

REF is ` + catalog.RefForms + ".",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd, g, func(e *query.Engine, out render.Output) error {
				return e.SQL(cmd.Context(), query.SQLOptions{At: at, SQL: args[0]}, out)
			})
		},
	}
	o.add(cmd)
	cmd.Flags().StringVar(&at, "at", "HEAD", "the commit: "+catalog.RefForms)
	return cmd
}
