// Package handler holds what binlake's Lambda functions share: decoding
// events, answering them with the query and catalog packages, and encoding
// answers. Each function's main package only builds Deps at cold start and
// hands one of these handlers to lambda.Start, so everything here is tested
// without Lambda.
package handler
