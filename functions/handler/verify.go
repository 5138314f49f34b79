package handler

import (
	"context"
	"encoding/json"
	"time"

	"github.com/binlake/binlake/catalog"
)

// VerifyRequest is the event of the verify function; it has no fields.
type VerifyRequest struct{}

// VerifyAnswer reports a walk of the whole chain. A broken chain is an
// answer (OK false, Break naming the first break), not a function error.
type VerifyAnswer struct {
	OK        bool   `json:"ok"`
	Break     string `json:"break,omitempty"`
	Manifests int    `json:"manifests"`
	Commits   uint64 `json:"commits"`
	Objects   int    `json:"objects"`
	Bytes     int64  `json:"bytes"`
	TookMS    int64  `json:"took_ms"`
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
