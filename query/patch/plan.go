package patch

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
	"github.com/binlake/binlake/query"
)

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

// undo is one row of a revert: the row goes from image now (nil: it does
// not exist now) back to image want (nil: it must not exist), under schema.
type undo struct {
	table     layout.TableRef
	schema    *layout.TableSchema
	want, now []any
	// single is set for a table without a primary key: the statement must
	// change one of possibly several equal rows.
	single bool
	// by names the commits undone ("commit 12", "commits 12, 14").
	by string
	// commit and seq place the last change the undo reverses.
	commit uint64
	seq    uint32
}

// revertPlan is what undoing some commits takes on the primary as it is
// now: the undos, later changes first (the reverse of the order they were
// made in), and the rows that cannot be undone because a later commit
// changed them again.
type revertPlan struct {
	commits   []layout.Commit // the reverted commits, oldest first
	tables    []layout.TableRef
	undos     []undo
	conflicts []Conflict
}

// planRevert works out how to undo the given commits: every row they
// changed goes back to its image before them. Rows that a later commit
// changed again are conflicts and get no undo.
func planRevert(ctx context.Context, e *query.Engine, refs []string) (*revertPlan, error) {
	bad, commits, err := resolveBadCommits(e, refs)
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
	plan := &revertPlan{commits: commits}
	for ref := range byTable {
		plan.tables = append(plan.tables, ref)
	}
	sort.Slice(plan.tables, func(i, j int) bool { return plan.tables[i].String() < plan.tables[j].String() })
	for _, ref := range plan.tables {
		u, c, err := revertTable(ctx, e, ref, byTable[ref], bad)
		if err != nil {
			return nil, fmt.Errorf("revert %s: %w", ref, err)
		}
		plan.undos, plan.conflicts = append(plan.undos, u...), append(plan.conflicts, c...)
	}
	sort.SliceStable(plan.undos, func(i, j int) bool {
		a, b := plan.undos[i], plan.undos[j]
		return a.commit > b.commit || a.commit == b.commit && a.seq > b.seq
	})
	return plan, nil
}

// resolveBadCommits resolves refs to row-changing commits.
func resolveBadCommits(e *query.Engine, refs []string) (map[uint64]bool, []layout.Commit, error) {
	if len(refs) == 0 {
		return nil, nil, fmt.Errorf("%w: name at least one commit to revert (%s)", ErrNotRevertible, catalog.RefForms)
	}
	bad := map[uint64]bool{}
	var commits []layout.Commit
	for _, ref := range refs {
		n, err := e.Resolve(ref)
		if err != nil {
			return nil, nil, err
		}
		c, _ := e.Chain.Commit(n)
		switch c.Kind {
		case layout.CommitXAPrepare, layout.CommitXARollback:
			return nil, nil, fmt.Errorf("%w: %s is an XA %s, which changes no row: the rows of an XA transaction count at its XA COMMIT, "+
				"the commit with the same xid %s", ErrNotRevertible, catalog.Describe(c), strings.TrimPrefix(string(c.Kind), "xa-"), c.XID)
		case layout.CommitSnapshot, layout.CommitResnapshot:
			return nil, nil, fmt.Errorf("%w: %s is the initial snapshot, not a transaction: to restore tables, patch them from HEAD back to it",
				ErrNotRevertible, catalog.Describe(c))
		case layout.CommitDDL:
			return nil, nil, fmt.Errorf("%w: %s is a schema change (%s): revert undoes row changes; to restore a table, patch it from HEAD back to the commit before this one",
				ErrNotRevertible,
				catalog.Describe(c), value.Clip(c.DDL, 80))
		}
		if !bad[n] {
			bad[n] = true
			commits = append(commits, c)
		}
	}
	sort.Slice(commits, func(i, j int) bool { return commits[i].N < commits[j].N })
	return bad, commits, nil
}

// revertTable undoes the reverted commits' changes to one table. Commits
// made under a schema version the table has not kept since (it was
// dropped, truncated, renamed or altered) cannot be undone: their rows are
// conflicts.
func revertTable(ctx context.Context, e *query.Engine, ref layout.TableRef, ns []uint64, bad map[uint64]bool) ([]undo, []Conflict, error) {
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
		c, err := brokenRows(ctx, e, ref, &versions[vi], group, &versions[brk])
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
	chs, err := e.ChangeRows(ctx, query.ChangeRowsOptions{Table: ref, Versions: versions[vi:], Commits: ns, Related: true})
	if err != nil {
		return nil, nil, err
	}
	var undos []undo
	var c []Conflict
	if len(schema.PrimaryKey) > 0 {
		undos, c, err = revertKeyed(schema, ref.String(), chs, bad)
	} else {
		undos, c, err = revertKeyless(schema, ref.String(), chs, bad)
	}
	if err != nil {
		return nil, nil, err
	}
	for i := range undos {
		undos[i].table = ref
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
func brokenRows(ctx context.Context, e *query.Engine, ref layout.TableRef, schema *layout.TableSchema, ns []uint64, brk *layout.TableSchema) ([]Conflict, error) {
	chs, err := e.ChangeRows(ctx, query.ChangeRowsOptions{Table: ref, Versions: []layout.TableSchema{*schema}, Commits: ns})
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
		what += " (" + value.Clip(cm.DDL, 80) + ")"
	}
	out := make([]Conflict, 0, len(chs))
	for _, c := range chs {
		img := c.After
		if img == nil {
			img = c.Before
		}
		out = append(out, Conflict{Table: ref.String(), Key: value.KeyText(schema, img), Commit: cm.N, GTID: cm.GTID,
			Reason: fmt.Sprintf("changed by commit %d, then %s", c.Commit, what)})
	}
	return out, nil
}

// revertKeyed nets each key's changes: the row goes back to its image
// before the first reverted change, guarded by the image the last one left.
func revertKeyed(schema *layout.TableSchema, name string, chs []layout.Change, bad map[uint64]bool) ([]undo, []Conflict, error) {
	var order []string
	byKey := map[string][]layout.Change{}
	for _, c := range chs {
		img := c.After
		if img == nil {
			img = c.Before
		}
		k := value.ExactKey(schema.PrimaryKey, img)
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], c)
	}
	var undos []undo
	var conflicts []Conflict
	for _, k := range order {
		hist := byKey[k]
		first := -1
		for i := range hist {
			if bad[hist[i].Commit] {
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
		if hist[0].Before != nil || last.After != nil {
			undos = append(undos, undo{schema: schema, want: hist[0].Before, now: last.After, by: describeCommits(hist),
				commit: last.Commit, seq: last.Seq})
		}
	}
	return undos, conflicts, nil
}

// firstLater returns the index of the first change not made by a reverted
// commit, or -1.
func firstLater(hist []layout.Change, bad map[uint64]bool) int {
	for i := range hist {
		if !bad[hist[i].Commit] {
			return i
		}
	}
	return -1
}

func describeCommits(hist []layout.Change) string {
	var ns []string
	seen := map[uint64]bool{}
	for _, c := range hist {
		if !seen[c.Commit] {
			seen[c.Commit] = true
			ns = append(ns, strconv.FormatUint(c.Commit, 10))
		}
	}
	if len(ns) == 1 {
		return "commit " + ns[0]
	}
	return "commits " + strings.Join(ns, ", ")
}

// keyedConflicts describes how the changes from index later on differ from
// what the reverted commits left.
func keyedConflicts(schema *layout.TableSchema, name string, hist []layout.Change, later int, bad map[uint64]bool) []Conflict {
	left := hist[later-1].After // what the reverted commits left
	cur := hist[len(hist)-1]    // the row now
	by := hist[later]
	for i := later; i < len(hist); i++ {
		if !bad[hist[i].Commit] {
			by = hist[i]
		}
	}
	img := left
	if img == nil {
		img = hist[later].After
	}
	base := Conflict{Table: name, Key: value.KeyText(schema, img), Commit: by.Commit, GTID: by.GTID}
	switch {
	case left == nil && cur.After == nil:
		base.Reason = "the reverted commit deleted this row; later commits inserted it and deleted it again, last"
		return []Conflict{base}
	case left == nil:
		base.Reason = "the reverted commit deleted this row; it was inserted again (now " + value.Clip(rowImageText(schema, cur.After), 200) + ")"
		return []Conflict{base}
	case cur.After == nil:
		base.Reason = "deleted after the reverted commit"
		return []Conflict{base}
	}
	var out []Conflict
	for i := range schema.Columns {
		if layout.ValuesEqual(left[i], cur.After[i]) {
			continue
		}
		c := base
		c.Column = schema.Columns[i].Name
		c.Bad = value.ShortLiteral(&schema.Columns[i], left[i])
		c.Later = value.ShortLiteral(&schema.Columns[i], cur.After[i])
		for j := len(hist) - 1; j >= later; j-- {
			h := &hist[j]
			if !bad[h.Commit] && (h.Before == nil || !layout.ValuesEqual(h.Before[i], h.After[i])) {
				c.Commit, c.GTID = h.Commit, h.GTID
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
		parts[i] = schema.Columns[i].Name + "=" + value.ShortLiteral(&schema.Columns[i], img[i])
	}
	return strings.Join(parts, " ")
}

// revertKeyless undoes each change of a table without a primary key on its
// own, one row at a time (LIMIT 1): rows are identified by their whole
// image, with multiplicity. A change conflicts when a later commit changed
// or deleted a row with the image it left.
func revertKeyless(schema *layout.TableSchema, name string, chs []layout.Change, bad map[uint64]bool) ([]undo, []Conflict, error) {
	var undos []undo
	var conflicts []Conflict
	for i := range chs {
		c := &chs[i]
		if !bad[c.Commit] {
			continue
		}
		if c.After != nil {
			if j := laterChangeOf(chs[i+1:], c.After, bad); j != nil {
				conflicts = append(conflicts, Conflict{Table: name, Key: value.KeyText(schema, c.After), Commit: j.Commit, GTID: j.GTID,
					Reason: fmt.Sprintf("a row with the image commit %d left (%s) was %sd later", c.Commit,
						value.Clip(rowImageText(schema, c.After), 200), j.Op)})
				continue
			}
		}
		if c.Before != nil || c.After != nil {
			undos = append(undos, undo{schema: schema, want: c.Before, now: c.After, single: true,
				by: fmt.Sprintf("commit %d", c.Commit), commit: c.Commit, seq: c.Seq})
		}
	}
	return undos, conflicts, nil
}

func laterChangeOf(chs []layout.Change, img []any, bad map[uint64]bool) *layout.Change {
	for i := range chs {
		if !bad[chs[i].Commit] && chs[i].Before != nil && layout.ImagesEqual(chs[i].Before, img) {
			return &chs[i]
		}
	}
	return nil
}
