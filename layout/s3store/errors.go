package s3store

import (
	"errors"

	"github.com/aws/smithy-go"
)

// failure is what an S3 error means to the store.
type failure int

const (
	otherFailure     failure = iota
	notFound                 // no object under the key
	preconditionFail         // a conditional write found the object present
	conditionalRace          // another conditional write on the key is in flight
	badRange                 // the range starts at or past the end of the object
)

// classify maps an error from the S3 client, by error code first and HTTP
// status second, to what it means here.
func classify(err error) failure {
	if err == nil {
		return otherFailure
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return notFound
		case "NoSuchBucket":
			return otherFailure // a configuration error, not an empty store
		case "PreconditionFailed":
			return preconditionFail
		case "ConditionalRequestConflict":
			return conditionalRace
		case "InvalidRange":
			return badRange
		}
	}
	var statusErr interface{ HTTPStatusCode() int }
	if errors.As(err, &statusErr) {
		switch statusErr.HTTPStatusCode() {
		case 404:
			return notFound
		case 412:
			return preconditionFail
		case 409:
			return conditionalRace
		case 416:
			return badRange
		}
	}
	return otherFailure
}
