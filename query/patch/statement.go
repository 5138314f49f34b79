package patch

import (
	"strings"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
)

// This file turns canonical values (layout.Kind) back into MySQL SQL text
// that a MySQL or MariaDB server reads as exactly the same value. Patches
// run with PatchSessionSQL, which these literals rely on: no
// NO_BACKSLASH_ESCAPES (none are produced anyway), zero and invalid dates
// allowed, TIMESTAMPs in UTC.

// sqlMatch returns a condition that is true exactly when column c of the
// row holds v, byte for byte: NULL by IS NULL; text, ENUM, SET and
// GEOMETRY by their bytes (a plain = would follow the collation, so 'a'
// would match 'A' and 'a '); everything else by = on its exact literal.
func sqlMatch(c *layout.Column, v any) (string, error) {
	col := value.QuoteIdent(c.Name)
	if v == nil {
		return col + " IS NULL", nil
	}
	lit, err := value.Literal(c, v)
	if err != nil {
		return "", err
	}
	switch c.Kind {
	case layout.KindString, layout.KindEnum, layout.KindSet:
		intro, raw, _ := value.Encode(c.Charset, v.(string))
		if value.Readable(intro, v.(string)) {
			return "CAST(" + col + " AS BINARY) = CAST(" + lit + " AS BINARY)", nil
		}
		return "CAST(" + col + " AS BINARY) = " + value.HexLiteral(raw), nil
	case layout.KindGeometry:
		return "CAST(" + col + " AS BINARY) = " + lit, nil
	}
	return col + " = " + lit, nil
}

// keyMatch is the condition for a primary-key column: sqlMatch, preceded
// for text by a plain = the server can look up in the index.
func keyMatch(c *layout.Column, v any) (string, error) {
	m, err := sqlMatch(c, v)
	if err != nil || v == nil {
		return m, err
	}
	switch c.Kind {
	case layout.KindString, layout.KindEnum, layout.KindSet, layout.KindGeometry:
		lit, _ := value.Literal(c, v)
		return value.QuoteIdent(c.Name) + " = " + lit + " AND " + m, nil
	}
	return m, nil
}

// rowMatch is the WHERE condition that matches a row whose full image is
// img: key columns first, so the server finds the row by its key.
func rowMatch(s *layout.TableSchema, img []any) (string, error) {
	conds := make([]string, 0, len(img))
	isKey := make([]bool, len(s.Columns))
	for _, k := range s.PrimaryKey {
		isKey[k] = true
		m, err := keyMatch(&s.Columns[k], img[k])
		if err != nil {
			return "", err
		}
		conds = append(conds, m)
	}
	for i := range s.Columns {
		if isKey[i] {
			continue
		}
		m, err := sqlMatch(&s.Columns[i], img[i])
		if err != nil {
			return "", err
		}
		conds = append(conds, m)
	}
	return strings.Join(conds, " AND "), nil
}

// sqlTuple returns "(lit, lit, ...)" for a row image.
func sqlTuple(s *layout.TableSchema, img []any) (string, error) {
	lits := make([]string, len(img))
	for i := range img {
		lit, err := value.Literal(&s.Columns[i], img[i])
		if err != nil {
			return "", err
		}
		lits[i] = lit
	}
	return "(" + strings.Join(lits, ", ") + ")", nil
}

// sqlColumns returns "(`a`, `b`, ...)".
func sqlColumns(s *layout.TableSchema) string {
	names := make([]string, len(s.Columns))
	for i := range s.Columns {
		names[i] = value.QuoteIdent(s.Columns[i].Name)
	}
	return "(" + strings.Join(names, ", ") + ")"
}

// undoStatement moves a row from image now back to image want (nil: the row
// does not exist), guarded by the full image now.
// by names the commits undone, for the note.
func undoStatement(schema *layout.TableSchema, name string, want, now []any, limit bool, by string) (Statement, bool, error) {
	table := value.QuoteTable(schema.DB, schema.Table)
	lim := ""
	if limit {
		lim = " LIMIT 1"
	}
	switch {
	case want == nil && now == nil:
		return Statement{}, false, nil
	case want == nil:
		where, err := rowMatch(schema, now)
		if err != nil {
			return Statement{}, false, err
		}
		return Statement{SQL: "DELETE FROM " + table + " WHERE " + where + lim, Expect: 1,
			Note: name + " " + value.KeyText(schema, now) + ": delete the row " + by + " inserted"}, true, nil
	case now == nil:
		vals, err := sqlTuple(schema, want)
		if err != nil {
			return Statement{}, false, err
		}
		return Statement{SQL: "INSERT INTO " + table + " " + sqlColumns(schema) + " VALUES " + vals, Expect: 1,
			Note: name + " " + value.KeyText(schema, want) + ": insert again the row " + by + " deleted"}, true, nil
	}
	if layout.ImagesEqual(want, now) {
		return Statement{}, false, nil
	}
	where, err := rowMatch(schema, now)
	if err != nil {
		return Statement{}, false, err
	}
	set := make([]string, len(want))
	for i := range want {
		lit, err := value.Literal(&schema.Columns[i], want[i])
		if err != nil {
			return Statement{}, false, err
		}
		set[i] = value.QuoteIdent(schema.Columns[i].Name) + " = " + lit
	}
	return Statement{SQL: "UPDATE " + table + " SET " + strings.Join(set, ", ") + " WHERE " + where + lim, Expect: 1,
		Note: name + " " + value.KeyText(schema, now) + ": restore the row " + by + " updated"}, true, nil
}
