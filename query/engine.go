package query

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout/cache"
)

// Engine answers queries over one chain. It is cheap to create; each query
// opens its own in-memory DuckDB.
type Engine struct {
	Chain *catalog.Chain
	Cache *cache.Cache
	// PartRows and PartBytes bound the parts Checkpoint writes (0: the
	// layout defaults).
	PartRows, PartBytes int
	// Refs relaxes how refs resolve, where the caller asked for it.
	Refs catalog.RefRules
}

// Resolve turns a ref into the commit it names, under e.Refs.
func (e *Engine) Resolve(ref string) (uint64, error) { return e.Chain.ResolveWith(ref, e.Refs) }

// session is one DuckDB connection prepared for one question.
type session struct {
	db   *sql.DB
	conn *sql.Conn
}

// openSession opens an in-memory DuckDB whose only file access is the
// cache directory (plus extra paths the caller writes output to), so user
// SQL cannot read or write anything else: no other files, no network, no
// extensions, and the settings cannot be changed back.
func (e *Engine) openSession(ctx context.Context, writable ...string) (*session, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open duckdb connection: %w", err)
	}
	s := &session{db: db, conn: conn}
	settings := []string{
		"SET allowed_directories = [" + sqlString(e.Cache.Dir()+"/") + "]",
	}
	if len(writable) > 0 {
		quoted := make([]string, len(writable))
		for i, p := range writable {
			quoted[i] = sqlString(p)
		}
		settings = append(settings, "SET allowed_paths = ["+strings.Join(quoted, ", ")+"]")
	}
	settings = append(settings,
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"SET enable_external_access = false",
		"SET lock_configuration = true",
	)
	for _, q := range settings {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			s.close()
			return nil, fmt.Errorf("lock down duckdb (%s): %w", q, err)
		}
	}
	return s, nil
}

func (s *session) close() {
	s.conn.Close()
	s.db.Close()
}

// sqlString quotes a string literal for DuckDB.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ident quotes an identifier for DuckDB.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
