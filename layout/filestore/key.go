package filestore

import (
	"fmt"
	"path/filepath"
	"strings"
)

// tmpPrefix starts the name of every temporary file. List skips such names
// and keys may not use them, so a half-written object is never visible.
const tmpPrefix = ".tmp-"

// path turns a key into a path under the store root, refusing keys that
// could escape the root or collide with temporary files.
func (s *Store) path(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

// checkKey refuses keys that are empty, absolute, hold "." or ".." or empty
// path elements, backslashes or NUL, or name a temporary file.
func checkKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("invalid key %q: empty", key)
	case strings.HasPrefix(key, "/"):
		return fmt.Errorf("invalid key %q: absolute", key)
	case strings.ContainsAny(key, "\\\x00"):
		return fmt.Errorf("invalid key %q: contains a backslash or NUL", key)
	}
	for _, elem := range strings.Split(key, "/") {
		switch {
		case elem == "":
			return fmt.Errorf("invalid key %q: empty path element", key)
		case elem == "." || elem == "..":
			return fmt.Errorf("invalid key %q: contains %q", key, elem)
		case strings.HasPrefix(elem, tmpPrefix):
			return fmt.Errorf("invalid key %q: %q is reserved for temporary files", key, tmpPrefix)
		}
	}
	return nil
}
