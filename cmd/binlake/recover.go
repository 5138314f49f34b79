package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/query/patch"
)

// writeOutput writes a patch to path, or to stdout when path is empty or
// "-". A file appears only complete: it is written beside and renamed.
func writeOutput(stdout io.Writer, path string, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		var buf bytes.Buffer // nothing reaches stdout unless the patch is whole
		if err := write(&buf); err != nil {
			return err
		}
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".binlake-patch-*")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func newRevertCmd(g *globals) *cobra.Command {
	var out, onConflict string
	cmd := &cobra.Command{
		Use:   "revert COMMIT... [--on-conflict fail|skip] [--out FILE]",
		Short: "Write a SQL patch that undoes transactions on the primary as it is now",
		Long: `Writes a SQL patch that undoes the row changes of the given commits on the
primary as it is now. Each statement is guarded by the full row image it
expects, so a row someone changed since is not matched and cannot be
overwritten; binlake apply checks every statement's row count.

Before writing, revert reads the lake's own later history: a row that a later
commit changed again is a conflict, reported with the value the reverted
commit left, the later value and the commit that made it. With
--on-conflict fail (the default) no patch is written and the command fails;
with skip the patch leaves those rows alone and lists them in its header.

COMMIT is ` + catalog.RefForms + ".",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := g.openEngine(cmd.Context())
			if err != nil {
				return err
			}
			opts := patch.RevertOptions{Commits: args, OnConflict: onConflict, Store: g.store}
			var res *patch.RevertResult
			err = writeOutput(cmd.OutOrStdout(), out, func(w io.Writer) error {
				res, err = patch.Revert(cmd.Context(), e, opts, w)
				return err
			})
			var ce *patch.ConflictError
			switch {
			case errors.As(err, &ce):
				return fmt.Errorf("%w\nrerun with --on-conflict skip for a patch that leaves those rows alone", err)
			case errors.Is(err, patch.ErrConflictPolicy):
				return fmt.Errorf("--on-conflict %q: use fail or skip", onConflict)
			case err != nil:
				return err
			}
			for _, c := range res.Conflicts {
				fmt.Fprintln(cmd.ErrOrStderr(), "conflict (skipped):", c.String())
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s: %d statements, %d rows, %d conflicts skipped\n",
				res.Header.Describe(), res.Statements, res.Rows, len(res.Conflicts))
			slog.Info("revert patch written", "statements", res.Statements, "rows", res.Rows, "conflicts", len(res.Conflicts), "out", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the patch to this file (default: standard output)")
	cmd.Flags().StringVar(&onConflict, "on-conflict", "fail", "fail: no patch when a row changed later; skip: leave such rows out")
	return cmd
}

func newPatchCmd(g *globals) *cobra.Command {
	var out string
	var tables []string
	var batch int
	cmd := &cobra.Command{
		Use:   "patch FROM TO [--table DB.TABLE]... [--out FILE]",
		Short: "Write a SQL patch that moves tables from their state at FROM to their state at TO",
		Long: `Writes a SQL patch that turns tables as they were at FROM (usually HEAD, the
primary's state) into the tables as they were at TO: the way to bring back
rows after a bad DELETE or TRUNCATE, or a table after DROP TABLE, which is
re-created from its schema at TO (columns, types, character sets, primary
key; secondary indexes and defaults are not recorded in the lake). Deletes and
updates are guarded by the row image at FROM; inserts come in batches.

FROM and TO are ` + catalog.RefForms + ".",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			refs, err := parseTables(tables)
			if err != nil {
				return fmt.Errorf("--table: %w", err)
			}
			e, err := g.openEngine(cmd.Context())
			if err != nil {
				return err
			}
			opts := patch.RestoreOptions{From: args[0], To: args[1], Tables: refs, Store: g.store, BatchRows: batch}
			var res *patch.RestoreResult
			err = writeOutput(cmd.OutOrStdout(), out, func(w io.Writer) error {
				res, err = patch.Restore(cmd.Context(), e, opts, w)
				return err
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s: %d statements, %d rows\n", res.Header.Describe(), res.Statements, res.Rows)
			if len(res.Tables) == 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "no differences between commits %d and %d: the patch changes nothing\n", res.From, res.To)
			}
			for _, t := range res.Tables {
				slog.Info("patch", "table", t.Table.String(), "inserts", t.Inserts, "updates", t.Updates, "deletes", t.Deletes,
					"created", t.Created, "dropped", t.Dropped, "replaced", t.Replaced)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the patch to this file (default: standard output)")
	cmd.Flags().StringArrayVar(&tables, "table", nil, "only this table, as DB.TABLE (repeatable; default: every table that differs)")
	cmd.Flags().IntVar(&batch, "batch-rows", 500, "rows per multi-row INSERT")
	return cmd
}

func newApplyCmd(_ *globals) *cobra.Command {
	var to string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "apply PATCH --to mysql://USER:PASSWORD@HOST:PORT [--dry-run]",
		Short: "Apply a patch in one transaction, checking every guarded statement",
		Long: `Applies a patch written by binlake revert or binlake patch (PATCH is a file,
or - for standard input) in one transaction. Every statement marked
"-- expect N" must touch exactly N rows; if one does not, or any statement
fails, everything is rolled back (tables the patch created before its
transaction are dropped again) and the report names the statement and its row.
The password can also come from $MYSQL_PWD.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if to == "" {
				return errors.New("--to is required: mysql://USER:PASSWORD@HOST:PORT of the primary")
			}
			target, err := patch.ParseTarget(to)
			if err != nil {
				return err
			}
			if target.Password == "" {
				target.Password = os.Getenv("MYSQL_PWD")
			}
			f, cleanup, err := openPatch(args[0], cmd.InOrStdin())
			if err != nil {
				return err
			}
			defer cleanup()
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return fmt.Errorf("read %s: %w", args[0], err)
			}
			pr, err := patch.NewReader(f)
			if err != nil {
				return fmt.Errorf("read %s: %w", args[0], err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "applying %s to %s\n", pr.Header().Describe(), target.Addr)
			rep, err := patch.Apply(cmd.Context(), f, patch.ApplyOptions{Target: target, DryRun: dryRun, Log: slog.Default()})
			if rep != nil {
				for _, w := range rep.Warnings {
					fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
				}
			}
			if err != nil {
				return fmt.Errorf("apply %s: %w", args[0], err)
			}
			what := "committed"
			if !rep.Committed {
				what = "rolled back (dry run)"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s (%s): %d statements, %d checked, %d rows, %s in %v\n",
				args[0], rep.Header.Describe(), rep.Executed, rep.Checked, rep.Rows, what, rep.Duration.Round(1e6))
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the server to apply to: mysql://USER:PASSWORD@HOST:PORT")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "run the transaction, then roll it back")
	return cmd
}

// openPatch opens a patch file; standard input is copied to a temporary
// file first, since Apply reads the patch twice (check, then run).
func openPatch(path string, stdin io.Reader) (*os.File, func(), error) {
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		return f, func() { f.Close() }, nil
	}
	f, err := os.CreateTemp("", "binlake-apply-*")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	if _, err := io.Copy(f, stdin); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("read the patch from standard input: %w", err)
	}
	return f, cleanup, nil
}
