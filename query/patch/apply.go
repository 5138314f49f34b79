package patch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/binlake/binlake/internal/mysqlurl"
	"github.com/binlake/binlake/layout/value"
)

// Target is the server a patch is applied to.
type Target struct {
	Addr     string // host:port
	User     string
	Password string
}

// ParseTarget reads mysql://user:password@host:port (port 3306 when
// absent; mariadb:// is accepted too).
func ParseTarget(raw string) (Target, error) {
	u, err := mysqlurl.Parse(raw)
	if err != nil {
		return Target{}, fmt.Errorf("target %q: %w", mysqlurl.Redact(raw), err)
	}
	return Target{Addr: u.Addr(), User: u.User, Password: u.Password}, nil
}

// ApplyOptions configures Apply.
type ApplyOptions struct {
	Target Target
	// DryRun runs the transaction and rolls it back instead of committing;
	// DDL before it is undone and DDL after it is not run.
	DryRun bool
	Log    *slog.Logger
}

// ApplyReport says what Apply did.
type ApplyReport struct {
	Header    Header
	Executed  int   // statements run
	Checked   int   // statements whose row count was checked
	Rows      int64 // rows the checked statements touched
	Committed bool
	Warnings  []string // the server's warnings, "line N: message"
	Duration  time.Duration
}

// ApplyError is returned when a patch did not apply: a statement failed or
// touched another number of rows than expected. Everything in the
// transaction was rolled back, and the DDL before it undone.
type ApplyError struct {
	Line     int
	Note     string // what the statement was doing: table, row, why
	SQL      string // the statement, cut short
	Expected int    // -1 when the statement failed
	Got      uint64
	Err      error // the server's error, when the statement failed
	Undone   []string
	UndoErr  error
}

func (e *ApplyError) Error() string {
	var b strings.Builder
	if e.Err != nil {
		fmt.Fprintf(&b, "statement at line %d failed: %v", e.Line, e.Err)
	} else {
		fmt.Fprintf(&b, "statement at line %d touched %d rows, expected %d", e.Line, e.Got, e.Expected)
	}
	if e.Note != "" {
		b.WriteString("\n  " + e.Note)
	}
	if e.Err == nil && e.Got < uint64(e.Expected) {
		b.WriteString("\n  the row is no longer as the patch expects: it changed (or was deleted) since the patch was made")
	}
	b.WriteString("\n  " + value.Clip(e.SQL, 300))
	b.WriteString("\nthe transaction was rolled back: nothing was committed")
	for _, u := range e.Undone {
		b.WriteString("\nundone: " + u)
	}
	if e.UndoErr != nil {
		fmt.Fprintf(&b, "\nundo failed: %v", e.UndoErr)
	}
	return b.String()
}

// Apply applies a patch file (read from its start) to the target in one
// transaction. It reads the whole file once first and refuses one that is incomplete (no
// trailer) or not shaped as binlake writes them; then it runs each
// statement, compares the rows touched by each one marked "-- expect N"
// with N (instead of running the SET @binlake_check statements meant for
// the mysql client), and on any mismatch or error rolls the transaction
// back, runs the undo of the DDL that ran before it, and returns an
// *ApplyError naming the statement and its row.
func Apply(ctx context.Context, patch io.ReadSeeker, opts ApplyOptions) (*ApplyReport, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	if _, err := patch.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read patch: %w", err)
	}
	h, err := validatePatch(patch)
	if err != nil {
		return nil, err
	}
	if _, err := patch.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read patch: %w", err)
	}
	pr, err := NewReader(patch)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	conn, err := client.ConnectWithDialer(ctx, "tcp", opts.Target.Addr, opts.Target.User, opts.Target.Password, "", dialer.DialContext)
	if err != nil {
		return nil, fmt.Errorf("connect to %s as %s: %w", opts.Target.Addr, opts.Target.User, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	a := &applier{conn: conn, log: log, dryRun: opts.DryRun, report: &ApplyReport{Header: *h}}
	err = a.run(ctx, pr)
	a.report.Duration = time.Since(start)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w (the connection was closed, so the server rolled the transaction back)", ctx.Err())
	}
	return a.report, err
}

// validatePatch reads a patch to its end and checks its shape: one
// transaction, checked statements only inside it, undo directives only
// before it, and the trailer.
func validatePatch(r io.Reader) (*Header, error) {
	pr, err := NewReader(r)
	if err != nil {
		return nil, err
	}
	began, committed := false, false
	for {
		st, err := pr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch txnControl(st.SQL) {
		case "begin":
			if began {
				return nil, fmt.Errorf("line %d: a second START TRANSACTION", st.Line)
			}
			began = true
		case "commit":
			if !began || committed {
				return nil, fmt.Errorf("line %d: COMMIT outside the transaction", st.Line)
			}
			committed = true
		case "rollback":
			return nil, fmt.Errorf("line %d: the patch rolls back by itself", st.Line)
		}
		if st.Expect >= 0 && (!began || committed) {
			return nil, fmt.Errorf("line %d: a checked statement outside the transaction", st.Line)
		}
		if st.Undo != "" && began {
			return nil, fmt.Errorf("line %d: an undo directive inside or after the transaction", st.Line)
		}
	}
	if !committed {
		return nil, errors.New("the patch has no COMMIT: it is cut short or not a binlake patch")
	}
	if !pr.Complete() {
		return nil, errors.New("the patch has no trailer line (" + patchTrailer + "): it is cut short")
	}
	return pr.Header(), nil
}

// txnControl classifies transaction statements: "begin", "commit",
// "rollback" or "".
func txnControl(sql string) string {
	s := strings.ToUpper(strings.Join(strings.Fields(sql), " "))
	switch s {
	case "START TRANSACTION", "BEGIN", "BEGIN WORK":
		return "begin"
	case "COMMIT", "COMMIT WORK":
		return "commit"
	case "ROLLBACK", "ROLLBACK WORK":
		return "rollback"
	}
	return ""
}

type applier struct {
	conn   *client.Conn
	log    *slog.Logger
	dryRun bool
	report *ApplyReport
	inTxn  bool
	undo   []string // undo statements of DDL run before the transaction
}

func (a *applier) run(ctx context.Context, pr *Reader) error {
	for {
		st, err := pr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return a.fail(&ApplyError{Expected: -1, Err: err})
		}
		if st.isCheck() {
			continue
		}
		switch txnControl(st.SQL) {
		case "begin":
			if _, err := a.conn.Execute(st.SQL); err != nil {
				return a.fail(&ApplyError{Line: st.Line, SQL: st.SQL, Expected: -1, Err: err})
			}
			a.inTxn = true
			continue
		case "commit":
			if a.dryRun {
				return a.rollBack("dry run")
			}
			if _, err := a.conn.Execute("COMMIT"); err != nil {
				return a.fail(&ApplyError{Line: st.Line, SQL: st.SQL, Expected: -1, Err: err})
			}
			a.inTxn, a.undo = false, nil
			a.report.Committed = true
			a.log.Info("patch committed", "statements", a.report.Executed, "rows", a.report.Rows)
			continue
		}
		if err := a.exec(st); err != nil {
			return err
		}
	}
}

func (a *applier) exec(st *Statement) error {
	res, err := a.conn.Execute(st.SQL)
	if err != nil {
		return a.fail(&ApplyError{Line: st.Line, Note: st.Note, SQL: st.SQL, Expected: -1, Err: err})
	}
	a.report.Executed++
	if st.Undo != "" {
		a.undo = append(a.undo, st.Undo)
	}
	if res.Warnings > 0 {
		a.warnings(st.Line)
	}
	if st.Expect < 0 {
		return nil
	}
	a.report.Checked++
	a.report.Rows += int64(res.AffectedRows)
	if res.AffectedRows != uint64(st.Expect) {
		return a.fail(&ApplyError{Line: st.Line, Note: st.Note, SQL: st.SQL, Expected: st.Expect, Got: res.AffectedRows})
	}
	return nil
}

// warnings records the server's warnings about the last statement.
func (a *applier) warnings(line int) {
	if len(a.report.Warnings) >= 100 {
		return
	}
	r, err := a.conn.Execute("SHOW WARNINGS LIMIT 10")
	if err != nil {
		return
	}
	for i := range r.RowNumber() {
		msg, _ := r.GetString(i, 2)
		a.report.Warnings = append(a.report.Warnings, fmt.Sprintf("line %d: %s", line, msg))
	}
}

// fail rolls back, undoes the DDL run before the transaction, and returns
// the error.
func (a *applier) fail(ae *ApplyError) error {
	if a.inTxn {
		if _, err := a.conn.Execute("ROLLBACK"); err != nil {
			ae.UndoErr = fmt.Errorf("ROLLBACK: %w", err)
		}
		a.inTxn = false
	}
	ae.Undone, ae.UndoErr = a.undoDDL(ae.UndoErr)
	return ae
}

// rollBack ends a dry run.
func (a *applier) rollBack(why string) error {
	if _, err := a.conn.Execute("ROLLBACK"); err != nil {
		return fmt.Errorf("%s: ROLLBACK: %w", why, err)
	}
	a.inTxn = false
	_, err := a.undoDDL(nil)
	return err
}

func (a *applier) undoDDL(prev error) ([]string, error) {
	var done []string
	for i := len(a.undo) - 1; i >= 0; i-- {
		if _, err := a.conn.Execute(a.undo[i]); err != nil {
			return done, errors.Join(prev, fmt.Errorf("%s: %w", a.undo[i], err))
		}
		done = append(done, a.undo[i])
	}
	a.undo = nil
	return done, prev
}
