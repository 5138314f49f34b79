package ddl_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/ingest/binlog"
	"github.com/binlake/binlake/ingest/ddl"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/tests/testenv"
)

// TestDDLMatchesMariaDB runs DDL statements on a real MariaDB and checks,
// replaying its binlog through Apply, that:
//   - the columns Apply derives equal those of every later table map
//     (ColumnsFromTableMap), field by field, and so does the primary key;
//   - the Default of every added column equals what MariaDB gave the rows
//     that existed, both as read with SELECT right after the statement and
//     as the before images of the next UPDATE show it.
func TestDDLMatchesMariaDB(t *testing.T) {
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	conn, err := db.Connect(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	selected, creates := runDDLWorkload(t, conn, ddlWorkload())

	files, err := db.BinlogFiles()
	if err != nil {
		t.Fatal(err)
	}
	r := &ddlReplay{t: t, set: ddl.SchemaSet{}, selected: selected, added: map[layout.TableRef]map[int]*string{},
		checked: map[string]bool{}, fallback: map[layout.TableRef]bool{}}
	p := replication.NewBinlogParser()
	binlog.ConfigureParser(p, "mariadb")
	for _, f := range files {
		if err := p.ParseFile(f, 0, r.event); err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
	}
	if r.ddls < len(ddlWorkload())-2 {
		t.Errorf("replayed %d DDL statements, the workload has %d", r.ddls, len(ddlWorkload()))
	}
	t.Logf("%d statements, %d table versions checked against table maps, %d default values compared, %d SHOW CREATE TABLE",
		r.ddls, len(r.checked), r.values, len(creates))
	for ref, create := range creates {
		cols, pk, err := ddl.ColumnsFromCreate(create)
		if err != nil {
			t.Errorf("ColumnsFromCreate(%s): %v", ref, err)
			continue
		}
		s := r.set[ref]
		compareColumns(t, "SHOW CREATE TABLE "+ref.String(), cols, s.Columns)
		if !slices.Equal(pk, s.PrimaryKey) {
			t.Errorf("SHOW CREATE TABLE %s: primary key %v, Apply has %v", ref, pk, s.PrimaryKey)
		}
	}
}

// ddlStep is a DDL statement; when table is set, the test then reads the
// table's first row with SELECT, touches every row (UPDATE, so the binlog
// shows before images) and inserts a row. unknown marks a statement whose
// effect on existing rows Apply cannot compute (ErrValuesUnknown).
type ddlStep struct {
	sql     string
	table   string
	unknown bool
}

// runDDLWorkload runs the steps and returns, per statement, the SELECTed
// canonical text of each column of the touched table's first row, and
// SHOW CREATE TABLE of the tables of database test at the end.
func runDDLWorkload(t *testing.T, conn *client.Conn, steps []ddlStep) (map[string][]*string, map[layout.TableRef]string) {
	t.Helper()
	for _, q := range []string{"SET SESSION sql_mode = ''", "SET SESSION time_zone = '+00:00'"} {
		if _, err := conn.Execute(q); err != nil {
			t.Fatal(err)
		}
	}
	// shadow follows the statements to know each column's kind when it
	// builds a SELECT; the replay checks the real thing.
	shadow := ddl.SchemaSet{}
	selected := map[string][]*string{}
	for i, s := range steps {
		if _, err := conn.Execute(s.sql); err != nil {
			t.Fatalf("step %d: %s: %v", i, s.sql, err)
		}
		if _, err := ddl.Apply(shadow, "test", s.sql, uint64(i+1), time.Now()); err != nil {
			if !s.unknown {
				t.Fatalf("step %d: %v", i, err)
			}
			refreshShadow(t, conn, shadow, s.table)
		}
		if s.table == "" {
			continue
		}
		ts := shadow[layout.TableRef{DB: "test", Table: s.table}]
		selected[s.sql] = selectFirstRow(t, conn, ts)
		for _, q := range []string{
			fmt.Sprintf("UPDATE `%s` SET n = n + 1", s.table),
			fmt.Sprintf("INSERT IGNORE INTO `%s` (id) VALUES (%d)", s.table, 1000+i),
		} {
			if _, err := conn.Execute(q); err != nil {
				t.Fatalf("step %d: %s: %v", i, q, err)
			}
		}
	}
	return selected, showCreates(t, conn, shadow)
}

// refreshShadow reads a table's columns from SHOW CREATE TABLE.
func refreshShadow(t *testing.T, conn *client.Conn, set ddl.SchemaSet, table string) {
	t.Helper()
	ref := layout.TableRef{DB: "test", Table: table}
	res, err := conn.Execute("SHOW CREATE TABLE `" + table + "`")
	if err != nil {
		t.Fatal(err)
	}
	create, _ := res.GetString(0, 1)
	cols, pk, err := ddl.ColumnsFromCreate(create)
	if err != nil {
		t.Fatal(err)
	}
	set[ref] = &layout.TableSchema{DB: "test", Table: table, Version: set[ref].Version + 1, Columns: cols, PrimaryKey: pk}
}

// showCreates returns SHOW CREATE TABLE of the live tables of database test.
func showCreates(t *testing.T, conn *client.Conn, set ddl.SchemaSet) map[layout.TableRef]string {
	t.Helper()
	out := map[layout.TableRef]string{}
	for ref, s := range set {
		if ref.DB != "test" || s.Dropped {
			continue
		}
		res, err := conn.Execute("SHOW CREATE TABLE `" + ref.Table + "`")
		if err != nil {
			t.Fatal(err)
		}
		out[ref], _ = res.GetString(0, 1)
	}
	return out
}

// selectFirstRow reads the row with the smallest id as canonical text, nil
// for NULL and for an empty table.
func selectFirstRow(t *testing.T, conn *client.Conn, s *layout.TableSchema) []*string {
	t.Helper()
	if s == nil || len(s.Columns) == 0 {
		return nil
	}
	exprs := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		exprs[i] = selectExpr(c)
	}
	q := fmt.Sprintf("SELECT %s FROM `%s` ORDER BY id LIMIT 1", strings.Join(exprs, ", "), s.Table)
	res, err := conn.Execute(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if res.RowNumber() == 0 {
		return nil
	}
	out := make([]*string, len(s.Columns))
	for i := range s.Columns {
		if null, _ := res.IsNull(0, i); null {
			continue
		}
		v, _ := res.GetString(0, i)
		out[i] = &v
	}
	return out
}

// selectExpr reads a column as text comparable with a canonical value.
func selectExpr(c layout.Column) string {
	q := "`" + c.Name + "`"
	switch c.Kind {
	case layout.KindBit:
		return "CAST(" + q + " AS UNSIGNED)"
	case layout.KindBytes, layout.KindGeometry:
		return "HEX(" + q + ")"
	case layout.KindYear:
		return q + " + 0"
	}
	return q
}
