package value_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
)

func TestParseKey(t *testing.T) {
	s := &layout.TableSchema{DB: "d", Table: "t", Columns: []layout.Column{
		{Name: "i", Kind: layout.KindInt, Width: 1, SQLType: "tinyint"},
		{Name: "u", Kind: layout.KindInt, Width: 8, Unsigned: true, SQLType: "bigint unsigned"},
		{Name: "p", Kind: layout.KindDecimal, Width: 6, Scale: 2, SQLType: "decimal(6,2)"},
		{Name: "dt", Kind: layout.KindDatetime, Scale: 3, SQLType: "datetime(3)"},
		{Name: "s", Kind: layout.KindString, SQLType: "varchar(9)"},
		{Name: "b", Kind: layout.KindBytes, Width: 4, Fixed: true, SQLType: "binary(4)"},
		{Name: "y", Kind: layout.KindYear, SQLType: "year"},
		{Name: "f", Kind: layout.KindFloat, SQLType: "float"},
		{Name: "bits", Kind: layout.KindBit, Width: 4, SQLType: "bit(4)"},
	}}
	kv, err := value.ParseKey(s, `i=-5, U=18446744073709551615,p=-1.5,dt=2024-01-02T03:04:05.1,s='a,''b',b=0x0102,y=2024,f=0.5,bits=b'101'`)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]any, len(kv))
	for i, k := range kv {
		got[i] = k.Value
	}
	want := []any{int64(-5), uint64(18446744073709551615), "-1.50", "2024-01-02 03:04:05.100", "a,'b", []byte{1, 2, 0, 0}, int64(2024), float32(0.5), uint64(5)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	if kv, err := value.ParseKey(s, `s=\N,p=-0.00`); err != nil || kv[0].Value != nil || kv[1].Value != "0.00" {
		t.Errorf("NULL and negative zero: %v %v", kv, err)
	}
	for spec, msg := range map[string]string{
		"i=300":                       "column i is tinyint: \"300\" is not an integer from -128 to 127",
		"p=1.005":                     "at most 2 digits after the point",
		"p=12345":                     "at most 4 digits before the point",
		"nope=1":                      "has no column \"nope\"",
		"i":                           "no column name before '='",
		"s='open":                     "unterminated quote",
		"dt=2024-01-02":               "a date and time",
		"y=1800":                      "a year",
		"bits=16":                     "a 4-bit value",
		"u=-1":                        "an integer from 0 to 18446744073709551615",
		"b=0xZZ":                      "hex digits",
		"dt=2024-01-02 03:04:05.1234": "at most 3 fractional digits",
	} {
		if _, err := value.ParseKey(s, spec); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: got %v, want an error with %q", spec, err, msg)
		}
	}
}
