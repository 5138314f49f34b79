package handler

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/binlake/binlake/layout/storeurl"
	"github.com/binlake/binlake/query"
)

// FromEnv builds Deps from the function's environment:
//
//	BINLAKE_STORE          s3://bucket/prefix (required)
//	BINLAKE_RESULTS        where large answers go, s3://bucket/prefix (default: the
//	                       store; a separate bucket keeps answers out of Object Lock)
//	BINLAKE_CACHE          object cache directory (default /tmp/binlake-cache)
//	BINLAKE_CACHE_MAX_MB   cache bound between invocations (default 1024)
//	BINLAKE_INLINE_LIMIT   largest inline answer in bytes (default 4 MiB)
//
// and the standard AWS variables (AWS_ENDPOINT_URL turns on path-style
// addressing, for MinIO and LocalStack).
func FromEnv(ctx context.Context) (*Deps, error) {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	storeURL := os.Getenv("BINLAKE_STORE")
	if storeURL == "" {
		return nil, fmt.Errorf("BINLAKE_STORE is not set: set it to the chain's s3://bucket/prefix")
	}
	opt := storeurl.Options{PathStyle: os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("BINLAKE_S3_PATH_STYLE") != ""}
	if strings.HasPrefix(storeURL, "s3://") || strings.HasPrefix(os.Getenv("BINLAKE_RESULTS"), "s3://") {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("load AWS configuration: %w", err)
		}
		if cfg.Region == "" {
			cfg.Region = "us-east-1"
		}
		opt.AWS = &cfg
	}
	st, err := storeurl.Open(ctx, storeURL, opt)
	if err != nil {
		return nil, err
	}
	results := st
	if u := os.Getenv("BINLAKE_RESULTS"); u != "" {
		if results, err = storeurl.Open(ctx, u, opt); err != nil {
			return nil, fmt.Errorf("BINLAKE_RESULTS: %w", err)
		}
	}
	dir := envOr("BINLAKE_CACHE", filepath.Join(os.TempDir(), "binlake-cache"))
	cache, err := query.NewCache(dir, st)
	if err != nil {
		return nil, err
	}
	maxMB, err := envInt("BINLAKE_CACHE_MAX_MB", 1024)
	if err != nil {
		return nil, err
	}
	inline, err := envInt("BINLAKE_INLINE_LIMIT", 4<<20)
	if err != nil {
		return nil, err
	}
	return &Deps{Store: st, Results: results, StoreURL: storeURL, Cache: cache, CacheMaxBytes: int64(maxMB) << 20,
		InlineLimit: inline, Log: log}, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q: want a non-negative whole number", name, v)
	}
	return n, nil
}
