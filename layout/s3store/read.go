package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/binlake/binlake/layout"
)

// Open starts a GET of the object under key and returns its body, which
// streams from the network as it is read. A missing key is
// layout.ErrNotFound, from Open itself: S3 answers 404 before any body.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := s.getObject(ctx, key, "")
	if err != nil {
		return nil, fmt.Errorf("s3 get %s: %w", key, err)
	}
	return &body{ReadCloser: out.Body, key: key}, nil
}

// body is an object being read; its read errors name the key.
type body struct {
	io.ReadCloser
	key string
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("s3 read %s: %w", b.key, err)
	}
	return n, err
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

// get fetches the part of an object named by an HTTP Range header, which
// bounds what it reads into memory.
func (s *Store) get(ctx context.Context, key, byteRange string) ([]byte, error) {
	out, err := s.getObject(ctx, key, byteRange)
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// getObject starts a GET of an object, or of the part named by an HTTP
// Range header ("" for all of it). A missing object is layout.ErrNotFound.
func (s *Store) getObject(ctx context.Context, key, byteRange string) (*s3.GetObjectOutput, error) {
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
	return out, nil
}
