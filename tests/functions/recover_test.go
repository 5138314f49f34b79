package functions

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/tests/testenv"
)

type recoverAnswer struct {
	OK    bool `json:"ok"`
	Patch *struct {
		Key, URL string
	} `json:"patch"`
	Statements int `json:"statements"`
	Conflicts  []struct {
		Table, Key string
		Commit     uint64
	} `json:"conflicts"`
}

// withoutCreated drops the header line that differs between two runs.
func withoutCreated(patch string) string {
	var keep []string
	for _, l := range strings.Split(patch, "\n") {
		if !strings.HasPrefix(l, "-- created:") && !strings.HasPrefix(l, "-- store:") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func TestRecoverFunction(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := testenv.StartLambda(t, "binlake-recover", bootstrap("recover"), f.env)
	decode := func(rep testenv.Reply) recoverAnswer {
		t.Helper()
		if rep.Failed() {
			t.Fatalf("recover failed: %s: %s\n%s", rep.ErrorType, rep.ErrorMessage, r.Output())
		}
		var a recoverAnswer
		if err := json.Unmarshal(rep.Payload, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	// HEAD~1 deleted the 'buy' event: nothing touched that row since.
	a := decode(invoke(t, r, `{"op":"revert","commits":["HEAD~1"]}`))
	if !a.OK || a.Patch == nil || !strings.HasPrefix(a.Patch.Key, "patches/") || a.Statements != 1 {
		t.Fatalf("revert answer: %+v", a)
	}
	got, err := layout.ReadAll(ctx, f.store, a.Patch.Key, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if want := f.cli(t, "revert", "HEAD~1"); withoutCreated(string(got)) != withoutCreated(want) {
		t.Fatalf("function patch differs from the CLI's:\n%s\nCLI:\n%s", got, want)
	}
	// commit 2 inserted item 3, which the later price update changed
	a = decode(invoke(t, r, `{"op":"revert","commits":["2"]}`))
	if a.OK || a.Patch != nil || len(a.Conflicts) == 0 || a.Conflicts[0].Table != "shop.items" {
		t.Fatalf("conflicting revert: %+v", a)
	}
	a = decode(invoke(t, r, `{"op":"patch","from":"HEAD","to":"1","tables":["shop.events"]}`))
	if !a.OK || a.Patch == nil || a.Statements == 0 {
		t.Fatalf("patch answer: %+v", a)
	}
	for _, tc := range []struct{ event, field string }{
		{`{"op":"revert"}`, `"commits"`},
		{`{"op":"undo"}`, `"op"`},
		{`{"op":"revert","commits":["never"]}`, `"commits"`},
		{`{"op":"revert","commits":["HEAD~1"],"on_conflict":"ignore"}`, `"on_conflict"`},
		{`{"op":"patch","from":"1"}`, `"to"`},
		{`{"op":"patch","from":"1","to":"HEAD","tables":["events"]}`, `"tables"`},
	} {
		rep := invoke(t, r, tc.event)
		if rep.ErrorType != "BadRequest" || !strings.Contains(rep.ErrorMessage, tc.field) {
			t.Errorf("%s: got %s %q, want BadRequest naming %s", tc.event, rep.ErrorType, rep.ErrorMessage, tc.field)
		}
	}
}
