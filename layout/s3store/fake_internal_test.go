package s3store

import (
	"bytes"
	"context"
	"io"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// fakeS3 is an S3API whose answers the test scripts: each call pops the
// next error (nil for success) of its operation and records its input.
type fakeS3 struct {
	getErrs, putErrs []error
	body             []byte
	pages            []*s3.ListObjectsV2Output

	gets   []*s3.GetObjectInput
	puts   []*s3.PutObjectInput
	bodies []string // what each put sent, read as the SDK would
	lists  []*s3.ListObjectsV2Input
}

func pop(errs *[]error) error {
	if len(*errs) == 0 {
		return nil
	}
	err := (*errs)[0]
	if len(*errs) > 1 { // the last error repeats
		*errs = (*errs)[1:]
	}
	return err
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.gets = append(f.gets, in)
	if err := pop(&f.getErrs); err != nil {
		return nil, err
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(f.body))}, nil
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	f.puts = append(f.puts, in)
	body, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	f.bodies = append(f.bodies, string(body))
	if err := pop(&f.putErrs); err != nil {
		return nil, err
	}
	return &s3.PutObjectOutput{}, nil
}

func (f *fakeS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	copied := *in
	f.lists = append(f.lists, &copied)
	page := f.pages[0]
	f.pages = f.pages[1:]
	return page, nil
}

// s3Error builds an error the way the SDK returns one for an HTTP status
// and, if code is not empty, an S3 error code in the response body.
func s3Error(op string, status int, code string) error {
	var inner error = &smithy.GenericAPIError{Code: code, Message: "scripted"}
	switch code {
	case "":
		inner = &smithy.DeserializationError{Err: io.ErrUnexpectedEOF}
	case "NoSuchKey":
		inner = &types.NoSuchKey{Message: new("The specified key does not exist.")}
	}
	return &smithy.OperationError{
		ServiceID:     "S3",
		OperationName: op,
		Err: &awshttp.ResponseError{
			RequestID: "req-1",
			ResponseError: &smithyhttp.ResponseError{
				Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
				Err:      inner,
			},
		},
	}
}
