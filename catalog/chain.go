// Package catalog owns the manifest chain: appending with fencing, reading
// and verifying it, resolving refs, and answering which objects hold a table
// at a commit.
package catalog

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/binlake/binlake/layout"
)

// ErrFenced is returned by Append when another writer created the next
// manifest first: this writer must stop.
var ErrFenced = errors.New("another writer extended the chain")

// ErrEmpty is returned when a chain has no commits yet.
var ErrEmpty = errors.New("the chain has no commits yet")

// maxManifestBytes bounds the manifests the chain reads whole. One flush
// makes one manifest, a few MiB at most; a manifest above this is not one
// binlake wrote.
const maxManifestBytes = 256 << 20

// Chain is an in-memory view of a store's manifest chain. It is not safe for
// concurrent use; the ingest task owns one for appending, and each query
// builds its own.
type Chain struct {
	store     layout.Store
	manifests []*layout.Manifest // manifests[i].Seq == i+1
	headHash  string
	commits   []layout.Commit // commits[i].N == i+1
	tables    map[layout.TableRef]*tableHistory
}

type tableHistory struct {
	versions    []layout.TableSchema // by Version, from 1
	objects     []layout.Object      // in chain order
	checkpoints []Checkpoint         // in chain order, one per version and commit
}

// Checkpoint is the full state of a table at a commit, stored in one object
// or split into parts (layout.Object.Part).
type Checkpoint struct {
	Commit  uint64
	Version int
	// Objects are the parts in part order; the state is all their rows.
	Objects []layout.Object
}

// Rows is the number of rows of the table at the checkpoint.
func (cp *Checkpoint) Rows() int64 {
	var n int64
	for _, o := range cp.Objects {
		n += o.Rows
	}
	return n
}

// Open reads and verifies every manifest of the store's chain. An empty store
// gives an empty chain.
func Open(ctx context.Context, store layout.Store) (*Chain, error) {
	c := &Chain{store: store, tables: map[layout.TableRef]*tableHistory{}}
	if err := c.Refresh(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Refresh reads the manifests added since the chain was opened or last
// refreshed.
func (c *Chain) Refresh(ctx context.Context) error {
	after := ""
	if n := len(c.manifests); n > 0 {
		after = layout.ManifestKey(uint64(n))
	}
	keys, err := c.store.List(ctx, layout.ManifestPrefix(), after)
	if err != nil {
		return fmt.Errorf("list manifests: %w", err)
	}
	for _, key := range keys {
		seq, err := layout.ParseManifestKey(key)
		if err != nil {
			return fmt.Errorf("read chain: %w", err)
		}
		if want := uint64(len(c.manifests)) + 1; seq != want {
			return fmt.Errorf("read chain: found manifest %d where %d was expected: the chain has a gap", seq, want)
		}
		b, err := layout.ReadAll(ctx, c.store, key, maxManifestBytes)
		if err != nil {
			return fmt.Errorf("read manifest %d: %w", seq, err)
		}
		m, err := layout.DecodeManifest(b)
		if err != nil {
			return fmt.Errorf("read %s: %w", key, err)
		}
		if err := c.add(m, b); err != nil {
			return fmt.Errorf("read %s: %w", key, err)
		}
	}
	return nil
}

// add links a decoded manifest onto the in-memory chain after checking that
// it continues it.
func (c *Chain) add(m *layout.Manifest, raw []byte) error {
	if m.Seq != uint64(len(c.manifests))+1 {
		return fmt.Errorf("manifest says seq %d, expected %d", m.Seq, len(c.manifests)+1)
	}
	if m.Prev != c.headHash {
		return fmt.Errorf("previous-manifest hash %s does not match manifest %d's hash %s: the chain was altered", m.Prev, m.Seq-1, c.headHash)
	}
	if len(m.Commits) > 0 && m.Commits[0].N != uint64(len(c.commits))+1 {
		return fmt.Errorf("first commit %d does not follow commit %d", m.Commits[0].N, len(c.commits))
	}
	if len(c.manifests) > 0 {
		if src := c.manifests[0].Source; m.Source.Flavor != src.Flavor || m.Source.ServerID != src.ServerID || m.Source.UUID != src.UUID {
			return fmt.Errorf("source %+v differs from the chain's source %+v", m.Source, src)
		}
	}
	for _, s := range m.Schemas {
		h := c.history(s.DB, s.Table)
		if s.Version != len(h.versions)+1 {
			return fmt.Errorf("schema of %s.%s: version %d follows version %d", s.DB, s.Table, s.Version, len(h.versions))
		}
		h.versions = append(h.versions, s)
	}
	for _, o := range m.Objects {
		h := c.history(o.DB, o.Table)
		if o.SchemaVersion < 1 || o.SchemaVersion > len(h.versions) {
			return fmt.Errorf("object %s: %s.%s has no schema version %d", o.Key, o.DB, o.Table, o.SchemaVersion)
		}
		h.objects = append(h.objects, o)
	}
	c.addCheckpoints(m.Objects)
	c.manifests = append(c.manifests, m)
	if need := len(c.commits) + len(m.Commits); need > cap(c.commits) {
		// Double: a chain of a million commits should not be copied at
		// every quarter.
		c.commits = append(make([]layout.Commit, 0, max(2*cap(c.commits), need)), c.commits...)
	}
	c.commits = append(c.commits, m.Commits...)
	c.headHash = layout.Hash(raw)
	return nil
}

// addCheckpoints records the checkpoints among a manifest's objects, their
// parts together (the manifest's check made sure they are all there). A
// second checkpoint of the same table, version and commit (two checkpoint
// writers at once) adds nothing: the first stands.
func (c *Chain) addCheckpoints(objects []layout.Object) {
	type whole struct {
		ref     layout.TableRef
		version int
		commit  uint64
	}
	parts := map[whole][]layout.Object{}
	var order []whole
	for _, o := range objects {
		if o.Kind != layout.ObjectCheckpoint {
			continue
		}
		w := whole{layout.TableRef{DB: o.DB, Table: o.Table}, o.SchemaVersion, o.Last}
		if parts[w] == nil {
			order = append(order, w)
			parts[w] = make([]layout.Object, max(o.Parts, 1))
		}
		if i := max(o.Part, 1) - 1; i < len(parts[w]) && parts[w][i].Key == "" {
			parts[w][i] = o // the first stands here too
		}
	}
	for _, w := range order {
		h := c.history(w.ref.DB, w.ref.Table)
		if h.checkpointAt(w.version, w.commit) == nil {
			h.checkpoints = append(h.checkpoints, Checkpoint{Commit: w.commit, Version: w.version, Objects: parts[w]})
		}
	}
}

// checkpointAt returns the checkpoint of a version at exactly commit.
func (h *tableHistory) checkpointAt(version int, commit uint64) *Checkpoint {
	for i := range h.checkpoints {
		if cp := &h.checkpoints[i]; cp.Version == version && cp.Commit == commit {
			return cp
		}
	}
	return nil
}

func (c *Chain) history(db, table string) *tableHistory {
	ref := layout.TableRef{DB: db, Table: table}
	h := c.tables[ref]
	if h == nil {
		h = &tableHistory{}
		c.tables[ref] = h
	}
	return h
}

// Append makes m the next manifest: it fills in Seq and Prev and creates the
// manifest object only if absent. That create is the commit point. If
// another process created that manifest first, Append reads what it missed:
// when those manifests add no commits (a checkpoint writer's auxiliary
// manifests), it links m after them and tries again; otherwise another
// writer is extending the chain, and Append returns ErrFenced.
func (c *Chain) Append(ctx context.Context, m *layout.Manifest) error {
	for attempt := 0; ; attempt++ {
		err := c.tryAppend(ctx, m)
		if !errors.Is(err, layout.ErrExists) {
			return err
		}
		seen := len(c.manifests)
		if rerr := c.Refresh(ctx); rerr != nil {
			return fmt.Errorf("append manifest %d: %w", m.Seq, rerr)
		}
		for _, missed := range c.manifests[seen:] {
			if len(missed.Commits) > 0 {
				return fmt.Errorf("append manifest %d: manifest %d adds commits %d-%d: %w", m.Seq, missed.Seq,
					missed.Commits[0].N, missed.Commits[len(missed.Commits)-1].N, ErrFenced)
			}
		}
		if attempt >= 10 {
			return fmt.Errorf("append manifest %d: still contended after %d tries: %w", m.Seq, attempt, ErrFenced)
		}
		if len(m.Commits) > 0 && m.Commits[0].N != c.LastCommit()+1 {
			return fmt.Errorf("append manifest %d: commit numbers moved: %w", m.Seq, ErrFenced)
		}
	}
}

func (c *Chain) tryAppend(ctx context.Context, m *layout.Manifest) error {
	m.Format = layout.FormatVersion
	m.Seq = uint64(len(c.manifests)) + 1
	m.Prev = c.headHash
	if err := m.Validate(); err != nil {
		return fmt.Errorf("append manifest %d: refusing to write an invalid manifest: %w", m.Seq, err)
	}
	b, err := layout.EncodeManifest(m)
	if err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("append manifest %d: refusing to write an invalid manifest: %w", m.Seq, err)
	}
	if err := c.store.Create(ctx, layout.ManifestKey(m.Seq), b); err != nil {
		if errors.Is(err, layout.ErrExists) {
			return err
		}
		return fmt.Errorf("append manifest %d: %w", m.Seq, err)
	}
	if err := c.add(m, b); err != nil {
		return fmt.Errorf("append manifest %d: %w", m.Seq, err)
	}
	return nil
}

// AppendObjects appends an auxiliary manifest that adds objects (such as
// checkpoints) but no commits; it carries the head's source and resume
// position unchanged.
func (c *Chain) AppendObjects(ctx context.Context, objs []layout.Object) error {
	head := c.Head()
	if head == nil {
		return fmt.Errorf("add objects: %w", ErrEmpty)
	}
	return c.Append(ctx, &layout.Manifest{Created: time.Now().UTC(), Source: head.Source, Resume: head.Resume, Objects: objs})
}

// Store is the store the chain lives in.
func (c *Chain) Store() layout.Store { return c.store }

// Manifests returns the chain's manifests, oldest first. Callers must not
// modify them.
func (c *Chain) Manifests() []*layout.Manifest { return c.manifests }

// Head returns the newest manifest, or nil for an empty chain.
func (c *Chain) Head() *layout.Manifest {
	if len(c.manifests) == 0 {
		return nil
	}
	return c.manifests[len(c.manifests)-1]
}

// Commits returns every commit, oldest first. Callers must not modify it.
func (c *Chain) Commits() []layout.Commit { return c.commits }

// LastCommit is the number of the newest commit, 0 for an empty chain.
func (c *Chain) LastCommit() uint64 { return uint64(len(c.commits)) }

// Commit returns commit n.
func (c *Chain) Commit(n uint64) (layout.Commit, bool) {
	if n == 0 || n > uint64(len(c.commits)) {
		return layout.Commit{}, false
	}
	return c.commits[n-1], true
}

// Schemas returns every schema version of a table, oldest first.
func (c *Chain) Schemas(db, table string) []layout.TableSchema {
	if h := c.tables[layout.TableRef{DB: db, Table: table}]; h != nil {
		return h.versions
	}
	return nil
}

// LatestSchemas returns the newest schema version of every table the chain
// knows, dropped tables included, sorted by name.
func (c *Chain) LatestSchemas() []layout.TableSchema {
	var out []layout.TableSchema
	for _, h := range c.tables {
		if n := len(h.versions); n > 0 {
			out = append(out, h.versions[n-1])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}
