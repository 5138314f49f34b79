package handler

import (
	"errors"
	"strings"
	"testing"

	"github.com/binlake/binlake/functions/lambdaio"
)

func TestDecodeQueryRequest(t *testing.T) {
	tests := []struct {
		event string
		field string // "" means valid
		msg   string
	}{
		{`{"op":"log"}`, "", ""},
		{``, "op", "missing"},
		{`{"op":"asof","table":"shop.t","at":"HEAD~2","format":"parquet"}`, "", ""},
		{`{"op":"asof","table":"t"}`, "table", "DB.TABLE"},
		{`{"op":"sql","sql":"  "}`, "sql", "missing"},
		{`{"op":"log","limit":-1}`, "limit", "negative"},
		{`{"op":"log","limit":1.5}`, "limit", "want int"},
		{`{"op":"log","until":"noon"}`, "until", "RFC 3339"},
		{`{"op":"log","extra":true}`, "extra", "not a field"},
		{`{"op":"log"} {"op":"log"}`, "", "more than one JSON value"},
		{`[1,2]`, "", "want handler.QueryRequest"},
		{`{"op":`, "", "cannot decode"},
	}
	for _, tt := range tests {
		var req QueryRequest
		err := lambdaio.DecodeStrict([]byte(tt.event), &req)
		if err == nil {
			err = req.validate()
		}
		var br *lambdaio.BadRequest
		switch {
		case tt.field == "" && tt.msg == "":
			if err != nil {
				t.Errorf("%s: %v", tt.event, err)
			}
		case !errors.As(err, &br):
			t.Errorf("%s: got %v, want a BadRequest", tt.event, err)
		case br.Field != tt.field || !strings.Contains(br.Error(), tt.msg):
			t.Errorf("%s: got field %q %q, want field %q with %q", tt.event, br.Field, br.Error(), tt.field, tt.msg)
		}
	}
}

func FuzzDecodeQueryRequest(f *testing.F) {
	for _, s := range []string{`{"op":"log"}`, `{"op":"asof","table":"a.b","at":"0-1-2"}`, `{"op":"sql","sql":"SELECT 1"}`, `null`, `{"limit":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var req QueryRequest
		err := lambdaio.DecodeStrict(data, &req)
		if err == nil {
			err = req.validate()
		}
		var br *lambdaio.BadRequest
		if err != nil && !errors.As(err, &br) {
			t.Fatalf("%q: error %v is not a BadRequest", data, err)
		}
	})
}
