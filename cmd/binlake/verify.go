package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/query"
)

func newVerifyCmd(g *globals) *cobra.Command {
	var continuity bool
	var limit int
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the whole chain: every manifest link and every object's hash",
		Long: `Checks every manifest link and every object's size and SHA-256. With
--continuity it also checks that every change's before image equals the lake's
own previous image of that row: a mismatch means the replica and the primary
disagreed when the change was made.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, chain, err := g.openChain(cmd.Context())
			if err != nil {
				return err
			}
			errOut := cmd.ErrOrStderr()
			rep, err := chain.Verify(cmd.Context(), func(done, total int) {
				if done%100 == 0 || done == total {
					fmt.Fprintf(errOut, "\rverified %d/%d objects", done, total)
				}
			})
			fmt.Fprintln(errOut)
			if err != nil {
				return fmt.Errorf("chain broken: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %d manifests, %d commits, %d objects, %d bytes verified\n",
				rep.Manifests, rep.Commits, rep.Objects, rep.Bytes)
			for _, gap := range rep.Gaps {
				fmt.Fprintf(cmd.OutOrStdout(), "gap: the history of %s before commit %d is incomplete: %s\n", gap.Table, gap.Commit, gap.Why)
			}
			if !continuity {
				return nil
			}
			cache, err := cache.New(g.cache, st)
			if err != nil {
				return err
			}
			divs, err := (&query.Engine{Chain: chain, Cache: cache}).CheckContinuity(cmd.Context(), query.ContinuityOptions{Limit: limit})
			if err != nil {
				return err
			}
			for _, d := range divs {
				fmt.Fprintf(cmd.OutOrStdout(), "divergence: %s commit %d (GTID %s) seq %d: %s\n  lake had: %v\n  change says: %v\n",
					d.Table, d.Commit, d.GTID, d.Seq, d.Problem, d.Expected, d.Found)
			}
			if len(divs) > 0 {
				return fmt.Errorf("%d change(s) do not follow from the lake's history (showing at most %d): the replica diverged from the primary", len(divs), limit)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "ok: every before image matches the lake's previous image of its row")
			return nil
		},
	}
	cmd.Flags().BoolVar(&continuity, "continuity", false, "also check before-image continuity of every change")
	cmd.Flags().IntVar(&limit, "limit", 20, "with --continuity, report at most this many divergences")
	return cmd
}
