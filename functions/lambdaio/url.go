package lambdaio

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// IsURLEvent reports whether an event came through a function URL (an
// HTTP request wrapped in the payload format 2.0).
func IsURLEvent(raw []byte) bool {
	return bytes.Contains(raw, []byte(`"requestContext"`)) && bytes.Contains(raw, []byte(`"rawPath"`))
}

// ServeURL answers a function-URL request with answer: the JSON body is
// the event, the answer is the JSON body of the response; bad requests get
// status 400, other failures 500 (logged).
func ServeURL[T any](ctx context.Context, raw []byte, log *slog.Logger, answer func(context.Context, []byte) (T, error)) (events.LambdaFunctionURLResponse, error) {
	var req events.LambdaFunctionURLRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return respond(http.StatusBadRequest, map[string]any{"error": &BadRequest{Message: "cannot decode the function URL request: " + err.Error()}}), nil
	}
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			return respond(http.StatusBadRequest, map[string]any{"error": &BadRequest{Message: "body is not valid base64"}}), nil
		}
		body = b
	}
	ans, err := answer(ctx, body)
	var br *BadRequest
	switch {
	case errors.As(err, &br):
		return respond(http.StatusBadRequest, map[string]any{"error": br}), nil
	case err != nil:
		log.Error("request failed", "err", err)
		return respond(http.StatusInternalServerError, map[string]any{"error": map[string]string{"message": err.Error()}}), nil
	}
	return respond(http.StatusOK, ans), nil
}

func respond(status int, v any) events.LambdaFunctionURLResponse {
	b, _ := json.Marshal(v)
	return events.LambdaFunctionURLResponse{StatusCode: status, Body: string(b),
		Headers: map[string]string{"Content-Type": "application/json"}}
}
