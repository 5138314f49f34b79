package ddl

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/binlake/binlake/layout"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// literal is a DEFAULT value as written.
type literal struct {
	kind litKind
	text string // a number as written ("-5", "1.5e3", "5.50") or a string's value
	bits []byte // a bit or hex literal
}

type litKind int

const (
	litNull litKind = iota
	litNumber
	litString
	litBits
	litNow // CURRENT_TIMESTAMP and its synonyms, CURRENT_DATE
)

// addedValue returns the canonical value rows that exist when a column is
// added receive: its DEFAULT converted to the column's type, CURRENT_TIMESTAMP
// as at, NULL (nil) for a nullable column without DEFAULT, and MySQL's
// implicit default for a NOT NULL one. Binary and blob values are the raw
// bytes as a string.
func addedValue(col layout.Column, def *ast.ColumnDef, at time.Time) (*string, error) {
	var expr ast.ExprNode
	for _, o := range def.Options {
		switch o.Tp {
		case ast.ColumnOptionAutoIncrement:
			return nil, fmt.Errorf("%w: AUTO_INCREMENT numbers the existing rows", ErrValuesUnknown)
		case ast.ColumnOptionGenerated:
			return nil, fmt.Errorf("%w: a generated column is computed from each row", ErrValuesUnknown)
		case ast.ColumnOptionDefaultValue:
			expr = o.Expr
		}
	}
	if expr == nil {
		if col.Nullable {
			return nil, nil
		}
		v := implicitDefault(col)
		return &v, nil
	}
	lit, err := literalOf(expr)
	if err != nil {
		return nil, err
	}
	if lit.kind == litNull {
		return nil, nil
	}
	if name := markedType(def.Tp); name != "" {
		if lit, err = markedLiteral(name, lit); err != nil {
			return nil, fmt.Errorf("DEFAULT %s: %w", exprText(expr), err)
		}
	}
	v, err := canonicalValue(col, lit, at)
	if err != nil {
		return nil, fmt.Errorf("DEFAULT %s: %w", exprText(expr), err)
	}
	return &v, nil
}

// literalOf reads a DEFAULT expression: a literal, a signed number, a
// parenthesized literal, CURRENT_TIMESTAMP or a DATE/TIME/TIMESTAMP literal.
func literalOf(expr ast.ExprNode) (literal, error) {
	switch e := expr.(type) {
	case *test_driver.ValueExpr:
		if s, ok := e.GetValue().(string); ok && s == exprMarker {
			return literal{}, fmt.Errorf("%w: DEFAULT is an expression", ErrValuesUnknown)
		}
		return datumLiteral(&e.Datum)
	case *ast.ParenthesesExpr:
		return literalOf(e.Expr)
	case *ast.UnaryOperationExpr:
		lit, err := literalOf(e.V)
		if err != nil || lit.kind != litNumber || (e.Op != opcode.Minus && e.Op != opcode.Plus) {
			break
		}
		if e.Op == opcode.Minus {
			lit.text = negate(lit.text)
		}
		return lit, nil
	case *ast.FuncCallExpr:
		switch e.FnName.L {
		case "current_timestamp", "now", "localtime", "localtimestamp", "current_date", "curdate":
			return literal{kind: litNow}, nil
		case ast.DateLiteral, ast.TimeLiteral, ast.TimestampLiteral:
			if len(e.Args) == 1 {
				return literalOf(e.Args[0])
			}
		}
	}
	return literal{}, fmt.Errorf("%w: DEFAULT %s is an expression", ErrValuesUnknown, exprText(expr))
}

func datumLiteral(d *test_driver.Datum) (literal, error) {
	switch v := d.GetValue().(type) {
	case nil:
		return literal{kind: litNull}, nil
	case int64:
		return literal{kind: litNumber, text: strconv.FormatInt(v, 10)}, nil
	case uint64:
		return literal{kind: litNumber, text: strconv.FormatUint(v, 10)}, nil
	case float32:
		return literal{kind: litNumber, text: strconv.FormatFloat(float64(v), 'g', -1, 32)}, nil
	case float64:
		return literal{kind: litNumber, text: strconv.FormatFloat(v, 'g', -1, 64)}, nil
	case *test_driver.MyDecimal:
		return literal{kind: litNumber, text: v.String()}, nil
	case string:
		return literal{kind: litString, text: v}, nil
	case []byte:
		return literal{kind: litString, text: string(v)}, nil
	case test_driver.BinaryLiteral:
		return literal{kind: litBits, bits: v}, nil
	}
	return literal{}, fmt.Errorf("%w: unsupported literal of kind %d", ErrValuesUnknown, d.Kind())
}

func negate(num string) string {
	if rest, ok := strings.CutPrefix(num, "-"); ok {
		return rest
	}
	return "-" + num
}

func exprText(expr ast.ExprNode) string {
	var b strings.Builder
	if err := expr.Restore(format.NewRestoreCtx(format.DefaultRestoreFlags, &b)); err != nil {
		return "(expression)"
	}
	return b.String()
}

// implicitDefault is the value MySQL gives a NOT NULL column that has no
// DEFAULT.
func implicitDefault(col layout.Column) string {
	switch col.Kind {
	case layout.KindInt, layout.KindFloat, layout.KindDouble, layout.KindBit, layout.KindYear:
		return "0"
	case layout.KindDecimal:
		return decimalZero(col.Scale)
	case layout.KindDate:
		return "0000-00-00"
	case layout.KindDatetime, layout.KindTimestamp:
		return "0000-00-00 00:00:00" + fraction(0, col.Scale)
	case layout.KindTime:
		return "00:00:00" + fraction(0, col.Scale)
	case layout.KindEnum:
		if len(col.Members) > 0 {
			return col.Members[0]
		}
	case layout.KindJSON:
		return "null"
	case layout.KindBytes:
		if col.Fixed {
			return strings.Repeat("\x00", col.Width)
		}
	}
	return ""
}

func decimalZero(scale int) string {
	if scale == 0 {
		return "0"
	}
	return "0." + strings.Repeat("0", scale)
}

// errNoConversion: a DEFAULT that does not convert to its column's type
// (MySQL accepted it, so binlake misreads it).
var errNoConversion = fmt.Errorf("%w: the DEFAULT does not convert to the column's type", ErrValuesUnknown)
