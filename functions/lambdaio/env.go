package lambdaio

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/storeurl"
)

// Env is what a function instance is configured with, read once at cold
// start and shared by every invocation it serves.
type Env struct {
	Store layout.Store
	// Results is where answers too large to return inline are written
	// (under results/); it may be the store itself.
	Results  layout.Store
	StoreURL string
	// CacheDir holds verified copies of store objects; CacheMaxBytes
	// bounds it between invocations.
	CacheDir      string
	CacheMaxBytes int64
	// InlineLimit is the largest answer returned inline; larger ones are
	// written under results/ and returned as a presigned URL.
	InlineLimit int
	Log         *slog.Logger
}

// FromEnv builds an Env from the function's environment:
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
func FromEnv(ctx context.Context) (*Env, error) {
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
		return nil, fmt.Errorf("BINLAKE_STORE: %w", err)
	}
	results := st
	if u := os.Getenv("BINLAKE_RESULTS"); u != "" {
		ropt := opt
		ropt.Create = true // answers may go to a directory of their own
		if results, err = storeurl.Open(ctx, u, ropt); err != nil {
			return nil, fmt.Errorf("BINLAKE_RESULTS: %w", err)
		}
	}
	maxMB, err := envInt("BINLAKE_CACHE_MAX_MB", 1024)
	if err != nil {
		return nil, err
	}
	inline, err := envInt("BINLAKE_INLINE_LIMIT", 4<<20)
	if err != nil {
		return nil, err
	}
	return &Env{Store: st, Results: results, StoreURL: storeURL,
		CacheDir:      envOr("BINLAKE_CACHE", filepath.Join(os.TempDir(), "binlake-cache")),
		CacheMaxBytes: int64(maxMB) << 20, InlineLimit: inline, Log: log}, nil
}

// Logger returns the logger of one invocation, carrying its request ID.
func (e *Env) Logger(ctx context.Context) *slog.Logger {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return e.Log.With("request_id", lc.AwsRequestID)
	}
	return e.Log
}

// RequestID is the invocation's request ID, or a unique local one.
func RequestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	return fmt.Sprintf("local-%d", time.Now().UnixNano())
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
