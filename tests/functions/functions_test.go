package functions

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/storeurl"
	"github.com/binlake/binlake/tests/testenv"
)

// fixture is a chain in MinIO made by a real ingest of a real MariaDB.
type fixture struct {
	minio    *testenv.MinIO
	storeURL string
	env      []string // the AWS and binlake environment for functions and CLI
	store    layout.Store
}

func newFixture(t *testing.T) *fixture {
	ctx := context.Background()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	m := testenv.StartMinIO(t)
	m.CreateBucket(t, "lake", false)
	f := &fixture{minio: m, storeURL: "s3://lake/shop-chain"}
	f.env = []string{"AWS_ACCESS_KEY_ID=" + m.AccessKey, "AWS_SECRET_ACCESS_KEY=" + m.SecretKey,
		"AWS_REGION=us-east-1", "AWS_ENDPOINT_URL=" + m.Endpoint(), "BINLAKE_STORE=" + f.storeURL,
		"BINLAKE_CACHE=" + t.TempDir()}
	cfg := m.AWSConfig()
	st, err := storeurl.Open(ctx, f.storeURL, storeurl.Options{AWS: &cfg, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	f.store = st
	if err := db.Exec(ctx,
		"CREATE DATABASE shop",
		"CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(10,2), weight FLOAT, photo BLOB, added DATETIME(3))",
		"INSERT INTO shop.items VALUES (1,'lamp',19.99,1.25,x'00ff10','2026-01-02 03:04:05.678'),(2,'chair',89.00,7.5,NULL,'2026-01-03 00:00:00.000')",
		"CREATE TABLE shop.events (kind VARCHAR(10), n INT)",
		"INSERT INTO shop.events VALUES ('view',1),('view',1),('buy',2)",
	); err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("mysql://%s:%s@%s", db.User, db.Password, db.Addr())
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	run := func() {
		if err := ingest.Run(ctx, ingest.Config{Source: src, Store: st, ExitWhenCaughtUp: true, Log: quiet}); err != nil {
			t.Fatal(err)
		}
	}
	run()
	var stmts []string
	for i := 3; i < 40; i++ {
		stmts = append(stmts, fmt.Sprintf("INSERT INTO shop.items VALUES (%d,'item %d',%d.50,%d.25,NULL,NOW(3))", i, i, i, i))
	}
	stmts = append(stmts, "UPDATE shop.items SET price = price * 2 WHERE id < 10", "DELETE FROM shop.events WHERE kind = 'buy'",
		"ALTER TABLE shop.items ADD COLUMN stock INT NOT NULL DEFAULT 5")
	if err := db.Exec(ctx, stmts...); err != nil {
		t.Fatal(err)
	}
	run()
	return f
}

// cli runs the binlake CLI against the fixture's store and returns stdout.
func (f *fixture) cli(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(bins.cli, append([]string{"--store", f.storeURL, "--cache", t.TempDir()}, args...)...)
	cmd.Env = append(os.Environ(), f.env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("binlake %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

func invoke(t *testing.T, l *testenv.Lambda, event string) testenv.Reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := l.Invoke(ctx, []byte(event))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

type answer struct {
	Op       string            `json:"op"`
	Commit   uint64            `json:"commit"`
	Rows     []json.RawMessage `json:"rows"`
	RowCount int               `json:"row_count"`
	Result   *struct {
		Key, URL, Format string
		Bytes            int64
	} `json:"result"`
}

func decodeAnswer(t *testing.T, l *testenv.Lambda, rep testenv.Reply) answer {
	t.Helper()
	if rep.Failed() {
		t.Fatalf("function failed: %s: %s\n%s", rep.ErrorType, rep.ErrorMessage, l.Output())
	}
	var a answer
	if err := json.Unmarshal(rep.Payload, &a); err != nil {
		t.Fatalf("answer %s: %v", rep.Payload, err)
	}
	return a
}

func rowsText(rows []json.RawMessage) string {
	var b strings.Builder
	for _, r := range rows {
		b.Write(r)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestQueryFunctionMatchesCLI(t *testing.T) {
	f := newFixture(t)
	q := testenv.StartLambda(t, "binlake-query", bootstrap("query"), f.env)
	cases := []struct {
		name  string
		event string
		cli   []string
	}{
		{"log", `{"op":"log"}`, []string{"log", "--format", "jsonl"}},
		{"log filtered", `{"op":"log","table":"shop.events","limit":2}`, []string{"log", "--format", "jsonl", "--table", "shop.events", "-n", "2"}},
		{"asof head", `{"op":"asof","table":"shop.items"}`, []string{"asof", "shop.items", "--format", "jsonl"}},
		{"asof snapshot", `{"op":"asof","table":"shop.items","at":"1"}`, []string{"asof", "shop.items", "--at", "1", "--format", "jsonl"}},
		{"asof keyless", `{"op":"asof","table":"shop.events","at":"HEAD~1"}`, []string{"asof", "shop.events", "--at", "HEAD~1", "--format", "jsonl"}},
		{"sql", `{"op":"sql","sql":"SELECT count(*) AS n, sum(stock) AS stock FROM items"}`,
			[]string{"sql", "SELECT count(*) AS n, sum(stock) AS stock FROM items", "--format", "jsonl"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := decodeAnswer(t, q, invoke(t, q, tc.event))
			want := f.cli(t, tc.cli...)
			if got := rowsText(a.Rows); got != want {
				t.Fatalf("function rows differ from the CLI's:\nfunction:\n%s\ncli:\n%s", got, want)
			}
			if a.RowCount != strings.Count(want, "\n") || a.Result != nil {
				t.Fatalf("row_count %d, result %v", a.RowCount, a.Result)
			}
		})
	}
	t.Logf("query function cold start (process start to first answer): %s", q.ColdStart)
	if path := os.Getenv("BINLAKE_COLDSTART_OUT"); path != "" {
		os.WriteFile(path, []byte(q.ColdStart.String()), 0o644) //nolint:errcheck // informational
	}
}

func TestQueryFunctionRefusesBadEvents(t *testing.T) {
	f := newFixture(t)
	q := testenv.StartLambda(t, "binlake-query", bootstrap("query"), f.env)
	cases := []struct{ event, field string }{
		{`{"op":"drop"}`, `"op"`},
		{`{}`, `"op"`},
		{`{"op":"asof","table":"items"}`, `"table"`},
		{`{"op":"asof","table":"shop.nope"}`, `"table"`},
		{`{"op":"asof","table":"shop.items","at":"yesterday"}`, `"at"`},
		{`{"op":"sql"}`, `"sql"`},
		{`{"op":"sql","sql":"SELECT * FROM read_csv('/etc/passwd')"}`, `"sql"`},
		{`{"op":"log","limit":"ten"}`, `"limit"`},
		{`{"op":"log","bogus":1}`, `"bogus"`},
		{`{"op":"log","format":"xml"}`, `"format"`},
		{`{"op":"log","since":"monday"}`, `"since"`},
		{`not json`, `not valid JSON`},
	}
	for _, tc := range cases {
		rep := invoke(t, q, tc.event)
		if rep.ErrorType != "BadRequest" || !strings.Contains(rep.ErrorMessage, tc.field) {
			t.Errorf("%s: got %s %q, want BadRequest naming %s", tc.event, rep.ErrorType, rep.ErrorMessage, tc.field)
		}
	}
	// still serving after every refusal
	if a := decodeAnswer(t, q, invoke(t, q, `{"op":"log","limit":1}`)); a.RowCount != 1 {
		t.Fatalf("after bad events: %+v", a)
	}
}

func TestQueryFunctionURLAndLargeAnswers(t *testing.T) {
	f := newFixture(t)
	q := testenv.StartLambda(t, "binlake-query", bootstrap("query"), append(f.env, "BINLAKE_INLINE_LIMIT=300"))
	url := func(body string) string {
		ev, _ := json.Marshal(map[string]any{"version": "2.0", "rawPath": "/", "body": body, "isBase64Encoded": false,
			"requestContext": map[string]any{"http": map[string]any{"method": "POST", "path": "/"}}})
		return string(ev)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	rep := invoke(t, q, url(`{"op":"asof","table":"shop.items"}`))
	if err := json.Unmarshal(rep.Payload, &resp); err != nil || resp.StatusCode != 200 {
		t.Fatalf("function URL answer: %s %v", rep.Payload, err)
	}
	var a answer
	if err := json.Unmarshal([]byte(resp.Body), &a); err != nil {
		t.Fatal(err)
	}
	if a.Result == nil || a.Result.URL == "" || a.RowCount != 39 {
		t.Fatalf("large answer not written as a result: %+v", a)
	}
	got, err := http.Get(a.Result.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if want := f.cli(t, "asof", "shop.items", "--format", "jsonl"); string(body) != want {
		t.Fatalf("presigned result (HTTP %d) differs from the CLI:\n%s\nwant\n%s", got.StatusCode, body, want)
	}
	rep = invoke(t, q, url(`{"op":"nope"}`))
	if err := json.Unmarshal(rep.Payload, &resp); err != nil || resp.StatusCode != 400 || !strings.Contains(resp.Body, `"field":"op"`) {
		t.Fatalf("function URL bad request: %s", rep.Payload)
	}
	// Parquet and CSV answers count their rows too (DuckDB writes the Parquet file).
	for _, format := range []string{"parquet", "csv"} {
		a := decodeAnswer(t, q, invoke(t, q, `{"op":"asof","table":"shop.items","format":"`+format+`"}`))
		if a.Result == nil || a.RowCount != 39 {
			t.Fatalf("%s answer: row_count %d, result %+v; want 39 rows in a result", format, a.RowCount, a.Result)
		}
	}
}

func TestVerifyAndCheckpointFunctions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	cp := testenv.StartLambda(t, "binlake-checkpoint", bootstrap("checkpoint"), f.env)
	before := f.cli(t, "asof", "shop.items", "--format", "jsonl")
	rep := invoke(t, cp, `{"min_changes":0}`)
	if rep.Failed() || !strings.Contains(string(rep.Payload), `"key":"checkpoints/shop/items/`) {
		t.Fatalf("checkpoint: %s %s %s", rep.ErrorType, rep.ErrorMessage, rep.Payload)
	}
	if after := f.cli(t, "asof", "shop.items", "--format", "jsonl"); after != before {
		t.Fatalf("as-of changed after a checkpoint:\n%s\nwas\n%s", after, before)
	}
	if rep := invoke(t, cp, `{"tables":["items"]}`); rep.ErrorType != "BadRequest" || !strings.Contains(rep.ErrorMessage, `"tables"`) {
		t.Fatalf("bad checkpoint event: %+v", rep)
	}

	v := testenv.StartLambda(t, "binlake-verify", bootstrap("verify"), f.env)
	var va struct {
		OK      bool   `json:"ok"`
		Break   string `json:"break"`
		Commits uint64 `json:"commits"`
		Objects int    `json:"objects"`
	}
	rep = invoke(t, v, `{}`)
	if err := json.Unmarshal(rep.Payload, &va); err != nil || !va.OK || va.Commits < 40 || va.Objects < 3 {
		t.Fatalf("verify of an intact chain: %s %v", rep.Payload, err)
	}
	// continuity needs DuckDB, which the verify function does not carry:
	// it is the query function's operation
	if rep := invoke(t, v, `{"continuity":true}`); rep.ErrorType != "BadRequest" || !strings.Contains(rep.ErrorMessage, `"op":"continuity"`) {
		t.Fatalf("verify with continuity: %s %q, want a BadRequest pointing to the query function", rep.ErrorType, rep.ErrorMessage)
	}
	q := testenv.StartLambda(t, "binlake-query", bootstrap("query"), f.env)
	var ca struct {
		OK          *bool             `json:"continuity_ok"`
		Divergences []json.RawMessage `json:"divergences"`
	}
	rep = invoke(t, q, `{"op":"continuity"}`)
	if err := json.Unmarshal(rep.Payload, &ca); err != nil || ca.OK == nil || !*ca.OK || len(ca.Divergences) != 0 {
		t.Fatalf("continuity of an intact chain: %s %s %v", rep.Payload, rep.ErrorMessage, err)
	}
	// alter one byte of one segment behind binlake's back
	keys, err := f.store.List(ctx, "segments/", "")
	if err != nil || len(keys) == 0 {
		t.Fatalf("list segments: %v", err)
	}
	data, err := layout.ReadAll(ctx, f.store, keys[0], 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 1
	if _, err := f.minio.Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lake"),
		Key: aws.String("shop-chain/" + keys[0]), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	rep = invoke(t, v, `{}`)
	if err := json.Unmarshal(rep.Payload, &va); err != nil || va.OK || !strings.Contains(va.Break, keys[0]) {
		t.Fatalf("verify of a tampered chain: %s %v", rep.Payload, err)
	}
}
