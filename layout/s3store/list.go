package s3store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// List returns the keys that start with prefix and sort after startAfter,
// in ascending byte order, following continuation tokens across pages.
func (s *Store) List(ctx context.Context, prefix, startAfter string) ([]string, error) {
	in := &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket),
		Prefix: aws.String(s.objectKey(prefix)),
	}
	if startAfter != "" {
		in.StartAfter = aws.String(s.objectKey(startAfter))
	}
	var keys []string
	for {
		out, err := s.client.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("s3 list %q after %q: %w", prefix, startAfter, err)
		}
		for _, obj := range out.Contents {
			keys = append(keys, strings.TrimPrefix(aws.ToString(obj.Key), s.prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			return keys, nil
		}
		if aws.ToString(out.NextContinuationToken) == "" {
			return nil, fmt.Errorf("s3 list %q after %q: %w", prefix, startAfter,
				errors.New("truncated page without a continuation token"))
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}
