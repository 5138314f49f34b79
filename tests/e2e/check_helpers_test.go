package e2e

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query"
)

// valueKey is an exact text for a canonical value: its Go type and every
// bit of it (floats by their bits, bytes in hex), so that two values have
// the same key if and only if they are identical.
func valueKey(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return "[]byte:" + hex.EncodeToString(x)
	case float32:
		return "float32:" + strconv.FormatUint(uint64(math.Float32bits(x)), 16)
	case float64:
		return "float64:" + strconv.FormatUint(math.Float64bits(x), 16)
	case string:
		return "string:" + strconv.Quote(x)
	}
	return fmt.Sprintf("%T:%v", v, v)
}

func rowKey(row []any) string {
	var b strings.Builder
	for _, v := range row {
		b.WriteString(valueKey(v))
		b.WriteByte('|')
	}
	return b.String()
}

// rowText shows a row with the Go type of each value, for messages.
func rowText(cols []string, row []any) string {
	parts := make([]string, len(row))
	for i, v := range row {
		name := "?"
		if i < len(cols) {
			name = cols[i]
		}
		switch x := v.(type) {
		case nil:
			parts[i] = name + "=NULL"
		case []byte:
			parts[i] = fmt.Sprintf("%s=[]byte(%q)", name, x)
		case string:
			parts[i] = fmt.Sprintf("%s=%q", name, x)
		default:
			parts[i] = fmt.Sprintf("%s=%T(%v)", name, v, v)
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// diffRows compares two tables as multisets of exact rows. It returns ""
// when they are equal, else a description of the first differences.
func diffRows(cols []string, want, got [][]any) string {
	count := map[string]int{}
	byKey := map[string][]any{}
	for _, r := range want {
		k := rowKey(r)
		count[k]++
		byKey[k] = r
	}
	for _, r := range got {
		k := rowKey(r)
		count[k]--
		byKey[k] = r
	}
	var missing, extra [][]any
	var missingN, extraN []int
	for _, k := range sortedStrings(mapKeys(count)) {
		switch n := count[k]; {
		case n > 0:
			missing, missingN = append(missing, byKey[k]), append(missingN, n)
		case n < 0:
			extra, extraN = append(extra, byKey[k]), append(extraN, -n)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "primary has %d rows, lake %d; %d row images only on the primary, %d only in the lake",
		len(want), len(got), len(missing), len(extra))
	for i := range min(3, len(missing)) {
		fmt.Fprintf(&b, "\n  primary only: %d× %s", missingN[i], rowText(cols, missing[i]))
	}
	for i := range min(3, len(extra)) {
		fmt.Fprintf(&b, "\n  lake only:    %d× %s", extraN[i], rowText(cols, extra[i]))
	}
	if len(missing) > 0 && len(extra) > 0 {
		fmt.Fprintf(&b, "\n  first pair differs in: %s", valueDiff(cols, missing[0], extra[0]))
	}
	return b.String()
}

// valueDiff lists the columns where two rows differ, with Go types.
func valueDiff(cols []string, want, got []any) string {
	var parts []string
	for i := range min(len(want), len(got)) {
		if valueKey(want[i]) != valueKey(got[i]) {
			parts = append(parts, fmt.Sprintf("%s: primary %s, lake %s", cols[i], typed(want[i]), typed(got[i])))
		}
	}
	return strings.Join(parts, "; ")
}

func typed(v any) string {
	if b, ok := v.([]byte); ok {
		return fmt.Sprintf("[]byte(%q)", b)
	}
	return fmt.Sprintf("%T(%#v)", v, v)
}

func mapKeys[M ~map[K]V, K comparable, V any](m M) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func sortedStrings(s []string) []string {
	sort.Strings(s)
	return s
}

func columnNames(cols []layout.Column) []string {
	out := make([]string, len(cols))
	for i := range cols {
		out[i] = cols[i].Name
	}
	return out
}

// checkMoment compares the lake as of a moment's binlog position with what
// the primary had then: the same tables of db, the same columns, the same
// rows. It returns one message per difference.
func checkMoment(ctx context.Context, e *query.Engine, db string, m *moment, tally *compareTally) []string {
	ref := fmt.Sprintf("%s:%d", m.File, m.Pos)
	n, err := e.Chain.Resolve(ref)
	if err != nil {
		return []string{fmt.Sprintf("%s: resolve %s: %v", m, ref, err)}
	}
	var problems []string
	var lakeTables []string
	for _, s := range e.Chain.TablesAt(n) {
		if s.DB == db {
			lakeTables = append(lakeTables, s.Table)
		}
	}
	primaryTables := sortedStrings(mapKeys(m.Tables))
	if strings.Join(lakeTables, ",") != strings.Join(primaryTables, ",") {
		problems = append(problems, fmt.Sprintf("%s (commit %d): lake has tables %v, primary had %v", m, n, lakeTables, primaryTables))
	}
	for _, name := range primaryTables {
		pt := m.Tables[name]
		got, err := e.AsOfRows(ctx, query.AsOfOptions{Table: layout.TableRef{DB: db, Table: name}, At: ref})
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: asof %s.%s at %s: %v", m, db, name, ref, err))
			continue
		}
		want := columnNames(pt.Columns)
		if have := columnNames(got.Schema.Columns); strings.Join(have, ",") != strings.Join(want, ",") {
			problems = append(problems, fmt.Sprintf("%s (commit %d): %s.%s has columns %v in the lake, %v on the primary:\n%s",
				m, n, db, name, have, want, pt.Create))
			continue
		}
		tally.tables++
		tally.rows += len(pt.Rows)
		if d := diffRows(want, pt.Rows, got.Rows); d != "" {
			problems = append(problems, fmt.Sprintf("%s (commit %d): %s.%s differs: %s", m, n, db, name, d))
		}
	}
	return problems
}

// compareTally counts what checkMoment compared.
type compareTally struct {
	tables int // (moment, table) pairs
	rows   int // primary rows
}

// binlogTxn is one transaction of the primary's binlog.
type binlogTxn struct {
	GTID string
	File string
	End  uint32 // position after its last event
	DDL  bool
}

// readBinlog lists the transactions of the binlog files, in order.
func readBinlog(files []string) ([]binlogTxn, error) {
	var out []binlogTxn
	for _, path := range files {
		file := filepath.Base(path)
		p := replication.NewBinlogParser()
		p.SetFlavor("mariadb")
		p.SetRowsEventDecodeFunc(func(*replication.RowsEvent, []byte) error { return nil })
		var cur *binlogTxn
		err := p.ParseFile(path, 0, func(ev *replication.BinlogEvent) error {
			switch e := ev.Event.(type) {
			case *replication.MariadbGTIDEvent:
				out = append(out, binlogTxn{GTID: e.GTID.String(), File: file, DDL: e.IsDDL()})
				cur = &out[len(out)-1]
			case *replication.XIDEvent, *replication.QueryEvent:
				if cur != nil {
					cur.End = ev.Header.LogPos
				}
			case *replication.GenericEvent: // XA_PREPARE ends a prepared XA transaction
				if cur != nil && ev.Header.EventType == replication.XA_PREPARE_LOG_EVENT {
					cur.End = ev.Header.LogPos
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("parse binlog %s: %w", path, err)
		}
	}
	return out, nil
}

// checkExactlyOnce checks that the chain holds, after its snapshot commit,
// every transaction the binlog has after the snapshot position, each once,
// in order, with its GTID and end position.
func checkExactlyOnce(chain *catalog.Chain, txns []binlogTxn) []string {
	commits := chain.Commits()
	if len(commits) == 0 {
		return []string{"the chain is empty"}
	}
	var problems []string
	for i, c := range commits {
		if c.N != uint64(i+1) {
			problems = append(problems, fmt.Sprintf("commit at index %d is numbered %d", i, c.N))
		}
		if (c.Kind == layout.CommitSnapshot) != (i == 0) {
			problems = append(problems, fmt.Sprintf("commit %d has kind %s", c.N, c.Kind))
		}
	}
	snap := commits[0]
	var want []binlogTxn
	for _, t := range txns {
		if t.File > snap.File || t.File == snap.File && t.End > snap.Pos {
			want = append(want, t)
		}
	}
	got := commits[1:]
	for i := 0; i < max(len(want), len(got)); i++ {
		switch {
		case i >= len(got):
			problems = append(problems, fmt.Sprintf("binlog transaction %s (%s:%d) and %d after it are missing from the chain",
				want[i].GTID, want[i].File, want[i].End, len(want)-i-1))
		case i >= len(want):
			problems = append(problems, fmt.Sprintf("chain commit %d (GTID %s, %s:%d) and %d after it are not in the binlog after the snapshot",
				got[i].N, got[i].GTID, got[i].File, got[i].Pos, len(got)-i-1))
		case got[i].GTID != want[i].GTID || got[i].File != want[i].File || got[i].Pos != want[i].End:
			problems = append(problems, fmt.Sprintf("chain commit %d is GTID %s at %s:%d, binlog transaction %d after the snapshot is GTID %s at %s:%d",
				got[i].N, got[i].GTID, got[i].File, got[i].Pos, i+1, want[i].GTID, want[i].File, want[i].End))
		default:
			continue
		}
		if len(problems) > 10 {
			return problems
		}
		if i >= len(got) || i >= len(want) {
			break
		}
	}
	seen := map[string]uint64{}
	for _, c := range got {
		if prev, ok := seen[c.GTID]; ok {
			problems = append(problems, fmt.Sprintf("GTID %s is in commits %d and %d", c.GTID, prev, c.N))
		}
		seen[c.GTID] = c.N
	}
	return problems
}
