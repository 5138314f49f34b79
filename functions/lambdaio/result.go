package lambdaio

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/binlake/binlake/layout"
)

// ResultTTL is how long a presigned URL of a result or patch stays valid.
const ResultTTL = time.Hour

// Presigner makes a temporary download URL for a store key.
type Presigner interface {
	Presign(ctx context.Context, key string, ttl time.Duration) (string, error)
}

// Result locates an answer or patch written to a store.
type Result struct {
	Key     string    `json:"key"`
	URL     string    `json:"url"`
	Format  string    `json:"format"`
	Bytes   int64     `json:"bytes"`
	Expires time.Time `json:"expires"`
}

// StoreFile streams the file at path into store under key and returns
// where it is, with a presigned URL when the store makes them.
func StoreFile(ctx context.Context, store layout.Store, key, path, format string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", key, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", key, err)
	}
	if err := store.Put(ctx, key, f, info.Size()); err != nil {
		return nil, fmt.Errorf("store %s: %w", key, err)
	}
	res := &Result{Key: key, Format: format, Bytes: info.Size(), Expires: time.Now().Add(ResultTTL).UTC()}
	if p, ok := store.(Presigner); ok {
		if res.URL, err = p.Presign(ctx, key, ResultTTL); err != nil {
			return nil, fmt.Errorf("presign %s: %w", key, err)
		}
	}
	return res, nil
}
