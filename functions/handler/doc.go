// Package handler answers the events of the DuckDB-backed Lambda
// functions (query, recover, checkpoint) with the query and patch
// packages. Each function's main package only builds Deps at cold start
// and hands one of these handlers to lambda.Start, so everything here is
// tested without Lambda. What every function shares is in
// functions/lambdaio.
package handler
