package lambdaio

import "fmt"

// BadRequest is the error for an event that cannot be answered as sent. It
// names the field at fault; Lambda reports it with errorType "BadRequest".
type BadRequest struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *BadRequest) Error() string {
	if e.Field == "" {
		return "bad request: " + e.Message
	}
	return fmt.Sprintf("bad request: field %q: %s", e.Field, e.Message)
}

// BadField is a BadRequest about one field of the event.
func BadField(field, format string, args ...any) *BadRequest {
	return &BadRequest{Field: field, Message: fmt.Sprintf(format, args...)}
}
