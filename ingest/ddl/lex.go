package ddl

import "strings"

// sqlToken is one token of a statement: a bare word (keyword, identifier or
// number), a quoted identifier, a string, or a punctuation character.
// Comments and white space are not tokens.
type sqlToken struct {
	text       string // as written, quotes included
	start, end int    // byte offsets in the statement
	kind       tokenKind
}

type tokenKind int

const (
	tokWord tokenKind = iota
	tokQuotedIdent
	tokString
	tokPunct
)

// is reports whether the token is the bare word w, case-insensitively.
func (t sqlToken) is(w string) bool {
	return t.kind == tokWord && strings.EqualFold(t.text, w)
}

// lexSQL splits a statement into tokens. It is only as precise as the
// rewrites in ddl_rewrite.go need: it never fails, and an unterminated
// quote or comment runs to the end. The text of an executable comment
// ("/*!80023 INVISIBLE */") is tokenized, as MySQL runs it.
func lexSQL(s string) []sqlToken {
	var toks []sqlToken
	inExec := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case strings.HasPrefix(s[i:], "/*!"):
			i += 3
			for i < len(s) && '0' <= s[i] && s[i] <= '9' {
				i++
			}
			inExec = true
		case inExec && strings.HasPrefix(s[i:], "*/"):
			i += 2
			inExec = false
		case c == '#' || (c == '-' && strings.HasPrefix(s[i:], "-- ")):
			i = skipLine(s, i)
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			i = skipComment(s, i)
		case c == '\'' || c == '"' || c == '`':
			end := skipQuoted(s, i)
			kind := tokString
			if c == '`' {
				kind = tokQuotedIdent
			}
			toks = append(toks, sqlToken{text: s[i:end], start: i, end: end, kind: kind})
			i = end
		case isWordByte(c):
			end := i
			for end < len(s) && isWordByte(s[end]) {
				end++
			}
			toks = append(toks, sqlToken{text: s[i:end], start: i, end: end, kind: tokWord})
			i = end
		default:
			toks = append(toks, sqlToken{text: s[i : i+1], start: i, end: i + 1, kind: tokPunct})
			i++
		}
	}
	return toks
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func skipLine(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

func skipComment(s string, i int) int {
	if j := strings.Index(s[i+2:], "*/"); j >= 0 {
		return i + 2 + j + 2
	}
	return len(s)
}

// skipQuoted returns the offset just past the quoted text starting at i.
// A doubled quote stays inside; a backslash escapes inside strings.
func skipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\' && q != '`':
			j++
		case s[j] == q && j+1 < len(s) && s[j+1] == q:
			j++
		case s[j] == q:
			return j + 1
		}
	}
	return len(s)
}
