package layout

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendCommitMatchesJSON: the hand-written commit encoder writes the
// bytes encoding/json writes, for awkward strings and times too.
func TestAppendCommitMatchesJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	strs := []string{"", "0-1-7", "bin.000001", "shop", "a\"b", `back\slash`, "<tag>&", "tab\there", "line\nbreak",
		"caf\u00e9", "\u2028sep", "bad\xffutf8", "CREATE TABLE t (x INT) COMMENT 'é'", "\x00nul", "\x7fdel"}
	pick := func() string { return strs[rng.IntN(len(strs))] }
	times := []time.Time{time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 8, 0, 0, 123456000, time.UTC),
		time.Unix(0, 0).UTC(), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 23, 59, 59, 1, time.FixedZone("x", 3600))}
	for i := range 2000 {
		c := Commit{N: rng.Uint64(), Kind: CommitKind(pick()), GTID: pick(), File: pick(), Pos: rng.Uint32(),
			Time: times[rng.IntN(len(times))], DDL: pick(), Schema: pick(), XID: pick()}
		for range rng.IntN(3) {
			c.Tables = append(c.Tables, TableCount{DB: pick(), Table: pick(), Inserts: rng.Uint64N(3), Updates: rng.Uint64N(3), Deletes: rng.Uint64N(3)})
		}
		want, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendCommit(nil, &c)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("commit %d:\n got %s\nwant %s", i, got, want)
		}
	}
	if _, err := appendCommit(nil, &Commit{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Fatal("a time in year 10000 encoded; encoding/json refuses it")
	}
}
