package lambdaio

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

// Raw adapts an answering function to lambda.Handler, taking the payload
// as raw bytes so that even an event that is not JSON reaches the decoder
// and gets a BadRequest, not the runtime's generic error.
func Raw[T any](fn func(context.Context, json.RawMessage) (T, error)) lambda.Handler {
	return rawHandler[T](fn)
}

type rawHandler[T any] func(context.Context, json.RawMessage) (T, error)

func (h rawHandler[T]) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	v, err := h(ctx, payload)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}
