package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/functions/lambdaio"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/query/render"
)

// QueryRequest is the event of the query function. docs/FUNCTIONS.md has
// an example for every operation.
type QueryRequest struct {
	Op string `json:"op"` // log, asof, sql, continuity
	// Table is DB.TABLE (asof; log: only commits touching it).
	Table string `json:"table,omitempty"`
	// At is the ref to read at (asof, sql): HEAD by default.
	At  string `json:"at,omitempty"`
	SQL string `json:"sql,omitempty"`
	// Format: "json" (default) answers rows inline as JSON objects, or writes
	// JSON lines under results/ when they exceed the inline limit; "csv",
	// "jsonl" and "parquet" always write a file under results/.
	Format string `json:"format,omitempty"`
	Limit  int    `json:"limit,omitempty"` // log: at most this many commits; continuity: divergences (default 20)
	Since  string `json:"since,omitempty"` // log: RFC 3339
	Until  string `json:"until,omitempty"` // log: RFC 3339
	// TimeAfterHead lets an RFC 3339 At after the newest commit mean the
	// newest commit, which may lag the primary; without it that is an error.
	TimeAfterHead bool `json:"time_after_head,omitempty"`
}

// Answer is what the query function returns.
type Answer struct {
	Op       string            `json:"op"`
	Commit   uint64            `json:"commit,omitempty"` // the commit the ref resolved to
	Rows     []json.RawMessage `json:"rows,omitempty"`   // one JSON object per row, as binlake --format jsonl prints
	RowCount int64             `json:"row_count"`
	Result   *lambdaio.Result  `json:"result,omitempty"` // set when the answer was written to the store
	// Continuity, for op continuity: whether every change's before image
	// equals the lake's previous image of its row, and the changes that do
	// not (at most limit).
	Continuity  *bool              `json:"continuity_ok,omitempty"`
	Divergences []query.Divergence `json:"divergences,omitempty"`
}

// Query answers one query event (directly invoked, or through a function URL).
func (d *Deps) Query(ctx context.Context, raw json.RawMessage) (any, error) {
	if lambdaio.IsURLEvent(raw) {
		return lambdaio.ServeURL(ctx, raw, d.Logger(ctx), d.answerQuery)
	}
	return d.answerQuery(ctx, raw)
}

func (d *Deps) answerQuery(ctx context.Context, raw []byte) (*Answer, error) {
	defer d.after()
	var req QueryRequest
	if err := lambdaio.DecodeStrict(raw, &req); err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	log := d.Logger(ctx)
	start := time.Now()
	e, err := d.engine(ctx)
	if err != nil {
		return nil, err
	}
	ans, err := d.run(ctx, e, &req)
	if err != nil {
		return nil, asBadRequest(err)
	}
	log.Info("answered", "op", req.Op, "rows", ans.RowCount, "took", time.Since(start).Round(time.Millisecond), "inline", ans.Result == nil)
	return ans, nil
}

func (r *QueryRequest) validate() error {
	switch r.Op {
	case "log", "asof", "sql", "continuity":
	case "":
		return lambdaio.BadField("op", "is missing; use log, asof, sql or continuity")
	default:
		return lambdaio.BadField("op", "%q is not an operation; use log, asof, sql or continuity", r.Op)
	}
	if r.At == "" {
		r.At = "HEAD"
	}
	switch r.Format {
	case "":
		r.Format = "json"
	case "json", "csv", "jsonl", "parquet":
	default:
		return lambdaio.BadField("format", "%q: use json, csv, jsonl or parquet", r.Format)
	}
	if r.Op == "asof" && !strings.Contains(r.Table, ".") {
		return lambdaio.BadField("table", "%q: name the table as DB.TABLE", r.Table)
	}
	if r.Op == "sql" && strings.TrimSpace(r.SQL) == "" {
		return lambdaio.BadField("sql", "is missing: the query to run")
	}
	if r.Limit < 0 {
		return lambdaio.BadField("limit", "must not be negative")
	}
	for field, v := range map[string]string{"since": r.Since, "until": r.Until} {
		if v != "" {
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				return lambdaio.BadField(field, "%q is not an RFC 3339 time like 2026-11-22T14:02:00Z", v)
			}
		}
	}
	return nil
}

// run executes the request with out as destination.
func (d *Deps) run(ctx context.Context, e *query.Engine, req *QueryRequest) (*Answer, error) {
	ans := &Answer{Op: req.Op}
	e.Refs.TimeAfterHead = req.TimeAfterHead
	if req.Op == "continuity" {
		divs, err := e.CheckContinuity(ctx, query.ContinuityOptions{Limit: req.Limit})
		if err != nil {
			return nil, err
		}
		ok := len(divs) == 0
		ans.Continuity, ans.Divergences, ans.RowCount, ans.Commit = &ok, divs, int64(len(divs)), e.Chain.LastCommit()
		return ans, nil
	}
	if req.Op != "log" {
		n, err := e.Resolve(req.At)
		if err != nil {
			return nil, lambdaio.BadField("at", "%v", err)
		}
		ans.Commit = n
		req.At = fmt.Sprint(n) // pin the ref so both runs below agree
	}
	exec := func(out render.Output) error {
		switch req.Op {
		case "log":
			since, _ := time.Parse(time.RFC3339, req.Since)
			until, _ := time.Parse(time.RFC3339, req.Until)
			return e.Log(ctx, query.LogOptions{Table: req.Table, Since: since, Until: until, Limit: req.Limit}, out)
		case "asof":
			db, table, _ := strings.Cut(req.Table, ".")
			return e.AsOf(ctx, query.AsOfOptions{Table: layout.TableRef{DB: db, Table: table}, At: req.At}, out)
		default:
			return e.SQL(ctx, query.SQLOptions{At: req.At, SQL: req.SQL}, out)
		}
	}
	return d.deliver(ctx, req.Format, exec, ans)
}

// asBadRequest turns errors caused by the request's content (a ref or
// table that does not exist, SQL that does not bind) into BadRequests.
func asBadRequest(err error) error {
	var br *lambdaio.BadRequest
	switch {
	case errors.As(err, &br):
		return err
	case errors.Is(err, catalog.ErrNoTable):
		return lambdaio.BadField("table", "%v", err)
	case errors.Is(err, query.ErrUserSQL):
		return lambdaio.BadField("sql", "%v", err)
	case errors.As(err, new(*catalog.RefError)):
		return lambdaio.BadField("at", "%v", err)
	}
	return err
}
