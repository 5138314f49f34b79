package s3store

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/binlake/binlake/layout"
)

// retryPolicy says how Create waits out a concurrent conditional write.
type retryPolicy struct {
	attempts int           // conditional writes tried in all
	backoff  time.Duration // first wait, doubled after each try
}

var defaultRetry = retryPolicy{attempts: 5, backoff: 50 * time.Millisecond}

// Put writes data under key, replacing any object there.
func (s *Store) Put(ctx context.Context, key string, data []byte) error {
	if _, err := s.client.PutObject(ctx, s.putInput(key, data)); err != nil {
		return fmt.Errorf("s3 put %s: %w", key, err)
	}
	return nil
}

// Create writes data under key only if no object is there, with
// If-None-Match: *. A 412 means the object exists. A 409 means another
// conditional write of the key is in flight: Create tries again a few times
// with growing waits, and if it still cannot tell, reports ErrExists when
// the object is there by then.
func (s *Store) Create(ctx context.Context, key string, data []byte) error {
	wait := s.retry.backoff
	var err error
	for attempt := 1; ; attempt++ {
		in := s.putInput(key, data)
		in.IfNoneMatch = aws.String("*")
		_, err = s.client.PutObject(ctx, in)
		switch classify(err) {
		case preconditionFail:
			return fmt.Errorf("s3 create %s: %w", key, layout.ErrExists)
		case conditionalRace:
			if attempt < s.retry.attempts {
				if serr := sleep(ctx, wait); serr != nil {
					return fmt.Errorf("s3 create %s: %w (after %w)", key, serr, err)
				}
				wait *= 2
				continue
			}
			return s.afterRace(ctx, key, err)
		}
		if err != nil {
			return fmt.Errorf("s3 create %s: %w", key, err)
		}
		return nil
	}
}

// afterRace decides a Create that kept meeting concurrent writes: if the
// object exists now, someone else created it.
func (s *Store) afterRace(ctx context.Context, key string, raceErr error) error {
	_, err := s.get(ctx, key, "bytes=0-0")
	if err == nil || classify(err) == badRange { // badRange: an empty object
		return fmt.Errorf("s3 create %s: %w", key, layout.ErrExists)
	}
	return fmt.Errorf("s3 create %s: %d conditional writes met concurrent ones: %w", key, s.retry.attempts, raceErr)
}

func (s *Store) putInput(key string, data []byte) *s3.PutObjectInput {
	return &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(s.objectKey(key)),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
		// Buckets with Object Lock refuse writes without an integrity check.
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
