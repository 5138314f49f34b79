package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/binlake/binlake/layout"
)

var t0 = time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)

func testSchema(version int, since uint64) layout.TableSchema {
	return layout.TableSchema{DB: "shop", Table: "orders", Version: version, Since: since,
		Columns: []layout.Column{{Name: "id", Kind: layout.KindInt, SQLType: "int", Width: 4}}, PrimaryKey: []int{0}}
}

func commits(first, n uint64) []layout.Commit {
	var out []layout.Commit
	for i := first; i < first+n; i++ {
		out = append(out, layout.Commit{N: i, Kind: layout.CommitDML, GTID: "0-1-" + itoa(i*2), File: "bin.000001",
			Pos: uint32(100 * i), Time: t0.Add(time.Duration(i) * time.Second)})
	}
	return out
}

func itoa(n uint64) string { return strings.TrimSpace(strings.Repeat(" ", 0) + uintString(n)) }

func uintString(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func segment(version int, first, last uint64) layout.Object {
	return layout.Object{Key: layout.SegmentKey("shop", "orders", version, first, last, strings.Repeat("a", 64)),
		SHA256: strings.Repeat("a", 64), Kind: layout.ObjectSegment, DB: "shop", Table: "orders",
		SchemaVersion: version, First: first, Last: last}
}

func buildChain(t *testing.T) (*Chain, *memStore) {
	t.Helper()
	ctx := context.Background()
	st := newMemStore()
	c, err := Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	src := layout.Source{Flavor: "mariadb", ServerID: 1, Origin: "live"}
	m1 := &layout.Manifest{Source: src, Commits: commits(1, 3), Schemas: []layout.TableSchema{testSchema(1, 1)},
		Objects: []layout.Object{segment(1, 1, 3)}}
	v2 := testSchema(2, 4)
	v2.Origins = []layout.ColumnOrigin{{From: 0}}
	m2 := &layout.Manifest{Source: src, Commits: commits(4, 3), Schemas: []layout.TableSchema{v2},
		Objects: []layout.Object{segment(2, 5, 6)}}
	for _, m := range []*layout.Manifest{m1, m2} {
		if err := c.Append(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	return c, st
}

func TestAppendAndReopen(t *testing.T) {
	c, st := buildChain(t)
	again, err := Open(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if again.LastCommit() != 6 || again.headHash != c.headHash || len(again.Schemas("shop", "orders")) != 2 {
		t.Fatalf("reopened chain differs: %d commits", again.LastCommit())
	}
}

func TestAppendFenced(t *testing.T) {
	ctx := context.Background()
	c, st := buildChain(t)
	rival, err := Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	src := layout.Source{Flavor: "mariadb", ServerID: 1}
	if err := rival.Append(ctx, &layout.Manifest{Source: src, Commits: commits(7, 1)}); err != nil {
		t.Fatal(err)
	}
	err = c.Append(ctx, &layout.Manifest{Source: src, Commits: commits(7, 1)})
	if !errors.Is(err, ErrFenced) {
		t.Fatalf("second writer got %v, want ErrFenced", err)
	}
	again, err := Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if again.LastCommit() != 7 || len(again.Manifests()) != 3 {
		t.Fatalf("after the fence the store holds %d manifests, %d commits", len(again.Manifests()), again.LastCommit())
	}
}

// TestAppendAfterAuxiliaryManifest checks that a checkpoint writer's
// manifest (objects, no commits) does not fence the commit writer.
func TestAppendAfterAuxiliaryManifest(t *testing.T) {
	ctx := context.Background()
	c, st := buildChain(t)
	aux, err := Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	cp := segment(2, 6, 6)
	cp.Kind, cp.First, cp.Key = layout.ObjectCheckpoint, 6, layout.CheckpointKey("shop", "orders", 2, 6, cp.SHA256)
	if err := aux.AppendObjects(ctx, []layout.Object{cp}); err != nil {
		t.Fatal(err)
	}
	src := layout.Source{Flavor: "mariadb", ServerID: 1, Origin: "live"}
	if err := c.Append(ctx, &layout.Manifest{Source: src, Commits: commits(7, 1)}); err != nil {
		t.Fatalf("commit writer fenced by an auxiliary manifest: %v", err)
	}
	if c.Head().Seq != 4 || c.LastCommit() != 7 {
		t.Fatalf("head %d, last commit %d", c.Head().Seq, c.LastCommit())
	}
	st7, err := c.TableAt("shop", "orders", 7)
	if err != nil {
		t.Fatal(err)
	}
	if st7.Checkpoint == nil || st7.From != 6 || st7.Base != nil || len(st7.Segments) != 0 {
		t.Fatalf("state at 7 does not start from the checkpoint: %+v", st7)
	}
}

func TestOpenDetectsTampering(t *testing.T) {
	_, st := buildChain(t)
	key := layout.ManifestKey(1)
	orig := string(st.objs[key])
	st.objs[key] = []byte(strings.Replace(orig, `"pos":100`, `"pos":101`, 1))
	if string(st.objs[key]) == orig {
		t.Fatalf("manifest 1 has no \"pos\":100 to alter:\n%s", orig)
	}
	_, err := Open(context.Background(), st)
	if err == nil || !strings.Contains(err.Error(), "the chain was altered") {
		t.Fatalf("got %v, want a broken-link error", err)
	}
}

func TestOpenDetectsGap(t *testing.T) {
	_, st := buildChain(t)
	delete(st.objs, layout.ManifestKey(1))
	_, err := Open(context.Background(), st)
	if err == nil || !strings.Contains(err.Error(), "gap") {
		t.Fatalf("got %v, want a gap error", err)
	}
}

// TestResolve checks every ref form: a ref names exactly one commit or is
// an error that says what the chain holds; nothing silently means HEAD.
// The chain: commits 1..6 with GTIDs 0-1-2 .. 0-1-12, ending at
// bin.000001:100 .. :600, at t0+1s .. t0+6s.
func TestResolve(t *testing.T) {
	c, _ := buildChain(t)
	after := RefRules{TimeAfterHead: true}
	tests := []struct {
		name  string
		ref   string
		rules RefRules
		want  uint64
		err   string
	}{
		{name: "head", ref: "HEAD", want: 6},
		{name: "head lower case, back 2", ref: "head~2", want: 4},
		{name: "head back to the first", ref: "HEAD~5", want: 1},
		{name: "head back too far", ref: "HEAD~6", err: "only 6 commits: HEAD~5 is the oldest"},
		{name: "head back not a number", ref: "HEAD~x", err: "not a number"},
		{name: "commit number", ref: "3", want: 3},
		{name: "commit number past head", ref: "7", err: "commits run from 1 to 6"},
		{name: "commit zero", ref: "0", err: "commits run from 1 to 6"},
		{name: "gtid exact", ref: "0-1-8", want: 4},
		{name: "gtid between two", ref: "0-1-9", err: "run from 0-1-2 to 0-1-12"},
		{name: "gtid past newest (the typo of item 9)", ref: "0-1-999", err: "newest GTID of domain 0 is 0-1-12, commit 6"},
		{name: "gtid before oldest", ref: "0-1-1", err: "oldest GTID of domain 0 is 0-1-2"},
		{name: "gtid of another server", ref: "0-2-8", err: "not among them"},
		{name: "gtid of an unknown domain", ref: "1-1-9", err: "no GTID of domain 1 (it has domain 0)"},
		{name: "gtid with a leading zero", ref: "0-01-8", err: "no leading zeros"},
		{name: "mysql gtid of an unknown server", ref: "3E11FA47-71CA-11E1-9E33-C80AA9429562:5",
			err: "no GTID of server 3e11fa47-71ca-11e1-9e33-c80aa9429562"},
		{name: "position at a commit's end", ref: "bin.000001:400", want: 4},
		{name: "position between commits", ref: "bin.000001:450", want: 4},
		{name: "position at the newest commit", ref: "bin.000001:600", want: 6},
		{name: "position after the newest commit", ref: "bin.000001:601", err: "after the newest commit, commit 6"},
		{name: "position in a later file", ref: "bin.000002:1", err: "after the newest commit"},
		{name: "position in a file the chain never saw", ref: "other-bin.000001:4", err: "no commit in binlog file other-bin.000001"},
		{name: "position in an earlier file", ref: "bin.000000:450", err: "no commit in binlog file bin.000000"},
		{name: "position before the first commit", ref: "bin.000001:50", err: "chain starts after"},
		{name: "time at a commit", ref: t0.Add(5 * time.Second).Format(time.RFC3339), want: 5},
		{name: "time between commits", ref: t0.Add(5500 * time.Millisecond).Format(time.RFC3339Nano), want: 5},
		{name: "time in another zone", ref: t0.Add(5 * time.Second).In(time.FixedZone("X", 3600)).Format(time.RFC3339), want: 5},
		{name: "time before the first commit", ref: t0.Format(time.RFC3339), err: "first commit is at"},
		{name: "time after the newest commit", ref: t0.Add(time.Hour).Format(time.RFC3339), err: "after the newest commit, commit 6"},
		{name: "time after the newest, allowed", ref: t0.Add(time.Hour).Format(time.RFC3339), rules: after, want: 6},
		{name: "date only", ref: "2024-03-01", err: "ambiguous"},
		{name: "date and time without zone", ref: "2026-11-22 03:00:05", err: "ambiguous"},
		{name: "time without zone", ref: "2026-11-22T03:00:05", err: "ambiguous"},
		{name: "word", ref: "yesterday", err: "accepted forms"},
		{name: "empty", ref: " ", err: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.ResolveWith(tt.ref, tt.rules)
			if tt.err != "" {
				var re *RefError
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.As(err, &re) {
					t.Errorf("Resolve(%q) = %d, %v; want a RefError with %q", tt.ref, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Resolve(%q) = %d, %v; want %d", tt.ref, got, err, tt.want)
			}
		})
	}
}

func TestTableAt(t *testing.T) {
	c, _ := buildChain(t)
	st, err := c.TableAt("shop", "orders", 6)
	if err != nil {
		t.Fatal(err)
	}
	if st.Schema.Version != 2 || st.From != 3 || st.Base == nil || len(st.Segments) != 1 {
		t.Fatalf("state at 6: %+v", st)
	}
	if b := st.Base; b.Schema.Version != 1 || b.Commit != 3 || len(b.Segments) != 1 || b.Base != nil {
		t.Fatalf("base: %+v", b)
	}
	st, err = c.TableAt("shop", "orders", 2)
	if err != nil || st.Schema.Version != 1 || len(st.Segments) != 1 {
		t.Fatalf("state at 2: %+v %v", st, err)
	}
	if _, err := c.TableAt("shop", "nope", 6); !errors.Is(err, ErrNoTable) || !strings.Contains(err.Error(), "shop.orders") {
		t.Fatalf("missing table: %v", err)
	}
}

// TestCheckpointParts: a checkpoint split into parts reads as one, its
// parts in order whatever their order in the manifest; a second checkpoint
// of the same commit (a second writer) does not replace the first.
func TestCheckpointParts(t *testing.T) {
	ctx := context.Background()
	c, _ := buildChain(t)
	part := func(i, n int, sha string) layout.Object {
		return layout.Object{Key: layout.CheckpointKey("shop", "orders", 2, 6, sha), SHA256: sha,
			Kind: layout.ObjectCheckpoint, DB: "shop", Table: "orders", SchemaVersion: 2, First: 6, Last: 6,
			Rows: int64(10 * i), Part: i, Parts: n}
	}
	a, b, x := strings.Repeat("a", 64), strings.Repeat("b", 64), strings.Repeat("c", 64)
	if err := c.AppendObjects(ctx, []layout.Object{part(2, 2, b), part(1, 2, a)}); err != nil {
		t.Fatal(err)
	}
	if err := c.AppendObjects(ctx, []layout.Object{part(1, 1, x)}); err != nil {
		t.Fatal(err)
	}
	st, err := c.TableAt("shop", "orders", 6)
	if err != nil {
		t.Fatal(err)
	}
	cp := st.Checkpoint
	if cp == nil || cp.Commit != 6 || len(cp.Objects) != 2 || cp.Objects[0].SHA256 != a || cp.Objects[1].SHA256 != b || cp.Rows() != 30 {
		t.Fatalf("checkpoint at 6: %+v, want parts a and b in order, 30 rows", cp)
	}
	if got := c.Checkpoints("shop", "orders", 2); len(got) != 1 {
		t.Fatalf("Checkpoints: %+v, want the first checkpoint at 6 only", got)
	}
	if vs, err := c.VersionState("shop", "orders", 2, 6); err != nil || vs.Checkpoint != nil {
		t.Fatalf("VersionState of version 2 (since 4): %+v, %v; the checkpoint at 6 is not its start", vs, err)
	}
}
