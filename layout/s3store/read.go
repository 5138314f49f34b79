package s3store

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/binlake/binlake/layout"
)

// Get returns the whole object under key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	data, err := s.get(ctx, key, "")
	if err != nil {
		return nil, fmt.Errorf("s3 get %s: %w", key, err)
	}
	return data, nil
}

// GetRange returns up to length bytes of the object under key, starting at
// offset; fewer at the end of the object, none past it.
func (s *Store) GetRange(ctx context.Context, key string, offset, length int64) ([]byte, error) {
	if offset < 0 || length < 0 {
		return nil, fmt.Errorf("s3 get %s range %d+%d: negative offset or length", key, offset, length)
	}
	// An empty range cannot be asked for; fetch one byte to learn whether
	// the object exists, then return nothing.
	end := offset + max(length, 1) - 1
	data, err := s.get(ctx, key, fmt.Sprintf("bytes=%d-%d", offset, end))
	if classify(err) == badRange {
		return []byte{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("s3 get %s range %d+%d: %w", key, offset, length, err)
	}
	return data[:min(int64(len(data)), length)], nil
}

// get fetches an object, or the part named by an HTTP Range header.
func (s *Store) get(ctx context.Context, key, byteRange string) ([]byte, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.objectKey(key))}
	if byteRange != "" {
		in.Range = aws.String(byteRange)
	}
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		if classify(err) == notFound {
			return nil, layout.ErrNotFound
		}
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}
