package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/layout/storeurl"
	"github.com/binlake/binlake/query"
)

// openStore opens the --store URL, loading the AWS configuration from the
// standard environment for s3:// stores. Only ingest creates a local
// store that is not there (create); every other command fails instead.
func (g *globals) openStore(ctx context.Context, create bool) (layout.Store, error) {
	opt := storeurl.Options{PathStyle: g.pathStyle, Create: create}
	if strings.HasPrefix(g.store, "s3://") {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("load AWS configuration: %w", err)
		}
		if cfg.Region == "" {
			cfg.Region = "us-east-1"
		}
		opt.AWS = &cfg
	}
	st, err := storeurl.Open(ctx, g.store, opt)
	if errors.Is(err, layout.ErrNoStore) {
		return nil, fmt.Errorf("%w\nno store is at %s: check --store (or $BINLAKE_STORE); binlake ingest --store %s starts one", err, g.store, g.store)
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}

// openChain opens the store and its chain, which must hold commits.
func (g *globals) openChain(ctx context.Context) (layout.Store, *catalog.Chain, error) {
	st, err := g.openStore(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	chain, err := catalog.Open(ctx, st)
	if err != nil {
		return nil, nil, fmt.Errorf("open chain in %s: %w", g.store, err)
	}
	if len(chain.Manifests()) == 0 {
		return nil, nil, fmt.Errorf("the store %s holds no manifests: check --store (a typo in an S3 prefix looks like this); "+
			"binlake ingest --store %s starts a chain", g.store, g.store)
	}
	return st, chain, nil
}

// openEngine opens the chain for queries.
func (g *globals) openEngine(ctx context.Context) (*query.Engine, error) {
	st, chain, err := g.openChain(ctx)
	if err != nil {
		return nil, err
	}
	if chain.LastCommit() == 0 {
		return nil, fmt.Errorf("the store %s holds no commits yet: run binlake ingest --store %s first", g.store, g.store)
	}
	cache, err := cache.New(g.cache, st)
	if err != nil {
		return nil, err
	}
	return &query.Engine{Chain: chain, Cache: cache, Refs: catalog.RefRules{TimeAfterHead: g.timeAfterHead}}, nil
}
