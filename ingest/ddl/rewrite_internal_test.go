package ddl

import "testing"

func TestDDLRewriteForTiDB(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"CREATE OR REPLACE TABLE t (a INT)", "CREATE  TABLE t (a INT)"},
		{"ALTER ONLINE TABLE t ADD a INT", "ALTER  TABLE t ADD a INT"},
		{"RENAME TABLES a TO b", "RENAME TABLE a TO b"},
		{"CREATE TABLE `t` (`a` int) START TRANSACTION", "CREATE TABLE `t` (`a` int) "},
		{"ALTER TABLE db.t WAIT 10 ADD a INT", "ALTER TABLE db.t  ADD a INT"},
		{"DROP TABLE t NOWAIT", "DROP TABLE t "},
		{"ALTER TABLE t ADD g INT AS (a) PERSISTENT", "ALTER TABLE t ADD g INT AS (a) STORED"},
		{"CREATE TABLE t (g POINT NOT NULL SRID 4326, SPATIAL KEY (g))",
			"CREATE TABLE t (g ENUM('binlake:type','point') NOT NULL ,  KEY (g))"},
		{"CREATE TABLE t (`g` geometry REF_SYSTEM_ID=4326)", "CREATE TABLE t (`g` ENUM('binlake:type','geometry') )"},
		{"CREATE TABLE t (u UUID, i INET6 DEFAULT '::1', point INT)",
			"CREATE TABLE t (u ENUM('binlake:type','uuid'), i ENUM('binlake:type','inet6') DEFAULT '::1', point INT)"},
		{"CREATE TABLE t (a INT DEFAULT (1 + (2)), b INT)", "CREATE TABLE t (a INT DEFAULT 'binlake:expression', b INT)"},
		{"CREATE TABLE t (a INT DEFAULT (-5), g POINT)", "CREATE TABLE t (a INT DEFAULT (-5), g ENUM('binlake:type','point'))"},
		{"CREATE TABLE t (d DATE DEFAULT DATE '2020-01-01')", "CREATE TABLE t (d DATE DEFAULT  '2020-01-01')"},
		{"CREATE TABLE t (a INT /*!80023 INVISIBLE */, b VARCHAR(2) INVISIBLE, invisible INT, KEY (a) INVISIBLE)",
			"CREATE TABLE t (a INT /*!80023  */, b VARCHAR(2) , invisible INT, KEY (a) )"},
		{"CREATE TABLE t (a TEXT COLLATE utf8mb4_uca1400_ai_ci) COLLATE=`utf8mb4_uca1400_as_cs`, UNION=(a)",
			"CREATE TABLE t (a TEXT COLLATE utf8mb4_bin) COLLATE=utf8mb4_bin, UNION=(a)"},
		// Types are rewritten only where a type stands.
		{"ALTER TABLE t ADD point INT, CHANGE point point POINT", "ALTER TABLE t ADD point INT, CHANGE point point ENUM('binlake:type','point')"},
		{"CREATE TABLE t (a VARCHAR(5) DEFAULT 'point', -- uuid, \n /* inet6 */ b INT)",
			"CREATE TABLE t (a VARCHAR(5) DEFAULT 'point', -- uuid, \n /* inet6 */ b INT)"},
	} {
		got, changed := rewriteForTiDB(tc.in)
		if got != tc.want || changed != (tc.in != tc.want) {
			t.Errorf("rewriteForTiDB(%q)\n got  %q (%v)\n want %q", tc.in, got, changed, tc.want)
		}
	}
}

func TestDDLIsTableDDL(t *testing.T) {
	for stmt, want := range map[string]bool{
		"ALTER TABLE t x":                      true,
		"alter online ignore table t":          true,
		"/* c */ CREATE OR REPLACE TABLE t":    true,
		"CREATE TEMPORARY TABLE t":             true,
		"DROP TABLES a":                        true,
		"DROP DATABASE d":                      true,
		"DROP SCHEMA d":                        true,
		"RENAME TABLE a TO b":                  true,
		"TRUNCATE t":                           true,
		"CREATE DATABASE d":                    false,
		"CREATE USER u":                        false,
		"CREATE DEFINER=x TRIGGER tr":          false,
		"RENAME USER a TO b":                   false,
		"GRANT ALL ON t TO u":                  false,
		"DROP INDEX i ON t":                    false,
		"":                                     false,
		"CREATE OR REPLACE VIEW v AS SELECT 1": false,
	} {
		if got := isTableDDL(stmt); got != want {
			t.Errorf("isTableDDL(%q) = %v, want %v", stmt, got, want)
		}
	}
}

func TestDDLLexSQL(t *testing.T) {
	toks := lexSQL("SELECT 'a''b\\'c', `x``y`, \"q\" # c\n-- d\n/* e */ f /*!50100 g */")
	var got []string
	for _, tk := range toks {
		got = append(got, tk.text)
	}
	want := []string{"SELECT", `'a''b\'c'`, ",", "`x``y`", ",", `"q"`, "f", "g"}
	if len(got) != len(want) {
		t.Fatalf("tokens %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("token %d %q, want %q", i, got[i], want[i])
		}
	}
}
