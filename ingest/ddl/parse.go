package ddl

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/charset"

	// The parser needs a driver for literal values; the test driver is the
	// one that does not pull in TiDB itself.
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
)

// The TiDB parser accepts only the character sets TiDB supports (utf8,
// utf8mb4, ascii, latin1, binary, gbk, gb18030) and rejects CHARACTER SET
// latin2, ucs2, cp1251, ... which it knows as unsupported. init registers
// those with the parser (through its API for custom charsets) so that it
// parses every MySQL column definition. It runs at package initialisation,
// before anything can parse or look a charset up concurrently.
func init() {
	for _, name := range []string{
		"armscii8", "big5", "cp1250", "cp1251", "cp1256", "cp1257", "cp850", "cp852", "cp866", "cp932", "dec8",
		"eucjpms", "euckr", "gb2312", "geostd8", "greek", "hebrew", "hp8", "keybcs2", "koi8r", "koi8u", "latin2",
		"latin5", "latin7", "macce", "macroman", "sjis", "swe7", "tis620", "ucs2", "ujis", "utf16", "utf16le", "utf32",
	} {
		if c, err := charset.GetCharsetInfo(name); err != nil && c != nil {
			charset.AddCharset(c)
		}
	}
}

// parseStatement parses a Query event's statement with the TiDB parser,
// retrying once with rewriteForTiDB. A statement that still fails is an
// error only if it is a table DDL (see isTableDDL); otherwise it returns no
// nodes and no error.
func parseStatement(stmt string) ([]ast.StmtNode, error) {
	nodes, err := parseSQL(stmt)
	if err == nil {
		return nodes, nil
	}
	if rewritten, ok := rewriteForTiDB(stmt); ok {
		if nodes, err2 := parseSQL(rewritten); err2 == nil {
			return nodes, nil
		}
	}
	if !isTableDDL(stmt) {
		return nil, nil
	}
	return nil, fmt.Errorf("%w: %v", ErrUnparsable, err)
}

func parseSQL(stmt string) ([]ast.StmtNode, error) {
	nodes, _, err := parser.New().Parse(stmt, "", "")
	return nodes, err
}

// isTableDDL reports whether a statement changes tables: CREATE, ALTER,
// DROP or RENAME of a TABLE, DROP DATABASE (or SCHEMA), TRUNCATE. It reads
// only the leading words, so that statements binlake ignores (CREATE USER,
// GRANT, triggers, procedures, ...) pass even when the parser rejects them.
func isTableDDL(stmt string) bool {
	toks := lexSQL(stmt)
	if len(toks) == 0 {
		return false
	}
	verb := strings.ToLower(toks[0].text)
	switch verb {
	case "truncate":
		return true
	case "create", "alter", "drop", "rename":
	default:
		return false
	}
	for _, t := range toks[1:min(len(toks), 5)] {
		switch {
		case t.is("table") || t.is("tables"):
			return true
		case (t.is("database") || t.is("schema")) && verb == "drop":
			return true
		case t.is("or") || t.is("replace") || t.is("temporary") || t.is("online") || t.is("ignore"):
		default:
			return false
		}
	}
	return false
}
