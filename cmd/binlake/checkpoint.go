package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query"
)

func newCheckpointCmd(g *globals) *cobra.Command {
	var at string
	var minChanges int64
	cmd := &cobra.Command{
		Use:   "checkpoint [DB.TABLE...]",
		Short: "Store tables' full state at a commit so later reads start there",
		Long: `Writes the full state of tables (default: all) as of a commit as checkpoint
objects and links them into the chain, so that reads at or after that commit
start from the checkpoint instead of replaying history. Safe to run while
ingest is running.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var tables []layout.TableRef
			for _, a := range args {
				db, t, ok := splitTable(a)
				if !ok {
					return fmt.Errorf("table %q: name it as DB.TABLE", a)
				}
				tables = append(tables, layout.TableRef{DB: db, Table: t})
			}
			e, err := g.openEngine(cmd.Context())
			if err != nil {
				return err
			}
			res, err := e.Checkpoint(cmd.Context(), query.CheckpointOptions{At: at, Tables: tables, MinChanges: minChanges})
			for _, r := range res {
				if len(r.Objects) > 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: checkpoint of %d rows at commit %d replaces %d change rows (%s)\n",
						r.Table, r.Rows, r.Objects[0].Last, r.Changes, partsText(r.Objects))
				} else {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: skipped: %s\n", r.Table, r.Skipped)
				}
			}
			return err
		},
	}
	cmd.Flags().StringVar(&at, "at", "HEAD", "the commit: "+catalog.RefForms)
	cmd.Flags().Int64Var(&minChanges, "min-changes", 10_000, "skip tables with fewer change rows to replay than this")
	return cmd
}

// partsText names a checkpoint's objects: the key of a single one, or the
// number of parts and the first key.
func partsText(objs []layout.Object) string {
	if len(objs) == 1 {
		return objs[0].Key
	}
	return fmt.Sprintf("%d parts, %s, ...", len(objs), objs[0].Key)
}
