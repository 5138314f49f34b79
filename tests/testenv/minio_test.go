package testenv_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/binlake/binlake/tests/testenv"
)

func TestMinIO(t *testing.T) {
	ctx := context.Background()
	m := testenv.StartMinIO(t)

	m.CreateBucket(t, "plain", false)
	m.CreateBucket(t, "locked", true)
	client := m.Client()
	for _, bucket := range []string{"plain", "locked"} {
		_, err := client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader("v"),
		})
		if err != nil {
			t.Fatalf("put into %s: %v", bucket, err)
		}
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
		if err != nil {
			t.Fatalf("get from %s: %v", bucket, err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(got) != "v" {
			t.Errorf("get from %s = %q, want %q", bucket, got, "v")
		}
	}
	lock, err := client.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("locked")})
	if err != nil {
		t.Fatalf("get object lock configuration: %v", err)
	}
	if r := lock.ObjectLockConfiguration.Rule.DefaultRetention; r.Mode != "COMPLIANCE" || aws.ToInt32(r.Days) != 1 {
		t.Errorf("default retention = %s %d days, want COMPLIANCE 1", r.Mode, aws.ToInt32(r.Days))
	}

	m.Close()
	m.Close() // a second Close is harmless
	if resp, err := http.Get(m.Endpoint() + "/minio/health/live"); err == nil {
		resp.Body.Close()
		t.Errorf("server still answers after Close")
	}
}

func TestStartMinIOTwice(t *testing.T) {
	a, b := testenv.StartMinIO(t), testenv.StartMinIO(t)
	if a.Endpoint() == b.Endpoint() {
		t.Errorf("two servers share the endpoint %s", a.Endpoint())
	}
}
