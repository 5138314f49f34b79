package ingest

import (
	"testing"

	"github.com/binlake/binlake/layout"
)

func TestStatementTable(t *testing.T) {
	for _, tc := range []struct {
		stmt string
		want layout.TableRef
		ok   bool
	}{
		{"INSERT INTO t VALUES (1)", layout.TableRef{DB: "d", Table: "t"}, true},
		{"insert ignore into `o`.`my t` (a) values (1)", layout.TableRef{DB: "o", Table: "my t"}, true},
		{"REPLACE LOW_PRIORITY x.y SET a=1", layout.TableRef{DB: "x", Table: "y"}, true},
		{"UPDATE IGNORE t SET a = 'x.y, z' WHERE id = 1", layout.TableRef{DB: "d", Table: "t"}, true},
		{"UPDATE t1, t2 SET t1.a = t2.a", layout.TableRef{}, false},
		{"UPDATE t1 JOIN t2 ON t1.id = t2.id SET t1.a = 1", layout.TableRef{}, false},
		{"DELETE QUICK FROM `a``b`.c WHERE 1", layout.TableRef{DB: "a`b", Table: "c"}, true},
		{"DELETE t1 FROM t1 JOIN t2", layout.TableRef{}, false},
		{"LOAD DATA INFILE 'f.csv' INTO TABLE s.t", layout.TableRef{DB: "s", Table: "t"}, true},
		{"CREATE TABLE t (a INT)", layout.TableRef{}, false},
		{"INSERT", layout.TableRef{}, false},
	} {
		got, ok := statementTable(tc.stmt, "d")
		if got != tc.want || ok != tc.ok {
			t.Errorf("statementTable(%q) = %v, %v; want %v, %v", tc.stmt, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzStatementTable(f *testing.F) {
	for _, s := range []string{"INSERT INTO t VALUES (1)", "DELETE FROM `a`.b", "UPDATE t1, t2 SET a=1", "LOAD DATA INFILE 'x' INTO TABLE t", "`", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, stmt string) {
		ref, ok := statementTable(stmt, "d")
		if ok && (ref.DB == "" || ref.Table == "") {
			t.Fatalf("statementTable(%q) = %v with ok", stmt, ref)
		}
	})
}
