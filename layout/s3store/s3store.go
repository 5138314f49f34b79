// Package s3store is a layout.Store in an S3 bucket (AWS S3 or a compatible
// server such as MinIO), under an optional key prefix.
//
// Create relies on conditional writes (If-None-Match: *), which S3 and
// recent MinIO honour atomically. Every write carries a CRC32 checksum so
// that it is accepted by buckets with Object Lock.
package s3store

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/binlake/binlake/layout"
)

var _ layout.Store = (*Store)(nil)

// S3API is the part of the S3 client the store uses; *s3.Client has it.
// Tests pass a fake.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

var _ S3API = (*s3.Client)(nil)

// Store is a layout.Store in one bucket under one prefix. It is safe for
// concurrent use.
type Store struct {
	client S3API
	bucket string
	prefix string // "" or ending in "/"
	retry  retryPolicy
}

// New returns a store of the objects in bucket under prefix. The prefix
// acts as a directory: "lake" and "lake/" both put key "k" at "lake/k".
func New(client S3API, bucket, prefix string) *Store {
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &Store{client: client, bucket: bucket, prefix: prefix, retry: defaultRetry}
}

// objectKey is the S3 key of a store key.
func (s *Store) objectKey(key string) string { return s.prefix + key }
