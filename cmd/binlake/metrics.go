package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/binlake/binlake/layout"
)

// lagPublisher sends the replication lag to CloudWatch as
// binlake/ReplicationLagSeconds{Store}: for each period, the largest delay
// between a transaction's commit on the source and its manifest becoming
// visible; 0 for a period with nothing to replicate. A stopped ingest sends
// nothing, which the Terraform alarm treats as breaching.
type lagPublisher struct {
	client metricPutter
	store  string
	mu     sync.Mutex
	worst  time.Duration
}

// metricPutter is the part of the CloudWatch client the publisher uses.
type metricPutter interface {
	PutMetricData(ctx context.Context, in *cloudwatch.PutMetricDataInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

func newLagPublisher(ctx context.Context, store string) (*lagPublisher, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return &lagPublisher{client: cloudwatch.NewFromConfig(cfg), store: store}, nil
}

// observe records the lag of one flush.
func (p *lagPublisher) observe(cs []layout.Commit) {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range cs {
		if cs[i].Kind == layout.CommitSnapshot {
			continue
		}
		p.worst = max(p.worst, now.Sub(cs[i].Time))
	}
}

// run publishes every period until ctx ends; it is owned by the ingest
// command, which waits for it.
func (p *lagPublisher) run(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.mu.Lock()
		lag := p.worst
		p.worst = 0
		p.mu.Unlock()
		_, err := p.client.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{
			Namespace: aws.String("binlake"),
			MetricData: []types.MetricDatum{{
				MetricName: aws.String("ReplicationLagSeconds"),
				Dimensions: []types.Dimension{{Name: aws.String("Store"), Value: aws.String(p.store)}},
				Unit:       types.StandardUnitSeconds,
				Value:      aws.Float64(lag.Seconds()),
			}},
		})
		if err != nil && ctx.Err() == nil {
			slog.Warn("publish replication lag", "err", err)
		}
	}
}
