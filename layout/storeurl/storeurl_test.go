package storeurl_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/layout/s3store"
	"github.com/binlake/binlake/layout/storeurl"
	"github.com/binlake/binlake/tests/testenv"
)

func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tests := []struct {
		url, wantDir string
	}{
		{"file://" + dir + "/a", dir + "/a"},
		{"file://localhost" + dir + "/b", dir + "/b"},
		{"file://" + dir + "/with%20space", dir + "/with space"},
		{dir + "/c", dir + "/c"},
		{"relative/d", dir + "/relative/d"},
		{"file://./e", dir + "/e"},
		{"file://../" + filepath.Base(dir) + "/f", dir + "/f"},
	}
	for _, tc := range tests {
		s, err := storeurl.Open(context.Background(), tc.url, storeurl.Options{Create: true})
		if err != nil {
			t.Errorf("Open(%q): %v", tc.url, err)
			continue
		}
		fs, ok := s.(*filestore.Store)
		if !ok {
			t.Errorf("Open(%q) = %T, want a *filestore.Store", tc.url, s)
			continue
		}
		if want, _ := filepath.EvalSymlinks(tc.wantDir); fs.Root() != tc.wantDir && fs.Root() != want {
			t.Errorf("Open(%q) is rooted at %s, want %s", tc.url, fs.Root(), tc.wantDir)
		}
		if err := s.Put(context.Background(), "k", strings.NewReader("v"), 1); err != nil {
			t.Errorf("Put into Open(%q): %v", tc.url, err)
		}
		if _, err := os.Stat(filepath.Join(tc.wantDir, "k")); err != nil {
			t.Errorf("Open(%q) did not write into its directory: %v", tc.url, err)
		}
	}
}

// TestOpenMissingDirectory checks that only a writer creates a local
// store: a reader of a path that is not there gets layout.ErrNoStore, and
// nothing is created.
func TestOpenMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, u := range []string{dir + "/nope", "file://" + dir + "/nope", "file://./nope", "nope"} {
		_, err := storeurl.Open(context.Background(), u, storeurl.Options{})
		if !errors.Is(err, layout.ErrNoStore) || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("Open(%q) = %v, want layout.ErrNoStore", u, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "nope")); !os.IsNotExist(err) {
			t.Fatalf("Open(%q) created the directory", u)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := storeurl.Open(context.Background(), filepath.Join(dir, "file"), storeurl.Options{}); !errors.Is(err, layout.ErrNoStore) {
		t.Errorf("a file opened as a store: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	cfg := aws.Config{Region: "us-east-1"}
	tests := []struct {
		url  string
		opt  storeurl.Options
		want string
	}{
		{"", storeurl.Options{}, "empty URL"},
		{"gs://bucket/x", storeurl.Options{}, `unknown scheme "gs"`},
		{"file://host/dir", storeurl.Options{}, `host "host"`},
		{"s3:///prefix", storeurl.Options{AWS: &cfg}, "without a bucket"},
		{"s3://bucket/x", storeurl.Options{}, "no AWS configuration"},
		{"s3://bucket:9000/x", storeurl.Options{AWS: &cfg}, "port"},
		{"s3://bucket/x?versionId=1", storeurl.Options{AWS: &cfg}, "query"},
		{"s3://user@bucket/x", storeurl.Options{AWS: &cfg}, "user info"},
		{"s3://bucket/%zz", storeurl.Options{AWS: &cfg}, "invalid URL escape"},
	}
	for _, tc := range tests {
		_, err := storeurl.Open(context.Background(), tc.url, tc.opt)
		if err == nil {
			t.Errorf("Open(%q) succeeded, want an error", tc.url)
			continue
		}
		msg := err.Error()
		for _, want := range []string{tc.want, storeurl.Forms, `"` + tc.url + `"`} {
			if !strings.Contains(msg, want) {
				t.Errorf("Open(%q) error %q does not say %q", tc.url, msg, want)
			}
		}
	}
}

// TestOpenS3 checks that an s3:// URL reaches its bucket and prefix with
// the caller's configuration and path-style addressing.
func TestOpenS3(t *testing.T) {
	ctx := context.Background()
	m := testenv.StartMinIO(t)
	m.CreateBucket(t, "lake", false)
	cfg := m.AWSConfig()
	s, err := storeurl.Open(ctx, "s3://lake/env/prod/", storeurl.Options{AWS: &cfg, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*s3store.Store); !ok {
		t.Fatalf("Open = %T, want a *s3store.Store", s)
	}
	if err := s.Create(ctx, "manifests/1", []byte("m")); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := m.Client().HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String("lake"), Key: aws.String("env/prod/manifests/1"),
	}); err != nil {
		t.Errorf("the object is not at env/prod/manifests/1: %v", err)
	}
}
