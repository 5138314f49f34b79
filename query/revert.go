package query

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
)

// RevertOptions says which commits Revert undoes and what it does about
// rows changed since.
type RevertOptions struct {
	// Commits are refs (see catalog.RefForms) of the commits to undo.
	Commits []string
	// OnConflict is "fail" (the default: no patch when any row conflicts)
	// or "skip" (a patch without the conflicting rows, which the header
	// lists).
	OnConflict string
	// Store names the store in the patch header.
	Store string
}

// Conflict is a row the reverted commits changed that a later commit
// changed again. Column names the value concerned; it is empty when the
// whole row is (deleted, inserted again, table truncated...).
type Conflict struct {
	Table  string // db.table
	Key    string // the row: primary key columns as col=literal
	Column string
	Bad    string // the value the reverted commit left, as a SQL literal
	Later  string // the value now (at the chain's head)
	Commit uint64 // the later commit that made it
	GTID   string
	Reason string // for a whole-row conflict, what happened
}

func (c Conflict) String() string {
	by := "commit " + strconv.FormatUint(c.Commit, 10)
	if c.GTID != "" {
		by += " (GTID " + c.GTID + ")"
	}
	if c.Column == "" {
		return fmt.Sprintf("%s %s: %s by %s", c.Table, c.Key, c.Reason, by)
	}
	return fmt.Sprintf("%s %s column %s: the reverted commit left %s, %s changed it to %s", c.Table, c.Key, c.Column, c.Bad, by, c.Later)
}

// ConflictError is returned by Revert with OnConflict "fail" when rows
// conflict; no patch is written.
type ConflictError struct{ Conflicts []Conflict }

func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d conflicting value(s): rows the reverted commits changed were changed again later, so undoing them would overwrite later work:", len(e.Conflicts))
	for i, c := range e.Conflicts {
		if i == 50 {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Conflicts)-i)
			break
		}
		b.WriteString("\n  " + c.String())
	}
	b.WriteString("\nrerun with --on-conflict skip for a patch that leaves those rows alone")
	return b.String()
}

// RevertResult says what Revert wrote.
type RevertResult struct {
	Header     PatchHeader
	Conflicts  []Conflict
	Statements int
	Rows       int64
}

// revChange is one change row with canonical values.
type revChange struct {
	commit        uint64
	seq           uint32
	op            layout.Op
	gtid          string
	before, after []any
}

// revUndo is one statement of a revert, placed by the last change it undoes.
type revUndo struct {
	commit uint64
	seq    uint32
	st     Statement
}

// Revert writes to w a patch that undoes the given commits on the primary
// as it is now: every row they changed goes back to its image before them,
// by statements guarded by the full image they left. Rows that a later
// commit changed again are conflicts: with OnConflict "fail" Revert
// returns a *ConflictError and writes nothing; with "skip" it leaves those
// rows out and lists them in the patch header.
func (e *Engine) Revert(ctx context.Context, opts RevertOptions, w io.Writer) (*RevertResult, error) {
	switch opts.OnConflict {
	case "":
		opts.OnConflict = "fail"
	case "fail", "skip":
	default:
		return nil, fmt.Errorf("--on-conflict %q: want fail or skip", opts.OnConflict)
	}
	bad, commits, err := e.resolveBadCommits(opts.Commits)
	if err != nil {
		return nil, err
	}
	byTable := map[layout.TableRef][]uint64{}
	for _, c := range commits {
		for _, t := range c.Tables {
			ref := layout.TableRef{DB: t.DB, Table: t.Table}
			byTable[ref] = append(byTable[ref], c.N)
		}
	}
	tables := make([]layout.TableRef, 0, len(byTable))
	for ref := range byTable {
		tables = append(tables, ref)
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].String() < tables[j].String() })
	s, err := e.openSession(ctx)
	if err != nil {
		return nil, err
	}
	defer s.close()
	var undos []revUndo
	var conflicts []Conflict
	for _, ref := range tables {
		u, c, err := e.revertTable(ctx, s, ref, byTable[ref], bad)
		if err != nil {
			return nil, fmt.Errorf("revert %s: %w", ref, err)
		}
		undos, conflicts = append(undos, u...), append(conflicts, c...)
	}
	res := &RevertResult{Conflicts: conflicts}
	if len(conflicts) > 0 && opts.OnConflict == "fail" {
		return res, &ConflictError{Conflicts: conflicts}
	}
	// Later changes first: the reverse of the order they were made in.
	sort.SliceStable(undos, func(i, j int) bool {
		a, b := undos[i], undos[j]
		return a.commit > b.commit || a.commit == b.commit && a.seq > b.seq
	})
	res.Header = e.revertHeader(opts, commits, tables, conflicts)
	pw, err := NewPatchWriter(w, &res.Header)
	if err != nil {
		return nil, err
	}
	if err := pw.Begin(); err != nil {
		return nil, err
	}
	for _, u := range undos {
		if err := pw.Write(u.st); err != nil {
			return nil, err
		}
	}
	if err := pw.Commit(); err != nil {
		return nil, err
	}
	if err := pw.Close(); err != nil {
		return nil, fmt.Errorf("write patch: %w", err)
	}
	res.Statements, res.Rows = pw.Statements(), pw.Rows()
	return res, nil
}

// resolveBadCommits resolves refs to row-changing commits.
func (e *Engine) resolveBadCommits(refs []string) (map[uint64]bool, []layout.Commit, error) {
	if len(refs) == 0 {
		return nil, nil, fmt.Errorf("name at least one commit to revert (%s)", catalog.RefForms)
	}
	bad := map[uint64]bool{}
	var commits []layout.Commit
	for _, ref := range refs {
		n, err := e.Chain.Resolve(ref)
		if err != nil {
			return nil, nil, err
		}
		c, _ := e.Chain.Commit(n)
		switch c.Kind {
		case layout.CommitSnapshot:
			return nil, nil, fmt.Errorf("%s is the initial snapshot, not a transaction: to restore tables use binlake patch", catalog.Describe(c))
		case layout.CommitDDL:
			return nil, nil, fmt.Errorf("%s is a schema change (%s): revert undoes row changes; to restore a table use binlake patch FROM TO --table DB.TABLE",
				catalog.Describe(c), clipLine(c.DDL, 80))
		}
		if !bad[n] {
			bad[n] = true
			commits = append(commits, c)
		}
	}
	sort.Slice(commits, func(i, j int) bool { return commits[i].N < commits[j].N })
	return bad, commits, nil
}

func (e *Engine) revertHeader(opts RevertOptions, commits []layout.Commit, tables []layout.TableRef, conflicts []Conflict) PatchHeader {
	h := PatchHeader{Kind: "revert", Store: opts.Store, Created: time.Now().UTC(), OnConflict: opts.OnConflict}
	if m := e.Chain.Head(); m != nil {
		h.Source = fmt.Sprintf("%s server_id=%d", m.Source.Flavor, m.Source.ServerID)
		if m.Source.UUID != "" {
			h.Source += " uuid=" + m.Source.UUID
		}
	}
	for _, c := range commits {
		h.Commits = append(h.Commits, patchCommitOf(c))
	}
	if head, ok := e.Chain.Commit(e.Chain.LastCommit()); ok {
		pc := patchCommitOf(head)
		h.Head = &pc
	}
	for _, t := range tables {
		h.Tables = append(h.Tables, t.String())
	}
	for _, c := range conflicts {
		h.Conflicts = append(h.Conflicts, "skipped: "+c.String())
	}
	return h
}

func patchCommitOf(c layout.Commit) PatchCommit {
	return PatchCommit{N: c.N, GTID: c.GTID, Time: c.Time}
}

// revertTable undoes the reverted commits' changes to one table. Commits
// made under a schema version the table has not kept since (it was
// dropped, truncated, renamed or altered) cannot be undone: their rows are
// conflicts.
func (e *Engine) revertTable(ctx context.Context, s *session, ref layout.TableRef, ns []uint64, bad map[uint64]bool) ([]revUndo, []Conflict, error) {
	versions := e.Chain.Schemas(ref.DB, ref.Table)
	var conflicts []Conflict
	for len(ns) > 0 {
		vi := versionIndexAt(versions, ns[0])
		if vi < 0 {
			return nil, nil, fmt.Errorf("commit %d: the table has no schema then", ns[0])
		}
		brk := incompatibleAfter(versions, vi)
		if brk < 0 {
			break
		}
		var group []uint64
		for len(ns) > 0 && ns[0] < versions[brk].Since {
			group, ns = append(group, ns[0]), ns[1:]
		}
		c, err := e.brokenRows(ctx, s, ref, &versions[vi], group, &versions[brk])
		if err != nil {
			return nil, nil, err
		}
		conflicts = append(conflicts, c...)
	}
	if len(ns) == 0 {
		return nil, conflicts, nil
	}
	vi := versionIndexAt(versions, ns[0])
	schema := &versions[vi]
	chs, err := e.rowHistories(ctx, s, ref, versions[vi:], ns)
	if err != nil {
		return nil, nil, err
	}
	var undos []revUndo
	var c []Conflict
	if len(schema.PrimaryKey) > 0 {
		undos, c, err = revertKeyed(schema, ref.String(), chs, bad)
	} else {
		undos, c, err = revertKeyless(schema, ref.String(), chs, bad)
	}
	if err != nil {
		return nil, nil, err
	}
	return undos, append(conflicts, c...), nil
}

// versionIndexAt returns the index of the schema version in force at n.
func versionIndexAt(versions []layout.TableSchema, n uint64) int {
	at := -1
	for i := range versions {
		if versions[i].Since <= n {
			at = i
		}
	}
	return at
}

// incompatibleAfter returns the index of the first version after vi that
// does not carry rows over unchanged (a drop, truncate, rename or column
// change), or -1 when the table kept version vi's shape until now.
func incompatibleAfter(versions []layout.TableSchema, vi int) int {
	for w := vi + 1; w < len(versions); w++ {
		if !sameShape(&versions[w-1], &versions[w]) {
			return w
		}
	}
	return -1
}

// sameShape reports whether version b holds a's rows with the same values:
// the same columns in the same order, each carried over as it was.
func sameShape(a, b *layout.TableSchema) bool {
	if b.Dropped || b.Truncated || b.RenamedFrom != nil || len(a.Columns) != len(b.Columns) ||
		len(b.Origins) != len(b.Columns) || fmt.Sprint(a.PrimaryKey) != fmt.Sprint(b.PrimaryKey) {
		return false
	}
	for i := range a.Columns {
		x, y := &a.Columns[i], &b.Columns[i]
		if b.Origins[i].From != i || x.Name != y.Name || x.Kind != y.Kind || x.SQLType != y.SQLType ||
			x.Unsigned != y.Unsigned || x.Charset != y.Charset || strings.Join(x.Members, "\x00") != strings.Join(y.Members, "\x00") {
			return false
		}
	}
	return true
}

// brokenRows reports every row the commits changed as a conflict: the
// table was dropped, truncated, renamed or altered since.
func (e *Engine) brokenRows(ctx context.Context, s *session, ref layout.TableRef, schema *layout.TableSchema, ns []uint64, brk *layout.TableSchema) ([]Conflict, error) {
	segs := e.segmentsOf(ref, []layout.TableSchema{*schema}, ns[0], ns[len(ns)-1])
	chs, err := e.readChanges(ctx, s, schema, segs, "_commit IN ("+commitNumbers(ns)+")", "")
	if err != nil {
		return nil, err
	}
	what := "its schema was changed"
	switch {
	case brk.Dropped:
		what = "the table was dropped or renamed away"
	case brk.Truncated:
		what = "the table was truncated"
	case brk.RenamedFrom != nil:
		what = "the table was renamed"
	}
	cm, _ := e.Chain.Commit(brk.Since)
	if cm.DDL != "" {
		what += " (" + clipLine(cm.DDL, 80) + ")"
	}
	out := make([]Conflict, 0, len(chs))
	for _, c := range chs {
		img := c.after
		if img == nil {
			img = c.before
		}
		out = append(out, Conflict{Table: ref.String(), Key: rowKeyText(schema, img), Commit: cm.N, GTID: cm.GTID,
			Reason: fmt.Sprintf("changed by commit %d, then %s", c.commit, what)})
	}
	return out, nil
}

// segmentsOf returns the segments of the given versions of a table that
// hold commits in [from, to].
func (e *Engine) segmentsOf(ref layout.TableRef, vs []layout.TableSchema, from, to uint64) []layout.Object {
	var out []layout.Object
	for _, v := range vs {
		out = append(out, e.Chain.Segments(ref.DB, ref.Table, v.Version, from-1, to)...)
	}
	return out
}

// rowHistories returns, in order, the change rows of the commits ns and
// every change to the same rows from the first of them to the head: for a
// table with a primary key, changes to the same keys; without one, changes
// whose before image is an image the commits left.
func (e *Engine) rowHistories(ctx context.Context, s *session, ref layout.TableRef, vs []layout.TableSchema, ns []uint64) ([]revChange, error) {
	schema := &vs[0]
	head := e.Chain.LastCommit()
	segs := e.segmentsOf(ref, vs, ns[0], head)
	inBad := "_commit IN (" + commitNumbers(ns) + ")"
	where := fmt.Sprintf("_commit >= %d AND _commit <= %d", ns[0], head)
	var filter string
	if len(schema.PrimaryKey) > 0 {
		var keys, on []string
		for i, k := range schema.PrimaryKey {
			name := ident(schema.Columns[k].Name)
			keys = append(keys, fmt.Sprintf("CASE WHEN after IS NULL THEN before.%s ELSE after.%s END AS __k%d", name, name, i))
			on = append(on, fmt.Sprintf("ch.__k%d = bad.__k%d", i, i))
		}
		filter = fmt.Sprintf(`WITH ch AS (SELECT *, %s FROM %%s),
bad AS (SELECT DISTINCT %s FROM ch WHERE %s)
SELECT * FROM ch SEMI JOIN bad ON %s`, strings.Join(keys, ", "), keyAliasList(len(keys)), inBad, strings.Join(on, " AND "))
	} else {
		filter = fmt.Sprintf(`WITH ch AS (SELECT * FROM %%s),
bad AS (SELECT DISTINCT after AS img FROM ch WHERE %s AND after IS NOT NULL)
SELECT * FROM ch WHERE %s OR before IN (SELECT img FROM bad)`, inBad, inBad)
	}
	return e.readChanges(ctx, s, schema, segs, where, filter)
}

func keyAliasList(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("__k%d", i)
	}
	return strings.Join(out, ", ")
}

func commitNumbers(ns []uint64) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.FormatUint(n, 10)
	}
	return strings.Join(parts, ", ")
}

// readChanges reads the change rows of segments that match where, through
// filter when set (a query with one %s for the rows' source), in commit
// order, with canonical values.
func (e *Engine) readChanges(ctx context.Context, s *session, schema *layout.TableSchema, segs []layout.Object, where, filter string) ([]revChange, error) {
	if len(segs) == 0 {
		return nil, nil
	}
	paths, err := e.Cache.FetchAll(ctx, segs)
	if err != nil {
		return nil, err
	}
	src := fmt.Sprintf("read_parquet(%s) WHERE %s", pathList(paths), where)
	q := "SELECT * FROM " + src
	if filter != "" {
		q = fmt.Sprintf(filter, "(SELECT * FROM "+src+")")
	}
	cols := []string{"_commit", "_seq", "_op", "_gtid", "before IS NULL", "after IS NULL"}
	for _, img := range []string{"before", "after"} {
		for _, c := range schema.Columns {
			cols = append(cols, img+"."+ident(c.Name))
		}
	}
	q = "SELECT " + strings.Join(cols, ", ") + " FROM (" + q + ") ORDER BY _commit, _seq"
	rows, err := s.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read change rows: %w", err)
	}
	defer rows.Close()
	n := len(schema.Columns)
	vals := make([]any, 6+2*n)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []revChange
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read change rows: %w", err)
		}
		c := revChange{op: layout.Op(fmt.Sprint(vals[2])), gtid: fmt.Sprint(vals[3])}
		c.commit, _ = revUint(vals[0])
		seq, _ := revUint(vals[1])
		c.seq = uint32(seq)
		if vals[4] != true {
			c.before = revImage(schema, vals[6:6+n])
		}
		if vals[5] != true {
			c.after = revImage(schema, vals[6+n:])
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func revImage(schema *layout.TableSchema, vals []any) []any {
	img := make([]any, len(vals))
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			v = append([]byte{}, b...)
		}
		img[i] = canonical(&schema.Columns[i], v)
	}
	return img
}

func revUint(v any) (uint64, bool) {
	switch x := v.(type) {
	case int64:
		return uint64(x), true
	case int32:
		return uint64(x), true
	case uint32:
		return uint64(x), true
	case uint64:
		return x, true
	}
	return 0, false
}

// revertKeyed nets each key's changes: the row goes back to its image
// before the first reverted change, guarded by the image the last one left.
func revertKeyed(schema *layout.TableSchema, name string, chs []revChange, bad map[uint64]bool) ([]revUndo, []Conflict, error) {
	var order []string
	byKey := map[string][]revChange{}
	for _, c := range chs {
		img := c.after
		if img == nil {
			img = c.before
		}
		k := exactKey(schema.PrimaryKey, img)
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], c)
	}
	var undos []revUndo
	var conflicts []Conflict
	for _, k := range order {
		hist := byKey[k]
		first := -1
		for i := range hist {
			if bad[hist[i].commit] {
				first = i
				break
			}
		}
		if first < 0 {
			continue
		}
		hist = hist[first:]
		if later := firstLater(hist, bad); later >= 0 {
			conflicts = append(conflicts, keyedConflicts(schema, name, hist, later, bad)...)
			continue
		}
		last := &hist[len(hist)-1]
		st, ok, err := undoStatement(schema, name, hist[0].before, last.after, false, describeCommits(hist))
		if err != nil {
			return nil, nil, err
		}
		if ok {
			undos = append(undos, revUndo{commit: last.commit, seq: last.seq, st: st})
		}
	}
	return undos, conflicts, nil
}

// firstLater returns the index of the first change not made by a reverted
// commit, or -1.
func firstLater(hist []revChange, bad map[uint64]bool) int {
	for i := range hist {
		if !bad[hist[i].commit] {
			return i
		}
	}
	return -1
}

func describeCommits(hist []revChange) string {
	var ns []string
	seen := map[uint64]bool{}
	for _, c := range hist {
		if !seen[c.commit] {
			seen[c.commit] = true
			ns = append(ns, strconv.FormatUint(c.commit, 10))
		}
	}
	if len(ns) == 1 {
		return "commit " + ns[0]
	}
	return "commits " + strings.Join(ns, ", ")
}

// undoStatement moves a row from image now back to image want (nil: the row
// does not exist), guarded by the full image now.
// by names the commits undone, for the note.
func undoStatement(schema *layout.TableSchema, name string, want, now []any, limit bool, by string) (Statement, bool, error) {
	table := QuoteTable(schema.DB, schema.Table)
	lim := ""
	if limit {
		lim = " LIMIT 1"
	}
	switch {
	case want == nil && now == nil:
		return Statement{}, false, nil
	case want == nil:
		where, err := rowMatch(schema, now)
		if err != nil {
			return Statement{}, false, err
		}
		return Statement{SQL: "DELETE FROM " + table + " WHERE " + where + lim, Expect: 1,
			Note: name + " " + rowKeyText(schema, now) + ": delete the row " + by + " inserted"}, true, nil
	case now == nil:
		vals, err := sqlTuple(schema, want)
		if err != nil {
			return Statement{}, false, err
		}
		return Statement{SQL: "INSERT INTO " + table + " " + sqlColumns(schema) + " VALUES " + vals, Expect: 1,
			Note: name + " " + rowKeyText(schema, want) + ": insert again the row " + by + " deleted"}, true, nil
	}
	if sameImage(want, now) {
		return Statement{}, false, nil
	}
	where, err := rowMatch(schema, now)
	if err != nil {
		return Statement{}, false, err
	}
	set := make([]string, len(want))
	for i := range want {
		lit, err := SQLLiteral(&schema.Columns[i], want[i])
		if err != nil {
			return Statement{}, false, err
		}
		set[i] = QuoteIdent(schema.Columns[i].Name) + " = " + lit
	}
	return Statement{SQL: "UPDATE " + table + " SET " + strings.Join(set, ", ") + " WHERE " + where + lim, Expect: 1,
		Note: name + " " + rowKeyText(schema, now) + ": restore the row " + by + " updated"}, true, nil
}

func sameImage(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !layout.ValuesEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

// exactKey is an exact text for the values at idx (all of them when idx is
// nil): two images have the same key exactly when those values are equal.
func exactKey(idx []int, img []any) string {
	var b strings.Builder
	put := func(v any) {
		switch x := v.(type) {
		case nil:
			b.WriteString("N")
		case []byte:
			b.WriteString("B" + strconv.Itoa(len(x)) + ":")
			b.Write(x)
		case string:
			b.WriteString("S" + strconv.Itoa(len(x)) + ":" + x)
		default:
			fmt.Fprintf(&b, "%T:%v", v, v)
		}
		b.WriteByte('|')
	}
	if idx == nil {
		for _, v := range img {
			put(v)
		}
	} else {
		for _, k := range idx {
			put(img[k])
		}
	}
	return b.String()
}

// keyedConflicts describes how the changes from index later on differ from
// what the reverted commits left.
func keyedConflicts(schema *layout.TableSchema, name string, hist []revChange, later int, bad map[uint64]bool) []Conflict {
	left := hist[later-1].after // what the reverted commits left
	cur := hist[len(hist)-1]    // the row now
	by := hist[later]
	for i := later; i < len(hist); i++ {
		if !bad[hist[i].commit] {
			by = hist[i]
		}
	}
	img := left
	if img == nil {
		img = hist[later].after
	}
	base := Conflict{Table: name, Key: rowKeyText(schema, img), Commit: by.commit, GTID: by.gtid}
	switch {
	case left == nil && cur.after == nil:
		base.Reason = "the reverted commit deleted this row; later commits inserted it and deleted it again, last"
		return []Conflict{base}
	case left == nil:
		base.Reason = "the reverted commit deleted this row; it was inserted again (now " + clipLine(rowImageText(schema, cur.after), 200) + ")"
		return []Conflict{base}
	case cur.after == nil:
		base.Reason = "deleted after the reverted commit"
		return []Conflict{base}
	}
	var out []Conflict
	for i := range schema.Columns {
		if layout.ValuesEqual(left[i], cur.after[i]) {
			continue
		}
		c := base
		c.Column = schema.Columns[i].Name
		c.Bad = shortLiteralOf(&schema.Columns[i], left[i])
		c.Later = shortLiteralOf(&schema.Columns[i], cur.after[i])
		for j := len(hist) - 1; j >= later; j-- {
			h := &hist[j]
			if !bad[h.commit] && (h.before == nil || !layout.ValuesEqual(h.before[i], h.after[i])) {
				c.Commit, c.GTID = h.commit, h.gtid
				break
			}
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		base.Reason = "changed after the reverted commit (and back to the same values)"
		out = append(out, base)
	}
	return out
}

// rowImageText shows a whole row as col=literal pairs.
func rowImageText(schema *layout.TableSchema, img []any) string {
	parts := make([]string, len(img))
	for i := range img {
		parts[i] = schema.Columns[i].Name + "=" + shortLiteralOf(&schema.Columns[i], img[i])
	}
	return strings.Join(parts, " ")
}

// revertKeyless undoes each change of a table without a primary key on its
// own, one row at a time (LIMIT 1): rows are identified by their whole
// image, with multiplicity. A change conflicts when a later commit changed
// or deleted a row with the image it left.
func revertKeyless(schema *layout.TableSchema, name string, chs []revChange, bad map[uint64]bool) ([]revUndo, []Conflict, error) {
	var undos []revUndo
	var conflicts []Conflict
	for i := range chs {
		c := &chs[i]
		if !bad[c.commit] {
			continue
		}
		if c.after != nil {
			if j := laterChangeOf(chs[i+1:], c.after, bad); j != nil {
				conflicts = append(conflicts, Conflict{Table: name, Key: rowKeyText(schema, c.after), Commit: j.commit, GTID: j.gtid,
					Reason: fmt.Sprintf("a row with the image commit %d left (%s) was %sd later", c.commit,
						clipLine(rowImageText(schema, c.after), 200), j.op)})
				continue
			}
		}
		st, ok, err := undoStatement(schema, name, c.before, c.after, true, fmt.Sprintf("commit %d", c.commit))
		if err != nil {
			return nil, nil, err
		}
		if ok {
			undos = append(undos, revUndo{commit: c.commit, seq: c.seq, st: st})
		}
	}
	return undos, conflicts, nil
}

func laterChangeOf(chs []revChange, img []any, bad map[uint64]bool) *revChange {
	for i := range chs {
		if !bad[chs[i].commit] && chs[i].before != nil && sameImage(chs[i].before, img) {
			return &chs[i]
		}
	}
	return nil
}
