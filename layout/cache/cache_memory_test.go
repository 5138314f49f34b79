package cache_test

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
	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/layout/storetest"
)

// memory is what one operation cost in heap: bytes allocated in all
// (TotalAlloc), HeapInuse before and after, and the highest live heap a
// collection found while it ran.
type memory struct {
	allocated               uint64
	inuseBefore, inuseAfter uint64
	liveBefore, livePeak    uint64
}

func (m memory) peakGrowth() int64 { return int64(m.livePeak) - int64(m.liveBefore) }

// measure runs fn, sampling runtime.ReadMemStats before and after and the
// live heap (runtime/metrics /gc/heap/live:bytes) every millisecond.
func measure(fn func()) memory {
	var ms runtime.MemStats
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	m := memory{inuseBefore: ms.HeapInuse, liveBefore: live()}
	allocated := ms.TotalAlloc
	m.livePeak = m.liveBefore
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
				m.livePeak = max(m.livePeak, live())
			}
		}
	})
	var once sync.Once
	halt := func() { once.Do(func() { close(stop); wg.Wait() }) }
	defer halt() // also when fn stops the test
	fn()
	halt()
	runtime.ReadMemStats(&ms)
	m.allocated = ms.TotalAlloc - allocated
	runtime.GC()
	runtime.ReadMemStats(&ms)
	m.inuseAfter = ms.HeapInuse
	m.livePeak = max(m.livePeak, live())
	return m
}

// TestCacheFetchMemory stores a 256 MiB object from a generator and fetches
// it through the cache: neither allocates more than a few buffers, because
// the object streams from reader to file on both sides.
func TestCacheFetchMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes two 256 MiB files")
	}
	const size, bound = 256 << 20, 16 << 20
	ctx := context.Background()
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := cache.New(t.TempDir(), st)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, storetest.Generate(5, size)); err != nil {
		t.Fatal(err)
	}
	o := layout.Object{Key: "segments/shop/big/v000001/1-1-x.parquet", SHA256: hex.EncodeToString(h.Sum(nil)), Size: size}

	put := measure(func() {
		if err := st.Put(ctx, o.Key, storetest.Generate(5, size), size); err != nil {
			t.Fatal(err)
		}
	})
	var path string
	fetch := measure(func() {
		if path, err = c.Fetch(ctx, o); err != nil {
			t.Fatal(err)
		}
	})
	for _, tc := range []struct {
		op string
		m  memory
	}{{"Put", put}, {"Fetch", fetch}} {
		t.Logf("%s of %d MiB: allocated %.2f MiB; HeapInuse %.2f MiB before, %.2f MiB after; live heap %.2f MiB before, peak %.2f MiB",
			tc.op, size>>20, mib(tc.m.allocated), mib(tc.m.inuseBefore), mib(tc.m.inuseAfter), mib(tc.m.liveBefore), mib(tc.m.livePeak))
		if tc.m.allocated > bound || tc.m.peakGrowth() > bound {
			t.Errorf("%s of a %d MiB object allocated %.1f MiB and grew the live heap by %.1f MiB, want both under %d MiB",
				tc.op, size>>20, mib(tc.m.allocated), mib(tc.m.peakGrowth()), bound>>20)
		}
	}
	if info, err := os.Stat(path); err != nil || info.Size() != size {
		t.Errorf("cached object: %v, %v; want %d bytes", info, err, size)
	}
}

func mib[T int64 | uint64](n T) float64 { return float64(n) / (1 << 20) }
