// Package storeurl opens the store a URL names: a local directory
// (file:///abs/dir or a bare path) or an S3 bucket (s3://bucket/prefix).
// It reads no environment: the caller loads the AWS configuration.
package storeurl

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/layout/s3store"
)

// Forms lists the accepted URL forms, for messages.
const Forms = "file:///absolute/dir, a local directory path, or s3://bucket[/prefix]"

// Options configures the stores Open builds.
type Options struct {
	// AWS is the configuration for s3:// URLs (region, credentials and,
	// for S3-compatible servers, BaseEndpoint). Required for s3:// URLs.
	AWS *aws.Config
	// PathStyle addresses buckets as endpoint/bucket instead of
	// bucket.endpoint, as MinIO and LocalStack need.
	PathStyle bool
	// Create makes a local directory store that does not exist yet;
	// without it such a store is layout.ErrNoStore. Only a writer that
	// starts a chain (ingest) sets it.
	Create bool
}

// Open returns the store rawURL names.
func Open(ctx context.Context, rawURL string, opt Options) (layout.Store, error) {
	s, err := open(ctx, rawURL, opt)
	if errors.Is(err, layout.ErrNoStore) {
		return nil, fmt.Errorf("open store %q: %w", rawURL, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %q: %w (accepted: %s)", rawURL, err, Forms)
	}
	return s, nil
}

func open(_ context.Context, rawURL string, opt Options) (layout.Store, error) {
	if rawURL == "" {
		return nil, errors.New("empty URL")
	}
	if !strings.Contains(rawURL, "://") {
		return openDir(rawURL, opt)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("user info, query and fragment are not allowed")
	}
	switch u.Scheme {
	case "file":
		return openFile(u, opt)
	case "s3":
		return openS3(u, opt)
	default:
		return nil, fmt.Errorf("unknown scheme %q", u.Scheme)
	}
}

func openFile(u *url.URL, opt Options) (layout.Store, error) {
	switch u.Host {
	case "", "localhost":
	case ".", "..":
		// file://./dir and file://../dir: a path relative to the working
		// directory, as people write them (the host part holds the dot).
		return openDir(u.Host+u.Path, opt)
	default:
		return nil, fmt.Errorf("file URL with host %q: only local directories are supported", u.Host)
	}
	if !strings.HasPrefix(u.Path, "/") {
		return nil, errors.New("file URL needs an absolute path, as in file:///var/lib/binlake")
	}
	return openDir(u.Path, opt)
}

func openDir(dir string, opt Options) (layout.Store, error) {
	if opt.Create {
		return filestore.New(dir)
	}
	return filestore.Open(dir)
}

func openS3(u *url.URL, opt Options) (layout.Store, error) {
	if u.Host == "" {
		return nil, errors.New("s3 URL without a bucket")
	}
	if u.Port() != "" {
		return nil, errors.New("s3 URL with a port: put the server in the AWS endpoint configuration, the bucket in the URL")
	}
	if opt.AWS == nil {
		return nil, errors.New("s3 URL but no AWS configuration given")
	}
	client := s3.NewFromConfig(*opt.AWS, func(o *s3.Options) { o.UsePathStyle = opt.PathStyle })
	return s3store.New(client, u.Host, u.Path), nil
}
