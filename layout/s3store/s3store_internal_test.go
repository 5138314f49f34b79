package s3store

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/binlake/binlake/layout"
)

func newFake(f *fakeS3) *Store {
	s := New(f, "bucket", "/lake/")
	s.retry = retryPolicy{attempts: 3, backoff: 0}
	return s
}

func TestGetErrors(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		sentinel error // nil: neither ErrNotFound nor ErrExists
	}{
		{"NoSuchKey", s3Error("GetObject", 404, "NoSuchKey"), layout.ErrNotFound},
		{"NotFound code", s3Error("GetObject", 404, "NotFound"), layout.ErrNotFound},
		{"bare 404", s3Error("GetObject", 404, ""), layout.ErrNotFound},
		{"NoSuchBucket", s3Error("GetObject", 404, "NoSuchBucket"), nil},
		{"AccessDenied", s3Error("GetObject", 403, "AccessDenied"), nil},
		{"server error", s3Error("GetObject", 500, "InternalError"), nil},
		{"network", errors.New("connection refused"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newFake(&fakeS3{getErrs: []error{tc.err}})
			r, openErr := s.Open(context.Background(), "k")
			if r != nil {
				t.Errorf("Open returned a reader with error %v", openErr)
			}
			_, rangeErr := s.GetRange(context.Background(), "k", 0, 10)
			for op, err := range map[string]error{"Open": openErr, "GetRange": rangeErr} {
				if err == nil || !strings.Contains(err.Error(), "s3 get k") {
					t.Errorf("%s error = %v, want one starting %q", op, err, "s3 get k")
				}
				notFound, exists := errors.Is(err, layout.ErrNotFound), errors.Is(err, layout.ErrExists)
				if notFound != (tc.sentinel == layout.ErrNotFound) || exists {
					t.Errorf("%s error = %v: ErrNotFound %v, ErrExists %v; want %v", op, err, notFound, exists, tc.sentinel)
				}
			}
		})
	}
}

func TestGetRange(t *testing.T) {
	tests := []struct {
		offset, length int64
		body           string
		err            error
		wantRange      string
		want           string
	}{
		{4, 2, "45", nil, "bytes=4-5", "45"},
		{7, 100, "789", nil, "bytes=7-106", "789"},
		{3, 0, "3", nil, "bytes=3-3", ""},
		{50, 5, "", s3Error("GetObject", 416, "InvalidRange"), "bytes=50-54", ""},
		{0, 5, "", s3Error("GetObject", 416, ""), "bytes=0-4", ""},
	}
	for _, tc := range tests {
		f := &fakeS3{body: []byte(tc.body), getErrs: []error{tc.err}}
		got, err := newFake(f).GetRange(context.Background(), "k", tc.offset, tc.length)
		if err != nil || string(got) != tc.want {
			t.Errorf("GetRange(%d, %d) = %q, %v; want %q", tc.offset, tc.length, got, err, tc.want)
		}
		if r := aws.ToString(f.gets[0].Range); r != tc.wantRange {
			t.Errorf("GetRange(%d, %d) sent Range %q, want %q", tc.offset, tc.length, r, tc.wantRange)
		}
		if k := aws.ToString(f.gets[0].Key); k != "lake/k" {
			t.Errorf("GetRange asked for key %q, want lake/k", k)
		}
	}
}

func TestCreate(t *testing.T) {
	race := s3Error("PutObject", 409, "ConditionalRequestConflict")
	tests := []struct {
		name      string
		putErrs   []error
		getErrs   []error // for the existence check after repeated 409s
		wantPuts  int
		wantGets  int
		sentinel  error
		wantError bool
	}{
		{"created", nil, nil, 1, 0, nil, false},
		{"PreconditionFailed", []error{s3Error("PutObject", 412, "PreconditionFailed")}, nil, 1, 0, layout.ErrExists, true},
		{"bare 412", []error{s3Error("PutObject", 412, "")}, nil, 1, 0, layout.ErrExists, true},
		{"409 then created", []error{race, nil}, nil, 2, 0, nil, false},
		{"409 then 412", []error{race, race, s3Error("PutObject", 412, "PreconditionFailed")}, nil, 3, 0, layout.ErrExists, true},
		{"409 always, object there", []error{race}, nil, 3, 1, layout.ErrExists, true},
		{"409 always, empty object there", []error{race}, []error{s3Error("GetObject", 416, "InvalidRange")}, 3, 1, layout.ErrExists, true},
		{"409 always, no object", []error{race}, []error{s3Error("GetObject", 404, "NoSuchKey")}, 3, 1, nil, true},
		{"access denied", []error{s3Error("PutObject", 403, "AccessDenied")}, nil, 1, 0, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeS3{putErrs: tc.putErrs, getErrs: tc.getErrs}
			err := newFake(f).Create(context.Background(), "m", []byte("data"))
			if (err != nil) != tc.wantError {
				t.Fatalf("Create error = %v, want error %v", err, tc.wantError)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "s3 create m: ") {
				t.Errorf("error %q does not start %q", err, "s3 create m: ")
			}
			if got := errors.Is(err, layout.ErrExists); got != (tc.sentinel == layout.ErrExists) {
				t.Errorf("Create error = %v; ErrExists %v, want %v", err, got, !got)
			}
			if errors.Is(err, layout.ErrNotFound) {
				t.Errorf("Create error = %v is ErrNotFound", err)
			}
			if len(f.puts) != tc.wantPuts || len(f.gets) != tc.wantGets {
				t.Errorf("Create made %d puts and %d gets, want %d and %d", len(f.puts), len(f.gets), tc.wantPuts, tc.wantGets)
			}
			for _, in := range f.puts {
				if aws.ToString(in.IfNoneMatch) != "*" || aws.ToString(in.Key) != "lake/m" {
					t.Errorf("Create sent key %q If-None-Match %q, want lake/m and *", aws.ToString(in.Key), aws.ToString(in.IfNoneMatch))
				}
			}
		})
	}
}

func TestCreateRetryStopsOnCancel(t *testing.T) {
	f := &fakeS3{putErrs: []error{s3Error("PutObject", 409, "ConditionalRequestConflict")}}
	s := New(f, "bucket", "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Create(ctx, "m", nil)
	if !errors.Is(err, context.Canceled) || errors.Is(err, layout.ErrExists) {
		t.Errorf("Create error = %v, want context.Canceled", err)
	}
}

func TestPutInput(t *testing.T) {
	tests := []struct {
		name     string
		body     io.Reader
		spooled  bool // sent from a temporary file, not from body
		wantBody string
	}{
		{"seekable", strings.NewReader("abc"), false, "abc"},
		{"stream", io.MultiReader(strings.NewReader("ab"), strings.NewReader("c")), true, "abc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeS3{}
			if err := newFake(f).Put(context.Background(), "seg/x", tc.body, 3); err != nil {
				t.Fatal(err)
			}
			in := f.puts[0]
			if in.IfNoneMatch != nil {
				t.Errorf("Put sent If-None-Match %q", *in.IfNoneMatch)
			}
			if in.ChecksumAlgorithm != types.ChecksumAlgorithmCrc32 {
				t.Errorf("Put checksum algorithm = %q, want CRC32 (Object Lock buckets need one)", in.ChecksumAlgorithm)
			}
			if aws.ToString(in.Bucket) != "bucket" || aws.ToString(in.Key) != "lake/seg/x" || aws.ToInt64(in.ContentLength) != 3 {
				t.Errorf("Put sent bucket %q key %q length %d", aws.ToString(in.Bucket), aws.ToString(in.Key), aws.ToInt64(in.ContentLength))
			}
			if _, ok := in.Body.(io.Seeker); !ok {
				t.Errorf("Put sent a %T body, want a seekable one (SigV4 hashes the payload first)", in.Body)
			}
			if spooled := in.Body != tc.body; spooled != tc.spooled {
				t.Errorf("Put spooled the body: %v, want %v", spooled, tc.spooled)
			}
			if got := f.bodies[0]; got != tc.wantBody {
				t.Errorf("Put sent %q, want %q", got, tc.wantBody)
			}
		})
	}
}

func TestPutWrongSize(t *testing.T) {
	for _, tc := range []struct {
		name string
		body io.Reader
	}{
		{"short seekable", strings.NewReader("ab")},
		{"long seekable", strings.NewReader("abcd")},
		{"short stream", io.MultiReader(strings.NewReader("ab"))},
		{"long stream", io.MultiReader(strings.NewReader("abcd"))},
	} {
		f := &fakeS3{}
		err := newFake(f).Put(context.Background(), "seg/x", tc.body, 3)
		if err == nil || !strings.HasPrefix(err.Error(), "s3 put seg/x: ") {
			t.Errorf("%s: Put error = %v, want one starting %q", tc.name, err, "s3 put seg/x: ")
		}
		if len(f.puts) != 0 {
			t.Errorf("%s: Put sent %d requests, want none", tc.name, len(f.puts))
		}
	}
}

func TestListPaging(t *testing.T) {
	f := &fakeS3{pages: []*s3.ListObjectsV2Output{
		{Contents: objects("lake/m/1", "lake/m/2"), IsTruncated: aws.Bool(true), NextContinuationToken: aws.String("t1")},
		{Contents: objects("lake/m/3"), IsTruncated: aws.Bool(true), NextContinuationToken: aws.String("t2")},
		{Contents: objects("lake/m/4"), IsTruncated: aws.Bool(false)},
	}}
	keys, err := newFake(f).List(context.Background(), "m/", "m/0")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"m/1", "m/2", "m/3", "m/4"}; !slices.Equal(keys, want) {
		t.Errorf("List = %q, want %q", keys, want)
	}
	var tokens []string
	for _, in := range f.lists {
		tokens = append(tokens, aws.ToString(in.ContinuationToken))
		if aws.ToString(in.Prefix) != "lake/m/" || aws.ToString(in.StartAfter) != "lake/m/0" {
			t.Errorf("List sent prefix %q start-after %q", aws.ToString(in.Prefix), aws.ToString(in.StartAfter))
		}
	}
	if want := []string{"", "t1", "t2"}; !slices.Equal(tokens, want) {
		t.Errorf("continuation tokens = %q, want %q", tokens, want)
	}
}

func TestListTruncatedWithoutToken(t *testing.T) {
	f := &fakeS3{pages: []*s3.ListObjectsV2Output{{IsTruncated: aws.Bool(true)}}}
	if _, err := newFake(f).List(context.Background(), "", ""); err == nil {
		t.Error("List of a truncated page without a token succeeded")
	}
}

func TestNewPrefix(t *testing.T) {
	for prefix, want := range map[string]string{"": "", "/": "", "lake": "lake/", "/a/b/": "a/b/"} {
		if got := New(nil, "b", prefix).objectKey("k"); got != want+"k" {
			t.Errorf("New(prefix %q) puts k at %q, want %q", prefix, got, want+"k")
		}
	}
}

func objects(keys ...string) []types.Object {
	var objs []types.Object
	for _, k := range keys {
		objs = append(objs, types.Object{Key: aws.String(k)})
	}
	return objs
}
