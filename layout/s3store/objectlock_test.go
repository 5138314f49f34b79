package s3store_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/s3store"
	"github.com/binlake/binlake/tests/testenv"
)

// TestObjectLock checks the compliance story on a bucket with a default
// COMPLIANCE retention: the store writes as usual, a manifest cannot be
// created twice, and no object version can be deleted, so history cannot
// be rewritten even by someone holding the bucket's root credentials.
func TestObjectLock(t *testing.T) {
	ctx := context.Background()
	m := testenv.StartMinIO(t)
	m.CreateBucket(t, "locked", true)
	client := m.Client()
	s := s3store.New(client, "locked", "lake")

	const manifest = "manifests/00000000000000000001.json"
	if err := s.Create(ctx, manifest, []byte("commit 1")); err != nil {
		t.Fatalf("Create on a locked bucket: %v", err)
	}
	if err := s.Put(ctx, "segments/db/t/1/1-1-abc.parquet", strings.NewReader("rows"), 4); err != nil {
		t.Fatalf("Put on a locked bucket: %v", err)
	}
	if err := s.Create(ctx, manifest, []byte("forged")); !errors.Is(err, layout.ErrExists) {
		t.Fatalf("second Create: error = %v, want ErrExists", err)
	}

	key := aws.String("lake/" + manifest)
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("locked"), Key: key})
	if err != nil {
		t.Fatalf("head %s: %v", *key, err)
	}
	if head.ObjectLockMode != "COMPLIANCE" || head.ObjectLockRetainUntilDate == nil {
		t.Errorf("manifest lock = %q until %v, want COMPLIANCE with a date", head.ObjectLockMode, head.ObjectLockRetainUntilDate)
	}
	version := head.VersionId
	if aws.ToString(version) == "" {
		t.Fatal("the manifest has no version ID; is versioning on?")
	}

	// Deleting the version is refused.
	_, err = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("locked"), Key: key, VersionId: version})
	if err == nil {
		t.Fatal("deleting a locked version succeeded")
	}
	t.Logf("delete of the locked version refused: %v", err)

	// A delete without a version only stacks a delete marker; the locked
	// version stays, byte for byte, for whoever audits the bucket.
	if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("locked"), Key: key}); err != nil {
		t.Fatalf("delete marker: %v", err)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("locked"), Key: key, VersionId: version})
	if err != nil {
		t.Fatalf("get the locked version after a delete marker: %v", err)
	}
	defer out.Body.Close()
	if got, _ := io.ReadAll(out.Body); string(got) != "commit 1" {
		t.Errorf("locked version = %q, want %q", got, "commit 1")
	}
}
