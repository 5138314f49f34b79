package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/storeurl"
	"github.com/binlake/binlake/query"
)

// openStore opens the --store URL, loading the AWS configuration from the
// standard environment for s3:// stores.
func (g *globals) openStore(ctx context.Context) (layout.Store, error) {
	opt := storeurl.Options{PathStyle: g.pathStyle}
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
	if err != nil {
		return nil, err
	}
	return st, nil
}

// openEngine opens the chain for queries.
func (g *globals) openEngine(ctx context.Context) (*query.Engine, error) {
	st, err := g.openStore(ctx)
	if err != nil {
		return nil, err
	}
	chain, err := catalog.Open(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("open chain in %s: %w", g.store, err)
	}
	if chain.LastCommit() == 0 {
		return nil, fmt.Errorf("the store %s holds no commits yet: run binlake ingest --store %s first", g.store, g.store)
	}
	cache, err := query.NewCache(g.cache, st)
	if err != nil {
		return nil, err
	}
	return &query.Engine{Chain: chain, Cache: cache}, nil
}
