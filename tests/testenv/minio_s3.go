package testenv

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// minioRegion is the region MinIO answers for unless configured otherwise.
const minioRegion = "us-east-1"

// AWSConfig is an AWS configuration that reaches this server with the root
// credentials. S3 clients built from it must use path-style addressing.
func (m *MinIO) AWSConfig() aws.Config {
	return aws.Config{
		Region:       minioRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(m.AccessKey, m.SecretKey, ""),
		BaseEndpoint: aws.String(m.Endpoint()),
	}
}

// Client returns an S3 client for this server: path-style, us-east-1, root
// credentials.
func (m *MinIO) Client() *s3.Client {
	return s3.NewFromConfig(m.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
}

// CreateBucket creates a bucket. With objectLock, the bucket has Object
// Lock enabled (and so versioning) and a default retention of one day in
// COMPLIANCE mode: no object version can be deleted or overwritten in place
// before then, not even by the root user.
func (m *MinIO) CreateBucket(t testing.TB, name string, objectLock bool) {
	t.Helper()
	ctx := context.Background()
	client := m.Client()
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if objectLock {
		in.ObjectLockEnabledForBucket = aws.Bool(true)
	}
	if _, err := client.CreateBucket(ctx, in); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	if !objectLock {
		return
	}
	_, err := client.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{
		Bucket: aws.String(name),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{
			ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{
				Mode: types.ObjectLockRetentionModeCompliance,
				Days: aws.Int32(1),
			}},
		},
	})
	if err != nil {
		t.Fatalf("bucket %s: set default COMPLIANCE retention: %v", name, err)
	}
}
