package s3store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
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

// Put uploads the size bytes of r under key with one PutObject, replacing
// any object there. S3 publishes an object only once all of it has arrived
// and matched its length and checksum, so a failed Put leaves the key as it
// was.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := s.put(ctx, key, r, size); err != nil {
		return fmt.Errorf("s3 put %s: %w", key, err)
	}
	return nil
}

func (s *Store) put(ctx context.Context, key string, r io.Reader, size int64) error {
	body, done, err := seekable(r, size)
	if err != nil {
		return err
	}
	defer done()
	_, err = s.client.PutObject(ctx, s.putInput(key, body, size))
	return err
}

// seekable returns the size bytes of r as a reader the SDK can rewind. The
// SDK reads a body before sending it, to sign the SHA-256 of the payload
// (SigV4) and to put its CRC32 in a header (over plain HTTP no trailer can
// carry it), and again on a retry, so it needs a seekable one. A seekable r
// (a file, a bytes.Reader) is passed through once its length from the
// current position is checked; any other reader is spooled to a temporary
// file, so that memory does not grow with the object. done releases the
// spool.
func seekable(r io.Reader, size int64) (body io.ReadSeeker, done func(), err error) {
	if size < 0 {
		return nil, nil, fmt.Errorf("negative size %d", size)
	}
	if rs, ok := r.(io.ReadSeeker); ok {
		if n, err := remaining(rs); err == nil {
			if n != size {
				return nil, nil, fmt.Errorf("the reader holds %d bytes, %d announced", n, size)
			}
			return rs, func() {}, nil
		}
		// Not seekable after all (a pipe behind an *os.File): spool it.
	}
	f, err := os.CreateTemp("", "binlake-put-*")
	if err != nil {
		return nil, nil, fmt.Errorf("spool: %w", err)
	}
	done = func() {
		f.Close()
		os.Remove(f.Name())
	}
	if err := layout.CopyExact(f, r, size); err != nil {
		done()
		return nil, nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		done()
		return nil, nil, fmt.Errorf("spool: %w", err)
	}
	return f, done, nil
}

// remaining returns how many bytes rs holds from its current position, and
// leaves it there.
func remaining(rs io.ReadSeeker) (int64, error) {
	pos, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	end, err := rs.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	if _, err := rs.Seek(pos, io.SeekStart); err != nil {
		return 0, err
	}
	return end - pos, nil
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
		in := s.putInput(key, bytes.NewReader(data), int64(len(data)))
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

func (s *Store) putInput(key string, body io.ReadSeeker, size int64) *s3.PutObjectInput {
	return &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(s.objectKey(key)),
		Body:          body,
		ContentLength: aws.Int64(size),
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
