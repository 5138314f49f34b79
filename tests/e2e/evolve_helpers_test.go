package e2e

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
)

// evType is a column type the evolver adds to e2e.evolving.
type evType struct {
	typ      string
	widen    string   // a wider type MODIFY can change it to without changing values; "" if none
	text     int      // for string types: the maximum characters generated (0: not a string)
	charset  string   // explicit charset of a string type; "" takes the table's
	defaults []string // DEFAULT literals; none: the type takes no default here
	ph       string
	gen      gen
}

var evTypes = []evType{
	{typ: "INT", widen: "BIGINT", defaults: []string{"7", "-2147483648", "'12'"}, gen: intGen(math.MinInt32, math.MaxInt32)},
	{typ: "SMALLINT UNSIGNED", widen: "INT UNSIGNED", defaults: []string{"65535", "0"}, gen: uintGen(math.MaxUint16)},
	{typ: "BIGINT UNSIGNED", defaults: []string{"18446744073709551615"}, gen: uintGen(math.MaxUint64)},
	{typ: "VARCHAR(12)", widen: "VARCHAR(40)", text: 12, defaults: []string{"'dflt'", "''", "'é€'"}},
	{typ: "CHAR(4)", widen: "CHAR(8)", text: 4, defaults: []string{"'ab '", "'é'"}},
	{typ: "TEXT", text: 200, defaults: []string{"'a text default'"}},
	{typ: "VARCHAR(10) CHARACTER SET latin1", widen: "VARCHAR(30) CHARACTER SET latin1", text: 10, charset: "latin1", defaults: []string{"'café'", "'€'"}},
	{typ: "VARCHAR(10) CHARACTER SET utf8mb4", widen: "VARCHAR(30) CHARACTER SET utf8mb4", text: 10, charset: "utf8mb4", defaults: []string{"'😀 x'"}},
	{typ: "DECIMAL(12,3)", widen: "DECIMAL(30,3)", defaults: []string{"'-1.5'", "0", "123456789.123"}, gen: decGen(9, 3)},
	{typ: "DOUBLE", defaults: []string{"0.1", "-1e300"}, gen: pick(doubleEdges, doubleGen)},
	{typ: "FLOAT", defaults: []string{"0.1", "3.5"}, gen: pick(floatEdges, floatGen)},
	{typ: "DATE", defaults: []string{"'0000-00-00'", "'2020-02-29'"}, gen: pick(dateEdges, dateGen)},
	{typ: "DATETIME(6)", defaults: []string{"'2001-02-03 04:05:06.7'", "'0000-00-00 00:00:00'"}, gen: datetimeGen(6)},
	{typ: "DATETIME", defaults: []string{"CURRENT_TIMESTAMP", "'1999-12-31 23:59:59'"}, gen: datetimeGen(0)},
	{typ: "TIMESTAMP", defaults: []string{"CURRENT_TIMESTAMP", "'2010-01-01 00:00:00'"}, gen: timestampGen(0, true)},
	{typ: "TIME(2)", defaults: []string{"'-01:02:03.45'", "'838:59:59'"}, gen: timeGen(2)},
	{typ: "YEAR", defaults: []string{"1999", "0"}, gen: yearGen},
	{typ: "ENUM('x','y','z')", defaults: []string{"'y'"}, gen: oneOf("x", "y", "z")},
	{typ: "SET('a','b','c')", defaults: []string{"'c,a'", "''"}, gen: setGen("a", "b", "c")},
	{typ: "BINARY(3)", defaults: []string{"'ab'", "x'00'"}, gen: bytesGen(3, []byte{}, []byte{0})},
	{typ: "VARBINARY(10)", widen: "VARBINARY(30)", defaults: []string{"x'00ff00'", "'b'"}, gen: bytesGen(10)},
	{typ: "BIT(7)", defaults: []string{"b'101'", "0"}, gen: bitGen(7)},
	{typ: "BLOB", gen: bytesGen(50)},
	{typ: "JSON", defaults: []string{"'{}'"}, gen: jsonGen},
	{typ: "GEOMETRY", ph: "ST_GeomFromText(?)", gen: geometryGen},
}

// evCol is a column of e2e.evolving as it is now.
type evCol struct {
	name string
	t    evType
	typ  string // current type (t.typ, or its widening)
	tail string // NULL / NOT NULL and DEFAULT, kept by MODIFY and CHANGE
	gen  gen
}

// evolver owns e2e.evolving: it changes its schema in every way the
// ingest must track, and between changes writes to it with its current
// columns. Every DDL runs under mu, which the recorder holds while it takes
// a moment.
type evolver struct {
	c     *client.Conn
	r     *rand.Rand
	mu    *sync.Mutex
	stats *workloadStats

	table  string // "evolving", or "evolving_away" while renamed
	latin  bool   // the table's default charset is latin1
	cols   []evCol
	nextID int64
	seq    int
	deck   []int        // evTypes indexes still to add in this round
	cycles atomic.Int64 // complete rounds of every DDL kind
}

func (e *evolver) textGen(t evType) gen {
	latin := t.charset == "latin1" || t.charset == "" && e.latin
	if latin {
		return textGen(latinRunes, latinEdges, t.text)
	}
	return textGen(utf8Runes, utf8Edges, t.text)
}

func (e *evolver) newCol(name string, t evType, tail string, null bool) evCol {
	g := t.gen
	if t.text > 0 {
		g = e.textGen(t)
	}
	if null {
		g = orNull(g)
	}
	return evCol{name: name, t: t, typ: t.typ, tail: tail, gen: g}
}

// create creates e2e.evolving afresh, alternately utf8mb4 and latin1.
func (e *evolver) create() error {
	e.latin = !e.latin
	cs := "utf8mb4"
	if e.latin {
		cs = "latin1"
	}
	e.table = "evolving"
	e.cols = []evCol{
		e.newCol("id", evType{typ: "INT", gen: intGen(1, 1)}, "NOT NULL PRIMARY KEY", false),
		e.newCol("v", evType{typ: "VARCHAR(20)", widen: "VARCHAR(50)", text: 20}, "NULL", true),
		e.newCol("n", evTypes[0], "NULL", true),
	}
	return e.ddl("create", "CREATE TABLE e2e.evolving (id INT NOT NULL PRIMARY KEY, v VARCHAR(20) NULL, n INT NULL) DEFAULT CHARSET="+cs)
}

func (e *evolver) ddl(kind, sql string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.c.Execute(sql); err != nil {
		return fmt.Errorf("DDL %s: %w", sql, err)
	}
	e.stats.countDDL(kind)
	return nil
}

func (e *evolver) full() string { return "e2e." + e.table }

var evOps = []string{"add", "add", "add", "modify", "rename_column", "change_column", "drop_column",
	"truncate", "rename_table", "drop_create", "rotate"}

func (e *evolver) run(ctx context.Context) error {
	for ctx.Err() == nil {
		ops := append([]string(nil), evOps...)
		e.r.Shuffle(len(ops), func(i, j int) { ops[i], ops[j] = ops[j], ops[i] })
		for _, op := range ops {
			if ctx.Err() != nil {
				return nil
			}
			if err := e.op(op); err != nil {
				return err
			}
			if err := e.writes(1 + e.r.IntN(4)); err != nil {
				return err
			}
			time.Sleep(time.Duration(100+e.r.IntN(500)) * time.Millisecond)
		}
		e.cycles.Add(1)
	}
	return nil
}

func (e *evolver) op(op string) error {
	switch op {
	case "add":
		return e.add()
	case "modify":
		return e.modify()
	case "rename_column":
		return e.renameColumn()
	case "change_column":
		return e.changeColumn()
	case "drop_column":
		return e.dropColumn()
	case "truncate":
		return e.ddl("truncate", "TRUNCATE TABLE "+e.full())
	case "rename_table":
		return e.renameTable()
	case "drop_create":
		if err := e.ddl("drop", "DROP TABLE "+e.full()); err != nil {
			return err
		}
		time.Sleep(time.Duration(100+e.r.IntN(400)) * time.Millisecond)
		return e.create()
	case "rotate":
		e.mu.Lock()
		defer e.mu.Unlock()
		if _, err := e.c.Execute("FLUSH BINARY LOGS"); err != nil {
			return fmt.Errorf("FLUSH BINARY LOGS: %w", err)
		}
		e.stats.rotations.Add(1)
		return nil
	}
	return fmt.Errorf("unknown op %q", op)
}

// addSpec returns an ADD COLUMN clause for a random type and default.
func (e *evolver) addSpec() (string, evCol) {
	if len(e.deck) == 0 { // every type in turn, in a random order
		e.deck = e.r.Perm(len(evTypes))
	}
	t := evTypes[e.deck[0]]
	e.deck = e.deck[1:]
	e.seq++
	name := fmt.Sprintf("c%d", e.seq)
	var tail string
	null := true
	switch k := e.r.IntN(4); {
	case len(t.defaults) == 0 && t.typ == "GEOMETRY":
		tail = "NULL"
	case k == 0 && len(t.defaults) > 0:
		tail, null = "NOT NULL DEFAULT "+t.defaults[e.r.IntN(len(t.defaults))], false
	case k == 1 && len(t.defaults) > 0:
		tail = "NULL DEFAULT " + t.defaults[e.r.IntN(len(t.defaults))]
	case k == 2 && t.typ != "JSON": // '' would fail JSON's json_valid check
		tail, null = "NOT NULL", false // MySQL's implicit default for existing rows
	default:
		tail = "NULL"
	}
	col := e.newCol(name, t, tail, null)
	return name + " " + t.typ + " " + tail, col
}

// add adds one or two columns, at the end, FIRST or AFTER another.
func (e *evolver) add() error {
	var specs []string
	for range 1 + e.r.IntN(2) {
		spec, col := e.addSpec()
		at := len(e.cols)
		switch e.r.IntN(4) {
		case 0:
			spec += " FIRST"
			at = 0
		case 1:
			i := e.r.IntN(len(e.cols))
			spec += " AFTER " + e.cols[i].name
			at = i + 1
		}
		specs = append(specs, "ADD COLUMN "+spec)
		e.cols = append(e.cols[:at], append([]evCol{col}, e.cols[at:]...)...)
	}
	return e.ddl("add_column", "ALTER TABLE "+e.full()+" "+strings.Join(specs, ", "))
}

// addEveryDefault adds, in one ALTER TABLE, a column for every type with
// each of its DEFAULT literals (NOT NULL and nullable in turn) and without
// one (NULL, and MySQL's implicit default of a NOT NULL column), so that
// every conversion of a default for existing rows is checked in every run.
func (e *evolver) addEveryDefault() error {
	var specs []string
	add := func(t evType, tail string, null bool) {
		e.seq++
		col := e.newCol(fmt.Sprintf("c%d", e.seq), t, tail, null)
		e.cols = append(e.cols, col)
		specs = append(specs, "ADD COLUMN "+col.name+" "+t.typ+" "+tail)
	}
	for _, t := range evTypes {
		for i, d := range t.defaults {
			if i%2 == 0 {
				add(t, "NOT NULL DEFAULT "+d, false)
			} else {
				add(t, "NULL DEFAULT "+d, true)
			}
		}
		add(t, "NULL", true)
		if t.typ != "JSON" && t.typ != "GEOMETRY" {
			add(t, "NOT NULL", false)
		}
	}
	return e.ddl("add_column", "ALTER TABLE "+e.full()+" "+strings.Join(specs, ", "))
}

// pickCol returns the index of a random column other than id that ok
// accepts, or -1.
func (e *evolver) pickCol(ok func(c *evCol) bool) int {
	for _, i := range e.r.Perm(len(e.cols)) {
		if e.cols[i].name != "id" && ok(&e.cols[i]) {
			return i
		}
	}
	return -1
}

// modify widens a column's type; its values stay as they are.
func (e *evolver) modify() error {
	i := e.pickCol(func(c *evCol) bool { return c.t.widen != "" && c.typ != c.t.widen })
	if i < 0 {
		return e.add()
	}
	c := &e.cols[i]
	c.typ = c.t.widen
	return e.ddl("modify_column", fmt.Sprintf("ALTER TABLE %s MODIFY COLUMN %s %s %s", e.full(), c.name, c.typ, c.tail))
}

func (e *evolver) renameColumn() error {
	i := e.pickCol(func(*evCol) bool { return true })
	if i < 0 {
		return e.add()
	}
	e.seq++
	old := e.cols[i].name
	e.cols[i].name = fmt.Sprintf("r%d", e.seq)
	return e.ddl("rename_column", fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", e.full(), old, e.cols[i].name))
}

// changeColumn renames a column and, when it can, widens it.
func (e *evolver) changeColumn() error {
	i := e.pickCol(func(*evCol) bool { return true })
	if i < 0 {
		return e.add()
	}
	c := &e.cols[i]
	if c.t.widen != "" {
		c.typ = c.t.widen
	}
	e.seq++
	old := c.name
	c.name = fmt.Sprintf("h%d", e.seq)
	return e.ddl("change_column", fmt.Sprintf("ALTER TABLE %s CHANGE COLUMN %s %s %s %s", e.full(), old, c.name, c.typ, c.tail))
}

func (e *evolver) dropColumn() error {
	if len(e.cols) <= 2 {
		return e.add()
	}
	i := e.pickCol(func(*evCol) bool { return true })
	name := e.cols[i].name
	e.cols = append(e.cols[:i], e.cols[i+1:]...)
	return e.ddl("drop_column", fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", e.full(), name))
}

// renameTable renames the table away, writes to it under its new name, and
// renames it back, with both statement forms.
func (e *evolver) renameTable() error {
	away := "RENAME TABLE e2e.evolving TO e2e.evolving_away"
	back := "ALTER TABLE e2e.evolving_away RENAME TO e2e.evolving"
	if e.r.IntN(2) == 0 {
		away = "ALTER TABLE e2e.evolving RENAME TO e2e.evolving_away"
		back = "RENAME TABLE e2e.evolving_away TO e2e.evolving"
	}
	if err := e.ddl("rename_table", away); err != nil {
		return err
	}
	e.table = "evolving_away"
	if err := e.writes(1 + e.r.IntN(2)); err != nil {
		return err
	}
	time.Sleep(time.Duration(100+e.r.IntN(400)) * time.Millisecond)
	if err := e.ddl("rename_table", back); err != nil {
		return err
	}
	e.table = "evolving"
	return nil
}

// writes runs n transactions on the table with its current columns.
func (e *evolver) writes(n int) error {
	for range n {
		var stmts []stmt
		for range 1 + e.r.IntN(3) {
			stmts = append(stmts, e.write())
		}
		if err := execTxn(e.c, e.stats, stmts, false); err != nil {
			return err
		}
	}
	return nil
}

// inserts inserts n rows in one transaction.
func (e *evolver) inserts(n int) error {
	stmts := make([]stmt, n)
	for i := range stmts {
		stmts[i] = e.insert()
	}
	return execTxn(e.c, e.stats, stmts, false)
}

func (e *evolver) someID() int64 { return 1 + e.r.Int64N(e.nextID+3) }

func (e *evolver) write() stmt {
	switch k := e.r.IntN(10); {
	case k < 5:
		return e.insert()
	case k < 8 && len(e.cols) > 1:
		c := e.cols[e.pickCol(func(*evCol) bool { return true })]
		return stmt{fmt.Sprintf("UPDATE %s SET %s = %s WHERE id = ?", e.full(), c.name, c.placeholder()), []any{c.gen(e.r), e.someID()}}
	case k < 9:
		e.nextID++
		return stmt{fmt.Sprintf("UPDATE %s SET id = ? WHERE id = ?", e.full()), []any{e.nextID, e.someID()}}
	}
	return stmt{fmt.Sprintf("DELETE FROM %s WHERE id = ?", e.full()), []any{e.someID()}}
}

// insert inserts one row with a fresh key and a value for every column.
func (e *evolver) insert() stmt {
	var names, ph []string
	var args []any
	for _, c := range e.cols {
		names = append(names, c.name)
		if c.name == "id" {
			e.nextID++
			ph, args = append(ph, "?"), append(args, e.nextID)
			continue
		}
		ph, args = append(ph, c.placeholder()), append(args, c.gen(e.r))
	}
	return stmt{fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", e.full(), strings.Join(names, ", "), strings.Join(ph, ", ")), args}
}

func (c evCol) placeholder() string {
	if c.t.ph == "" {
		return "?"
	}
	return c.t.ph
}
