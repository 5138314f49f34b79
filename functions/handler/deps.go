package handler

import (
	"context"
	"fmt"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/functions/lambdaio"
	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/query"
)

// Deps are built once per function instance (at cold start) and reused by
// every invocation it serves, one at a time.
type Deps struct {
	*lambdaio.Env
	Cache *cache.Cache

	chain *catalog.Chain
}

// New returns the handlers' dependencies over env, with the object cache
// in env.CacheDir.
func New(env *lambdaio.Env) (*Deps, error) {
	cache, err := cache.New(env.CacheDir, env.Store)
	if err != nil {
		return nil, err
	}
	return &Deps{Env: env, Cache: cache}, nil
}

// FromEnv builds Deps from the function's environment (see
// lambdaio.FromEnv).
func FromEnv(ctx context.Context) (*Deps, error) {
	env, err := lambdaio.FromEnv(ctx)
	if err != nil {
		return nil, err
	}
	return New(env)
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
