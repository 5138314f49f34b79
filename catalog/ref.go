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
const RefForms = `HEAD, HEAD~N, a commit number (42), a GTID the chain holds (MariaDB 0-1-42, MySQL uuid:42), ` +
	`a binlog position (mysql-bin.000003:1234: the last commit ending at or before it), or an RFC 3339 time ` +
	`with a zone (2026-11-22T03:04:05Z: the last commit at or before it)`

var (
	mariaGTID = regexp.MustCompile(`^(\d+)-(\d+)-(\d+)$`)
	mysqlGTID = regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}):(\d+)$`)
	binlogPos = regexp.MustCompile(`^([^:\s]+\.\d+):(\d+)$`)
	// zoneless is a date, or a date and time, without a zone.
	zoneless = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$`)
)

// RefError is the error of Resolve: the ref is malformed or names no
// commit of the chain. Err says which, and what the chain holds.
type RefError struct {
	Ref string
	Err error
}

func (e *RefError) Error() string { return fmt.Sprintf("ref %q: %v", e.Ref, e.Err) }
func (e *RefError) Unwrap() error { return e.Err }

// RefRules relax Resolve where a caller asks for it explicitly.
type RefRules struct {
	// TimeAfterHead lets a time after the newest commit's name the newest
	// commit: the latest state the chain knows, which may lag the
	// primary's. Without it such a time is an error, since binlake cannot
	// know what the primary committed that it has not read yet.
	TimeAfterHead bool
}

// Resolve turns a ref into the one commit it names, or a *RefError: a
// GTID must be one the chain holds; a position or time resolves to the
// last commit at or before it (a state the primary really had), and must
// lie within what the chain holds. Nothing ever silently means HEAD.
func (c *Chain) Resolve(ref string) (uint64, error) { return c.ResolveWith(ref, RefRules{}) }

// ResolveWith is Resolve under relaxed rules.
func (c *Chain) ResolveWith(ref string, rules RefRules) (uint64, error) {
	ref = strings.TrimSpace(ref)
	if len(c.commits) == 0 {
		return 0, &RefError{Ref: ref, Err: ErrEmpty}
	}
	n, err := c.resolve(ref, rules)
	if err != nil {
		return 0, &RefError{Ref: ref, Err: err}
	}
	return n, nil
}

func (c *Chain) resolve(ref string, rules RefRules) (uint64, error) {
	head := uint64(len(c.commits))
	switch {
	case ref == "":
		return 0, fmt.Errorf("empty; accepted forms: %s", RefForms)
	case strings.EqualFold(ref, "HEAD"):
		return head, nil
	case strings.HasPrefix(strings.ToUpper(ref), "HEAD~"):
		back, err := strconv.ParseUint(ref[5:], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q after HEAD~ is not a number; accepted forms: %s", ref[5:], RefForms)
		}
		if back >= head {
			return 0, fmt.Errorf("the chain has only %d commits: HEAD~%d is the oldest", head, head-1)
		}
		return head - back, nil
	case isDigits(ref):
		n, err := strconv.ParseUint(ref, 10, 64)
		if err != nil || n == 0 || n > head {
			return 0, fmt.Errorf("no commit %s: commits run from 1 to %d", ref, head)
		}
		return n, nil
	case zoneless.MatchString(ref):
		return 0, fmt.Errorf("a date or a time without a zone is ambiguous: give an RFC 3339 time with a zone, "+
			"like %sT00:00:00Z (a MariaDB GTID has no leading zeros); accepted forms: %s", ref[:min(len(ref), 10)], RefForms)
	}
	if m := mariaGTID.FindStringSubmatch(ref); m != nil {
		return c.byMariaGTID(ref, m[1], m[2], m[3])
	}
	if m := mysqlGTID.FindStringSubmatch(ref); m != nil {
		return c.byMySQLGTID(ref, strings.ToLower(m[1]), m[2])
	}
	if m := binlogPos.FindStringSubmatch(ref); m != nil {
		pos, err := strconv.ParseUint(m[2], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("binlog position %q: %w", m[2], err)
		}
		return c.byPosition(m[1], uint32(pos))
	}
	if t, err := time.Parse(time.RFC3339Nano, ref); err == nil {
		return c.byTime(t, rules.TimeAfterHead)
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

// byMariaGTID finds the commit with exactly this MariaDB GTID, or says
// what the chain holds of its domain.
func (c *Chain) byMariaGTID(gtid, domain, server, seqText string) (uint64, error) {
	for _, part := range []string{domain, server, seqText} {
		if len(part) > 1 && part[0] == '0' {
			return 0, fmt.Errorf("a MariaDB GTID has no leading zeros (this looks like a date: give an RFC 3339 time "+
				"with a zone, like 2024-03-01T00:00:00Z); accepted forms: %s", RefForms)
		}
	}
	if n, ok := c.exactGTID(gtid); ok {
		return n, nil
	}
	return 0, c.gtidMiss(gtid, domain+"-", "domain "+domain, func(g string) bool {
		d, _, ok := strings.Cut(g, "-")
		return ok && d == domain
	})
}

// byMySQLGTID finds the commit with exactly this MySQL GTID.
func (c *Chain) byMySQLGTID(gtid, uuid, seqText string) (uint64, error) {
	if n, ok := c.exactGTID(gtid); ok {
		return n, nil
	}
	return 0, c.gtidMiss(gtid, uuid+":", "server "+uuid, func(g string) bool {
		return strings.HasPrefix(strings.ToLower(g), uuid+":")
	})
}

func (c *Chain) exactGTID(gtid string) (uint64, bool) {
	for i := len(c.commits) - 1; i >= 0; i-- {
		if strings.EqualFold(c.commits[i].GTID, gtid) {
			return c.commits[i].N, true
		}
	}
	return 0, false
}

// gtidMiss explains why no commit has gtid: what the chain holds of its
// scope (a MariaDB domain, a MySQL server), or that it has none of it.
func (c *Chain) gtidMiss(gtid, prefix, scope string, in func(string) bool) error {
	var first, last *layout.Commit
	for i := range c.commits {
		if cm := &c.commits[i]; cm.GTID != "" && in(cm.GTID) {
			if first == nil {
				first = cm
			}
			last = cm
		}
	}
	if first == nil {
		return fmt.Errorf("no commit has GTID %s: the chain holds no GTID of %s (%s)", gtid, scope, c.gtidScopes())
	}
	seq := gtidSeq(gtid)
	switch {
	case seq > gtidSeq(last.GTID):
		return fmt.Errorf("no commit has GTID %s: the newest GTID of %s is %s, commit %d", gtid, scope, last.GTID, last.N)
	case seq < gtidSeq(first.GTID):
		note := ""
		if c.commits[0].Kind == layout.CommitSnapshot {
			note = "; earlier transactions are in the initial snapshot, commit 1"
		}
		return fmt.Errorf("no commit has GTID %s: the oldest GTID of %s is %s, commit %d%s", gtid, scope, first.GTID, first.N, note)
	}
	return fmt.Errorf("no commit has GTID %s: the GTIDs of %s run from %s to %s, and this one is not among them", gtid, scope, first.GTID, last.GTID)
}

// gtidScopes lists the MariaDB domains or MySQL servers the chain's GTIDs
// come from.
func (c *Chain) gtidScopes() string {
	seen := map[string]bool{}
	var out []string
	for i := range c.commits {
		g := c.commits[i].GTID
		if g == "" {
			continue
		}
		scope := g[:strings.LastIndexAny(g, "-:")]
		if d, _, ok := strings.Cut(g, "-"); ok && mariaGTID.MatchString(g) {
			scope = "domain " + d
		}
		if !seen[scope] {
			seen[scope] = true
			out = append(out, scope)
		}
	}
	if len(out) == 0 {
		return "it has no GTIDs: refer to commits by number, position or time"
	}
	return "it has " + strings.Join(out, ", ")
}

func gtidSeq(g string) uint64 {
	n, _ := strconv.ParseUint(g[strings.LastIndexAny(g, "-:")+1:], 10, 64)
	return n
}

// byPosition finds the last commit that ends at or before file:pos, in a
// binlog file the chain has commits of, no later than the newest commit.
func (c *Chain) byPosition(file string, pos uint32) (uint64, error) {
	at := layout.Position{File: file, Pos: pos}
	newest := &c.commits[len(c.commits)-1]
	known := false
	for i := range c.commits {
		if c.commits[i].File == file {
			known = true
			break
		}
	}
	afterNewest := layout.Position{File: newest.File, Pos: newest.Pos}.Before(at)
	if afterNewest && (known || binlogBase(file) == binlogBase(newest.File)) {
		return 0, fmt.Errorf("%s:%d is after the newest commit, %s, which ends at %s:%d: the chain does not know what came after",
			file, pos, Describe(*newest), newest.File, newest.Pos)
	}
	if !known {
		return 0, fmt.Errorf("the chain has no commit in binlog file %s (its commits are in %s to %s)", file,
			c.commits[0].File, newest.File)
	}
	for i := len(c.commits) - 1; i >= 0; i-- {
		cm := &c.commits[i]
		if !at.Before(layout.Position{File: cm.File, Pos: cm.Pos}) {
			return cm.N, nil
		}
	}
	return 0, fmt.Errorf("the chain starts after %s:%d (its first commit ends at %s:%d)", file, pos, c.commits[0].File, c.commits[0].Pos)
}

// binlogBase is a binlog file name without its number: "mysql-bin".
func binlogBase(file string) string {
	if i := strings.LastIndexByte(file, '.'); i >= 0 {
		return file[:i]
	}
	return file
}

// byTime finds the last commit with a source time at or before t; a time
// after the newest commit's is an error unless afterHead allows it.
func (c *Chain) byTime(t time.Time, afterHead bool) (uint64, error) {
	newest := &c.commits[len(c.commits)-1]
	if t.After(newest.Time) && !afterHead {
		return 0, fmt.Errorf("%s is after the newest commit, %s at %s: the chain does not know what the primary did since "+
			"(name HEAD for the newest state, or allow a time after it explicitly)", t.Format(time.RFC3339Nano), Describe(*newest),
			newest.Time.Format(time.RFC3339))
	}
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
