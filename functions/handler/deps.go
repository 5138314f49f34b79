package handler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query"
)

// Presigner makes a temporary download URL for a store key.
type Presigner interface {
	Presign(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// Deps are built once per function instance (at cold start) and reused by
// every invocation it serves, one at a time.
type Deps struct {
	Store layout.Store
	// Results is where answers too large to return inline are written
	// (under results/); it may be the store itself.
	Results  layout.Store
	StoreURL string
	Cache    *query.Cache
	// CacheMaxBytes bounds the object cache between invocations.
	CacheMaxBytes int64
	// InlineLimit is the largest answer returned inline; larger ones are
	// written under results/ and returned as a presigned URL.
	InlineLimit int
	Log         *slog.Logger

	chain *catalog.Chain
}

// engine returns a query engine over the chain as it is now: the chain read
// at cold start, refreshed with the manifests added since.
func (d *Deps) engine(ctx context.Context) (*query.Engine, error) {
	if d.chain == nil {
		c, err := catalog.Open(ctx, d.Store)
		if err != nil {
			return nil, fmt.Errorf("open chain in %s: %w", d.StoreURL, err)
		}
		d.chain = c
	} else if err := d.chain.Refresh(ctx); err != nil {
		return nil, fmt.Errorf("refresh chain in %s: %w", d.StoreURL, err)
	}
	return &query.Engine{Chain: d.chain, Cache: d.Cache}, nil
}

// after runs when an invocation is done: keep the cache within its bound.
func (d *Deps) after() {
	if d.CacheMaxBytes > 0 {
		if err := d.Cache.Trim(d.CacheMaxBytes); err != nil {
			d.Log.Warn("trim cache", "err", err)
		}
	}
}

// logger returns the logger of one invocation, carrying its request ID.
func (d *Deps) logger(ctx context.Context) *slog.Logger {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return d.Log.With("request_id", lc.AwsRequestID)
	}
	return d.Log
}

func requestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	return fmt.Sprintf("local-%d", time.Now().UnixNano())
}
