package ddl

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/charset"
)

// The TiDB parser does not know a few MySQL and MariaDB spellings. When a
// statement fails to parse, rewriteForTiDB replaces them with ones it knows
// and the statement is parsed again:
//
//   - CREATE OR REPLACE TABLE → CREATE TABLE (a CREATE replaces a live table
//     in Apply anyway);
//   - ALTER ONLINE TABLE → ALTER TABLE, RENAME TABLES → RENAME TABLE;
//   - the START TRANSACTION MySQL 8 appends to the CREATE TABLE it logs for
//     CREATE TABLE ... SELECT is removed;
//   - WAIT n and NOWAIT (MariaDB lock timeouts) are removed;
//   - PERSISTENT (MariaDB) → STORED; SPATIAL KEY → KEY; INVISIBLE after a
//     column's type is removed (invisible columns are in the binlog);
//   - DEFAULT (expression) → DEFAULT 'exprMarker', which addedValue refuses
//     (the parser accepts only a few expressions there); DEFAULT DATE 'x'
//     (also TIME, TIMESTAMP) → DEFAULT 'x';
//   - a COLLATE naming a collation the parser does not know → the default
//     collation of its charset;
//   - the spatial types (GEOMETRY, POINT, ...) and MariaDB's UUID, INET6 and
//     INET4 → an ENUM whose first member is typeMarker and second the type
//     name, which columnType turns back into the type (see markedType);
//     SRID n and REF_SYSTEM_ID=n are removed.
//
// Type names are rewritten only where a type can stand: after a column name
// and before the end of the definition or a column attribute.

// typeMarker is the first member of the ENUM a type the parser does not
// know becomes.
const typeMarker = "binlake:type"

// exprMarker stands for a DEFAULT expression the parser does not accept.
const exprMarker = "binlake:expression"

// markedTypes are the types rewriteForTiDB marks.
var markedTypes = map[string]bool{
	"geometry": true, "point": true, "linestring": true, "polygon": true, "multipoint": true,
	"multilinestring": true, "multipolygon": true, "geometrycollection": true, "geomcollection": true,
	"uuid": true, "inet6": true, "inet4": true,
}

// rewriteForTiDB returns the statement with the rewrites above applied, and
// whether any applied.
func rewriteForTiDB(stmt string) (string, bool) {
	r := &rewriter{stmt: stmt, toks: lexSQL(stmt)}
	for i := 0; i < len(r.toks); i++ {
		if next, ok := r.statementWords(i); ok {
			i = next
		} else {
			i = r.clauseWords(i)
		}
	}
	if !r.changed {
		return stmt, false
	}
	r.b.WriteString(stmt[r.last:])
	return r.b.String(), true
}

// rewriter copies a statement, replacing some of its tokens.
type rewriter struct {
	stmt    string
	toks    []sqlToken
	b       strings.Builder
	last    int // offset in stmt copied up to
	changed bool
}

// emit replaces the text of t.
func (r *rewriter) emit(t sqlToken, with string) {
	r.b.WriteString(r.stmt[r.last:t.start])
	r.b.WriteString(with)
	r.last, r.changed = t.end, true
}

// drop removes tokens i..j.
func (r *rewriter) drop(i, j int) int {
	r.emit(sqlToken{start: r.toks[i].start, end: r.toks[j].end}, "")
	return j
}

// statementWords rewrites the words that shape a whole statement at toks[i];
// it returns the index of the last token consumed, and false if none.
func (r *rewriter) statementWords(i int) (int, bool) {
	toks, t := r.toks, r.toks[i]
	switch {
	case i == 1 && t.is("or") && toks[0].is("create") && at(toks, 2, "replace"):
		return r.drop(1, 2), true
	case i == 1 && t.is("online") && toks[0].is("alter"):
		return r.drop(1, 1), true
	case i == 1 && t.is("tables") && toks[0].is("rename"):
		r.emit(t, "TABLE")
		return i, true
	case t.is("start") && i == len(toks)-2 && toks[0].is("create") && at(toks, i+1, "transaction"):
		return r.drop(i, i+1), true
	case t.is("nowait") && afterTableName(toks, i):
		return r.drop(i, i), true
	case t.is("wait") && afterTableName(toks, i) && i+1 < len(toks):
		return r.drop(i, i+1), true
	}
	return i, false
}

// clauseWords rewrites the column and key clauses at toks[i]; it returns
// the index of the last token consumed.
func (r *rewriter) clauseWords(i int) int {
	toks, t := r.toks, r.toks[i]
	switch {
	case t.is("persistent"):
		r.emit(t, "STORED")
	case t.is("invisible") && afterType(toks, i):
		return r.drop(i, i)
	case t.is("spatial") && (at(toks, i+1, "key") || at(toks, i+1, "index")):
		return r.drop(i, i)
	case t.is("default") && i+2 < len(toks) && toks[i+2].kind == tokString &&
		(toks[i+1].is("date") || toks[i+1].is("time") || toks[i+1].is("timestamp")):
		return r.drop(i+1, i+1)
	case t.is("default") && i+1 < len(toks) && toks[i+1].text == "(":
		end := closingParen(toks, i+1)
		if end-i > 4 { // more than "(literal)" or "(-literal)"
			r.emit(sqlToken{start: toks[i+1].start, end: toks[end].end}, "'"+exprMarker+"'")
		}
		return end
	case t.is("collate"):
		return r.collation(i)
	case t.is("srid") && i+1 < len(toks) && digitsOnly(toks[i+1].text):
		return r.drop(i, i+1)
	case t.is("ref_system_id") && i+2 < len(toks) && toks[i+1].text == "=" && digitsOnly(toks[i+2].text):
		return r.drop(i, i+2)
	case t.kind == tokWord && inTypePosition(toks, i):
		if name := strings.ToLower(t.text); markedTypes[name] {
			r.emit(t, "ENUM('"+typeMarker+"','"+name+"')")
		}
	}
	return i
}

// collation replaces, after COLLATE [=] at toks[i], a collation the parser
// does not know (MariaDB's utf8mb4_uca1400_ai_ci, ...) by the default
// collation of its charset; Apply then reports that collation's id.
func (r *rewriter) collation(i int) int {
	j := i + 1
	if j < len(r.toks) && r.toks[j].text == "=" {
		j++
	}
	if j >= len(r.toks) || r.toks[j].kind == tokPunct {
		return i
	}
	name := strings.Trim(r.toks[j].text, "`'\"")
	if _, err := charset.GetCollationByName(name); err == nil {
		return j
	}
	cs, _, _ := strings.Cut(name, "_")
	if info, err := charset.GetCharsetInfo(cs); info != nil && err == nil {
		r.emit(r.toks[j], info.DefaultCollation)
	}
	return j
}

// notColumnNames are words that can precede a type-like word without being
// the name of a column.
var notColumnNames = map[string]bool{
	"add": true, "column": true, "modify": true, "change": true, "table": true, "exists": true,
	"key": true, "index": true, "to": true, "as": true, "by": true, "not": true, "if": true,
}

// typeFollowers are the words that can follow a column's type.
var typeFollowers = map[string]bool{
	"not": true, "null": true, "default": true, "comment": true, "srid": true, "ref_system_id": true,
	"primary": true, "unique": true, "key": true, "first": true, "after": true, "invisible": true,
	"check": true, "collate": true, "generated": true, "as": true, "references": true,
	"constraint": true, "visible": true,
}

// inTypePosition reports whether toks[i] stands where a column type can.
func inTypePosition(toks []sqlToken, i int) bool {
	if i == 0 {
		return false
	}
	prev := toks[i-1]
	isName := prev.kind == tokQuotedIdent || (prev.kind == tokWord && !notColumnNames[strings.ToLower(prev.text)])
	if !isName {
		return false
	}
	if i+1 == len(toks) {
		return true
	}
	next := toks[i+1]
	switch next.kind {
	case tokPunct:
		return next.text == "," || next.text == ")" || next.text == ";"
	case tokWord:
		return typeFollowers[strings.ToLower(next.text)]
	}
	return false
}

// afterType reports whether toks[i] follows a column type or attribute
// rather than standing where a column name can.
func afterType(toks []sqlToken, i int) bool {
	if i == 0 {
		return false
	}
	prev := toks[i-1]
	return prev.text == ")" || (prev.kind == tokWord && !notColumnNames[strings.ToLower(prev.text)] &&
		!prev.is("after") && !prev.is("drop") && !prev.is("rename"))
}

// afterTableName reports whether toks[i] follows "TABLE name" or
// "TABLE db.name", where a MariaDB WAIT or NOWAIT clause stands.
func afterTableName(toks []sqlToken, i int) bool {
	j := i - 1
	if j >= 2 && toks[j-1].text == "." {
		j -= 2
	}
	return j >= 1 && toks[j-1].is("table")
}

// closingParen returns the index of the parenthesis closing toks[open], or
// the last token.
func closingParen(toks []sqlToken, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch toks[i].text {
		case "(":
			depth++
		case ")":
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return len(toks) - 1
}

func at(toks []sqlToken, i int, word string) bool {
	return i < len(toks) && toks[i].is(word)
}
