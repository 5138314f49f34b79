package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/query"
)

// VerifyRequest is the event of the verify function.
type VerifyRequest struct {
	// Continuity also checks that every change's before image equals the
	// lake's previous image of its row.
	Continuity bool `json:"continuity,omitempty"`
}

// VerifyAnswer reports a walk of the whole chain. A broken chain is an
// answer (OK false, Break naming the first break), not a function error.
type VerifyAnswer struct {
	OK        bool   `json:"ok"`
	Break     string `json:"break,omitempty"`
	Manifests int    `json:"manifests"`
	Commits   uint64 `json:"commits"`
	Objects   int    `json:"objects"`
	Bytes     int64  `json:"bytes"`
	// Divergences are changes that do not follow from the lake's history
	// (with continuity; at most 20).
	Divergences []query.Divergence `json:"divergences,omitempty"`
	TookMS      int64              `json:"took_ms"`
}

// Verify checks every manifest link and every object hash of the chain.
func (d *Deps) Verify(ctx context.Context, raw json.RawMessage) (*VerifyAnswer, error) {
	var req VerifyRequest
	if err := decodeStrict(raw, &req); err != nil {
		return nil, err
	}
	start := time.Now()
	ans := &VerifyAnswer{}
	chain, err := catalog.Open(ctx, d.Store) // a fresh read: verify trusts no cached state
	if err == nil {
		var rep catalog.VerifyReport
		rep, err = chain.Verify(ctx, nil)
		ans.Manifests, ans.Commits, ans.Objects, ans.Bytes = rep.Manifests, rep.Commits, rep.Objects, rep.Bytes
	}
	if err == nil && req.Continuity {
		defer d.after()
		e := &query.Engine{Chain: chain, Cache: d.Cache}
		if ans.Divergences, err = e.CheckContinuity(ctx, query.ContinuityOptions{Limit: 20}); err == nil && len(ans.Divergences) > 0 {
			err = fmt.Errorf("%d change(s) do not follow from the lake's history: the replica diverged from the primary", len(ans.Divergences))
		}
	}
	ans.OK = err == nil
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		ans.Break = err.Error()
	}
	ans.TookMS = time.Since(start).Milliseconds()
	d.logger(ctx).Info("verified", "ok", ans.OK, "objects", ans.Objects, "break", ans.Break)
	return ans, nil
}
