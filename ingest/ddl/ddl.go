package ddl

import (
	"errors"
	"fmt"
	"time"

	"github.com/binlake/binlake/layout"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// SchemaSet holds the latest schema version of every table binlake knows.
// A dropped table keeps its last (Dropped) version, so that a table created
// again under the same name continues its version numbers.
//
// A version with no columns that is not Dropped is pending: binlake knows
// the table exists but not its columns (CREATE TABLE ... SELECT, CREATE
// TABLE ... LIKE an unknown table); the next table map of the table decides
// them.
type SchemaSet map[layout.TableRef]*layout.TableSchema

// Errors Apply wraps in a *Error; a caller tells them apart with
// errors.Is.
var (
	// ErrUnknownTable: the statement changes a table binlake has no
	// columns for (history started after it was created, or its version is
	// pending). The caller can take the table's columns from its next table
	// map.
	ErrUnknownTable = errors.New("table not known")
	// ErrUnparsable: the statement looks like table DDL but does not parse.
	ErrUnparsable = errors.New("statement does not parse")
	// ErrValuesUnknown: the statement adds a column whose value in existing
	// rows binlake cannot compute (AUTO_INCREMENT, generated columns,
	// expression defaults), or uses a form Apply does not model.
	ErrValuesUnknown = errors.New("values of existing rows cannot be derived")
)

// Error is the error Apply returns: it names the statement and, when
// the error concerns one table, the table.
type Error struct {
	Stmt  string
	Table layout.TableRef // zero when no single table is concerned
	Err   error
}

func (e *Error) Error() string {
	stmt := e.Stmt
	if len(stmt) > 300 {
		stmt = stmt[:300] + "..."
	}
	if e.Table != (layout.TableRef{}) {
		return fmt.Sprintf("DDL on %s: %v; statement: %q", e.Table, e.Err, stmt)
	}
	return fmt.Sprintf("DDL: %v; statement: %q", e.Err, stmt)
}

func (e *Error) Unwrap() error { return e.Err }

// tableError is an error about one table, before the statement is known.
func tableError(ref layout.TableRef, sentinel error, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if sentinel != nil {
		err = fmt.Errorf("%w: %w", sentinel, err)
	}
	return &Error{Table: ref, Err: err}
}

// Apply applies one statement of a Query event to set and returns the
// schema versions it creates, in the order the statement touches the
// tables. Each version has Since = commit and Version = the previous
// version of its table + 1 (1 for a new table); a table touched several
// times by one statement (RENAME a TO b, b TO c) gets one version, relative
// to the state before the statement. defaultDB is the event's default
// database; at is the commit time, which DEFAULT CURRENT_TIMESTAMP gives
// the rows that exist when a column is added: pass the microseconds the
// source logs (MariaDB's Q_HRNOW) when the column has fractional seconds.
//
// A statement that is not table DDL (CREATE USER, GRANT, CREATE VIEW,
// CREATE DATABASE, SET, ...) or that changes neither columns nor primary
// key (CREATE INDEX, ALTER ... ENGINE, ...) returns nothing. On error, set
// is unchanged and the error is a *Error wrapping ErrUnknownTable,
// ErrUnparsable or ErrValuesUnknown.
//
// Apply follows MariaDB: JSON is an alias of LONGTEXT, and extra
// fractional-second digits of a DEFAULT are cut, not rounded. Literal
// TIMESTAMP defaults and CURRENT_TIMESTAMP for DATETIME are taken as UTC
// (the session time zone is not known here), and
// explicit_defaults_for_timestamp is assumed ON.
func Apply(set SchemaSet, defaultDB string, stmt string, commit uint64, at time.Time) ([]layout.TableSchema, error) {
	nodes, err := parseStatement(stmt)
	if err != nil {
		return nil, &Error{Stmt: stmt, Err: err}
	}
	ws := newWorkspace(set, defaultDB, at)
	for _, n := range nodes {
		if err := ws.apply(n); err != nil {
			var de *Error
			if errors.As(err, &de) {
				de.Stmt = stmt
				return nil, de
			}
			return nil, &Error{Stmt: stmt, Err: err}
		}
	}
	versions := ws.versions(commit)
	for _, v := range versions {
		set[layout.TableRef{DB: v.DB, Table: v.Table}] = &v
	}
	return versions, nil
}

// apply applies one parsed statement to the workspace.
func (ws *workspace) apply(n ast.StmtNode) error {
	switch n := n.(type) {
	case *ast.CreateTableStmt:
		return ws.createTable(n)
	case *ast.DropTableStmt:
		return ws.dropTables(n)
	case *ast.DropDatabaseStmt:
		ws.dropDatabase(n.Name.O)
		return nil
	case *ast.TruncateTableStmt:
		return ws.truncate(n.Table)
	case *ast.RenameTableStmt:
		for _, tt := range n.TableToTables {
			if err := ws.rename(tt.OldTable, tt.NewTable); err != nil {
				return err
			}
		}
		return nil
	case *ast.AlterTableStmt:
		return ws.alterTable(n)
	case *ast.CreateIndexStmt:
		return ws.createIndex(n)
	}
	return nil
}
