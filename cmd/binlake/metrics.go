package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/binlake/binlake/ingest"
)

// lagPublisher sends the replication lag to CloudWatch as
// binlake/ReplicationLagSeconds{Store}: for each period, the largest lag
// ingest.Stats reported, sampled every second. That lag is the age of the
// oldest source event read and not yet committed to the chain, so it grows
// while the store stalls, and the time since the last contact while the
// primary is unreachable; it is 0 only when the chain has everything read.
// A stopped ingest sends nothing, which the Terraform alarm treats as
// breaching.
type lagPublisher struct {
	client metricPutter
	store  string
	stats  *ingest.Stats
}

// metricPutter is the part of the CloudWatch client the publisher uses.
type metricPutter interface {
	PutMetricData(ctx context.Context, in *cloudwatch.PutMetricDataInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

func newLagPublisher(ctx context.Context, store string, stats *ingest.Stats) (*lagPublisher, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return &lagPublisher{client: cloudwatch.NewFromConfig(cfg), store: store, stats: stats}, nil
}

// run samples the lag every sample and publishes the largest every period
// until ctx ends; it is owned by the ingest command, which waits for it.
func (p *lagPublisher) run(ctx context.Context, sample, period time.Duration) {
	s := time.NewTicker(sample)
	defer s.Stop()
	next := time.Now().Add(period)
	var worst time.Duration
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-s.C:
			worst = max(worst, p.stats.Lag(now))
			if now.Before(next) {
				continue
			}
			next = now.Add(period)
			p.publish(ctx, worst)
			worst = 0
		}
	}
}

func (p *lagPublisher) publish(ctx context.Context, lag time.Duration) {
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
