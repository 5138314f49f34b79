package layout

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrNotFound is returned (wrapped) by a Store when a key does not exist.
var ErrNotFound = errors.New("object not found")

// ErrNoStore is returned (wrapped) when opening a store that is not there:
// a local directory that does not exist. Only a writer that starts a chain
// creates a store.
var ErrNoStore = errors.New("no store there")

// ErrExists is returned (wrapped) by Store.Create when the key already
// exists: another writer got there first.
var ErrExists = errors.New("object already exists")

// Store is the object store binlake keeps a chain in. Keys are relative to
// the store root and use "/" as separator; they are built only by the key
// functions of this package. A key is never empty, never starts with "/",
// has no empty, "." or ".." elements, no backslash or NUL, and is never
// also the "directory" of other keys ("a" and "a/b"), which a local
// directory cannot hold. Implementations are safe for concurrent use; the
// suite in layout/storetest checks this contract.
//
// Objects stream: Open hands out a reader and Put takes one, so no object
// is ever held whole in memory by the store (objects can be larger than
// memory). Only manifests, which are small, go in and out as byte slices
// (Create, and ReadAll on the way back).
type Store interface {
	// Open returns a reader of the whole object, which the caller must
	// close. A missing key returns ErrNotFound from Open itself, not from
	// the first Read. The reader is not safe for concurrent use; reading
	// may fail part way (a network error), and such an error names the key.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// GetRange returns length bytes from offset (fewer at the end of the
	// object, none at or past it). A missing key returns ErrNotFound; a
	// negative offset or length is an error.
	GetRange(ctx context.Context, key string, offset, length int64) ([]byte, error)
	// List returns, in ascending byte order, the keys that start with prefix
	// and sort after startAfter ("" for all). It returns every such key
	// (paging is the implementation's business).
	List(ctx context.Context, prefix, startAfter string) ([]string, error)
	// Put writes the size bytes r yields, from its current position to its
	// end, as the object under key, replacing any object there. A reader
	// that yields fewer or more than size bytes, or fails, is an error, and
	// then nothing new is visible under the key: readers never see a
	// partial object. Put does not close r; when r is an io.Seeker, Put may
	// seek it and read it more than once (to hash it before sending, or to
	// retry), always from the position it had at the call. Put is only used
	// for content-addressed keys, where a second write stores the same
	// bytes, so it is idempotent.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Create writes an object only if the key does not exist yet, atomically:
	// of two concurrent Creates of one key exactly one succeeds and the other
	// returns ErrExists. Readers never see a partial object. It is the
	// commit point of a manifest, which is small, hence the byte slice.
	Create(ctx context.Context, key string, data []byte) error
}

// ReadAll returns the whole object under key, for callers that need a
// small object in memory (manifests). An object of more than limit bytes
// is refused with an error that names it and the limit, after reading at
// most limit+1 bytes of it. A missing key returns ErrNotFound.
func ReadAll(ctx context.Context, s Store, key string, limit int64) ([]byte, error) {
	r, err := s.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("read %s: the object is larger than the limit of %d bytes for reading it whole", key, limit)
	}
	return data, nil
}

// CopyExact copies exactly size bytes from r to w and then makes sure that r
// has no more, as Store.Put requires of its reader: a reader that ends early
// or yields more is an error that says so. It is for implementations of
// Store.
func CopyExact(w io.Writer, r io.Reader, size int64) error {
	if size < 0 {
		return fmt.Errorf("negative size %d", size)
	}
	n, err := io.CopyN(w, r, size)
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("the reader ended after %d bytes of the %d announced", n, size)
	}
	if err != nil {
		return err
	}
	var more [1]byte
	switch m, err := io.ReadFull(r, more[:]); {
	case m > 0:
		return fmt.Errorf("the reader holds more than the %d bytes announced", size)
	case !errors.Is(err, io.EOF):
		return err
	}
	return nil
}
