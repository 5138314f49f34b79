// Package lambdaio is what binlake's Lambda functions share and what needs
// no DuckDB: the environment a function is configured by, strict decoding
// of events into BadRequests that name the field, function-URL requests,
// results stored under results/ and patches/ with presigned URLs, and the
// adapter to lambda.Handler. The DuckDB-backed handlers (query, recover,
// checkpoint) live in functions/handler; the verify function uses only
// this package and catalog, so its bootstrap carries no DuckDB.
package lambdaio
