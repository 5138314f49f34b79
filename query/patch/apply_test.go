package patch_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/binlake/binlake/query/patch"
	"github.com/binlake/binlake/tests/testenv"
)

// applyFixture is a MariaDB with a table app.t (id, v) holding rows 1..3.
type applyFixture struct {
	t      *testing.T
	db     *testenv.MariaDB
	target patch.Target
}

func newApplyFixture(t *testing.T) *applyFixture {
	ctx := context.Background()
	db := testenv.StartMariaDB(t, testenv.MariaDBOptions{})
	if err := db.Exec(ctx, "CREATE DATABASE app",
		"CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(20))",
		"INSERT INTO app.t VALUES (1, 'a'), (2, 'b'), (3, 'c')"); err != nil {
		t.Fatal(err)
	}
	target, err := patch.ParseTarget(fmt.Sprintf("mysql://%s:%s@%s", db.User, db.Password, db.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	return &applyFixture{t: t, db: db, target: target}
}

// state returns app.t as "id=v" pairs and whether app.x exists.
func (f *applyFixture) state() string {
	f.t.Helper()
	c, err := f.db.Connect(context.Background(), "")
	if err != nil {
		f.t.Fatal(err)
	}
	defer c.Close()
	r, err := c.Execute("SELECT id, v FROM app.t ORDER BY id")
	if err != nil {
		f.t.Fatal(err)
	}
	var parts []string
	for i := range r.RowNumber() {
		id, _ := r.GetInt(i, 0)
		v, _ := r.GetString(i, 1)
		parts = append(parts, strconv.FormatInt(id, 10)+"="+v)
	}
	r, err = c.Execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'app' AND table_name = 'x'")
	if err != nil {
		f.t.Fatal(err)
	}
	if n, _ := r.GetInt(0, 0); n > 0 {
		parts = append(parts, "+x")
	}
	return strings.Join(parts, " ")
}

// buildPatch writes a patch: CREATE TABLE app.x before the transaction,
// the given updates of app.t (id → from, to), DROP TABLE app.x after.
func buildPatch(t *testing.T, updates ...[3]string) []byte {
	var buf bytes.Buffer
	pw, err := patch.NewWriter(&buf, &patch.Header{Kind: "patch", Store: "test"})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(pw.Write(patch.Statement{SQL: "CREATE TABLE `app`.`x` (a INT)", Expect: -1, Undo: "DROP TABLE `app`.`x`", Note: "app.x: create"}))
	must(pw.Begin())
	for _, u := range updates {
		must(pw.Write(patch.Statement{Expect: 1, Note: "app.t id=" + u[0] + ": update",
			SQL: fmt.Sprintf("UPDATE `app`.`t` SET `v` = _utf8mb4'%s' WHERE `id` = %s AND CAST(`v` AS BINARY) = CAST(_utf8mb4'%s' AS BINARY)", u[2], u[0], u[1])}))
	}
	must(pw.Commit())
	must(pw.Write(patch.Statement{SQL: "DROP TABLE `app`.`x`", Expect: -1}))
	must(pw.Close())
	return buf.Bytes()
}

func TestApplyRollsBackWhenAGuardDoesNotMatch(t *testing.T) {
	f := newApplyFixture(t)
	ctx := context.Background()
	// The second update expects v = 'B', but the row holds 'b': it changed.
	p := buildPatch(t, [3]string{"1", "a", "A"}, [3]string{"2", "B", "b2"}, [3]string{"3", "c", "C"})
	rep, err := patch.Apply(ctx, bytes.NewReader(p), patch.ApplyOptions{Target: f.target})
	var ae *patch.ApplyError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want an ApplyError", err)
	}
	t.Logf("%v", err)
	if ae.Expected != 1 || ae.Got != 0 || ae.Note != "app.t id=2: update" || ae.Line == 0 || len(ae.Undone) != 1 || rep.Committed {
		t.Errorf("error %+v, report %+v", ae, rep)
	}
	if !strings.Contains(err.Error(), "app.t id=2") || !strings.Contains(err.Error(), "rolled back") {
		t.Errorf("the report does not name the row or the rollback: %v", err)
	}
	if got := f.state(); got != "1=a 2=b 3=c" {
		t.Errorf("after the failed apply: %s", got)
	}
}

func TestApplyCommitsAndDryRuns(t *testing.T) {
	f := newApplyFixture(t)
	ctx := context.Background()
	p := buildPatch(t, [3]string{"1", "a", "A"}, [3]string{"3", "c", "C"})
	rep, err := patch.Apply(ctx, bytes.NewReader(p), patch.ApplyOptions{Target: f.target, DryRun: true})
	if err != nil || rep.Committed {
		t.Fatalf("dry run: %v, %+v", err, rep)
	}
	if got := f.state(); got != "1=a 2=b 3=c" {
		t.Errorf("after the dry run: %s", got)
	}
	rep, err = patch.Apply(ctx, bytes.NewReader(p), patch.ApplyOptions{Target: f.target})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Committed || rep.Checked != 2 || rep.Rows != 2 || rep.Header.Kind != "patch" {
		t.Errorf("report %+v", rep)
	}
	if got := f.state(); got != "1=A 2=b 3=C" {
		t.Errorf("after apply: %s", got)
	}
	// Applying it again: the guards no longer match.
	if _, err := patch.Apply(ctx, bytes.NewReader(p), patch.ApplyOptions{Target: f.target}); err == nil {
		t.Error("a patch applied twice")
	}
	if got := f.state(); got != "1=A 2=b 3=C" {
		t.Errorf("after the second apply: %s", got)
	}
}

func TestApplyRefusesIncompletePatches(t *testing.T) {
	p := buildPatch(t, [3]string{"1", "a", "A"})
	cut := bytes.Index(p, []byte("COMMIT;"))
	_, err := patch.Apply(context.Background(), bytes.NewReader(p[:cut]), patch.ApplyOptions{Target: patch.Target{Addr: "127.0.0.1:1"}})
	if err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Errorf("got %v", err)
	}
	for _, raw := range []string{"http://x", "mysql://", "mysql://u@h:99999"} {
		if _, err := patch.ParseTarget(raw); err == nil {
			t.Errorf("ParseTarget(%q) accepted", raw)
		}
	}
	tg, err := patch.ParseTarget("mysql://u:p%40ss@db.internal")
	if err != nil || tg.Addr != "db.internal:3306" || tg.Password != "p@ss" || tg.User != "u" {
		t.Errorf("got %+v, %v", tg, err)
	}
}

// The same file run by the mysql client stops at the check after the
// statement that touched no row, and commits nothing.
func TestApplyWithTheMySQLClient(t *testing.T) {
	f := newApplyFixture(t)
	cli, err := exec.LookPath("mariadb")
	if err != nil {
		if cli, err = exec.LookPath("mysql"); err != nil {
			t.Fatal("neither the mariadb nor the mysql client is installed (they come with mariadb-server)")
		}
	}
	run := func(p []byte) (string, error) {
		cmd := exec.Command(cli, "--no-defaults", "-h", f.db.Host, "-P", strconv.Itoa(f.db.Port), "-u", f.db.User, "-p"+f.db.Password)
		cmd.Stdin = bytes.NewReader(p)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run(buildPatch(t, [3]string{"1", "a", "A"}, [3]string{"2", "B", "b2"}))
	if err == nil || !strings.Contains(out, "1242") {
		t.Errorf("the client did not stop: %v\n%s", err, out)
	}
	if got := f.state(); got != "1=a 2=b 3=c +x" { // CREATE TABLE commits by itself
		t.Errorf("after the failed run: %s", got)
	}
	if err := f.db.Exec(context.Background(), "DROP TABLE app.x"); err != nil {
		t.Fatal(err)
	}
	if out, err := run(buildPatch(t, [3]string{"1", "a", "A"})); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := f.state(); got != "1=A 2=b 3=c" {
		t.Errorf("after the run: %s", got)
	}
}
