package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/binlake/binlake/catalog"
)

func newVerifyCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the whole chain: every manifest link and every object's hash",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := g.openStore(cmd.Context())
			if err != nil {
				return err
			}
			chain, err := catalog.Open(cmd.Context(), st)
			if err != nil {
				return fmt.Errorf("chain broken: %w", err)
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
			return nil
		},
	}
}
