package s3store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Presign returns a URL that lets its holder GET the object for ttl, without
// credentials of their own. It needs the store's client to be an *s3.Client.
func (s *Store) Presign(ctx context.Context, key string, ttl time.Duration) (string, error) {
	c, ok := s.client.(*s3.Client)
	if !ok {
		return "", fmt.Errorf("presign %s: the store's client cannot presign", key)
	}
	req, err := s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(s.objectKey(key))}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign %s: %w", key, err)
	}
	return req.URL, nil
}
