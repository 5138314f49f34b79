package layout

import (
	"context"
	"errors"
)

// ErrNotFound is returned (wrapped) by a Store when a key does not exist.
var ErrNotFound = errors.New("object not found")

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
type Store interface {
	// Get returns the whole object. A missing key returns ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// GetRange returns length bytes from offset (fewer at the end of the
	// object, none at or past it). A missing key returns ErrNotFound; a
	// negative offset or length is an error.
	GetRange(ctx context.Context, key string, offset, length int64) ([]byte, error)
	// List returns, in ascending byte order, the keys that start with prefix
	// and sort after startAfter ("" for all). It returns every such key
	// (paging is the implementation's business).
	List(ctx context.Context, prefix, startAfter string) ([]string, error)
	// Put writes an object, replacing any object under the key. It is only
	// used for content-addressed keys, where a second write stores the same
	// bytes, so it is idempotent.
	Put(ctx context.Context, key string, data []byte) error
	// Create writes an object only if the key does not exist yet, atomically:
	// of two concurrent Creates of one key exactly one succeeds and the other
	// returns ErrExists. Readers never see a partial object.
	Create(ctx context.Context, key string, data []byte) error
}
