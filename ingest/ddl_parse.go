package ingest

import (
	"errors"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"

	// The parser needs a driver for literal values; the test driver is the
	// one that does not pull in TiDB itself.
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
)

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
	return nil, errors.Join(ErrUnparsable, err)
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
