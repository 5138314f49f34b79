package query

import (
	"context"
	"fmt"
	"strings"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
)

// Divergence is a change row that does not follow from the lake's own
// history (DESIGN invariant 6): its before image differs from the row's
// previous image in the lake, it updates or deletes a row the lake does not
// have, or it inserts a key the lake already has. Any of these means the
// replica and the primary disagreed when the change was made.
type Divergence struct {
	Table    layout.TableRef
	Commit   uint64
	GTID     string
	Seq      uint32
	Op       layout.Op
	Problem  string
	Expected []any // the lake's image of the row before the change (nil: none)
	Found    []any // the change's before image (after image for inserts)
}

// CheckContinuity walks every change row of every table and returns up to
// opts.Limit divergences, oldest first per table.
func (e *Engine) CheckContinuity(ctx context.Context, opts ContinuityOptions) ([]Divergence, error) {
	limit := opts.Limit
	if limit <= 0 {
		limit = 20
	}
	var out []Divergence
	head := e.Chain.LastCommit()
	for _, ref := range e.Chain.Tables() {
		for _, v := range e.Chain.Schemas(ref.DB, ref.Table) {
			if v.Dropped || len(out) >= limit {
				continue
			}
			st, err := e.Chain.VersionState(ref.DB, ref.Table, v.Version, head)
			if err != nil {
				return out, err
			}
			if len(st.Segments) == 0 {
				continue
			}
			found, err := e.versionContinuity(ctx, st, limit-len(out))
			if err != nil {
				return out, fmt.Errorf("continuity of %s version %d: %w", ref, v.Version, err)
			}
			out = append(out, found...)
		}
	}
	return out, nil
}

func (e *Engine) versionContinuity(ctx context.Context, st *catalog.TableState, limit int) ([]Divergence, error) {
	base, err := e.baseSQL(ctx, st)
	if err != nil {
		return nil, err
	}
	paths, err := e.Cache.FetchAll(ctx, st.Segments)
	if err != nil {
		return nil, err
	}
	changes := fmt.Sprintf("SELECT * FROM read_parquet(%s) WHERE _commit > %d", pathList(paths), st.From)
	s := &st.Schema
	q := keylessContinuitySQL(s, base, changes, limit)
	if len(s.PrimaryKey) > 0 {
		q = keyedContinuitySQL(s, base, changes, limit)
	}
	sess, err := e.openSession(ctx)
	if err != nil {
		return nil, err
	}
	defer sess.close()
	rows, err := sess.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Divergence
	for rows.Next() {
		var d Divergence
		var op string
		var expected, found any
		if err := rows.Scan(&d.Commit, &d.Seq, &op, &d.GTID, &d.Problem, &expected, &found); err != nil {
			return nil, err
		}
		d.Table, d.Op = layout.TableRef{DB: s.DB, Table: s.Table}, layout.Op(op)
		d.Expected, d.Found = structValues(s, expected), structValues(s, found)
		out = append(out, d)
	}
	return out, rows.Err()
}

// structPack builds a struct of the schema's columns from alias b.
func structPack(s *layout.TableSchema, alias string) string {
	fields := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		fields[i] = fmt.Sprintf("%s := %s.%s", ident(c.Name), alias, ident(c.Name))
	}
	return "struct_pack(" + strings.Join(fields, ", ") + ")"
}

// keyedContinuitySQL follows each key's changes in order: the first one
// must agree with the starting state, every later one with the change
// before it.
func keyedContinuitySQL(s *layout.TableSchema, base, changes string, limit int) string {
	var keys, bkeys, on []string
	for i, k := range s.PrimaryKey {
		name := ident(s.Columns[k].Name)
		keys = append(keys, fmt.Sprintf("coalesce(after.%s, before.%s) AS __k%d", name, name, i))
		bkeys = append(bkeys, fmt.Sprintf("b.%s AS __k%d", name, i))
		on = append(on, fmt.Sprintf("bb.__k%d = s.__k%d", i, i))
	}
	part := make([]string, len(s.PrimaryKey))
	for i := range part {
		part[i] = fmt.Sprintf("__k%d", i)
	}
	return fmt.Sprintf(`WITH __ch AS (SELECT _commit, _seq, _op, _gtid, before, after, %s FROM (%s)),
__b AS (SELECT %s AS img, %s FROM (%s) b),
__seq AS (SELECT c.*, lag(after) OVER w AS __prev, lag(_op) OVER w AS __prev_op, row_number() OVER w AS __rn
  FROM __ch c WINDOW w AS (PARTITION BY %s ORDER BY _commit, _seq)),
__j AS (SELECT s.*, CASE WHEN s.__rn = 1 THEN bb.img ELSE s.__prev END AS __expected,
  CASE WHEN s.__rn = 1 THEN bb.img IS NOT NULL ELSE s.__prev_op <> 'delete' END AS __existed
  FROM __seq s LEFT JOIN __b bb ON s.__rn = 1 AND %s)
SELECT _commit, _seq, _op, _gtid,
  CASE WHEN _op = 'insert' THEN 'insert of a key the lake already has'
       WHEN NOT __existed THEN _op || ' of a row the lake does not have'
       ELSE 'before image differs from the lake''s previous image of the row' END,
  __expected, CASE WHEN _op = 'insert' THEN after ELSE before END
FROM __j
WHERE (_op = 'insert' AND __existed) OR (_op <> 'insert' AND (NOT __existed OR before IS DISTINCT FROM __expected))
ORDER BY _commit, _seq LIMIT %d`,
		strings.Join(keys, ", "), changes, structPack(s, "b"), strings.Join(bkeys, ", "), base,
		strings.Join(part, ", "), strings.Join(on, " AND "), limit)
}

// keylessContinuitySQL counts each whole image through history (the
// starting state, then -1 for a before image and +1 for an after image, in
// order); a count below zero is a change to a row the lake does not have.
func keylessContinuitySQL(s *layout.TableSchema, base, changes string, limit int) string {
	return fmt.Sprintf(`WITH __ch AS (%s),
__ev AS (
  SELECT %s AS img, 1 AS d, 0::BIGINT AS _commit, 0::UINTEGER AS _seq, 0 AS k, '' AS _op, '' AS _gtid FROM (%s) b
  UNION ALL SELECT before, -1, _commit, _seq, 0, _op, _gtid FROM __ch WHERE before IS NOT NULL
  UNION ALL SELECT after, 1, _commit, _seq, 1, _op, _gtid FROM __ch WHERE after IS NOT NULL),
__run AS (SELECT *, sum(d) OVER (PARTITION BY img ORDER BY _commit, _seq, k ROWS UNBOUNDED PRECEDING) AS n FROM __ev)
SELECT _commit, _seq, _op, _gtid, _op || ' of a row the lake does not have', NULL, img
FROM __run WHERE n < 0 ORDER BY _commit, _seq LIMIT %d`, changes, structPack(s, "b"), base, limit)
}

// structValues turns a scanned DuckDB struct into canonical values in the
// schema's column order.
func structValues(s *layout.TableSchema, v any) []any {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := make([]any, len(s.Columns))
	for i := range s.Columns {
		out[i] = value.FromDuckDB(&s.Columns[i], m[s.Columns[i].Name])
	}
	return out
}
