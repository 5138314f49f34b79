package lambdaio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DecodeStrict decodes an event into v, refusing unknown fields and wrong
// types with a BadRequest that names the field.
func DecodeStrict(raw []byte, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err := dec.Token(); err != io.EOF {
			return &BadRequest{Message: "the event holds more than one JSON value"}
		}
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return BadField(typeErr.Field, "is a JSON %s, want %s", typeErr.Value, typeErr.Type)
	case errors.As(err, &syntaxErr):
		return &BadRequest{Message: fmt.Sprintf("the event is not valid JSON (at byte %d): %v", syntaxErr.Offset, err)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return BadField(name, "is not a field of this event")
	}
	return &BadRequest{Message: "cannot decode the event: " + err.Error()}
}
