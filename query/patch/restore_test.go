package patch_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query"
	"github.com/binlake/binlake/query/patch"
)

func restore(t *testing.T, e *query.Engine, from, to string, batch int, tables ...layout.TableRef) ([]string, *patch.Header, *patch.RestoreResult) {
	t.Helper()
	var buf bytes.Buffer
	res, err := patch.Restore(context.Background(), e, patch.RestoreOptions{From: from, To: to, Tables: tables, Store: "mem", BatchRows: batch}, &buf)
	if err != nil {
		t.Fatalf("patch %s %s: %v", from, to, err)
	}
	t.Logf("patch:\n%s", buf.String())
	sts, h := statements(t, buf.Bytes())
	return sts, h, res
}

func TestPatchBringsBackDeletedRows(t *testing.T) {
	b := newRecChain(t)
	s := &layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: revCols, PrimaryKey: []int{0}}
	b.dml([]layout.TableSchema{*s}, on(s, ins(int64(1), "a"), ins(int64(2), "b"), ins(int64(3), "c"), ins(int64(4), "d")))
	b.dml(nil, on(s, del(int64(1), "a"), del(int64(2), "b"), del(int64(3), "c"))) // the bad DELETE
	b.dml(nil, on(s, upd(row(int64(4), "d"), row(int64(4), "D")), ins(int64(5), "e")))
	sts, h, res := restore(t, b.engine(), "HEAD", "1", 2)
	sameLines(t, "statements", sts, []string{
		"2: DELETE FROM `d`.`kv` WHERE `id` = 5 AND CAST(`v` AS BINARY) = CAST(_utf8mb4'e' AS BINARY)",
		"2: UPDATE `d`.`kv` SET `id` = 4, `v` = _utf8mb4'd' WHERE `id` = 4 AND CAST(`v` AS BINARY) = CAST(_utf8mb4'D' AS BINARY)",
		"3: INSERT INTO `d`.`kv` (`id`, `v`) VALUES\n(1, _utf8mb4'a'),\n(2, _utf8mb4'b')",
		"2: INSERT INTO `d`.`kv` (`id`, `v`) VALUES\n(3, _utf8mb4'c')",
	})
	if h.Kind != "patch" || h.From == nil || h.From.N != 3 || h.To == nil || h.To.N != 1 || len(h.Tables) != 1 {
		t.Errorf("header %+v", h)
	}
	if len(res.Tables) != 1 || res.Tables[0].Inserts != 3 || res.Tables[0].Updates != 1 || res.Tables[0].Deletes != 1 || res.Rows != 5 {
		t.Errorf("result %+v", res)
	}
}

func TestPatchRecreatesDroppedAndTruncatedTables(t *testing.T) {
	b := newRecChain(t)
	s := layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: revCols, PrimaryKey: []int{0}}
	l := layout.TableSchema{DB: "d", Table: "log", Version: 1, Since: 1, Columns: revCols}
	b.dml([]layout.TableSchema{s, l}, on(&s, ins(int64(1), "a"), ins(int64(2), nil)),
		on(&l, ins(int64(1), "x"), ins(int64(1), "x"), ins(int64(2), "y")))
	good := b.N
	tr := l
	tr.Version, tr.Since, tr.Truncated = 2, b.N+1, true
	tr.Origins = []layout.ColumnOrigin{{From: 0}, {From: 1}}
	b.ddl("TRUNCATE TABLE log", tr)
	b.ddl("DROP TABLE kv", layout.TableSchema{DB: "d", Table: "kv", Version: 2, Since: b.N + 1, Dropped: true})
	b.dml(nil, on(&tr, ins(int64(9), "new")))
	sts, _, _ := restore(t, b.engine(), "HEAD", recItoa(good), 500)
	sameLines(t, "statements", sts, []string{
		"0: CREATE TABLE `d`.`kv` (\n  `id` int NOT NULL,\n  `v` varchar(10) CHARACTER SET utf8mb4 NULL,\n  PRIMARY KEY (`id`)\n)",
		"3: INSERT INTO `d`.`kv` (`id`, `v`) VALUES\n(1, _utf8mb4'a'),\n(2, NULL)",
		"2: DELETE FROM `d`.`log` WHERE `id` = 9 AND CAST(`v` AS BINARY) = CAST(_utf8mb4'new' AS BINARY) LIMIT 1",
		"4: INSERT INTO `d`.`log` (`id`, `v`) VALUES\n(1, _utf8mb4'x'),\n(1, _utf8mb4'x'),\n(2, _utf8mb4'y')",
	})
	// The other way: the table is dropped, and duplicates deleted at once.
	sts, _, _ = restore(t, b.engine(), recItoa(good), "HEAD", 500)
	sameLines(t, "statements", sts, []string{
		"3: DELETE FROM `d`.`log` WHERE `id` = 1 AND CAST(`v` AS BINARY) = CAST(_utf8mb4'x' AS BINARY) LIMIT 2",
		"2: DELETE FROM `d`.`log` WHERE `id` = 2 AND CAST(`v` AS BINARY) = CAST(_utf8mb4'y' AS BINARY) LIMIT 1",
		"2: INSERT INTO `d`.`log` (`id`, `v`) VALUES\n(9, _utf8mb4'new')",
		"0: DROP TABLE `d`.`kv`",
	})
	// --table limits the patch.
	sts, _, _ = restore(t, b.engine(), "HEAD", recItoa(good), 500, layout.TableRef{DB: "d", Table: "log"})
	if len(sts) != 2 || !strings.Contains(sts[0], "`log`") {
		t.Errorf("with --table d.log: %q", sts)
	}
}

func TestPatchRefusesRowsUnderAnotherSchema(t *testing.T) {
	b := newRecChain(t)
	v1 := layout.TableSchema{DB: "d", Table: "kv", Version: 1, Since: 1, Columns: revCols, PrimaryKey: []int{0}}
	b.dml([]layout.TableSchema{v1}, on(&v1, ins(int64(1), "a")))
	v2 := v1
	v2.Version, v2.Since = 2, 2
	v2.Columns = append(append([]layout.Column{}, revCols...), layout.Column{Name: "n", Kind: layout.KindInt, SQLType: "int", Nullable: true, Width: 4})
	v2.Origins = []layout.ColumnOrigin{{From: 0}, {From: 1}, {From: -1}}
	b.ddl("ALTER TABLE kv ADD n int", v2)
	b.dml(nil, on(&v2, upd(row(int64(1), "a", nil), row(int64(1), "b", int64(5)))))
	// From the later point, rows of the earlier one map into today's columns.
	sts, _, _ := restore(t, b.engine(), "HEAD", "1", 500)
	sameLines(t, "statements", sts, []string{
		"2: UPDATE `d`.`kv` SET `id` = 1, `v` = _utf8mb4'a', `n` = NULL WHERE `id` = 1 AND CAST(`v` AS BINARY) = CAST(_utf8mb4'b' AS BINARY) AND `n` = 5",
	})
	var buf bytes.Buffer
	_, err := patch.Restore(context.Background(), b.engine(), patch.RestoreOptions{From: "1", To: "HEAD"}, &buf)
	if err == nil || !strings.Contains(err.Error(), "other columns") {
		t.Errorf("got %v", err)
	}
}
