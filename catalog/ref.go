package catalog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/binlake/binlake/layout"
)

// RefForms lists the accepted forms of a ref, for error messages and help.
const RefForms = `HEAD, HEAD~N, a commit number (42), a GTID (MariaDB 0-1-42, MySQL uuid:42), ` +
	`a binlog position (mysql-bin.000003:1234), or an RFC 3339 time (2026-11-22T03:04:05Z)`

var (
	mariaGTID = regexp.MustCompile(`^(\d+)-(\d+)-(\d+)$`)
	mysqlGTID = regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}):(\d+)$`)
	binlogPos = regexp.MustCompile(`^([^:\s]+\.\d+):(\d+)$`)
)

// RefError is the error of Resolve: the ref is malformed or names no
// commit of the chain. Err says which, and what the chain holds.
type RefError struct {
	Ref string
	Err error
}

func (e *RefError) Error() string { return fmt.Sprintf("ref %q: %v", e.Ref, e.Err) }
func (e *RefError) Unwrap() error { return e.Err }

// Resolve turns a ref into a commit number of the chain. A position or time
// resolves to the last commit at or before it, so that a read "as of" it
// sees a state the primary really had.
func (c *Chain) Resolve(ref string) (uint64, error) {
	ref = strings.TrimSpace(ref)
	if len(c.commits) == 0 {
		return 0, &RefError{Ref: ref, Err: ErrEmpty}
	}
	n, err := c.resolve(ref)
	if err != nil {
		return 0, &RefError{Ref: ref, Err: err}
	}
	return n, nil
}

func (c *Chain) resolve(ref string) (uint64, error) {
	head := uint64(len(c.commits))
	switch {
	case strings.EqualFold(ref, "HEAD"):
		return head, nil
	case strings.HasPrefix(strings.ToUpper(ref), "HEAD~"):
		back, err := strconv.ParseUint(ref[5:], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q after HEAD~ is not a number; accepted forms: %s", ref[5:], RefForms)
		}
		if back >= head {
			return 0, fmt.Errorf("the chain has only %d commits", head)
		}
		return head - back, nil
	case isDigits(ref):
		n, err := strconv.ParseUint(ref, 10, 64)
		if err != nil || n == 0 || n > head {
			return 0, fmt.Errorf("no commit %s: commits run from 1 to %d", ref, head)
		}
		return n, nil
	}
	if m := mariaGTID.FindStringSubmatch(ref); m != nil {
		return c.byGTID(ref, m[1]+"-", m[3])
	}
	if m := mysqlGTID.FindStringSubmatch(ref); m != nil {
		return c.byGTID(ref, strings.ToLower(m[1])+":", m[2])
	}
	if m := binlogPos.FindStringSubmatch(ref); m != nil {
		pos, err := strconv.ParseUint(m[2], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("binlog position %q: %w", m[2], err)
		}
		return c.byPosition(m[1], uint32(pos))
	}
	if t, err := time.Parse(time.RFC3339Nano, ref); err == nil {
		return c.byTime(t)
	}
	return 0, fmt.Errorf("not a ref; accepted forms: %s", RefForms)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// byGTID finds the commit with exactly this GTID, or else the last commit of
// the same domain (MariaDB) or server (MySQL) with a lower sequence number.
func (c *Chain) byGTID(gtid, scope, seqText string) (uint64, error) {
	seq, err := strconv.ParseUint(seqText, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("GTID sequence %q: %w", seqText, err)
	}
	var best uint64
	for i := len(c.commits) - 1; i >= 0; i-- {
		cm := &c.commits[i]
		if strings.EqualFold(cm.GTID, gtid) {
			return cm.N, nil
		}
		if best == 0 && gtidBefore(cm.GTID, scope, seq) {
			best = cm.N
		}
	}
	if best == 0 {
		return 0, fmt.Errorf("no commit at or before GTID %s in the chain", gtid)
	}
	return best, nil
}

// gtidBefore reports whether g is in scope with a sequence number <= seq.
// For MariaDB the scope is the domain ("0-"); the server id in between does
// not order transactions.
func gtidBefore(g, scope string, seq uint64) bool {
	if !strings.HasPrefix(strings.ToLower(g), scope) {
		return false
	}
	i := strings.LastIndexAny(g, "-:")
	n, err := strconv.ParseUint(g[i+1:], 10, 64)
	return err == nil && n <= seq
}

// byPosition finds the last commit that ends at or before file:pos.
func (c *Chain) byPosition(file string, pos uint32) (uint64, error) {
	for i := len(c.commits) - 1; i >= 0; i-- {
		cm := &c.commits[i]
		if cm.File < file || cm.File == file && cm.Pos <= pos {
			return cm.N, nil
		}
	}
	return 0, fmt.Errorf("the chain starts after %s:%d (first commit ends at %s:%d)", file, pos, c.commits[0].File, c.commits[0].Pos)
}

// byTime finds the last commit with a source time at or before t.
func (c *Chain) byTime(t time.Time) (uint64, error) {
	for i := len(c.commits) - 1; i >= 0; i-- {
		if !c.commits[i].Time.After(t) {
			return c.commits[i].N, nil
		}
	}
	return 0, fmt.Errorf("the chain's first commit is at %s, after %s", c.commits[0].Time.Format(time.RFC3339), t.Format(time.RFC3339))
}

// Describe returns a one-line description of commit n for messages.
func Describe(cm layout.Commit) string {
	s := fmt.Sprintf("commit %d", cm.N)
	if cm.GTID != "" {
		s += " (GTID " + cm.GTID + ")"
	}
	return s
}
