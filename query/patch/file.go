package patch

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/binlake/binlake/layout/value"
)

// A patch file is plain SQL for MySQL and MariaDB that a reviewer can read
// and the mysql client can run, with machine-readable comments that
// binlake apply uses:
//
//	-- binlake patch, format 1            first line: what the file is
//	-- kind: revert                       header: "-- key: value" lines,
//	-- store: file:///data/lake           ended by a bare "--" line
//	-- commit: 42 gtid=0-1-42 time=...
//	--
//	-- (free notes)
//	SET NAMES utf8mb4;                    session settings (PatchSessionSQL)
//	...
//	START TRANSACTION;
//	-- expect 1: shop.t id=5: undo update of commit 42
//	UPDATE `shop`.`t` SET ... WHERE <full image>;
//	SET @binlake_check = (...ROW_COUNT() <> 1);   stops the mysql client
//	COMMIT;
//	-- end of binlake patch: 1 statements, 1 rows expected
//
// "-- expect N: note" says how many rows the next statement must touch;
// "-- undo: SQL" (only before START TRANSACTION, on CREATE TABLE) says how
// apply takes a statement back when the transaction fails. A check
// statement follows every expected statement so that the mysql client
// stops with error 1242 ("Subquery returns more than 1 row") on a
// mismatch, before COMMIT; apply checks the count itself and skips them.

// PatchFormat is the version of the patch file format.
const PatchFormat = 1

const (
	patchMagic     = "-- binlake patch, format "
	patchTrailer   = "-- end of binlake patch"
	checkPrefix    = "SET @binlake_check"
	maxPatchHeader = 1 << 20
	maxStatement   = 512 << 20
)

// Header is the metadata at the top of a patch file.
type Header struct {
	Format     int
	Kind       string // "revert" or "patch"
	Store      string // the store the patch was made from
	Source     string // the primary's flavor and server id
	Commits    []Commit
	From, To   *Commit // kind patch: the states the tables move between
	Head       *Commit // the newest commit of the chain when the patch was made
	Created    time.Time
	Tables     []string
	OnConflict string   // kind revert: fail or skip
	Conflicts  []string // one line per conflicting value, skipped from the patch
	// Other holds header lines of keys this version does not know.
	Other []string
}

// Commit names a commit in a header: its number, GTID and source time.
type Commit struct {
	N    uint64
	GTID string
	Time time.Time
}

func (c Commit) String() string {
	s := strconv.FormatUint(c.N, 10)
	if c.GTID != "" {
		s += " gtid=" + c.GTID
	}
	if !c.Time.IsZero() {
		s += " time=" + c.Time.UTC().Format(time.RFC3339)
	}
	return s
}

// Describe names a commit for people: "commit 23 (GTID 0-1-23, 2026-11-22T14:02:00Z)".
func (c Commit) Describe() string {
	var parts []string
	if c.GTID != "" {
		parts = append(parts, "GTID "+c.GTID)
	}
	if !c.Time.IsZero() {
		parts = append(parts, c.Time.UTC().Format(time.RFC3339))
	}
	s := "commit " + strconv.FormatUint(c.N, 10)
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

// Describe says what a patch does, for people: "a revert of commit 23
// (GTID 0-1-23, ...)" or "a patch from commit 25 (...) to commit 11 (...)".
func (h *Header) Describe() string {
	switch h.Kind {
	case "revert":
		names := make([]string, len(h.Commits))
		for i, c := range h.Commits {
			names[i] = c.Describe()
		}
		return "a revert of " + strings.Join(names, ", ")
	case "patch":
		if h.From != nil && h.To != nil {
			return "a patch from " + h.From.Describe() + " to " + h.To.Describe()
		}
	}
	return "a " + h.Kind
}

func parseCommit(s string) (Commit, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return Commit{}, errors.New("empty commit")
	}
	n, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil {
		return Commit{}, fmt.Errorf("commit number %q: %w", f[0], err)
	}
	c := Commit{N: n}
	for _, kv := range f[1:] {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "gtid":
			c.GTID = v
		case "time":
			if c.Time, err = time.Parse(time.RFC3339, v); err != nil {
				return Commit{}, fmt.Errorf("commit time %q: %w", v, err)
			}
		}
	}
	return c, nil
}

// PatchSessionSQL are the session settings every patch starts with: text
// literals in utf8mb4, a sql_mode without NO_ZERO_DATE, NO_ZERO_IN_DATE,
// strict mode or NO_BACKSLASH_ESCAPES (zero dates and the invalid ENUM
// value are stored as they were; NO_AUTO_VALUE_ON_ZERO keeps a 0 in an
// AUTO_INCREMENT column), and TIMESTAMPs in UTC as the lake holds them.
var PatchSessionSQL = []string{
	"SET NAMES utf8mb4",
	"SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO,ALLOW_INVALID_DATES,NO_ENGINE_SUBSTITUTION'",
	"SET SESSION time_zone = '+00:00'",
}

// restoreSessionSQL is added for kind patch, as mysqldump does: a restore
// inserts tables in name order, not in foreign-key order.
const restoreSessionSQL = "SET SESSION foreign_key_checks = 0"

// Statement is one SQL statement of a patch.
type Statement struct {
	SQL string
	// Expect is the number of rows the statement must touch; -1 when it is
	// not checked (session settings, DDL, transaction control).
	Expect int
	// Note says what the statement does, for reports: table, key, why.
	Note string
	// Undo takes the statement back (CREATE TABLE before the transaction).
	Undo string
	// Line is the statement's first line in the file (set by the reader).
	Line int
}

// isCheck reports whether the statement is a mysql-client row-count check,
// which apply replaces by its own.
func (s *Statement) isCheck() bool { return strings.HasPrefix(s.SQL, checkPrefix) }

func checkSQL(n int) string {
	return fmt.Sprintf("%s = (SELECT 1 FROM (SELECT 1 UNION ALL SELECT 2) AS binlake_check WHERE ROW_COUNT() <> %d)", checkPrefix, n)
}

// Writer writes a patch file: header, session settings, then
// statements; Begin and Commit bracket the transaction and Close writes the
// trailer that marks the file complete.
type Writer struct {
	w          *bufio.Writer
	statements int
	rows       int64
	began      bool
	committed  bool
}

// NewWriter writes the header and the session settings.
func NewWriter(w io.Writer, h *Header) (*Writer, error) {
	pw := &Writer{w: bufio.NewWriterSize(w, 1<<16)}
	pw.writeHeader(h)
	for _, q := range PatchSessionSQL {
		pw.w.WriteString(q + ";\n")
	}
	if h.Kind == "patch" {
		pw.w.WriteString(restoreSessionSQL + ";\n")
	}
	return pw, nil
}

func (pw *Writer) writeHeader(h *Header) {
	b := pw.w
	line := func(k, v string) {
		if v != "" {
			b.WriteString("-- " + k + ": " + value.Clip(v, 1<<12) + "\n")
		}
	}
	fmt.Fprintf(b, "%s%d\n", patchMagic, PatchFormat)
	line("kind", h.Kind)
	line("store", h.Store)
	line("source", h.Source)
	for _, c := range h.Commits {
		line("commit", c.String())
	}
	if h.From != nil {
		line("from", h.From.String())
	}
	if h.To != nil {
		line("to", h.To.String())
	}
	if h.Head != nil {
		line("head", h.Head.String())
	}
	if !h.Created.IsZero() {
		line("created", h.Created.UTC().Format(time.RFC3339))
	}
	for _, t := range h.Tables {
		line("table", t)
	}
	line("on-conflict", h.OnConflict)
	for _, c := range h.Conflicts {
		line("conflict", c)
	}
	for _, o := range h.Other {
		b.WriteString("-- " + value.Clip(o, 1<<12) + "\n")
	}
	b.WriteString(`--
-- Plain SQL for MySQL and MariaDB. Apply it with
--   binlake apply FILE --to mysql://USER:PASSWORD@HOST:PORT
-- which runs it in one transaction, checks that each statement marked
-- "-- expect N" touched exactly N rows, and rolls everything back with a
-- report otherwise. Run by the mysql client instead, the SET @binlake_check
-- after each such statement stops the script with error 1242 ("Subquery
-- returns more than 1 row") on a mismatch, before COMMIT, so nothing is
-- committed. Statements are guarded by the full row image they expect: a
-- row that changed since is not matched, so it cannot be overwritten.
`)
}

// Begin writes START TRANSACTION.
func (pw *Writer) Begin() error {
	if pw.began {
		return errors.New("patch: Begin twice")
	}
	pw.began = true
	pw.w.WriteString("START TRANSACTION;\n")
	return nil
}

// Write writes one statement with its directives and, when it is checked,
// the check that follows it.
func (pw *Writer) Write(st Statement) error {
	if st.Expect >= 0 && (!pw.began || pw.committed) {
		return errors.New("patch: a checked statement outside the transaction")
	}
	if st.Undo != "" && pw.began {
		return errors.New("patch: an undo directive inside the transaction")
	}
	if st.Expect >= 0 {
		fmt.Fprintf(pw.w, "-- expect %d: %s\n", st.Expect, value.Clip(st.Note, 1<<12))
	} else if st.Note != "" {
		pw.w.WriteString("-- " + value.Clip(st.Note, 1<<12) + "\n")
	}
	if st.Undo != "" {
		pw.w.WriteString("-- undo: " + value.Clip(st.Undo, 1<<12) + "\n")
	}
	pw.w.WriteString(st.SQL + ";\n")
	if st.Expect >= 0 {
		pw.w.WriteString(checkSQL(st.Expect) + ";\n")
		pw.rows += int64(st.Expect)
	}
	pw.statements++
	return nil
}

// Commit writes COMMIT.
func (pw *Writer) Commit() error {
	if !pw.began || pw.committed {
		return errors.New("patch: Commit without Begin")
	}
	pw.committed = true
	pw.w.WriteString("COMMIT;\n")
	return nil
}

// Close writes the trailer and flushes.
func (pw *Writer) Close() error {
	if !pw.committed {
		return errors.New("patch: Close before Commit")
	}
	fmt.Fprintf(pw.w, "%s: %d statements, %d rows expected\n", patchTrailer, pw.statements, pw.rows)
	return pw.w.Flush()
}

// Statements and Rows count what was written so far.
func (pw *Writer) Statements() int { return pw.statements }

// Rows is the sum of the expected row counts written so far.
func (pw *Writer) Rows() int64 { return pw.rows }

// Reader reads a patch file statement by statement. Its input comes
// from outside: anything malformed is an error, never a panic.
type Reader struct {
	r        *bufio.Reader
	line     int
	header   Header
	comments []string // comment lines since the last statement
	complete bool
	err      error
}

// NewReader reads the header of a patch file.
func NewReader(r io.Reader) (*Reader, error) {
	pr := &Reader{r: bufio.NewReaderSize(r, 1<<16), line: 1}
	if err := pr.readHeader(); err != nil {
		return nil, fmt.Errorf("read patch header: %w", err)
	}
	return pr, nil
}

// Header is the file's header.
func (pr *Reader) Header() *Header { return &pr.header }

// Complete reports whether the trailer was read: a file without it was cut
// short.
func (pr *Reader) Complete() bool { return pr.complete }

func (pr *Reader) readHeader() error {
	first, err := pr.readLine(maxPatchHeader)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(first, patchMagic) {
		return fmt.Errorf("not a binlake patch: the first line is %q, not %q", value.Clip(first, 60), patchMagic+"N")
	}
	f, err := strconv.Atoi(strings.TrimSpace(first[len(patchMagic):]))
	if err != nil || f < 1 {
		return fmt.Errorf("bad format number in %q", first)
	}
	if f > PatchFormat {
		return fmt.Errorf("patch format %d is newer than this binlake reads (%d)", f, PatchFormat)
	}
	pr.header.Format = f
	for total := len(first); ; {
		b, err := pr.r.Peek(2)
		if err != nil || string(b) != "--" {
			return nil // the header ends where comments do
		}
		l, err := pr.readLine(maxPatchHeader)
		if err != nil {
			return err
		}
		if total += len(l); total > maxPatchHeader {
			return fmt.Errorf("header longer than %d bytes", maxPatchHeader)
		}
		body := strings.TrimSpace(strings.TrimPrefix(l, "--"))
		if body == "" {
			return nil
		}
		if err := pr.header.set(body); err != nil {
			return fmt.Errorf("line %d: %w", pr.line-1, err)
		}
	}
}

// readLine reads one line without its newline; EOF after some text ends
// the line.
func (pr *Reader) readLine(limit int) (string, error) {
	var b strings.Builder
	for {
		c, err := pr.r.ReadByte()
		if err == io.EOF && b.Len() > 0 {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		if c == '\n' {
			pr.line++
			return strings.TrimSuffix(b.String(), "\r"), nil
		}
		if b.Len() >= limit {
			return "", fmt.Errorf("line %d is longer than %d bytes", pr.line, limit)
		}
		b.WriteByte(c)
	}
}

func (h *Header) set(body string) error {
	k, v, ok := strings.Cut(body, ": ")
	if !ok {
		h.Other = append(h.Other, body)
		return nil
	}
	var err error
	commit := func() (*Commit, error) {
		c, err := parseCommit(v)
		return &c, err
	}
	switch k {
	case "kind":
		h.Kind = v
	case "store":
		h.Store = v
	case "source":
		h.Source = v
	case "commit":
		var c *Commit
		if c, err = commit(); err == nil {
			h.Commits = append(h.Commits, *c)
		}
	case "from":
		h.From, err = commit()
	case "to":
		h.To, err = commit()
	case "head":
		h.Head, err = commit()
	case "created":
		h.Created, err = time.Parse(time.RFC3339, v)
	case "table":
		h.Tables = append(h.Tables, v)
	case "on-conflict":
		h.OnConflict = v
	case "conflict":
		h.Conflicts = append(h.Conflicts, v)
	default:
		h.Other = append(h.Other, body)
	}
	if err != nil {
		return fmt.Errorf("header %s: %w", k, err)
	}
	return nil
}

// Next returns the next statement, or io.EOF after the last one.
func (pr *Reader) Next() (*Statement, error) {
	if pr.err != nil {
		return nil, pr.err
	}
	st, err := pr.next()
	if err != nil {
		pr.err = err
		if err != io.EOF {
			pr.err = fmt.Errorf("read patch, line %d: %w", pr.line, err)
		}
		return nil, pr.err
	}
	return st, nil
}

// next scans one statement: up to a ';' outside quotes and comments.
// Comment lines before it carry its directives.
func (pr *Reader) next() (*Statement, error) {
	var sql strings.Builder
	start := 0 // the line the statement starts on; 0 until it has started
	for {
		c, err := pr.r.ReadByte()
		if err == io.EOF {
			if start > 0 {
				return nil, fmt.Errorf("the statement from line %d has no closing ';': the file is cut short", start)
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, err
		}
		if sql.Len() >= maxStatement {
			return nil, fmt.Errorf("the statement from line %d is longer than %d bytes", start, maxStatement)
		}
		switch {
		case c == ';':
			if start == 0 {
				continue
			}
			return pr.statement(strings.TrimSpace(sql.String()), start)
		case c == '#' || c == '-' && (pr.peekIs("- ", "-\t", "-\n", "-\r") || pr.peekEOFAfterDash()):
			l, err := pr.readLine(maxStatement)
			if err != nil && err != io.EOF {
				return nil, err
			}
			if start == 0 {
				pr.comment(string(c) + l)
			} else {
				sql.WriteString(string(c) + l + "\n")
			}
			continue
		case c == '/' && pr.peekIs("*"):
			if start == 0 {
				start = pr.line
			}
			if err := pr.blockComment(&sql); err != nil {
				return nil, err
			}
			continue
		case c == '\'' || c == '"' || c == '`':
			if start == 0 {
				start = pr.line
			}
			if err := pr.quoted(c, &sql); err != nil {
				return nil, err
			}
			continue
		case c == '\n':
			pr.line++
		}
		if start == 0 {
			if c <= ' ' {
				continue
			}
			start = pr.line
		}
		sql.WriteByte(c)
	}
}

func (pr *Reader) peekIs(opts ...string) bool {
	for _, o := range opts {
		if b, err := pr.r.Peek(len(o)); err == nil && string(b) == o {
			return true
		}
	}
	return false
}

// peekEOFAfterDash recognizes "--" as the very last bytes of the input.
func (pr *Reader) peekEOFAfterDash() bool {
	b, err := pr.r.Peek(2)
	return len(b) == 1 && b[0] == '-' && err == io.EOF
}

// comment records a comment line seen between statements; the trailer
// marks the file complete.
func (pr *Reader) comment(l string) {
	if strings.HasPrefix(l, patchTrailer) {
		pr.complete = true
	}
	if len(pr.comments) >= 64 { // directives come right before their statement
		pr.comments = append(pr.comments[:0], pr.comments[1:]...)
	}
	pr.comments = append(pr.comments, l)
}

// quoted copies a quoted string or identifier: a doubled quote stands for
// itself, and in strings a backslash escapes the next byte.
func (pr *Reader) quoted(q byte, sql *strings.Builder) error {
	sql.WriteByte(q)
	from := pr.line
	for {
		c, err := pr.r.ReadByte()
		if err == io.EOF {
			return fmt.Errorf("the quoted text from line %d is not closed: the file is cut short", from)
		}
		if err != nil {
			return err
		}
		if sql.Len() >= maxStatement {
			return fmt.Errorf("the statement is longer than %d bytes", maxStatement)
		}
		sql.WriteByte(c)
		switch {
		case c == '\n':
			pr.line++
		case c == '\\' && q != '`':
			n, err := pr.r.ReadByte()
			if err != nil {
				return fmt.Errorf("the quoted text from line %d is not closed: the file is cut short", from)
			}
			if n == '\n' {
				pr.line++
			}
			sql.WriteByte(n)
		case c == q:
			if !pr.peekIs(string(q)) {
				return nil
			}
			n, _ := pr.r.ReadByte()
			sql.WriteByte(n)
		}
	}
}

func (pr *Reader) blockComment(sql *strings.Builder) error {
	pr.r.ReadByte() // the '*'
	sql.WriteString("/*")
	from := pr.line
	var prev byte
	for {
		c, err := pr.r.ReadByte()
		if err != nil {
			return fmt.Errorf("the comment from line %d is not closed: the file is cut short", from)
		}
		if sql.Len() >= maxStatement {
			return fmt.Errorf("the statement is longer than %d bytes", maxStatement)
		}
		sql.WriteByte(c)
		if c == '\n' {
			pr.line++
		}
		if prev == '*' && c == '/' {
			return nil
		}
		prev = c
	}
}

// statement builds a Statement from its text and the directives in the
// comments before it.
func (pr *Reader) statement(sql string, line int) (*Statement, error) {
	st := &Statement{SQL: sql, Expect: -1, Line: line}
	for _, c := range pr.comments {
		body := strings.TrimSpace(strings.TrimLeft(c, "-#"))
		switch {
		case strings.HasPrefix(body, "expect "):
			text, note, _ := strings.Cut(body[len("expect "):], ":")
			n, err := strconv.Atoi(strings.TrimSpace(text))
			if err != nil || n < 0 {
				return nil, fmt.Errorf("line %d: bad directive %q: want \"-- expect N: note\"", line, value.Clip(c, 60))
			}
			st.Expect, st.Note = n, strings.TrimSpace(note)
		case strings.HasPrefix(body, "undo: "):
			st.Undo = strings.TrimSpace(body[len("undo: "):])
		}
	}
	pr.comments = pr.comments[:0]
	return st, nil
}
