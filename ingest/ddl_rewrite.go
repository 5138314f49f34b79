package ingest

import (
	"strings"
)

// The TiDB parser does not know a few MySQL and MariaDB spellings. When a
// statement fails to parse, rewriteForTiDB replaces them with ones it knows
// and the statement is parsed again:
//
//   - CREATE OR REPLACE TABLE → CREATE TABLE (a CREATE replaces a live table
//     in ApplyDDL anyway);
//   - ALTER ONLINE TABLE → ALTER TABLE, RENAME TABLES → RENAME TABLE;
//   - WAIT n and NOWAIT (MariaDB lock timeouts) are removed;
//   - PERSISTENT (MariaDB) → STORED;
//   - the spatial types (GEOMETRY, POINT, ...) → an ENUM whose first member
//     is geometryMarker and second the type name, which columnType turns
//     back into a geometry column; SRID n and REF_SYSTEM_ID=n are removed;
//   - MariaDB's UUID and INET6 → BINARY(16), INET4 → BINARY(4), the way the
//     binlog shows them.
//
// Type names are rewritten only where a type can stand: after a column name
// and before the end of the definition or a column attribute.

// geometryMarker is the first member of the ENUM a spatial type becomes.
const geometryMarker = "binlake:geometry"

var spatialTypes = map[string]bool{
	"geometry": true, "point": true, "linestring": true, "polygon": true, "multipoint": true,
	"multilinestring": true, "multipolygon": true, "geometrycollection": true, "geomcollection": true,
}

var mariadbTypes = map[string]string{"uuid": "binary(16)", "inet6": "binary(16)", "inet4": "binary(4)"}

// rewriteForTiDB returns the statement with the rewrites above applied, and
// whether any applied.
func rewriteForTiDB(stmt string) (string, bool) {
	toks := lexSQL(stmt)
	var b strings.Builder
	last, changed := 0, false
	emit := func(t sqlToken, with string) {
		b.WriteString(stmt[last:t.start])
		b.WriteString(with)
		last, changed = t.end, true
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case i == 1 && t.is("or") && toks[0].is("create") && at(toks, 2, "replace"):
			emit(t, "")
			emit(toks[2], "")
			i++
		case i == 1 && t.is("online") && toks[0].is("alter"):
			emit(t, "")
		case i == 1 && t.is("tables") && toks[0].is("rename"):
			emit(t, "TABLE")
		case t.is("nowait") && afterTableName(toks, i):
			emit(t, "")
		case t.is("wait") && afterTableName(toks, i) && i+1 < len(toks):
			emit(t, "")
			emit(toks[i+1], "")
			i++
		case t.is("persistent"):
			emit(t, "STORED")
		case t.is("srid") && i+1 < len(toks) && digitsOnly(toks[i+1].text):
			emit(t, "")
			emit(toks[i+1], "")
			i++
		case t.is("ref_system_id") && i+2 < len(toks) && toks[i+1].text == "=" && digitsOnly(toks[i+2].text):
			emit(t, "")
			emit(toks[i+1], "")
			emit(toks[i+2], "")
			i += 2
		case t.kind == tokWord && inTypePosition(toks, i):
			i = rewriteType(toks, i, emit)
		}
	}
	if !changed {
		return stmt, false
	}
	b.WriteString(stmt[last:])
	return b.String(), true
}

// rewriteType replaces a spatial or MariaDB-only type name at toks[i] and
// returns the index of the last token it consumed.
func rewriteType(toks []sqlToken, i int, emit func(sqlToken, string)) int {
	name := strings.ToLower(toks[i].text)
	if with, ok := mariadbTypes[name]; ok {
		emit(toks[i], with)
		return i
	}
	if !spatialTypes[name] {
		return i
	}
	emit(toks[i], "ENUM('"+geometryMarker+"','"+name+"')")
	return i
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

// afterTableName reports whether toks[i] follows "TABLE name" or
// "TABLE db.name", where a MariaDB WAIT or NOWAIT clause stands.
func afterTableName(toks []sqlToken, i int) bool {
	j := i - 1
	if j >= 2 && toks[j-1].text == "." {
		j -= 2
	}
	return j >= 1 && toks[j-1].is("table")
}

func at(toks []sqlToken, i int, word string) bool {
	return i < len(toks) && toks[i].is(word)
}
