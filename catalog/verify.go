package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/binlake/binlake/layout"
	"golang.org/x/sync/errgroup"
)

// VerifyReport is the result of walking a chain.
type VerifyReport struct {
	Manifests int
	Commits   uint64
	Objects   int
	Bytes     int64
	// Gaps are the tables whose history is incomplete: each was copied
	// afresh (a resnapshot) at Commit, after changes binlake could not
	// read. Not a break: the chain says so itself.
	Gaps []HistoryGap
}

// HistoryGap is a table version whose rows start from a copy (see
// layout.TableSchema.Gap).
type HistoryGap struct {
	Table  layout.TableRef
	Commit uint64
	Why    string // the resnapshot commit's note
}

// Gaps lists the gaps in the tables' histories, in commit order.
func (c *Chain) Gaps() []HistoryGap {
	var out []HistoryGap
	for _, ref := range c.Tables() {
		for _, v := range c.Schemas(ref.DB, ref.Table) {
			if v.Gap {
				cm, _ := c.Commit(v.Since)
				out = append(out, HistoryGap{Table: ref, Commit: v.Since, Why: strings.TrimPrefix(cm.DDL, "-- ")})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Commit < out[j].Commit })
	return out
}

// Verify checks every object the chain references against the size and
// SHA-256 its manifest recorded (the manifests themselves were checked link
// by link when the chain was opened). It stops at the first break and names
// it. progress, when set, is called after each object.
func (c *Chain) Verify(ctx context.Context, progress func(done, total int)) (VerifyReport, error) {
	objs := c.Objects()
	rep := VerifyReport{Manifests: len(c.manifests), Commits: c.LastCommit(), Objects: len(objs), Gaps: c.Gaps()}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	done := make(chan int64, len(objs))
	for _, o := range objs {
		g.Go(func() error {
			size, sha, err := c.hashObject(gctx, o.Key)
			if err != nil {
				return fmt.Errorf("object %s (%s.%s, commits %d-%d): %w", o.Key, o.DB, o.Table, o.First, o.Last, err)
			}
			if size != o.Size || sha != o.SHA256 {
				return fmt.Errorf("object %s (%s.%s, commits %d-%d) was altered: %d bytes with SHA-256 %s, the chain records %d bytes with %s",
					o.Key, o.DB, o.Table, o.First, o.Last, size, sha, o.Size, o.SHA256)
			}
			done <- size
			return nil
		})
	}
	errc := make(chan error, 1)
	go func() { errc <- g.Wait(); close(done) }()
	n := 0
	for size := range done {
		n++
		rep.Bytes += size
		if progress != nil {
			progress(n, len(objs))
		}
	}
	return rep, <-errc
}

// hashObject streams an object from the store through SHA-256 and returns
// its size and hash (as layout.Hash gives it), never holding it whole.
func (c *Chain) hashObject(ctx context.Context, key string) (int64, string, error) {
	r, err := c.store.Open(ctx, key)
	if err != nil {
		return 0, "", err
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
