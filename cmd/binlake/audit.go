package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/query/render"
)

// The audit commands: show, diff, history, blame and find.

func newShowCmd(g *globals) *cobra.Command {
	var o outputFlags
	cmd := &cobra.Command{
		Use:   "show REF",
		Short: "Show every row one commit (source transaction) changed",
		Long: `Shows the commit REF names: its GTID, time and binlog position, the DDL of a
schema change, and every row it changed in the order the source applied them,
with the table, the operation, the row's key and, for updates, the changed
columns with their old and new values.

REF is ` + catalog.RefForms + ".",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd, g, func(e *query.Engine, out render.Output) error {
				return e.Show(cmd.Context(), query.ShowOptions{Commit: args[0]}, out)
			})
		},
	}
	o.add(cmd)
	return cmd
}

func newDiffCmd(g *globals) *cobra.Command {
	var o outputFlags
	var tables []string
	cmd := &cobra.Command{
		Use:   "diff FROM TO [--table DB.TABLE]",
		Short: "Show the rows added, removed and modified between two commits",
		Long: `Compares the state right after commit FROM with the state right after commit
TO, row by row: rows added, removed, and modified (same primary key) with
their values before and after and the list of changed columns. Tables without
a primary key are compared as multisets of rows. Rows of FROM are compared
under TO's schema (mapped through ALTER TABLE as as-of reads do); a table
created, dropped or re-created in between shows all its rows added or removed.

It reads only the changes between the two commits, so it costs in proportion
to them, not to the size of the tables or the length of history.

--format csv and parquet hold one table: name it with --table when the diff
spans several.

FROM and TO are ` + catalog.RefForms + ".",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			refs, err := parseTables(tables)
			if err != nil {
				return err
			}
			return o.run(cmd, g, func(e *query.Engine, out render.Output) error {
				return e.Diff(cmd.Context(), query.DiffOptions{From: args[0], To: args[1], Tables: refs}, out)
			})
		},
	}
	o.add(cmd)
	cmd.Flags().StringArrayVar(&tables, "table", nil, "only this table, DB.TABLE (repeatable)")
	return cmd
}

func newHistoryCmd(g *globals) *cobra.Command {
	var o outputFlags
	var key, column, at string
	cmd := &cobra.Command{
		Use:   "history DB.TABLE --key COL=VALUE[,COL=VALUE]",
		Short: "Show every version of a row, with the commit that produced it",
		Long: `Lists, oldest first, every change to the rows whose values match --key (for a
table with a primary key, give the key's columns: every version of that row),
with the commit, GTID, time and operation that produced it and the row after
it (the removed row for deletes). History follows the table through ALTER and
RENAME TABLE, starts with the row's copy in the initial snapshot, and shows
rows TRUNCATE removed. --column narrows it to the values one cell took.

--key is ` + value.KeyForm + `.
REF is ` + catalog.RefForms + ".",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := parseTable(args[0])
			if err != nil {
				return err
			}
			if key == "" {
				return fmt.Errorf("history needs --key %s", value.KeyForm)
			}
			return o.run(cmd, g, func(e *query.Engine, out render.Output) error {
				return e.History(cmd.Context(), query.HistoryOptions{Table: ref, Key: key, Column: column, At: at}, out)
			})
		},
	}
	o.add(cmd)
	cmd.Flags().StringVar(&key, "key", "", "the row: "+value.KeyForm)
	cmd.Flags().StringVar(&column, "column", "", "only the values of this column")
	cmd.Flags().StringVar(&at, "at", "HEAD", "history up to this commit: "+catalog.RefForms)
	return cmd
}

func newBlameCmd(g *globals) *cobra.Command {
	var o outputFlags
	var key, column, at string
	cmd := &cobra.Command{
		Use:   "blame DB.TABLE [--key COL=VALUE[,COL=VALUE]]",
		Short: "Show, for each row and column, the commit that last set it",
		Long: `Prints the table as of --at with, for each row, the commit of its last change
and, for each column (COLUMN@), the commit that last set the value it holds:
the insert or update that wrote it, the ALTER that added the column, or the
initial snapshot. --key keeps the matching rows; --column shows one column
with the GTID and time of the commit that set it.

--key is ` + value.KeyForm + `.
REF is ` + catalog.RefForms + ".",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := parseTable(args[0])
			if err != nil {
				return err
			}
			return o.run(cmd, g, func(e *query.Engine, out render.Output) error {
				return e.Blame(cmd.Context(), query.BlameOptions{Table: ref, Key: key, Column: column, At: at}, out)
			})
		},
	}
	o.add(cmd)
	cmd.Flags().StringVar(&key, "key", "", "only rows matching "+value.KeyForm)
	cmd.Flags().StringVar(&column, "column", "", "only this column")
	cmd.Flags().StringVar(&at, "at", "HEAD", "the state of this commit: "+catalog.RefForms)
	return cmd
}

func newFindCmd(g *globals) *cobra.Command {
	var o outputFlags
	var f query.FindOptions
	var tables, ops, kinds []string
	var since, until string
	cmd := &cobra.Command{
		Use:   "find [--table DB.TABLE] [--op delete] [--min-rows N] [--since T] [--until T]",
		Short: "Find commits by table, operation, rows touched and time",
		Long: `Lists the commits that match every filter, newest first (--by-rows: most rows
first). Rows are counted from the commit metadata, over the selected tables
and operations only: "--op delete --min-rows 40000 --since 2026-11-22T14:00:00Z"
finds the DELETE that removed 40,000 rows at 14:02. Schema changes match
--table when their statement names the table.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if f.Tables, err = parseTables(tables); err != nil {
				return err
			}
			for _, s := range splitList(ops) {
				op, err := query.ParseOp(s)
				if err != nil {
					return fmt.Errorf("--op: %w", err)
				}
				f.Ops = append(f.Ops, op)
			}
			for _, s := range splitList(kinds) {
				k := layout.CommitKind(strings.ToLower(s))
				if k != layout.CommitDML && k != layout.CommitDDL && k != layout.CommitSnapshot && k != layout.CommitResnapshot {
					return fmt.Errorf("--kind %q: use dml, ddl, snapshot or resnapshot", s)
				}
				f.Kinds = append(f.Kinds, k)
			}
			if f.Since, err = parseTime("--since", since); err != nil {
				return err
			}
			if f.Until, err = parseTime("--until", until); err != nil {
				return err
			}
			return o.run(cmd, g, func(e *query.Engine, out render.Output) error {
				return e.Find(cmd.Context(), f, out)
			})
		},
	}
	o.add(cmd)
	fl := cmd.Flags()
	fl.StringArrayVar(&tables, "table", nil, "count only changes to DB.TABLE (repeatable)")
	fl.StringArrayVar(&ops, "op", nil, "count only these operations: insert, update, delete (repeatable or comma-separated)")
	fl.StringArrayVar(&kinds, "kind", nil, "only commits of these kinds: dml, ddl, snapshot")
	fl.Uint64Var(&f.MinRows, "min-rows", 0, "only commits with at least this many counted row changes")
	fl.StringVar(&since, "since", "", "only commits at or after this RFC 3339 time")
	fl.StringVar(&until, "until", "", "only commits at or before this RFC 3339 time")
	fl.BoolVar(&f.ByRows, "by-rows", false, "order by counted rows, most first")
	fl.IntVarP(&f.Limit, "limit", "n", 0, "at most this many commits")
	return cmd
}

// parseTables parses DB.TABLE names.
func parseTables(names []string) ([]layout.TableRef, error) {
	var out []layout.TableRef
	for _, n := range splitList(names) {
		ref, err := parseTable(n)
		if err != nil {
			return nil, err
		}
		out = append(out, ref)
	}
	return out, nil
}

// parseTable parses one DB.TABLE name.
func parseTable(name string) (layout.TableRef, error) {
	db, table, ok := splitTable(name)
	if !ok {
		return layout.TableRef{}, fmt.Errorf("table %q: name it as DB.TABLE", name)
	}
	return layout.TableRef{DB: db, Table: table}, nil
}

// splitList splits repeated and comma-separated flag values.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
