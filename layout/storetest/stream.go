package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/binlake/binlake/layout"
)

// Generate returns a reader of n deterministic pseudo-random bytes made
// from seed, without holding them: it stands for an object larger than
// memory, and it is not an io.Seeker, so a store cannot take a short cut.
func Generate(seed uint64, n int64) io.Reader {
	return &generator{seed: seed, left: n}
}

type generator struct {
	seed uint64
	pos  int64
	left int64
}

func (g *generator) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), g.left)]
	var word [8]byte
	for i := 0; i < len(p); {
		// Byte pos is byte pos%8 of the word for pos/8: splitmix64.
		z := g.seed + uint64(g.pos/8+1)*0x9e3779b97f4a7c15
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		binary.LittleEndian.PutUint64(word[:], z^z>>31)
		n := copy(p[i:], word[g.pos%8:])
		i += n
		g.pos += int64(n)
	}
	g.left -= int64(len(p))
	return len(p), nil
}

// onlyReader hides every method of a reader but Read (io.Seeker,
// io.WriterTo), as a network stream would.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// failingReader yields its bytes and then an error instead of io.EOF.
type failingReader struct{ r io.Reader }

var errReader = errors.New("the reader broke")

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if errors.Is(err, io.EOF) {
		err = errReader
	}
	return n, err
}

func hashOf(t *testing.T, r io.Reader) (string, int64) {
	t.Helper()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		t.Fatalf("hash: %v", err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), n
}

// openHash returns the SHA-256 and size of an object, streaming it.
func openHash(t *testing.T, s layout.Store, key string) (string, int64) {
	t.Helper()
	r, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer r.Close()
	return hashOf(t, r)
}

// testPutFromPosition puts the rest of a reader that was read from.
func testPutFromPosition(t *testing.T, s layout.Store) {
	for name, wrap := range map[string]func(io.Reader) io.Reader{
		"seekable": func(r io.Reader) io.Reader { return r },
		"stream":   func(r io.Reader) io.Reader { return onlyReader{r} },
	} {
		r := bytes.NewReader([]byte("skip:the rest"))
		if _, err := r.Seek(5, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		key := "from/" + name
		if err := s.Put(context.Background(), key, wrap(r), 8); err != nil {
			t.Fatalf("Put(%q) of the rest of a reader: %v", key, err)
		}
		if got := mustRead(t, s, key); string(got) != "the rest" {
			t.Errorf("Open(%q) read %q, want %q", key, got, "the rest")
		}
	}
}

// testPutWrongSize: a reader that does not yield the size announced is an
// error, and nothing new is visible under the key.
func testPutWrongSize(t *testing.T, s layout.Store) {
	ctx := context.Background()
	mustPut(t, s, "kept", []byte("old"))
	tests := []struct {
		name   string
		reader func() io.Reader
		size   int64
	}{
		{"short seekable", func() io.Reader { return strings.NewReader("hello") }, 6},
		{"long seekable", func() io.Reader { return strings.NewReader("hello") }, 4},
		{"empty seekable", func() io.Reader { return strings.NewReader("") }, 1},
		{"short stream", func() io.Reader { return onlyReader{strings.NewReader("hello")} }, 6},
		{"long stream", func() io.Reader { return onlyReader{strings.NewReader("hello")} }, 4},
		{"long by a byte", func() io.Reader { return Generate(1, 1<<20+1) }, 1 << 20},
		{"short by a byte", func() io.Reader { return Generate(1, 1<<20-1) }, 1 << 20},
		{"failing stream", func() io.Reader { return failingReader{strings.NewReader("hello")} }, 5},
		{"negative size", func() io.Reader { return strings.NewReader("") }, -1},
	}
	for _, tc := range tests {
		key := "fresh/" + strings.ReplaceAll(tc.name, " ", "-")
		if err := s.Put(ctx, key, tc.reader(), tc.size); err == nil {
			t.Errorf("%s: Put of a new key with size %d succeeded, want an error", tc.name, tc.size)
		}
		if r, err := s.Open(ctx, key); !errors.Is(err, layout.ErrNotFound) {
			if r != nil {
				r.Close()
			}
			t.Errorf("%s: after a failed Put, Open(%q) error = %v, want ErrNotFound", tc.name, key, err)
		}
		if err := s.Put(ctx, "kept", tc.reader(), tc.size); err == nil {
			t.Errorf("%s: Put over an object with size %d succeeded, want an error", tc.name, tc.size)
		}
		if got := mustRead(t, s, "kept"); string(got) != "old" {
			t.Errorf("%s: after a failed Put, the object replaced reads %q, want %q", tc.name, got, "old")
		}
	}
	if keys := mustList(t, s, "", ""); !slices.Equal(keys, []string{"kept"}) {
		t.Errorf("List after failed Puts = %q, want only %q", keys, "kept")
	}
}

// testLargeObject round-trips an object that is never whole in the test's
// memory, comparing by hash.
func testLargeObject(t *testing.T, s layout.Store) {
	const size = 64 << 20
	const key = "checkpoints/db/t/v000001/large.parquet"
	if err := s.Put(context.Background(), key, Generate(7, size), size); err != nil {
		t.Fatalf("Put of %d bytes: %v", size, err)
	}
	want, _ := hashOf(t, Generate(7, size))
	if got, n := openHash(t, s, key); got != want || n != size {
		t.Errorf("Open read %d bytes with SHA-256 %s, want %d with %s", n, got, size, want)
	}
	// A range deep inside matches the generator there.
	const offset, length = 40<<20 + 3, 1000
	g := Generate(7, size)
	if _, err := io.CopyN(io.Discard, g, offset); err != nil {
		t.Fatal(err)
	}
	wantRange := make([]byte, length)
	if _, err := io.ReadFull(g, wantRange); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetRange(context.Background(), key, offset, length)
	if err != nil || !bytes.Equal(got, wantRange) {
		t.Errorf("GetRange(%d, %d) = %d bytes, %v; want the generator's %d", offset, length, len(got), err, length)
	}
}

// testConcurrentPuts writes distinct keys, and one content-addressed key
// with the same bytes, from many goroutines at once.
func testConcurrentPuts(t *testing.T, s layout.Store) {
	const writers, size = 12, 1 << 20
	key := func(i int) string { return fmt.Sprintf("conc/%02d", i) }
	errs := make([]error, 2*writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			errs[i] = s.Put(context.Background(), key(i), Generate(uint64(i), size), size)
		})
		wg.Go(func() {
			errs[writers+i] = s.Put(context.Background(), "conc/same", Generate(99, size), size)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent Puts: %v", err)
	}
	want := []string{}
	for i := range writers {
		want = append(want, key(i))
		wantHash, _ := hashOf(t, Generate(uint64(i), size))
		if got, n := openHash(t, s, key(i)); got != wantHash || n != size {
			t.Errorf("Open(%q) read %d bytes with SHA-256 %s, want %d with %s", key(i), n, got, size, wantHash)
		}
	}
	wantHash, _ := hashOf(t, Generate(99, size))
	if got, n := openHash(t, s, "conc/same"); got != wantHash || n != size {
		t.Errorf("Open(conc/same) read %d bytes with SHA-256 %s, want %d with %s", n, got, size, wantHash)
	}
	want = append(want, "conc/same")
	slices.Sort(want)
	if got := mustList(t, s, "conc/", ""); !slices.Equal(got, want) {
		t.Errorf("List(conc/) = %q, want %q", got, want)
	}
}

// testReadAll reads small objects whole and refuses larger ones.
func testReadAll(t *testing.T, s layout.Store) {
	ctx := context.Background()
	data := bytes.Repeat([]byte("m"), 100)
	mustPut(t, s, "manifests/x.json", data)
	mustPut(t, s, "manifests/empty.json", nil)
	tests := []struct {
		key     string
		limit   int64
		want    []byte
		wantErr string // "" for none
	}{
		{"manifests/x.json", 100, data, ""},
		{"manifests/x.json", 1 << 20, data, ""},
		{"manifests/x.json", 99, nil, "larger than the limit of 99 bytes"},
		{"manifests/empty.json", 0, []byte{}, ""},
	}
	for _, tc := range tests {
		got, err := layout.ReadAll(ctx, s, tc.key, tc.limit)
		switch {
		case tc.wantErr == "" && (err != nil || !bytes.Equal(got, tc.want)):
			t.Errorf("ReadAll(%q, %d) = %d bytes, %v; want %d bytes", tc.key, tc.limit, len(got), err, len(tc.want))
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), tc.key)):
			t.Errorf("ReadAll(%q, %d) error = %v, want one naming the key and %q", tc.key, tc.limit, err, tc.wantErr)
		}
	}
	if _, err := layout.ReadAll(ctx, s, "manifests/absent.json", 100); !errors.Is(err, layout.ErrNotFound) {
		t.Errorf("ReadAll of a missing key: error = %v, want ErrNotFound", err)
	}
}
