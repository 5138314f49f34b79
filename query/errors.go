package query

import (
	"errors"
	"fmt"
)

// Typed errors callers tell apart with errors.Is or errors.As, to phrase
// them in their own terms (a CLI flag, a Lambda event field). Errors about
// refs and tables come from the catalog (catalog.RefError,
// catalog.ErrNoTable), about outputs from render (render.ErrNoOutputPath).
var (
	// ErrUserSQL wraps an error of a user's query (SQL): it does not
	// parse, names what does not exist, or fails while it runs.
	ErrUserSQL = errors.New("the query failed")
	// ErrOneTable: the output format holds one table's rows and the answer
	// spans several.
	ErrOneTable = errors.New("the output format holds one table")
)

// execError is an error DuckDB returned while running a query's SQL, as
// opposed to one of writing the result.
type execError struct{ err error }

func (e *execError) Error() string { return e.err.Error() }
func (e *execError) Unwrap() error { return e.err }

// userSQLError turns an execError of a user's query into ErrUserSQL.
func userSQLError(err error) error {
	var ee *execError
	if errors.As(err, &ee) {
		return fmt.Errorf("%w: %v", ErrUserSQL, ee.err)
	}
	return err
}
