package layout_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/layout/storetest"
)

// peakHeap runs fn and returns the live heap before it and the highest
// live heap any collection found while it ran (runtime/metrics
// /gc/heap/live:bytes, sampled every millisecond; the collector runs
// often enough on its own while fn allocates, and forcing it would churn
// the encoders' pools).
func peakHeap(fn func()) (before, peak uint64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	runtime.GC() // and again, to empty the pools a previous fn filled
	before = live()
	peak = before
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				peak = max(peak, live())
			}
		}
	})
	var once sync.Once
	halt := func() { once.Do(func() { close(stop); wg.Wait() }) }
	defer halt() // also when fn stops the test
	fn()
	halt()
	runtime.GC()
	return before, max(peak, live())
}

// TestCheckpointPartMemory writes a checkpoint part of about 19 MiB and one
// of about 131 MiB and checks that memory does not grow with the part: a
// part goes to a spool file, not to a buffer, and is stored from it. What
// memory there is (a zstd encoder's window and one row group's pages) is
// the same for both.
func TestCheckpointPartMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 150 MiB of checkpoint parts")
	}
	const bound = 16 << 20
	small := writePart(t, 400_000)
	large := writePart(t, 2_800_000)
	for _, m := range []partMemory{small, large} {
		t.Logf("checkpoint part of %d rows, %.1f MiB: live heap %.1f MiB before, peak %.1f MiB (growth %.1f MiB)",
			m.rows, mib(m.size), mib(int64(m.before)), mib(int64(m.peak)), mib(m.growth()))
	}
	if large.size < 128<<20 {
		t.Fatalf("the large part has %.1f MiB, want at least 128", mib(large.size))
	}
	if d := large.growth() - small.growth(); d > bound {
		t.Errorf("a %.1f MiB part took %.1f MiB more memory than a %.1f MiB one, want under %.0f MiB more",
			mib(large.size), mib(d), mib(small.size), mib(bound))
	}
	if large.growth() > large.size/2 {
		t.Errorf("writing a %.1f MiB part grew the live heap by %.1f MiB, want under half the part",
			mib(large.size), mib(large.growth()))
	}
}

type partMemory struct {
	rows         int
	size         int64
	before, peak uint64
}

func (m partMemory) growth() int64 { return int64(m.peak) - int64(m.before) }

// writePart writes one checkpoint part of rows rows of 56 bytes (an id and
// 48 incompressible bytes) to a local store, measuring the live heap, and
// checks the part stored and that its spool is gone.
func writePart(t *testing.T, rows int) partMemory {
	t.Helper()
	const blob = 48
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := &layout.TableSchema{DB: "shop", Table: "big", Version: 1, PrimaryKey: []int{0}, Columns: []layout.Column{
		{Name: "id", Kind: layout.KindInt, SQLType: "bigint", Width: 8},
		{Name: "data", Kind: layout.KindBytes, SQLType: "blob", Nullable: true},
	}}
	spool := t.TempDir()
	parts := layout.NewCheckpointParts(context.Background(), st, s, 7, rows, 1<<30)
	parts.TempDir = spool
	defer parts.Discard()
	var objs []layout.Object
	before, peak := peakHeap(func() {
		gen := storetest.Generate(3, int64(rows*blob))
		for i := range rows {
			data := make([]byte, blob)
			if _, err := io.ReadFull(gen, data); err != nil {
				t.Fatal(err)
			}
			if err := parts.Write([]any{int64(i), data}); err != nil {
				t.Fatal(err)
			}
		}
		if objs, err = parts.Close(); err != nil {
			t.Fatal(err)
		}
	})
	if len(objs) != 1 || objs[0].Rows != int64(rows) {
		t.Fatalf("parts = %+v, want one part of %d rows", objs, rows)
	}
	// The part stored is the one the chain will record.
	r, err := st.Open(context.Background(), objs[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		t.Fatal(err)
	}
	if sha := hex.EncodeToString(h.Sum(nil)); n != objs[0].Size || sha != objs[0].SHA256 {
		t.Errorf("stored part: %d bytes with SHA-256 %s, the object says %d with %s", n, sha, objs[0].Size, objs[0].SHA256)
	}
	if left, _ := os.ReadDir(spool); len(left) != 0 {
		t.Errorf("the spool directory holds %d files after Close, want none", len(left))
	}
	return partMemory{rows: rows, size: objs[0].Size, before: before, peak: peak}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
