// Package verifier answers the events of the verify function: a walk of
// the whole chain, every manifest link and every object's size and
// SHA-256. It needs no DuckDB; before-image continuity, which does, is the
// query function's "continuity" operation.
package verifier

import (
	"context"
	"encoding/json"
	"time"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/functions/lambdaio"
)

// Request is the event of the verify function.
type Request struct {
	// Continuity is refused here: it is the query function's
	// {"op":"continuity"}, which has DuckDB.
	Continuity bool `json:"continuity,omitempty"`
}

// Answer reports a walk of the whole chain. A broken chain is an answer
// (OK false, Break naming the first break), not a function error.
type Answer struct {
	OK        bool   `json:"ok"`
	Break     string `json:"break,omitempty"`
	Manifests int    `json:"manifests"`
	Commits   uint64 `json:"commits"`
	Objects   int    `json:"objects"`
	Bytes     int64  `json:"bytes"`
	TookMS    int64  `json:"took_ms"`
}

// Verifier answers verify events over one store.
type Verifier struct {
	*lambdaio.Env
}

// Verify checks every manifest link and every object hash of the chain.
// An empty store is a break: a mistyped BINLAKE_STORE must not verify.
func (v *Verifier) Verify(ctx context.Context, raw json.RawMessage) (*Answer, error) {
	var req Request
	if err := lambdaio.DecodeStrict(raw, &req); err != nil {
		return nil, err
	}
	if req.Continuity {
		return nil, lambdaio.BadField("continuity", `is answered by the query function: invoke it with {"op":"continuity"}`)
	}
	start := time.Now()
	ans := &Answer{}
	chain, err := catalog.Open(ctx, v.Store) // a fresh read: verify trusts no cached state
	if err == nil && len(chain.Manifests()) == 0 {
		err = errEmpty{v.StoreURL}
	}
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
	v.Logger(ctx).Info("verified", "ok", ans.OK, "objects", ans.Objects, "break", ans.Break)
	return ans, nil
}

type errEmpty struct{ store string }

func (e errEmpty) Error() string {
	return "the store " + e.store + " holds no manifests: check BINLAKE_STORE (a typo in the prefix looks like this)"
}
