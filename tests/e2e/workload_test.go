package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
)

// stmt is one SQL statement with its arguments.
type stmt struct {
	sql  string
	args []any
}

// workloadStats counts what the workload did.
type workloadStats struct {
	committed  atomic.Int64 // transactions committed
	rolledBack atomic.Int64 // transactions rolled back on purpose
	conflicts  atomic.Int64 // transactions abandoned on deadlock, lock wait or duplicate key
	statements atomic.Int64
	ddl        atomic.Int64
	rotations  atomic.Int64
	ddlKinds   sync.Map // kind -> *atomic.Int64
}

func (s *workloadStats) countDDL(kind string) {
	s.ddl.Add(1)
	v, _ := s.ddlKinds.LoadOrStore(kind, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

func (s *workloadStats) ddlSummary() string {
	var parts []string
	s.ddlKinds.Range(func(k, v any) bool {
		parts = append(parts, fmt.Sprintf("%s=%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	return strings.Join(sortedStrings(parts), " ")
}

// keys hands out fresh primary keys to every connection.
type keys struct {
	allTypes atomic.Int64
	accounts atomic.Int64
}

// execTxn runs statements as one transaction (or, with autocommit, one
// statement alone). Conflicts (deadlock, lock wait timeout, duplicate key)
// abandon the transaction and are counted; any other error is returned.
func execTxn(c *client.Conn, st *workloadStats, stmts []stmt, rollback bool) error {
	single := len(stmts) == 1 && !rollback
	if !single {
		if _, err := c.Execute("BEGIN"); err != nil {
			return fmt.Errorf("BEGIN: %w", err)
		}
	}
	for _, s := range stmts {
		st.statements.Add(1)
		if _, err := c.Execute(s.sql, s.args...); err != nil {
			_, _ = c.Execute("ROLLBACK")
			switch mysqlCode(err) {
			case errDeadlock, errLockWait, errDupKey:
				st.conflicts.Add(1)
				return nil
			}
			return fmt.Errorf("%s %s: %w", s.sql, argsText(s.args), err)
		}
	}
	if single {
		st.committed.Add(1)
		return nil
	}
	end := "COMMIT"
	if rollback {
		end = "ROLLBACK"
	}
	if _, err := c.Execute(end); err != nil {
		if code := mysqlCode(err); code == errDeadlock || code == errLockWait {
			st.conflicts.Add(1)
			return nil
		}
		return fmt.Errorf("%s: %w", end, err)
	}
	if rollback {
		st.rolledBack.Add(1)
	} else {
		st.committed.Add(1)
	}
	return nil
}

func argsText(args []any) string {
	s := fmt.Sprintf("%v", args)
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	return s
}

// dmlWorker runs random multi-statement transactions over alltypes, nopk
// and accounts on one connection.
type dmlWorker struct {
	c     *client.Conn
	r     *rand.Rand
	cols  []column // alltypes columns for this session's time zone
	keys  *keys
	stats *workloadStats
}

// sessionSetup is run on every workload connection; tz differs per
// connection so that TIMESTAMP conversion is exercised.
func sessionSetup(c *client.Conn, tz string) error {
	for _, q := range []string{
		"SET SESSION time_zone = '" + tz + "'",
		"SET SESSION innodb_lock_wait_timeout = 5",
		// MariaDB 10.11's default sql_mode: no NO_ZERO_DATE, so zero dates are accepted.
		"SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION'",
	} {
		if _, err := c.Execute(q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

func (w *dmlWorker) run(ctx context.Context) error {
	for ctx.Err() == nil {
		if err := w.txn(); err != nil {
			return err
		}
		time.Sleep(time.Duration(w.r.IntN(30)) * time.Millisecond)
	}
	return nil
}

// txn runs one random transaction of one to five actions; one in twenty is
// rolled back.
func (w *dmlWorker) txn() error {
	var stmts []stmt
	for range 1 + w.r.IntN(5) {
		stmts = append(stmts, w.action()...)
	}
	return execTxn(w.c, w.stats, stmts, w.r.IntN(20) == 0)
}

// action returns the statements of one random change.
func (w *dmlWorker) action() []stmt {
	r := w.r
	switch n := r.IntN(100); {
	case n < 18:
		return []stmt{w.insertAllTypes(1+r.IntN(3), false)}
	case n < 20:
		return []stmt{w.insertAllTypes(1, true)}
	case n < 23:
		return []stmt{w.replaceAllTypes()}
	case n < 40:
		return []stmt{w.updateAllTypes()}
	case n < 45:
		return []stmt{w.moveAllTypes()}
	case n < 52:
		return []stmt{w.deleteAllTypes()}
	case n < 62:
		return []stmt{w.insertNoPK()}
	case n < 68:
		return []stmt{w.updateNoPK()}
	case n < 73:
		return []stmt{w.deleteNoPK()}
	case n < 88:
		return w.transfer()
	case n < 92:
		return []stmt{w.insertAccount()}
	case n < 95:
		return []stmt{w.upsertAccount()}
	case n < 97:
		return []stmt{w.moveAccount()}
	}
	return []stmt{{"DELETE FROM e2e.accounts WHERE id = ?", []any{w.someAccount()}}}
}

func (w *dmlWorker) someID() int64 { return 1 + w.r.Int64N(w.keys.allTypes.Load()+5) }

func (w *dmlWorker) someAccount() int64 { return 1 + w.r.Int64N(w.keys.accounts.Load()+2) }

// insertAllTypes inserts rows with fresh keys; invalidEnum uses INSERT
// IGNORE to store ENUM's invalid value, the empty label.
func (w *dmlWorker) insertAllTypes(rows int, invalidEnum bool) stmt {
	names := []string{"id"}
	for _, c := range w.cols {
		names = append(names, c.name)
	}
	var tuples []string
	var args []any
	for range rows {
		ph := []string{"?"}
		args = append(args, w.keys.allTypes.Add(1))
		for _, c := range w.cols {
			ph = append(ph, c.placeholder())
			v := c.gen(w.r)
			if invalidEnum && c.name == "en" {
				v = "not a member"
			}
			args = append(args, v)
		}
		tuples = append(tuples, "("+strings.Join(ph, ", ")+")")
	}
	verb := "INSERT"
	if invalidEnum {
		verb = "INSERT IGNORE"
	}
	return stmt{verb + " INTO e2e.alltypes (" + strings.Join(names, ", ") + ") VALUES " + strings.Join(tuples, ", "), args}
}

// replaceAllTypes replaces a row that may exist (delete + insert, or update).
func (w *dmlWorker) replaceAllTypes() stmt {
	s := w.insertAllTypes(1, false)
	s.sql = "REPLACE" + strings.TrimPrefix(s.sql, "INSERT")
	s.args[0] = w.someID()
	return s
}

// setList returns "c1 = ?, c2 = ?" for one to four random columns.
func (w *dmlWorker) setList() (string, []any) {
	var sets []string
	var args []any
	for _, i := range w.r.Perm(len(w.cols))[:1+w.r.IntN(4)] {
		c := w.cols[i]
		sets = append(sets, c.name+" = "+c.placeholder())
		args = append(args, c.gen(w.r))
	}
	return strings.Join(sets, ", "), args
}

func (w *dmlWorker) updateAllTypes() stmt {
	sets, args := w.setList()
	if w.r.IntN(4) == 0 {
		lo := w.someID()
		return stmt{"UPDATE e2e.alltypes SET " + sets + " WHERE id BETWEEN ? AND ?", append(args, lo, lo+int64(w.r.IntN(5)))}
	}
	return stmt{"UPDATE e2e.alltypes SET " + sets + " WHERE id = ?", append(args, w.someID())}
}

// moveAllTypes changes a primary key (and sometimes another column too).
func (w *dmlWorker) moveAllTypes() stmt {
	if w.r.IntN(2) == 0 {
		sets, args := w.setList()
		return stmt{"UPDATE e2e.alltypes SET id = ?, " + sets + " WHERE id = ?",
			append(append([]any{w.keys.allTypes.Add(1)}, args...), w.someID())}
	}
	return stmt{"UPDATE e2e.alltypes SET id = ? WHERE id = ?", []any{w.keys.allTypes.Add(1), w.someID()}}
}

func (w *dmlWorker) deleteAllTypes() stmt {
	if w.r.IntN(3) == 0 {
		lo := w.someID()
		return stmt{"DELETE FROM e2e.alltypes WHERE id BETWEEN ? AND ?", []any{lo, lo + int64(w.r.IntN(3))}}
	}
	return stmt{"DELETE FROM e2e.alltypes WHERE id = ?", []any{w.someID()}}
}

// insertNoPK inserts one to three rows, often the same row more than once.
func (w *dmlWorker) insertNoPK() stmt {
	row := func() []any {
		var vals []any
		for _, c := range nopkColumns {
			vals = append(vals, c.gen(w.r))
		}
		return vals
	}
	first := row()
	var tuples []string
	var args []any
	for i := range 1 + w.r.IntN(3) {
		vals := first
		if i > 0 && w.r.IntN(2) == 0 {
			vals = row()
		}
		tuples = append(tuples, "(?, ?, ?, ?, ?, ?)")
		args = append(args, vals...)
	}
	return stmt{"INSERT INTO e2e.nopk (a, b, c, d, e, l) VALUES " + strings.Join(tuples, ", "), args}
}

func (w *dmlWorker) updateNoPK() stmt {
	c := nopkColumns[1+w.r.IntN(len(nopkColumns)-1)]
	limit := ""
	if w.r.IntN(2) == 0 {
		limit = " LIMIT 1"
	}
	return stmt{"UPDATE e2e.nopk SET " + c.name + " = ? WHERE a = ?" + limit, []any{c.gen(w.r), int64(w.r.IntN(5))}}
}

func (w *dmlWorker) deleteNoPK() stmt {
	limit := " LIMIT 1"
	if w.r.IntN(4) == 0 {
		limit = ""
	}
	return stmt{"DELETE FROM e2e.nopk WHERE a = ? AND b = ?" + limit, []any{int64(w.r.IntN(5)), nopkColumns[1].gen(w.r)}}
}

func (w *dmlWorker) amount() string {
	return fmt.Sprintf("%d.%02d", w.r.IntN(500), w.r.IntN(100))
}

// transfer moves money between two accounts in two statements.
func (w *dmlWorker) transfer() []stmt {
	amt, from, to := w.amount(), w.someAccount(), w.someAccount()
	return []stmt{
		{"UPDATE e2e.accounts SET balance = balance - ?, updated = NOW(6) WHERE id = ?", []any{amt, from}},
		{"UPDATE e2e.accounts SET balance = balance + ?, updated = NOW(6) WHERE id = ?", []any{amt, to}},
	}
}

func (w *dmlWorker) accountValues(id int64) []any {
	note := orNull(textGen(utf8Runes, utf8Edges, 200))(w.r)
	return []any{id, textGen(utf8Runes, utf8Edges, 40)(w.r), w.amount(), datetimeGen(6)(w.r), note}
}

func (w *dmlWorker) insertAccount() stmt {
	return stmt{"INSERT INTO e2e.accounts (id, owner, balance, updated, note) VALUES (?, ?, ?, ?, ?)",
		w.accountValues(w.keys.accounts.Add(1))}
}

// upsertAccount inserts, or updates the existing row on a duplicate key.
func (w *dmlWorker) upsertAccount() stmt {
	return stmt{"INSERT INTO e2e.accounts (id, owner, balance, updated, note) VALUES (?, ?, ?, ?, ?) " +
		"ON DUPLICATE KEY UPDATE balance = balance + VALUES(balance), note = VALUES(note)",
		w.accountValues(w.someAccount())}
}

func (w *dmlWorker) moveAccount() stmt {
	return stmt{"UPDATE e2e.accounts SET id = ? WHERE id = ?", []any{w.keys.accounts.Add(1), w.someAccount()}}
}

// seed fills the tables before ingest first starts.
func (w *dmlWorker) seed() error {
	for range 20 {
		stmts := []stmt{w.insertAllTypes(3, false), w.insertNoPK(), w.insertNoPK(), w.insertAccount()}
		if err := execTxn(w.c, w.stats, stmts, false); err != nil {
			return err
		}
	}
	// Exact duplicate rows in the table without a key.
	dup := w.insertNoPK()
	dup.sql += ", (?, ?, ?, ?, ?, ?)"
	dup.args = append(dup.args, dup.args[:6]...)
	return execTxn(w.c, w.stats, []stmt{dup}, false)
}
