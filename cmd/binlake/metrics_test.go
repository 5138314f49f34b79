package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/binlake/binlake/ingest"
)

type fakeCloudWatch struct {
	mu   sync.Mutex
	sent []float64
}

func (f *fakeCloudWatch) PutMetricData(_ context.Context, in *cloudwatch.PutMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := in.MetricData[0]
	if *in.Namespace != "binlake" || *d.MetricName != "ReplicationLagSeconds" || *d.Dimensions[0].Value != "s3://b/p" {
		panic("unexpected metric")
	}
	f.sent = append(f.sent, *d.Value)
	return &cloudwatch.PutMetricDataOutput{}, nil
}

// TestLagPublisherSendsTheWorstSample checks that the publisher sends,
// each period, the largest lag it sampled: 0 when nothing is pending.
func TestLagPublisherSendsTheWorstSample(t *testing.T) {
	fake := &fakeCloudWatch{}
	p := &lagPublisher{client: fake, store: "s3://b/p", stats: &ingest.Stats{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.run(ctx, 5*time.Millisecond, 30*time.Millisecond) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		fake.mu.Lock()
		n := len(fake.sent)
		fake.mu.Unlock()
		if n >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if len(fake.sent) < 2 || fake.sent[0] != 0 || fake.sent[1] != 0 {
		t.Fatalf("sent %v, want 0s while nothing is pending", fake.sent)
	}
}
