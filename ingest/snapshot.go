package ingest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/go-mysql-org/go-mysql/mysql"

	"github.com/binlake/binlake/ingest/ddl"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
)

// takeSnapshot copies every replicated table inside one consistent-snapshot
// transaction, storing each as checkpoint parts while it reads, and
// returns it as the chain's first commit, together with the binlog position
// the snapshot is consistent with, where streaming starts. The parts are
// garbage until that commit's manifest names them.
func takeSnapshot(ctx context.Context, s *liveSource, store layout.Store, cfg *Config) (*txn, error) {
	conn, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// value.SessionSQL: UTC timestamps and text as the bytes the table
	// holds, which is what value.FromSQL decodes (latin1 columns would otherwise
	// arrive converted to the connection's utf8mb4 and be decoded twice).
	session := append([]string{"SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"}, value.SessionSQL...)
	for _, q := range session {
		if _, err := conn.Execute(q); err != nil {
			return nil, fmt.Errorf("snapshot: %s: %w", q, err)
		}
	}
	pos, err := startSnapshot(conn, s.flavor)
	if err != nil {
		return nil, err
	}
	defer conn.Execute("ROLLBACK") //nolint:errcheck // read-only transaction
	tables, err := listTables(conn, &cfg.Filter)
	if err != nil {
		return nil, err
	}
	tx := &txn{n: 1, kind: layout.CommitSnapshot, time: time.Now().UTC(), end: pos, preciseTime: true}
	for _, ref := range tables {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if _, err := snapshotTable(ctx, conn, store, ref, tx, cfg, 1); err != nil {
			return nil, err
		}
	}
	cfg.Log.Info("snapshot taken", "tables", len(tables), "rows", tx.rows, "position", fmt.Sprintf("%s:%d", pos.File, pos.Pos), "gtid", pos.GTIDSet)
	return tx, nil
}

// startSnapshot opens the consistent-snapshot transaction and returns the
// binlog position it sees.
func startSnapshot(conn *client.Conn, flavor string) (layout.Position, error) {
	if flavor == mysql.MySQLFlavor {
		return startMySQLSnapshot(conn)
	}
	if _, err := conn.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
		return layout.Position{}, fmt.Errorf("snapshot: start consistent snapshot: %w", err)
	}
	r, err := conn.Execute("SHOW STATUS LIKE 'binlog_snapshot_%'")
	if err != nil {
		return layout.Position{}, fmt.Errorf("snapshot: read binlog_snapshot_file/position: %w", err)
	}
	var pos layout.Position
	for i := 0; i < r.RowNumber(); i++ {
		name, _ := r.GetString(i, 0)
		val, _ := r.GetString(i, 1)
		switch strings.ToLower(name) {
		case "binlog_snapshot_file":
			pos.File = val
		case "binlog_snapshot_position":
			var p uint64
			fmt.Sscan(val, &p)
			pos.Pos = uint32(p)
		}
	}
	if pos.File == "" {
		return pos, fmt.Errorf("snapshot: the server reports no binlog_snapshot_file: is binary logging on (--log-bin)?")
	}
	g, err := conn.Execute("SELECT BINLOG_GTID_POS(?, ?)", pos.File, pos.Pos)
	if err != nil {
		return pos, fmt.Errorf("snapshot: GTID position of %s:%d: %w", pos.File, pos.Pos, err)
	}
	pos.GTIDSet, _ = g.GetString(0, 0)
	return pos, nil
}

// startMySQLSnapshot takes a brief global read lock so that the snapshot and
// the binlog position agree (MySQL has no binlog_snapshot_* status).
func startMySQLSnapshot(conn *client.Conn) (layout.Position, error) {
	var pos layout.Position
	steps := []string{"FLUSH TABLES WITH READ LOCK", "START TRANSACTION WITH CONSISTENT SNAPSHOT"}
	for _, q := range steps {
		if _, err := conn.Execute(q); err != nil {
			return pos, fmt.Errorf("snapshot: %s (needs the RELOAD privilege): %w", q, err)
		}
	}
	defer conn.Execute("UNLOCK TABLES") //nolint:errcheck // released below too
	r, err := conn.Execute("SHOW MASTER STATUS")
	if err != nil || r.RowNumber() == 0 {
		return pos, fmt.Errorf("snapshot: read binlog position (is --log-bin on?): %v", err)
	}
	pos.File, _ = r.GetString(0, 0)
	p, _ := r.GetUint(0, 1)
	pos.Pos = uint32(p)
	pos.GTIDSet, _ = r.GetString(0, 4)
	if _, err := conn.Execute("UNLOCK TABLES"); err != nil {
		return pos, fmt.Errorf("snapshot: unlock tables: %w", err)
	}
	return pos, nil
}

func listTables(conn *client.Conn, f *Filter) ([]layout.TableRef, error) {
	r, err := conn.Execute(`SELECT table_schema, table_name FROM information_schema.tables
		WHERE table_type = 'BASE TABLE' ORDER BY table_schema, table_name`)
	if err != nil {
		return nil, fmt.Errorf("snapshot: list tables: %w", err)
	}
	var out []layout.TableRef
	for i := 0; i < r.RowNumber(); i++ {
		db, _ := r.GetString(i, 0)
		t, _ := r.GetString(i, 1)
		if f.Match(db, t) {
			out = append(out, layout.TableRef{DB: db, Table: t})
		}
	}
	return out, nil
}

// snapshotTable reads one table's schema and rows into a snapshot commit
// (tx) as schema version version: the rows go to checkpoint parts in the
// store as they are read. It returns the version.
func snapshotTable(ctx context.Context, conn *client.Conn, store layout.Store, ref layout.TableRef, tx *txn, cfg *Config, version int) (*layout.TableSchema, error) {
	r, err := conn.Execute("SHOW CREATE TABLE " + quoteIdent(ref.DB) + "." + quoteIdent(ref.Table))
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: show create table: %w", ref, err)
	}
	create, _ := r.GetString(0, 1)
	cols, pk, err := ddl.ColumnsFromCreate(create)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", ref, err)
	}
	s := &layout.TableSchema{DB: ref.DB, Table: ref.Table, Version: version, Since: tx.n, Columns: cols, PrimaryKey: pk}
	tx.schemas = append(tx.schemas, *s)
	var total int64
	if c, err := conn.Execute("SELECT table_rows FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", ref.DB, ref.Table); err == nil {
		n, _ := c.GetInt(0, 0)
		total = n
	}
	parts := layout.NewCheckpointParts(ctx, store, s, tx.n, cfg.SnapshotPartRows, cfg.SnapshotPartBytes)
	defer parts.Discard() // the spool of a part left open by an error
	if err := readRows(ctx, conn, s, total, cfg, parts); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", ref, err)
	}
	objects, err := parts.Close()
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", ref, err)
	}
	tx.stored = append(tx.stored, objects...)
	n := parts.Rows()
	tc := tx.table(s)
	tc.counts.Inserts = uint64(n)
	tx.rows += int(n)
	return s, nil
}

// readRows streams a table's rows over the binary protocol, which carries
// FLOAT and DOUBLE exactly (the text protocol rounds them), into parts.
func readRows(ctx context.Context, conn *client.Conn, s *layout.TableSchema, total int64, cfg *Config, parts *layout.CheckpointParts) error {
	names := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		names[i] = quoteIdent(c.Name)
	}
	q := "SELECT " + strings.Join(names, ", ") + " FROM " + quoteIdent(s.DB) + "." + quoteIdent(s.Table)
	stmt, err := conn.Prepare(q)
	if err != nil {
		return fmt.Errorf("prepare %s: %w", q, err)
	}
	defer stmt.Close()
	var n int64
	var result mysql.Result
	err = stmt.ExecuteSelectStreaming(&result, func(row []mysql.FieldValue) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		out := make([]any, len(row))
		for i := range row {
			v, err := value.FromSQL(&s.Columns[i], row[i].Value())
			if err != nil {
				return fmt.Errorf("column %s: %w", s.Columns[i].Name, err)
			}
			if b, ok := v.([]byte); ok {
				v = append([]byte(nil), b...)
			}
			out[i] = v
		}
		if err := parts.Write(out); err != nil {
			return err
		}
		n++
		if cfg.OnSnapshot != nil && n%int64(cfg.SnapshotChunk) == 0 {
			cfg.OnSnapshot(s.Name(), n, total)
		}
		return nil
	}, nil)
	if err != nil {
		return fmt.Errorf("read rows: %w", err)
	}
	if cfg.OnSnapshot != nil {
		cfg.OnSnapshot(s.Name(), n, n)
	}
	return nil
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// checkNotPurged refuses to resume when the primary no longer has the binlog
// the chain stopped in.
func (s *liveSource) checkNotPurged(ctx context.Context, from layout.Position, last uint64) error {
	files, err := s.binlogs(ctx)
	if err != nil {
		return err
	}
	if len(files) == 0 || from.File >= files[0] {
		return nil
	}
	return fmt.Errorf("cannot resume after commit %d: the chain continues at %s:%d (GTID %s) but the primary has purged that binlog "+
		"(its oldest is %s). Ingest the missing binlog files with --source file://DIR from a backup, or start a new store",
		last, from.File, from.Pos, from.GTIDSet, files[0])
}
