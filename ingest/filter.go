package ingest

import (
	"fmt"
	"path"
)

// systemDBs are never replicated.
var systemDBs = map[string]bool{"mysql": true, "information_schema": true, "performance_schema": true, "sys": true}

// Filter decides which tables are replicated. Patterns are "db.table" shell
// globs ("shop.*", "*.audit_*"); a table is replicated when it matches an
// include pattern (or there are none) and no exclude pattern.
type Filter struct {
	Include []string
	Exclude []string
}

// Validate checks the patterns' syntax.
func (f *Filter) Validate() error {
	for _, p := range append(append([]string(nil), f.Include...), f.Exclude...) {
		if _, err := path.Match(p, "x.y"); err != nil {
			return fmt.Errorf("table pattern %q: %w (use globs like shop.* or *.orders)", p, err)
		}
	}
	return nil
}

// Match reports whether db.table is replicated.
func (f *Filter) Match(db, table string) bool {
	if systemDBs[db] {
		return false
	}
	name := db + "." + table
	if f == nil {
		return true
	}
	matches := func(patterns []string) bool {
		for _, p := range patterns {
			if ok, _ := path.Match(p, name); ok {
				return true
			}
		}
		return false
	}
	return (len(f.Include) == 0 || matches(f.Include)) && !matches(f.Exclude)
}
