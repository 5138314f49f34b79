package ingest

import (
	"strings"

	"github.com/binlake/binlake/layout"
)

// statementTable names the one table a statement-based DML statement
// changes (INSERT, REPLACE, single-table UPDATE and DELETE, LOAD DATA), so
// that such an event of a table binlake does not replicate can be passed
// over. ok is false when the statement may change more than one table or
// does not read as expected: the caller then assumes the worst.
func statementTable(stmt, defaultDB string) (ref layout.TableRef, ok bool) {
	toks := sqlWords(stmt)
	i := 0
	next := func() string {
		if i < len(toks) {
			i++
			return toks[i-1]
		}
		return ""
	}
	skip := func(words ...string) {
		for i < len(toks) {
			found := false
			for _, w := range words {
				if strings.EqualFold(toks[i], w) {
					found = true
				}
			}
			if !found {
				return
			}
			i++
		}
	}
	switch strings.ToUpper(next()) {
	case "INSERT", "REPLACE":
		skip("LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "INTO")
	case "UPDATE":
		skip("LOW_PRIORITY", "IGNORE")
	case "DELETE":
		skip("LOW_PRIORITY", "QUICK", "IGNORE")
		if !strings.EqualFold(next(), "FROM") {
			return ref, false // DELETE t1, t2 FROM ...: several tables
		}
	case "LOAD":
		for i < len(toks) && !strings.EqualFold(toks[i], "TABLE") {
			i++
		}
		next()
	default:
		return ref, false
	}
	name := next()
	if name == "" || name == "(" {
		return ref, false
	}
	if after := next(); after == "," || strings.EqualFold(after, "JOIN") {
		return ref, false // several tables
	}
	db, table, qualified := strings.Cut(name, "\x00")
	if !qualified {
		db, table = defaultDB, name
	}
	return layout.TableRef{DB: db, Table: table}, db != "" && table != ""
}

// sqlWords splits SQL into words, with `quoted` identifiers unquoted and a
// qualified name db.table joined into one word as "db\x00table";
// punctuation is a word of its own and strings are skipped.
func sqlWords(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '`':
			j := i + 1
			var b strings.Builder
			for j < len(s) {
				if s[j] == '`' {
					if j+1 < len(s) && s[j+1] == '`' {
						b.WriteByte('`')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			out = appendName(out, b.String())
			i = j + 1
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			out = append(out, "'")
			i = j + 1
		case c == '.':
			out = append(out, ".")
			i++
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			out = appendName(out, s[i:j])
			i = j
		default:
			out = append(out, string(c))
			i++
		}
	}
	return out
}

// appendName adds a name, joining it to "db." before it.
func appendName(out []string, name string) []string {
	if n := len(out); n >= 2 && out[n-1] == "." {
		return append(out[:n-2], out[n-2]+"\x00"+name)
	}
	return append(out, name)
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
