package e2e

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/go-mysql-org/go-mysql/mysql"

	"github.com/binlake/binlake/ingest/ddl"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
)

// moment is the primary's exact contents of one database together with the
// binlog position they are consistent with.
type moment struct {
	N      int
	File   string
	Pos    uint32
	At     time.Time
	Tables map[string]*primaryTable
}

func (m *moment) String() string {
	return fmt.Sprintf("moment %d (%s:%d, %s)", m.N, m.File, m.Pos, m.At.Format("15:04:05.000"))
}

// primaryTable is one table as the primary had it: its columns as
// ddl.ColumnsFromCreate reads SHOW CREATE TABLE, and its rows as
// canonical values.
type primaryTable struct {
	Create  string
	Columns []layout.Column
	Rows    [][]any
}

// MariaDB error codes the test handles.
const (
	errTableDefChanged = 1412 // ER_TABLE_DEF_CHANGED: a DDL after the snapshot started
	errNoSuchTable     = 1146
	errDupKey          = 1062
	errLockWait        = 1205
	errDeadlock        = 1213
)

func mysqlCode(err error) uint16 {
	var me *mysql.MyError
	if errors.As(err, &me) {
		return me.Code
	}
	return 0
}

// recorderConn opens the connection moments are read on: UTC timestamps
// and text as the bytes the tables hold (value.SessionSQL).
func prepareRecorderConn(c *client.Conn) error {
	qs := append([]string{"SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"}, value.SessionSQL...)
	for _, q := range qs {
		if _, err := c.Execute(q); err != nil {
			return fmt.Errorf("recorder: %s: %w", q, err)
		}
	}
	return nil
}

// recordMoment reads every table of db in one consistent snapshot, with the
// binlog position MariaDB reports for that snapshot. A DDL that races with
// the snapshot makes an attempt fail; it is retried.
func recordMoment(c *client.Conn, db string) (*moment, error) {
	var last error
	for attempt := 0; attempt < 20; attempt++ {
		m, err := recordOnce(c, db)
		if err == nil {
			return m, nil
		}
		_, _ = c.Execute("ROLLBACK")
		if code := mysqlCode(err); code != errTableDefChanged && code != errNoSuchTable {
			return nil, err
		}
		last = err
		time.Sleep(20 * time.Millisecond)
	}
	return nil, fmt.Errorf("record moment: 20 attempts failed, last: %w", last)
}

func recordOnce(c *client.Conn, db string) (*moment, error) {
	if _, err := c.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
		return nil, fmt.Errorf("start consistent snapshot: %w", err)
	}
	m := &moment{At: time.Now(), Tables: map[string]*primaryTable{}}
	r, err := c.Execute("SHOW STATUS LIKE 'binlog_snapshot_%'")
	if err != nil {
		return nil, fmt.Errorf("binlog_snapshot status: %w", err)
	}
	for i := range r.RowNumber() {
		name, _ := r.GetString(i, 0)
		val, _ := r.GetString(i, 1)
		switch strings.ToLower(name) {
		case "binlog_snapshot_file":
			m.File = val
		case "binlog_snapshot_position":
			p, err := strconv.ParseUint(val, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("binlog_snapshot_position %q: %w", val, err)
			}
			m.Pos = uint32(p)
		}
	}
	if m.File == "" || m.Pos == 0 {
		return nil, fmt.Errorf("no binlog snapshot position in %v", r.Values)
	}
	r, err = c.Execute("SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'", db)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var names []string
	for i := range r.RowNumber() {
		name, _ := r.GetString(i, 0)
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t, err := readPrimaryTable(c, db, name)
		if err != nil {
			return nil, err
		}
		m.Tables[name] = t
	}
	if _, err := c.Execute("ROLLBACK"); err != nil {
		return nil, fmt.Errorf("end snapshot: %w", err)
	}
	return m, nil
}

// readPrimaryTable reads one table over the binary protocol (exact FLOATs)
// and converts every value with value.FromSQL.
func readPrimaryTable(c *client.Conn, db, table string) (*primaryTable, error) {
	full := quoteName(db) + "." + quoteName(table)
	r, err := c.Execute("SHOW CREATE TABLE " + full)
	if err != nil {
		return nil, fmt.Errorf("show create table %s: %w", full, err)
	}
	create, _ := r.GetString(0, 1)
	cols, _, err := ddl.ColumnsFromCreate(create)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", full, err)
	}
	names := make([]string, len(cols))
	for i := range cols {
		names[i] = quoteName(cols[i].Name)
	}
	q := "SELECT " + strings.Join(names, ", ") + " FROM " + full
	stmt, err := c.Prepare(q)
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", q, err)
	}
	defer stmt.Close()
	t := &primaryTable{Create: create, Columns: cols}
	var res mysql.Result
	err = stmt.ExecuteSelectStreaming(&res, func(row []mysql.FieldValue) error {
		out := make([]any, len(row))
		for i := range row {
			v, err := value.FromSQL(&cols[i], row[i].Value())
			if err != nil {
				return err
			}
			if b, ok := v.([]byte); ok {
				v = append([]byte{}, b...)
			}
			out[i] = v
		}
		t.Rows = append(t.Rows, out)
		return nil
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", full, err)
	}
	return t, nil
}

func quoteName(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }
