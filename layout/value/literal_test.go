package value_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
)

func TestLiteralEveryKind(t *testing.T) {
	col := func(kind layout.Kind, mods ...func(*layout.Column)) *layout.Column {
		c := &layout.Column{Name: "c", Kind: kind}
		for _, m := range mods {
			m(c)
		}
		return c
	}
	charset := func(cs string) func(*layout.Column) { return func(c *layout.Column) { c.Charset = cs } }
	cases := []struct {
		col  *layout.Column
		v    any
		want string
	}{
		{col(layout.KindInt), nil, "NULL"},
		{col(layout.KindInt), int64(math.MinInt64), "-9223372036854775808"},
		{col(layout.KindInt), uint64(math.MaxUint64), "18446744073709551615"},
		{col(layout.KindYear), int64(0), "0"},
		{col(layout.KindYear), int64(2155), "2155"},
		{col(layout.KindBit), uint64(math.MaxUint64), "18446744073709551615"},
		// FLOAT: the exact double the float widens to, so the server
		// parses the same bits and = on the literal matches the column.
		{col(layout.KindFloat), float32(0.1), "1.0000000149011612e-01"},
		{col(layout.KindFloat), float32(math.MaxFloat32), "3.4028234663852886e+38"},
		{col(layout.KindFloat), float32(math.SmallestNonzeroFloat32), "1.401298464324817e-45"},
		{col(layout.KindFloat), float32(0), "0e0"},
		{col(layout.KindDouble), 0.1, "1e-01"},
		{col(layout.KindDouble), math.SmallestNonzeroFloat64, "5e-324"},
		{col(layout.KindDouble), -math.MaxFloat64, "-1.7976931348623157e+308"},
		{col(layout.KindDecimal), "-12.50", "-12.50"},
		{col(layout.KindDecimal), strings.Repeat("9", 65), strings.Repeat("9", 65)},
		{col(layout.KindDate), "0000-00-00", "'0000-00-00'"},
		{col(layout.KindDatetime), "2024-00-15 00:00:00.000001", "'2024-00-15 00:00:00.000001'"},
		{col(layout.KindTimestamp), "0000-00-00 00:00:00", "'0000-00-00 00:00:00'"},
		{col(layout.KindTime), "-838:59:59.000", "'-838:59:59.000'"},
		{col(layout.KindString, charset("utf8mb4")), "", "_utf8mb4''"},
		{col(layout.KindString, charset("utf8mb4")), "it's café 😀", "_utf8mb4'it''s café 😀'"},
		{col(layout.KindString, charset("utf8mb4")), `back\slash`, "_utf8mb4 X'6261636b5c736c617368'"},
		{col(layout.KindString, charset("utf8mb4")), "NUL\x00", "_utf8mb4 X'4e554c00'"},
		{col(layout.KindString, charset("utf8mb4")), "line\nbreak", "_utf8mb4 X'6c696e650a627265616b'"},
		{col(layout.KindString, charset("utf8mb3")), "ok", "_utf8mb3'ok'"},
		// Escaped bytes go back as they were: hex, since they are not text.
		{col(layout.KindString, charset("utf8mb4")), "a\U0010ffff", "_utf8mb4 X'61ff'"},
		{col(layout.KindString, charset("utf8mb3")), "\U0010ffed\U0010ffa0\U0010ff80", "_utf8mb3 X'eda080'"},
		// Every other set: its own bytes, readable only for printable ASCII in
		// a set that spells ASCII as ASCII.
		{col(layout.KindString, charset("sjis")), "abc", "_sjis'abc'"},
		{col(layout.KindString, charset("sjis")), "aあ", "_sjis X'6182a0'"},
		{col(layout.KindString, charset("sjis")), "\U0010ff85\U0010ff40", "_sjis X'8540'"},
		{col(layout.KindString, charset("cp1251")), "Жж", "_cp1251 X'c6e6'"},
		{col(layout.KindString, charset("utf16")), "a😀", "_utf16 X'0061d83dde00'"},
		{col(layout.KindString, charset("utf16le")), "a", "_utf16le X'6100'"},
		{col(layout.KindString, charset("utf32")), "", "_utf32''"},
		{col(layout.KindString, charset("utf32")), "a", "_utf32 X'00000061'"},
		{col(layout.KindString, charset("swe7")), "ab", "_swe7 X'6162'"},
		{col(layout.KindString, charset("ascii")), "ab", "_ascii'ab'"},
		{col(layout.KindEnum, charset("binary")), "é", "_binary'é'"},
		{col(layout.KindString, charset("latin1")), "plain", "_latin1'plain'"},
		// latin1 is cp1252 with the five undefined bytes as C1 controls.
		{col(layout.KindString, charset("latin1")), "€\u0081é\u009dÿ", "_latin1 X'8081e99dff'"},
		{col(layout.KindBytes), []byte{}, "X''"},
		{col(layout.KindBytes), []byte{0, 0xff, 'a', 0}, "X'00ff6100'"},
		{col(layout.KindEnum, charset("utf8mb4")), "", "_utf8mb4''"},
		{col(layout.KindEnum, charset("latin1")), "é", "_latin1 X'e9'"},
		{col(layout.KindSet, charset("utf8mb4")), "x,y", "_utf8mb4'x,y'"},
		{col(layout.KindJSON), `{"a":"it's"}`, `CAST(_utf8mb4'{"a":"it''s"}' AS JSON)`},
		{col(layout.KindGeometry), []byte{0xe6, 0x10, 0, 0, 1}, "X'e610000001'"},
	}
	for _, c := range cases {
		got, err := value.Literal(c.col, c.v)
		if err != nil {
			t.Errorf("%s %#v: %v", c.col.Kind, c.v, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s %#v: got %s, want %s", c.col.Kind, c.v, got, c.want)
		}
	}
}

func TestLiteralRefusesWhatItCannotWrite(t *testing.T) {
	cases := []struct {
		col layout.Column
		v   any
	}{
		{layout.Column{Kind: layout.KindDecimal}, "1; DROP TABLE x"},
		{layout.Column{Kind: layout.KindDecimal}, "1."},
		{layout.Column{Kind: layout.KindDate}, "2024-01-01' OR '1"},
		{layout.Column{Kind: layout.KindDouble}, math.Inf(1)},
		{layout.Column{Kind: layout.KindFloat}, float32(math.NaN())},
		{layout.Column{Kind: layout.KindString, Charset: "latin1"}, "中"},
		{layout.Column{Kind: layout.KindString, Charset: "klingon"}, "a"},
		{layout.Column{Kind: layout.KindString, Charset: "sjis"}, "é"},
		{layout.Column{Kind: layout.KindString, Charset: "ucs2"}, "😀"},
		// Escapes that spell a character are not what any bytes decode to.
		{layout.Column{Kind: layout.KindString, Charset: "sjis"}, "\U0010ff82\U0010ffa0"},
		{layout.Column{Kind: layout.KindString, Charset: "utf8mb4"}, "\U0010ffc3\U0010ffa9"},
		{layout.Column{Kind: layout.KindString, Charset: "utf8mb4"}, "\xff"},
		{layout.Column{Kind: layout.KindInt}, "1"},
		{layout.Column{Kind: layout.KindBytes}, "text"},
	}
	for _, c := range cases {
		if got, err := value.Literal(&c.col, c.v); err == nil {
			t.Errorf("%s %#v: got %s, want an error", c.col.Kind, c.v, got)
		}
	}
}

// Every float32 and float64 literal must parse back to the same bits: the
// server uses a correctly rounded strtod, as strconv.ParseFloat does.
func TestFloatLiteralsRoundTrip(t *testing.T) {
	fc := &layout.Column{Kind: layout.KindFloat}
	dc := &layout.Column{Kind: layout.KindDouble}
	for i := uint32(0); i < 200000; i++ {
		bits := i*21474 + i*i*7919 // spread over the whole range
		f := math.Float32frombits(bits)
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) || f == 0 {
			continue
		}
		lit, err := value.Literal(fc, f)
		if err != nil {
			t.Fatal(err)
		}
		d := mustParse(t, lit)
		if float64(float32(d)) != d || math.Float32bits(float32(d)) != bits {
			t.Fatalf("float32 %08x: literal %s parses to %v", bits, lit, d)
		}
		g := math.Float64frombits(uint64(bits)<<32 | uint64(i)*2654435761)
		if math.IsNaN(g) || math.IsInf(g, 0) {
			continue
		}
		lit, err = value.Literal(dc, g)
		if err != nil {
			t.Fatal(err)
		}
		if mustParse(t, lit) != g {
			t.Fatalf("float64 %v: literal %s", g, lit)
		}
	}
}

func mustParse(t *testing.T, lit string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		t.Fatalf("parse %s: %v", lit, err)
	}
	return f
}

func TestQuoteIdent(t *testing.T) {
	if got := value.QuoteIdent("we`ird na.me"); got != "`we``ird na.me`" {
		t.Errorf("got %s", got)
	}
	if got := value.QuoteTable("my.db", "t`"); got != "`my.db`.`t```" {
		t.Errorf("got %s", got)
	}
}
