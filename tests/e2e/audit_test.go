package e2e

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/ingest"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/cache"
	"github.com/binlake/binlake/layout/filestore"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/tests/testenv"
)

// auditEvent is one row change the workload made to aud.kv, as the model
// knows it.
type auditEvent struct {
	gtid string // "" for the initial snapshot
	op   layout.Op
	img  []any // the row after the change, or the removed row for a delete
}

// auditModel is what the workload wrote: every change to every row of
// aud.kv, and per column the GTID that last set it.
type auditModel struct {
	r       *rand.Rand
	c       *client.Conn
	rows    map[int64][]any
	events  map[int64][]auditEvent
	setBy   map[int64][]string
	nextID  int64
	counter int64
	altered bool
	alterAt string // GTID of the ALTER
	bigDel  struct {
		gtid string
		rows uint64
	}
	txns int
}

// TestAuditAgainstWorkload runs a random workload on a real MariaDB, ingests
// it, and checks diff against the difference of as-of results for random
// pairs of commits, history against every value the workload wrote to
// random rows, blame against the GTIDs that last set each cell, and show
// and find against a large DELETE.
func TestAuditAgainstWorkload(t *testing.T) {
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("E2E_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("E2E_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d (replay with E2E_SEED=%d)", seed, seed)
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	if err := db.Exec(ctx, "CREATE DATABASE aud",
		"CREATE TABLE aud.kv (id INT PRIMARY KEY, v VARCHAR(20), n INT NOT NULL, p DECIMAL(8,2))",
		"CREATE TABLE aud.lg (a INT, b VARCHAR(10))"); err != nil {
		t.Fatal(err)
	}
	c, err := db.Connect(ctx, "aud")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m := &auditModel{r: rand.New(rand.NewPCG(seed, 1)), c: c, rows: map[int64][]any{}, events: map[int64][]auditEvent{}, setBy: map[int64][]string{}}
	// rows the initial snapshot copies
	for range 20 {
		if err := m.insert(""); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		if _, err := c.Execute("INSERT INTO lg VALUES (?, ?)", int64(i%6), fmt.Sprintf("b%d", i%4)); err != nil {
			t.Fatal(err)
		}
	}
	st, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("mysql://%s:%s@%s", db.User, db.Password, db.Addr())
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	run := func() {
		t.Helper()
		if err := ingest.Run(ctx, ingest.Config{Source: src, Store: st, ExitWhenCaughtUp: true, Log: logger}); err != nil {
			t.Fatal(err)
		}
	}
	run()
	for i := range 240 {
		if i == 80 {
			run()
		}
		if i == 100 {
			// a checkpoint in the middle: as-of reads start from it,
			// diffs still read only the changes
			run()
			if err := checkpointStore(ctx, st); err != nil {
				t.Fatal(err)
			}
		}
		if i == 120 {
			if err := m.alter(); err != nil {
				t.Fatal(err)
			}
		}
		if i == 160 {
			if err := m.bigDelete(); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.txn(); err != nil {
			t.Fatal(err)
		}
	}
	run()
	chain, err := catalog.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	cache, err := cache.New(t.TempDir(), st)
	if err != nil {
		t.Fatal(err)
	}
	e := &query.Engine{Chain: chain, Cache: cache}
	t.Logf("%d transactions, %d commits", m.txns, chain.LastCommit())
	commitOf := func(gtid string) uint64 {
		t.Helper()
		if gtid == "" {
			return 1
		}
		n, err := chain.Resolve(gtid)
		if err != nil {
			t.Fatalf("resolve %s: %v", gtid, err)
		}
		if cm, _ := chain.Commit(n); cm.GTID != gtid {
			t.Fatalf("GTID %s resolves to commit %d with GTID %s", gtid, n, cm.GTID)
		}
		return n
	}
	t.Run("diff", func(t *testing.T) { checkAuditDiffs(t, e, m.r) })
	t.Run("history", func(t *testing.T) { checkAuditHistory(t, e, m, commitOf) })
	t.Run("blame", func(t *testing.T) { checkAuditBlame(t, e, m, commitOf) })
	t.Run("show and find", func(t *testing.T) {
		n := commitOf(m.bigDel.gtid)
		_, rows, err := e.ShowRows(ctx, query.ShowOptions{Commit: m.bigDel.gtid})
		if err != nil {
			t.Fatal(err)
		}
		if uint64(len(rows)) != m.bigDel.rows {
			t.Errorf("show %s: %d rows, the DELETE removed %d", m.bigDel.gtid, len(rows), m.bigDel.rows)
		}
		for _, r := range rows {
			if r.Op != layout.OpDelete || r.Table.Table != "lg" || r.Commit != n {
				t.Errorf("show %s: %+v", m.bigDel.gtid, r)
				break
			}
		}
		found, err := e.FindRows(ctx, query.FindOptions{Tables: []layout.TableRef{{DB: "aud", Table: "lg"}}, Ops: []layout.Op{layout.OpDelete}, MinRows: m.bigDel.rows})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 1 || found[0].N != n {
			t.Errorf("find the DELETE of %d rows: %+v, want commit %d", m.bigDel.rows, found, n)
		}
	})
}

func checkpointStore(ctx context.Context, st layout.Store) error {
	chain, err := catalog.Open(ctx, st)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "binlake-audit-cache-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cache, err := cache.New(dir, st)
	if err != nil {
		return err
	}
	e := &query.Engine{Chain: chain, Cache: cache}
	_, err = e.Checkpoint(ctx, query.CheckpointOptions{At: "HEAD", Tables: nil, MinChanges: 0})
	return err
}

func (m *auditModel) value() any {
	if m.r.IntN(6) == 0 {
		return nil
	}
	return fmt.Sprintf("v%d", m.r.IntN(1000))
}

func (m *auditModel) price() string {
	return fmt.Sprintf("%d.%02d", m.r.IntN(10000), m.r.IntN(100))
}

// record notes a change to row id made by the transaction with GTID gtid.
func (m *auditModel) record(id int64, gtid string, op layout.Op, img []any) {
	m.events[id] = append(m.events[id], auditEvent{gtid: gtid, op: op, img: img})
}

func (m *auditModel) width() int {
	if m.altered {
		return 5
	}
	return 4
}

// statements of one transaction: each returns a function that records its
// effect once the transaction's GTID is known.

func (m *auditModel) insertStmt() (string, []any, func(string)) {
	m.nextID++
	m.counter++
	id := m.nextID
	img := []any{id, m.value(), m.counter, m.price()}
	if m.altered {
		img = append(img, int64(m.r.IntN(9)))
	}
	m.rows[id] = img
	q := "INSERT INTO kv (id, v, n, p) VALUES (?, ?, ?, ?)"
	args := append([]any(nil), img[:4]...)
	if m.altered {
		q = "INSERT INTO kv (id, v, n, p, x) VALUES (?, ?, ?, ?, ?)"
		args = append(args, img[4])
	}
	return q, args, func(gtid string) {
		m.record(id, gtid, layout.OpInsert, img)
		m.setBy[id] = make([]string, m.width())
		for c := range m.setBy[id] {
			m.setBy[id][c] = gtid
		}
	}
}

func (m *auditModel) someID() (int64, bool) {
	if len(m.rows) == 0 {
		return 0, false
	}
	ids := make([]int64, 0, len(m.rows))
	for id := range m.rows {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids[m.r.IntN(len(ids))], true
}

func (m *auditModel) updateStmt(id int64) (string, []any, func(string)) {
	old := m.rows[id]
	img := append([]any(nil), old...)
	m.counter++
	img[2] = m.counter // n always changes, so the update is never a no-op
	var changed []int
	switch m.r.IntN(3) {
	case 0:
		img[1] = m.value()
	case 1:
		img[3] = m.price()
	}
	for c := range img {
		if !layout.ValuesEqual(old[c], img[c]) {
			changed = append(changed, c)
		}
	}
	m.rows[id] = img
	return "UPDATE kv SET v = ?, n = ?, p = ? WHERE id = ?", []any{img[1], img[2], img[3], id}, func(gtid string) {
		m.record(id, gtid, layout.OpUpdate, img)
		for _, c := range changed {
			m.setBy[id][c] = gtid
		}
	}
}

func (m *auditModel) deleteStmt(id int64) (string, []any, func(string)) {
	old := m.rows[id]
	delete(m.rows, id)
	return "DELETE FROM kv WHERE id = ?", []any{id}, func(gtid string) {
		m.record(id, gtid, layout.OpDelete, old)
		delete(m.setBy, id)
	}
}

// moveStmt changes a row's primary key: binlake stores a delete of the old
// key and an insert of the new one.
func (m *auditModel) moveStmt(id int64) (string, []any, func(string)) {
	old := m.rows[id]
	delete(m.rows, id)
	m.nextID++
	to := m.nextID
	img := append([]any{to}, old[1:]...)
	m.rows[to] = img
	return "UPDATE kv SET id = ? WHERE id = ?", []any{to, id}, func(gtid string) {
		m.record(id, gtid, layout.OpDelete, old)
		m.record(to, gtid, layout.OpInsert, img)
		delete(m.setBy, id)
		m.setBy[to] = make([]string, m.width())
		for c := range m.setBy[to] {
			m.setBy[to][c] = gtid
		}
	}
}

func (m *auditModel) lgStmt() (string, []any, func(string)) {
	a, b := int64(m.r.IntN(6)), fmt.Sprintf("b%d", m.r.IntN(4))
	switch m.r.IntN(3) {
	case 0:
		return "DELETE FROM lg WHERE a = ? AND b = ? LIMIT 1", []any{a, b}, nil
	case 1:
		return "UPDATE lg SET b = ? WHERE a = ? LIMIT 1", []any{fmt.Sprintf("b%d", m.r.IntN(4)), a}, nil
	}
	return "INSERT INTO lg VALUES (?, ?)", []any{a, b}, nil
}

// insert inserts one row in its own transaction (gtid "" marks the rows
// the snapshot copies).
func (m *auditModel) insert(gtid string) error {
	q, args, rec := m.insertStmt()
	if _, err := m.c.Execute(q, args...); err != nil {
		return err
	}
	rec(gtid)
	return nil
}

// txn runs one random transaction of 1-4 statements and records its
// effects under its GTID.
func (m *auditModel) txn() error {
	var recs []func(string)
	if _, err := m.c.Execute("BEGIN"); err != nil {
		return err
	}
	for range 1 + m.r.IntN(4) {
		var q string
		var args []any
		var rec func(string)
		id, ok := m.someID()
		switch op := m.r.IntN(10); {
		case op < 3 || !ok:
			q, args, rec = m.insertStmt()
		case op < 6:
			q, args, rec = m.updateStmt(id)
		case op < 7:
			q, args, rec = m.deleteStmt(id)
		case op < 8:
			q, args, rec = m.moveStmt(id)
		default:
			q, args, rec = m.lgStmt()
		}
		if _, err := m.c.Execute(q, args...); err != nil {
			return fmt.Errorf("%s %v: %w", q, args, err)
		}
		if rec != nil {
			recs = append(recs, rec)
		}
	}
	if _, err := m.c.Execute("COMMIT"); err != nil {
		return err
	}
	gtid, err := m.lastGTID()
	if err != nil {
		return err
	}
	for _, rec := range recs {
		rec(gtid)
	}
	m.txns++
	return nil
}

func (m *auditModel) lastGTID() (string, error) {
	res, err := m.c.Execute("SELECT @@last_gtid")
	if err != nil {
		return "", err
	}
	return res.GetString(0, 0)
}

// alter adds a column with a default: existing rows get it without a
// change row, so blame names the ALTER for it.
func (m *auditModel) alter() error {
	if _, err := m.c.Execute("ALTER TABLE kv ADD COLUMN x INT NOT NULL DEFAULT 3"); err != nil {
		return err
	}
	gtid, err := m.lastGTID()
	if err != nil {
		return err
	}
	m.altered, m.alterAt = true, gtid
	for id, img := range m.rows {
		m.rows[id] = append(img, int64(3))
		m.setBy[id] = append(m.setBy[id], gtid)
	}
	return nil
}

func (m *auditModel) bigDelete() error {
	res, err := m.c.Execute("DELETE FROM lg WHERE a < 3")
	if err != nil {
		return err
	}
	gtid, err := m.lastGTID()
	if err != nil {
		return err
	}
	m.bigDel.gtid, m.bigDel.rows = gtid, res.AffectedRows
	return nil
}

// checkAuditDiffs compares Diff with the difference of the as-of results
// for random pairs of commits.
func checkAuditDiffs(t *testing.T, e *query.Engine, r *rand.Rand) {
	ctx := context.Background()
	head := e.Chain.LastCommit()
	for range 30 {
		from, to := 1+r.Uint64N(head), 1+r.Uint64N(head)
		d, err := e.DiffRows(ctx, query.DiffOptions{From: fmt.Sprint(from), To: fmt.Sprint(to), Tables: nil})
		if err != nil {
			t.Fatalf("diff %d %d: %v", from, to, err)
		}
		var got []string
		for _, td := range d.Tables {
			for _, row := range td.Rows {
				got = append(got, fmt.Sprintf("%s %s %s -> %s %v", td.Table.Table, row.Kind, audRowKey(row.Before), audRowKey(row.After), row.Changed))
			}
		}
		sort.Strings(got)
		want := expectedAuditDiff(t, e, from, to)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("diff %d %d differs from the as-of results:\n got %s\nwant %s", from, to,
				strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
	}
}

// expectedAuditDiff is the multiset difference of the as-of results, rows
// of the earlier schema of kv mapped into the later one (x gets 3), rows
// with the same primary key paired.
func expectedAuditDiff(t *testing.T, e *query.Engine, from, to uint64) []string {
	ctx := context.Background()
	var out []string
	for _, name := range []string{"kv", "lg"} {
		a, err := e.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: "aud", Table: name}, At: fmt.Sprint(from)})
		if err != nil && !errors.Is(err, catalog.ErrNoTable) {
			t.Fatal(err)
		}
		z, err := e.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: "aud", Table: name}, At: fmt.Sprint(to)})
		if err != nil {
			t.Fatal(err)
		}
		if a == nil {
			a = &query.Table{}
		}
		later := &z.Schema
		if len(a.Schema.Columns) > len(later.Columns) {
			later = &a.Schema
		}
		widen := func(row []any) []any {
			if len(row) < len(later.Columns) {
				return append(append([]any(nil), row...), int64(3))
			}
			return row
		}
		count := map[string]int{}
		imgs := map[string][]any{}
		for _, row := range a.Rows {
			row = widen(row)
			count[audRowKey(row)]--
			imgs[audRowKey(row)] = row
		}
		for _, row := range z.Rows {
			row = widen(row)
			count[audRowKey(row)]++
			imgs[audRowKey(row)] = row
		}
		removed, added := map[string][][]any{}, map[string][][]any{}
		for k, n := range count {
			img := imgs[k]
			id := k
			if len(later.PrimaryKey) > 0 {
				id = audValueKey(img[later.PrimaryKey[0]])
			}
			for ; n < 0; n++ {
				removed[id] = append(removed[id], img)
			}
			for ; n > 0; n-- {
				added[id] = append(added[id], img)
			}
		}
		ids := map[string]bool{}
		for id := range removed {
			ids[id] = true
		}
		for id := range added {
			ids[id] = true
		}
		for id := range ids {
			rm, ad := removed[id], added[id]
			if len(later.PrimaryKey) > 0 && len(rm) == 1 && len(ad) == 1 {
				var changed []string
				for i, c := range later.Columns {
					if !layout.ValuesEqual(rm[0][i], ad[0][i]) {
						changed = append(changed, c.Name)
					}
				}
				out = append(out, fmt.Sprintf("%s modified %s -> %s %v", name, audRowKey(rm[0]), audRowKey(ad[0]), changed))
				continue
			}
			for _, row := range rm {
				out = append(out, fmt.Sprintf("%s removed %s -> %s []", name, audRowKey(row), audRowKey(nil)))
			}
			for _, row := range ad {
				out = append(out, fmt.Sprintf("%s added %s -> %s []", name, audRowKey(nil), audRowKey(row)))
			}
		}
	}
	sort.Strings(out)
	return out
}

// checkAuditHistory compares the history of random rows with every change
// the workload made to them.
func checkAuditHistory(t *testing.T, e *query.Engine, m *auditModel, commitOf func(string) uint64) {
	ctx := context.Background()
	ids := make([]int64, 0, len(m.events))
	for id := range m.events {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	m.r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	checked := 0
	for _, id := range ids[:min(len(ids), 25)] {
		h, err := e.HistoryRows(ctx, query.HistoryOptions{Table: layout.TableRef{DB: "aud", Table: "kv"}, Key: fmt.Sprintf("id=%d", id), At: "HEAD"})
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, en := range h.Entries {
			img := en.After
			if img == nil {
				img = en.Before
			}
			got = append(got, fmt.Sprintf("%d %s %s %s", en.Commit, en.GTID, en.Op, audRowKey(img)))
		}
		for _, ev := range m.events[id] {
			op, img := ev.op, ev.img
			if ev.gtid == "" {
				op = query.OpSnapshot
			}
			if len(img) < len(h.Schema.Columns) {
				img = append(append([]any(nil), img...), int64(3))
			}
			gtid := ev.gtid
			if gtid == "" {
				cm, _ := e.Chain.Commit(1)
				gtid = cm.GTID
			}
			want = append(want, fmt.Sprintf("%d %s %s %s", commitOf(ev.gtid), gtid, op, audRowKey(img)))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("history of id=%d:\n got %s\nwant %s", id, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
		// the values of one cell: those the workload wrote, in order
		cell, i, err := h.Cell("v")
		if err != nil {
			t.Fatal(err)
		}
		var gotV, wantV []string
		for _, en := range cell {
			if en.After != nil {
				gotV = append(gotV, audValueKey(en.After[i]))
			}
		}
		var last any = "none"
		for _, ev := range m.events[id] {
			if ev.op == layout.OpDelete {
				last = "none"
				continue
			}
			if v := ev.img[1]; ev.op == layout.OpInsert || !layout.ValuesEqual(v, last) {
				wantV = append(wantV, audValueKey(v))
				last = v
			}
		}
		if !reflect.DeepEqual(gotV, wantV) {
			t.Errorf("history of id=%d column v: got %v, want %v", id, gotV, wantV)
		}
		checked++
	}
	t.Logf("checked the history of %d rows", checked)
}

// checkAuditBlame compares blame at HEAD with the GTIDs that last set each
// cell.
func checkAuditBlame(t *testing.T, e *query.Engine, m *auditModel, commitOf func(string) uint64) {
	ctx := context.Background()
	b, err := e.BlameRows(ctx, query.BlameOptions{Table: layout.TableRef{DB: "aud", Table: "kv"}, At: "HEAD", Key: ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Rows) != len(m.rows) {
		t.Fatalf("blame has %d rows, the table %d", len(b.Rows), len(m.rows))
	}
	for _, r := range b.Rows {
		id := r.Row[0].(int64)
		if want := m.rows[id]; !reflect.DeepEqual(r.Row, want) {
			t.Errorf("blame row %d: %v, the workload wrote %v", id, r.Row, want)
		}
		evs := m.events[id]
		if want := commitOf(evs[len(evs)-1].gtid); r.Commit != want {
			t.Errorf("row %d: last change at commit %d, the workload's at %d", id, r.Commit, want)
		}
		for c, gtid := range m.setBy[id] {
			if want := commitOf(gtid); r.Columns[c] != want {
				t.Errorf("row %d column %s: blamed on commit %d, set by commit %d (%s)", id, b.Schema.Columns[c].Name, r.Columns[c], want, gtid)
			}
		}
	}
}

// audValueKey is an exact text of a canonical value with its Go type.
func audValueKey(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return fmt.Sprintf("[]byte:%x", x)
	case string:
		return "string:" + strconv.Quote(x)
	}
	return fmt.Sprintf("%T:%v", v, v)
}

// audRowKey is an exact text of an image ("-" for none).
func audRowKey(row []any) string {
	if row == nil {
		return "-"
	}
	parts := make([]string, len(row))
	for i, v := range row {
		parts[i] = audValueKey(v)
	}
	return strings.Join(parts, "|")
}
