package s3store_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/s3store"
	"github.com/binlake/binlake/layout/storetest"
	"github.com/binlake/binlake/tests/testenv"
)

// TestContract runs the store contract against a real MinIO: at the root
// of a bucket, under a prefix, and in a bucket with Object Lock.
func TestContract(t *testing.T) {
	m := testenv.StartMinIO(t)
	client := m.Client()
	var n atomic.Int64
	tests := []struct {
		name       string
		prefix     string
		objectLock bool
	}{
		{"BucketRoot", "", false},
		{"Prefix", "lake/main", false},
		{"ObjectLock", "lake", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) layout.Store {
				bucket := fmt.Sprintf("contract-%d", n.Add(1))
				m.CreateBucket(t, bucket, tc.objectLock)
				return s3store.New(client, bucket, tc.prefix)
			})
		})
	}
}
