package query

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/layout"
)

// duckType is the DuckDB type a column reads as from binlake's Parquet
// (docs/FORMAT.md has the table).
func duckType(c *layout.Column) string {
	switch c.Kind {
	case layout.KindInt:
		t := map[int]string{1: "TINYINT", 2: "SMALLINT", 3: "INTEGER", 4: "INTEGER", 8: "BIGINT"}[c.Width]
		if t == "" {
			t = "BIGINT"
		}
		if c.Unsigned {
			t = "U" + t
		}
		return t
	case layout.KindFloat:
		return "FLOAT"
	case layout.KindDouble:
		return "DOUBLE"
	case layout.KindBit:
		return "UBIGINT"
	case layout.KindYear:
		return "USMALLINT"
	case layout.KindBytes, layout.KindGeometry:
		return "BLOB"
	}
	return "VARCHAR"
}

// tableSQL builds a DuckDB query that yields the rows of a table state, with
// the schema's columns in order. It fetches the objects it reads.
func (e *Engine) tableSQL(ctx context.Context, st *catalog.TableState) (string, error) {
	base, err := e.baseSQL(ctx, st)
	if err != nil {
		return "", err
	}
	if len(st.Segments) == 0 {
		return base, nil
	}
	paths, err := e.Cache.FetchAll(ctx, st.Segments)
	if err != nil {
		return "", err
	}
	changes := fmt.Sprintf("SELECT * FROM read_parquet(%s) WHERE _commit > %d AND _commit <= %d",
		pathList(paths), st.From, st.Commit)
	if len(st.Schema.PrimaryKey) > 0 {
		return keyedSQL(&st.Schema, base, changes), nil
	}
	return multisetSQL(&st.Schema, base, changes), nil
}

// baseSQL is the state the changes apply to: a checkpoint, the previous
// schema version's rows mapped through the origins, or an empty table.
func (e *Engine) baseSQL(ctx context.Context, st *catalog.TableState) (string, error) {
	s := &st.Schema
	switch {
	case st.Checkpoint != nil:
		paths, err := e.Cache.FetchAll(ctx, st.Checkpoint.Objects)
		if err != nil {
			return "", err
		}
		return "SELECT * FROM read_parquet(" + pathList(paths) + ")", nil
	case st.Base != nil:
		prev, err := e.tableSQL(ctx, st.Base)
		if err != nil {
			return "", err
		}
		cols := make([]string, len(s.Columns))
		for i := range s.Columns {
			c := &s.Columns[i]
			expr := "NULL"
			if i < len(s.Origins) && s.Origins[i].From >= 0 {
				expr = ident(st.Base.Schema.Columns[s.Origins[i].From].Name)
			} else if i < len(s.Origins) && s.Origins[i].Default != nil {
				expr = defaultSQL(c, *s.Origins[i].Default)
			}
			cols[i] = fmt.Sprintf("CAST(%s AS %s) AS %s", expr, duckType(c), ident(c.Name))
		}
		return "SELECT " + strings.Join(cols, ", ") + " FROM (" + prev + ")", nil
	}
	cols := make([]string, len(s.Columns))
	for i := range s.Columns {
		cols[i] = fmt.Sprintf("CAST(NULL AS %s) AS %s", duckType(&s.Columns[i]), ident(s.Columns[i].Name))
	}
	return "SELECT " + strings.Join(cols, ", ") + " WHERE false", nil
}

// defaultSQL is a DuckDB literal for the canonical text of a default. Bytes
// go through hex: a SQL string literal cannot hold a NUL byte, and a cast
// of a string to BLOB reads backslash escapes.
func defaultSQL(c *layout.Column, v string) string {
	switch {
	case c.Kind == layout.KindBytes || c.Kind == layout.KindGeometry:
		return "from_hex(" + sqlString(hex.EncodeToString([]byte(v))) + ")"
	case strings.ContainsRune(v, 0):
		return "decode(from_hex(" + sqlString(hex.EncodeToString([]byte(v))) + "))"
	}
	return sqlString(v)
}

// keyedSQL applies changes to base for a table with a primary key: a row's
// state is its latest change (every change row touches one key), and base
// rows whose key changed are replaced.
func keyedSQL(s *layout.TableSchema, base, changes string) string {
	var keys, on []string
	for i, k := range s.PrimaryKey {
		name := ident(s.Columns[k].Name)
		alias := fmt.Sprintf("__k%d", i)
		keys = append(keys, fmt.Sprintf("coalesce(after.%s, before.%s) AS %s", name, name, alias))
		on = append(on, fmt.Sprintf("b.%s = l.%s", name, alias))
	}
	aliases := make([]string, len(s.PrimaryKey))
	for i := range aliases {
		aliases[i] = fmt.Sprintf("__k%d", i)
	}
	return fmt.Sprintf(`WITH __base AS (%s),
__last AS (SELECT _op, after, %s FROM (%s)
  QUALIFY row_number() OVER (PARTITION BY %s ORDER BY _commit DESC, _seq DESC) = 1)
SELECT b.* FROM __base b ANTI JOIN __last l ON %s
UNION ALL
SELECT after.* FROM __last WHERE _op <> 'delete'`,
		base, strings.Join(keys, ", "), changes, strings.Join(aliases, ", "), strings.Join(on, " AND "))
}

// multisetSQL applies changes to base for a table without a primary key: a
// row's identity is its whole image, with multiplicity, so the state is the
// images added (base, after images) minus the images removed (before
// images), counted.
func multisetSQL(s *layout.TableSchema, base, changes string) string {
	fields := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		fields[i] = fmt.Sprintf("%s := b.%s", ident(c.Name), ident(c.Name))
	}
	return fmt.Sprintf(`WITH __ch AS (%s),
__imgs AS (
  SELECT struct_pack(%s) AS img, 1 AS d FROM (%s) b
  UNION ALL SELECT after, 1 FROM __ch WHERE after IS NOT NULL
  UNION ALL SELECT before, -1 FROM __ch WHERE before IS NOT NULL),
__counted AS (SELECT img, sum(d) AS n FROM __imgs GROUP BY img HAVING sum(d) > 0)
SELECT img.* FROM (SELECT img, unnest(range(n::BIGINT)) AS __r FROM __counted)`,
		changes, strings.Join(fields, ", "), base)
}

func pathList(paths []string) string {
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = sqlString(p)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// orderBy is the ORDER BY clause that makes a table's output deterministic:
// the primary key, or every column.
func orderBy(s *layout.TableSchema) string {
	var cols []string
	if len(s.PrimaryKey) > 0 {
		for _, k := range s.PrimaryKey {
			cols = append(cols, ident(s.Columns[k].Name))
		}
	} else {
		for _, c := range s.Columns {
			cols = append(cols, ident(c.Name))
		}
	}
	return " ORDER BY " + strings.Join(cols, ", ")
}
