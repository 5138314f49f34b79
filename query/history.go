package query

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
)

// Ops that history and blame report besides the change rows' own.
const (
	OpSnapshot layout.Op = "snapshot" // the row was in the initial snapshot
	OpTruncate layout.Op = "truncate" // TRUNCATE TABLE removed the row
)

// KeyValue is one column=value condition of a key, with a canonical value.
type KeyValue struct {
	Column string
	Index  int // index of the column in the schema it was parsed against
	Value  any
}

// KeyForm describes the accepted form of a key, for help and errors.
const KeyForm = `col=value[,col=value...]; quote a value that holds a comma ('a,b'), \N is NULL, ` +
	`binary values may be given as 0x-hex`

// ParseKey parses "col=value[,col=value]" against a schema, turning each
// value into its column's canonical value (see ParseValue).
func ParseKey(s *layout.TableSchema, spec string) ([]KeyValue, error) {
	parts, err := splitKey(spec)
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("key %q is empty: want %s", spec, KeyForm)
	}
	var out []KeyValue
	for _, p := range parts {
		name, val := p[0], p[1]
		i := s.ColumnIndex(name)
		if i < 0 {
			return nil, fmt.Errorf("key %q: %s has no column %q (columns: %s)", spec, s.Name(), name, schemaColumnNames(s))
		}
		v, err := ParseValue(&s.Columns[i], val)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", spec, err)
		}
		out = append(out, KeyValue{Column: s.Columns[i].Name, Index: i, Value: v})
	}
	return out, nil
}

func schemaColumnNames(s *layout.TableSchema) string {
	names := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// splitKey splits "a=1,b='x,y'" into name/value pairs; a value in single
// or double quotes may hold commas, with the quote doubled inside.
func splitKey(spec string) ([][2]string, error) {
	var out [][2]string
	rest := strings.TrimSpace(spec)
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("key %q: %q has no column name before '=': want %s", spec, rest, KeyForm)
		}
		name := strings.TrimSpace(rest[:eq])
		rest = strings.TrimLeft(rest[eq+1:], " ")
		var val string
		if rest != "" && (rest[0] == '\'' || rest[0] == '"') {
			q := rest[0]
			var b strings.Builder
			i := 1
			for ; i < len(rest); i++ {
				if rest[i] == q {
					if i+1 < len(rest) && rest[i+1] == q {
						b.WriteByte(q)
						i++
						continue
					}
					break
				}
				b.WriteByte(rest[i])
			}
			if i >= len(rest) {
				return nil, fmt.Errorf("key %q: unterminated quote in the value of %s", spec, name)
			}
			val, rest = b.String(), strings.TrimSpace(rest[i+1:])
			if rest != "" && rest[0] != ',' {
				return nil, fmt.Errorf("key %q: text after the quoted value of %s", spec, name)
			}
		} else {
			end := strings.IndexByte(rest, ',')
			if end < 0 {
				end = len(rest)
			}
			val, rest = strings.TrimSpace(rest[:end]), rest[end:]
		}
		rest = strings.TrimSpace(strings.TrimPrefix(rest, ","))
		out = append(out, [2]string{name, val})
	}
	return out, nil
}

var (
	reDecimal  = regexp.MustCompile(`^([+-]?)(\d*)(?:\.(\d*))?$`)
	reDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	reDatetime = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$`)
	reTime     = regexp.MustCompile(`^(-?\d{2,3}:\d{2}:\d{2})(?:\.(\d{1,6}))?$`)
	reBitText  = regexp.MustCompile(`^[bB]'([01]+)'$`)
)

// ParseValue turns the text of a value given on a command line into the
// canonical value of column c (see layout.Kind): integers and years as
// numbers, decimals as text with exactly the column's scale, dates and
// times with exactly its fractional digits, binary values from 0x-hex (or
// the text's bytes), BINARY(n) padded to n bytes. \N is NULL.
func ParseValue(c *layout.Column, text string) (any, error) {
	if text == `\N` {
		return nil, nil
	}
	bad := func(form string) error {
		return fmt.Errorf("column %s is %s: %q is not %s", c.Name, c.SQLType, text, form)
	}
	switch c.Kind {
	case layout.KindInt:
		bits := map[int]int{1: 8, 2: 16, 3: 24, 4: 32, 8: 64}[c.Width]
		if bits == 0 {
			bits = 64
		}
		if c.Unsigned {
			u, err := strconv.ParseUint(text, 10, 64)
			if err != nil || bits < 64 && u >= 1<<bits {
				return nil, bad(fmt.Sprintf("an integer from 0 to %d", uint64(math.MaxUint64)>>(64-bits)))
			}
			return u, nil
		}
		i, err := strconv.ParseInt(text, 10, 64)
		if err != nil || bits < 64 && (i < -(1<<(bits-1)) || i >= 1<<(bits-1)) {
			return nil, bad(fmt.Sprintf("an integer from %d to %d", int64(-1)<<(bits-1), int64(uint64(1)<<(bits-1)-1)))
		}
		return i, nil
	case layout.KindFloat:
		f, err := strconv.ParseFloat(text, 32)
		if err != nil {
			return nil, bad("a number like 1.5 or 1e-3")
		}
		return float32(f), nil
	case layout.KindDouble:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, bad("a number like 1.5 or 1e-3")
		}
		return f, nil
	case layout.KindDecimal:
		return parseDecimal(c, text, bad)
	case layout.KindBit, layout.KindYear:
		var u uint64
		var err error
		if m := reBitText.FindStringSubmatch(text); m != nil && c.Kind == layout.KindBit {
			u, err = strconv.ParseUint(m[1], 2, 64)
		} else if strings.HasPrefix(text, "0x") && c.Kind == layout.KindBit {
			u, err = strconv.ParseUint(text[2:], 16, 64)
		} else {
			u, err = strconv.ParseUint(text, 10, 64)
		}
		if c.Kind == layout.KindYear {
			if err != nil || u != 0 && (u < 1901 || u > 2155) {
				return nil, bad("a year: 0 or 1901 to 2155")
			}
			return int64(u), nil
		}
		if err != nil || c.Width > 0 && c.Width < 64 && u >= 1<<c.Width {
			return nil, bad(fmt.Sprintf("a %d-bit value: a number, 0x-hex or b'0101'", c.Width))
		}
		return u, nil
	case layout.KindDate:
		if !reDate.MatchString(text) {
			return nil, bad("a date YYYY-MM-DD")
		}
		return text, nil
	case layout.KindDatetime, layout.KindTimestamp:
		m := reDatetime.FindStringSubmatch(text)
		if m == nil {
			return nil, bad("a date and time YYYY-MM-DD hh:mm:ss[.ffffff]")
		}
		frac, ok := fracDigits(m[3], c.Scale)
		if !ok {
			return nil, bad(fmt.Sprintf("a time with at most %d fractional digits", c.Scale))
		}
		return m[1] + " " + m[2] + frac, nil
	case layout.KindTime:
		m := reTime.FindStringSubmatch(text)
		if m == nil {
			return nil, bad("a time [-]hh:mm:ss[.ffffff]")
		}
		frac, ok := fracDigits(m[2], c.Scale)
		if !ok {
			return nil, bad(fmt.Sprintf("a time with at most %d fractional digits", c.Scale))
		}
		return m[1] + frac, nil
	case layout.KindBytes, layout.KindGeometry:
		b := []byte(text)
		if strings.HasPrefix(text, "0x") || strings.HasPrefix(text, "0X") {
			var err error
			if b, err = hex.DecodeString(text[2:]); err != nil {
				return nil, bad("0x followed by hex digits")
			}
		}
		if c.Fixed && c.Width > len(b) {
			b = append(b, make([]byte, c.Width-len(b))...)
		}
		return b, nil
	}
	return text, nil
}

// parseDecimal normalizes a decimal to exactly the column's scale.
func parseDecimal(c *layout.Column, text string, bad func(string) error) (any, error) {
	form := fmt.Sprintf("a decimal with at most %d digits after the point", c.Scale)
	m := reDecimal.FindStringSubmatch(text)
	if m == nil || m[2] == "" && m[3] == "" {
		return nil, bad(form)
	}
	sign, ip, fp := m[1], strings.TrimLeft(m[2], "0"), m[3]
	if len(fp) > c.Scale {
		if strings.Trim(fp[c.Scale:], "0") != "" {
			return nil, bad(form)
		}
		fp = fp[:c.Scale]
	}
	fp += strings.Repeat("0", c.Scale-len(fp))
	if c.Width > 0 && len(ip) > c.Width-c.Scale {
		return nil, bad(fmt.Sprintf("a decimal with at most %d digits before the point", c.Width-c.Scale))
	}
	if ip == "" {
		ip = "0"
	}
	if sign == "+" || strings.Trim(ip+fp, "0") == "" {
		sign = ""
	}
	out := sign + ip
	if c.Scale > 0 {
		out += "." + fp
	}
	return out, nil
}

// fraction pads or trims (zeros only) fractional-second digits to scale.
func fracDigits(f string, scale int) (string, bool) {
	if len(f) > scale {
		if strings.Trim(f[scale:], "0") != "" {
			return "", false
		}
		f = f[:scale]
	}
	if scale == 0 {
		return "", true
	}
	return "." + f + strings.Repeat("0", scale-len(f)), true
}

// matchKey returns a Match function for a key's conditions.
func matchKey(s *layout.TableSchema, key []KeyValue) func(img []string) (string, []any) {
	return func(img []string) (string, []any) {
		conds := make([]string, len(key))
		args := make([]any, len(key))
		for i, kv := range key {
			conds[i] = fmt.Sprintf("%s IS NOT DISTINCT FROM CAST(? AS %s)", img[kv.Index], duckType(&s.Columns[kv.Index]))
			args[i] = kv.Value
		}
		return strings.Join(conds, " AND "), args
	}
}

// HistoryEntry is one change to a row: the commit that made it and the
// row's images before and after, under History.Schema.
type HistoryEntry struct {
	layout.Change
	// Changed names, for updates, the columns whose values differ.
	Changed []string
}

// History is every change to the rows that match a key, oldest first.
type History struct {
	Table layout.TableRef
	// Schema is the table's schema at the end of the history; older images
	// are mapped into it through the schema versions' Origins.
	Schema  layout.TableSchema
	Key     []KeyValue
	Entries []HistoryEntry
}

// HistoryRows returns every change, up to ref, to the rows of db.table
// whose before or after image matches key ("col=value[,col=value]", see
// ParseKey): for a table with a primary key given as the key, every version
// of that row. It follows the table back through ALTER and RENAME TABLE
// (images mapped into the newest schema), starts with the row's copy in the
// initial snapshot, and marks rows that TRUNCATE removed. A table dropped
// at ref is read as it was just before.
func (e *Engine) HistoryRows(ctx context.Context, db, table, key, ref string) (*History, error) {
	links, err := e.lineageUpTo(db, table, ref)
	if err != nil {
		return nil, err
	}
	target := &links[0].Schema
	kv, err := ParseKey(target, key)
	if err != nil {
		return nil, err
	}
	h := &History{Table: layout.TableRef{DB: db, Table: table}, Schema: *target, Key: kv}
	match := matchKey(target, kv)
	s, err := e.openSession(ctx)
	if err != nil {
		return nil, err
	}
	defer s.close()
	base, baseCommit, err := e.snapshotRows(ctx, s, links, match)
	if err != nil {
		return nil, err
	}
	for _, img := range base {
		h.Entries = append(h.Entries, e.syntheticEntry(baseCommit, OpSnapshot, nil, img))
	}
	q, args, err := e.changesQuery(ctx, links, changeRange{Upto: links[0].Until, Match: match})
	if err != nil {
		return nil, err
	}
	if q != "" {
		err = scanChanges(ctx, s, q, args, target, func(r *changeRow) error {
			en := HistoryEntry{Change: r.Change}
			if r.Op == layout.OpUpdate {
				en.Changed = changedColumns(target, r.Before, r.After)
			}
			h.Entries = append(h.Entries, en)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	h.Entries = e.markTruncates(links, h.Entries)
	return h, nil
}

// lineageUpTo resolves ref and returns the lineage of db.table there, or
// just before the commit that dropped it.
func (e *Engine) lineageUpTo(db, table, ref string) ([]catalog.Link, error) {
	n, err := e.Chain.Resolve(ref)
	if err != nil {
		return nil, err
	}
	if v := e.Chain.VersionAt(db, table, n); v != nil && v.Dropped && v.Since > 1 {
		n = v.Since - 1
	}
	links := e.Chain.Lineage(db, table, n)
	if links == nil {
		if _, err := e.Chain.TableAt(db, table, n); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s.%s at commit %d: %w", db, table, n, catalog.ErrNoTable)
	}
	return links, nil
}

// snapshotRows returns the rows of the initial snapshot that the oldest
// link of a lineage starts from (those that match, mapped into the
// newest schema), and the snapshot's commit; none when the lineage starts
// from an empty table.
func (e *Engine) snapshotRows(ctx context.Context, s *session, links []catalog.Link, match func([]string) (string, []any)) ([][]any, uint64, error) {
	last := len(links) - 1
	l := links[last]
	var cp *catalog.Checkpoint
	for _, c := range e.Chain.Checkpoints(l.Table.DB, l.Table.Table, l.Schema.Version) {
		if cm, ok := e.Chain.Commit(c.Commit); ok && cm.Kind == layout.CommitSnapshot && c.Commit == l.Schema.Since {
			cp = &c
			break
		}
	}
	if cp == nil {
		return nil, 0, nil
	}
	paths, err := e.Cache.FetchAll(ctx, cp.Objects)
	if err != nil {
		return nil, 0, err
	}
	cols := mapExprs(links, last, ident)
	q := "SELECT " + strings.Join(cols, ", ") + " FROM read_parquet(" + pathList(paths) + ")"
	var args []any
	if match != nil {
		cond, a := match(cols)
		q += " WHERE " + cond
		args = a
	}
	rows, err := queryRows(ctx, s, q, args, &links[0].Schema)
	if err != nil {
		return nil, 0, fmt.Errorf("read snapshot of %s: %w", l.Table, err)
	}
	return rows, cp.Commit, nil
}

// syntheticEntry is an entry for a change without a change row.
func (e *Engine) syntheticEntry(n uint64, op layout.Op, before, after []any) HistoryEntry {
	en := HistoryEntry{Change: layout.Change{Commit: n, Op: op, Before: before, After: after}}
	if cm, ok := e.Chain.Commit(n); ok {
		en.Time, en.GTID = cm.Time.UTC(), cm.GTID
	}
	return en
}

// markTruncates adds, at each TRUNCATE in the lineage, an entry for every
// matching row it removed.
func (e *Engine) markTruncates(links []catalog.Link, entries []HistoryEntry) []HistoryEntry {
	var cuts []uint64
	for k := len(links) - 2; k >= 0; k-- {
		if links[k].Schema.Truncated {
			cuts = append(cuts, links[k].Schema.Since)
		}
	}
	if len(cuts) == 0 {
		return entries
	}
	target := &links[0].Schema
	var out []HistoryEntry
	alive := map[string][][]any{}
	var order []string
	cut := func(n uint64) {
		for _, k := range order {
			for _, img := range alive[k] {
				out = append(out, e.syntheticEntry(n, OpTruncate, img, nil))
			}
		}
		alive, order = map[string][][]any{}, nil
	}
	for _, en := range entries {
		for len(cuts) > 0 && cuts[0] <= en.Commit {
			cut(cuts[0])
			cuts = cuts[1:]
		}
		out = append(out, en)
		if en.Before != nil {
			k := auditKey(en.Before, identityCols(target))
			if imgs := alive[k]; len(imgs) > 0 {
				alive[k] = imgs[1:]
			}
		}
		if en.After != nil {
			k := auditKey(en.After, identityCols(target))
			if alive[k] == nil {
				order = append(order, k)
			}
			alive[k] = append(alive[k], en.After)
		}
	}
	for _, n := range cuts {
		cut(n)
	}
	return out
}

// identity is the columns that identify a row: the primary key, or nil
// for the whole image.
func identityCols(s *layout.TableSchema) []int {
	if len(s.PrimaryKey) == 0 {
		return nil
	}
	return s.PrimaryKey
}

// Cell narrows a history to one column: the entries at which the column's
// value was set (inserted, in the snapshot, or changed by an update) or
// removed (deleted, truncated). It returns them with the column's index.
func (h *History) Cell(column string) ([]HistoryEntry, int, error) {
	i := h.Schema.ColumnIndex(column)
	if i < 0 {
		return nil, -1, fmt.Errorf("%s has no column %q (columns: %s)", h.Table, column, schemaColumnNames(&h.Schema))
	}
	var out []HistoryEntry
	for _, en := range h.Entries {
		if en.Op == layout.OpUpdate && layout.ValuesEqual(en.Before[i], en.After[i]) {
			continue
		}
		out = append(out, en)
	}
	return out, i, nil
}

// History writes the history of the rows of db.table matching key up to
// ref: commit, GTID, time, operation, changed columns and the row (after
// the change; the removed row for deletes). With column set, only the
// entries that set or removed that column's value, with the row's key and
// the value.
func (e *Engine) History(ctx context.Context, db, table, key, column, ref string, out Output) error {
	h, err := e.HistoryRows(ctx, db, table, key, ref)
	if err != nil {
		return err
	}
	sh := &auditSheet{cols: []string{"commit", "gtid", "time", "op"}, types: []string{"UBIGINT", "VARCHAR", "TIMESTAMPTZ", "VARCHAR"}}
	entries := h.Entries
	if column != "" {
		var i int
		if entries, i, err = h.Cell(column); err != nil {
			return err
		}
		c := &h.Schema.Columns[i]
		sh.cols = append(sh.cols, "key", c.Name)
		sh.types = append(sh.types, keyType(&h.Schema), duckType(c))
		for _, en := range entries {
			img := rowOf(en)
			var v any
			if en.After != nil {
				v = en.After[i]
			}
			sh.rows = append(sh.rows, []any{en.Commit, en.GTID, en.Time, string(en.Op), keyObject(&h.Schema, img), v})
		}
		return e.writeSheet(ctx, sh, out)
	}
	sh.cols = append(sh.cols, "changed")
	sh.types = append(sh.types, "VARCHAR[]")
	for i := range h.Schema.Columns {
		sh.cols = append(sh.cols, h.Schema.Columns[i].Name)
		sh.types = append(sh.types, duckType(&h.Schema.Columns[i]))
	}
	for _, en := range entries {
		row := []any{en.Commit, en.GTID, en.Time, string(en.Op), cellList(en.Changed)}
		sh.rows = append(sh.rows, append(row, rowOf(en)...))
	}
	return e.writeSheet(ctx, sh, out)
}

// rowOf is the row an entry shows: after the change, or the removed row.
func rowOf(en HistoryEntry) []any {
	if en.After != nil {
		return en.After
	}
	return en.Before
}

// keyType is the DuckDB type of keyObject values.
func keyType(s *layout.TableSchema) string {
	if len(s.PrimaryKey) == 0 {
		return structType(s)
	}
	k := layout.TableSchema{}
	for _, i := range s.PrimaryKey {
		k.Columns = append(k.Columns, s.Columns[i])
	}
	return structType(&k)
}
