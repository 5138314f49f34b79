// Package query answers questions about a chain with DuckDB over the
// verified local cache of the store's Parquet objects (layout/cache): as-of
// reads and SQL, log, find, show, diff, history, blame, checkpoints and
// continuity. See options.go for the naming rule of the Engine's methods.
package query
