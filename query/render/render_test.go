package render_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query/render"
)

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want render.Format
		ok   bool
	}{
		{"table", render.FormatTable, true},
		{"CSV", render.FormatCSV, true},
		{"jsonl", render.FormatJSONL, true},
		{"parquet", render.FormatParquet, true},
		{"json", "", false},
		{"", "", false},
	} {
		got, err := render.ParseFormat(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseFormat(%q) = %q, %v", tc.in, got, err)
		}
	}
}

var schema = &layout.TableSchema{DB: "d", Table: "t", PrimaryKey: []int{0}, Columns: []layout.Column{
	{Name: "id", Kind: layout.KindInt}, {Name: "v", Kind: layout.KindString}, {Name: "b", Kind: layout.KindBytes},
}}

func sheet() *render.Sheet {
	img := []any{int64(1), `a<b> & "c", d`, []byte{0xab}}
	return &render.Sheet{
		Cols: []string{"n", "key", "changed", "after", "f"},
		Rows: [][]any{
			{uint64(18446744073709551615), render.KeyObject(schema, img), render.List{"v"}, render.ImageObject(schema, img), 1e20},
			{nil, nil, render.List(nil), nil, float32(0.1)},
		},
	}
}

func TestWriteSheet(t *testing.T) {
	for _, tc := range []struct {
		format render.Format
		want   string
	}{
		{render.FormatCSV, "n,key,changed,after,f\n" +
			"18446744073709551615,id=1,v,\"id=1, v=a<b> & \"\"c\"\", d, b=0xAB\",1e20\n" +
			"\\N,\\N,,\\N,0.1\n"},
		{render.FormatJSONL, `{"n":18446744073709551615,"key":{"id":1},"changed":["v"],"after":{"id":1,"v":"a\u003cb\u003e \u0026 \"c\", d","b":"0xAB"},"f":1e20}` + "\n" +
			`{"n":null,"key":null,"changed":[],"after":null,"f":0.1}` + "\n"},
		{render.FormatTable, "+----------------------+------+---------+-------------------------------+------+\n" +
			"| n                    | key  | changed | after                         | f    |\n" +
			"+----------------------+------+---------+-------------------------------+------+\n" +
			"| 18446744073709551615 | id=1 | v       | id=1, v=a<b> & \"c\", d, b=0xAB | 1e20 |\n" +
			"| NULL                 | NULL |         | NULL                          | 0.1  |\n" +
			"+----------------------+------+---------+-------------------------------+------+\n" +
			"2 rows\n"},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			var b bytes.Buffer
			if err := render.WriteSheet(sheet(), render.Output{Format: tc.format, W: &b}); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
}

func TestParquetIsNotAStream(t *testing.T) {
	err := render.WriteSheet(sheet(), render.Output{Format: render.FormatParquet, W: &bytes.Buffer{}})
	if !errors.Is(err, render.ErrNoOutputPath) {
		t.Fatalf("error %v, want ErrNoOutputPath", err)
	}
}

func TestOneLine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"ALTER TABLE t\n  ADD c INT", 60, "ALTER TABLE t ADD c INT"},
		{"abcdef", 4, "abc…"},
		{"ééééé", 3, "éé…"},
	} {
		if got := render.OneLine(tc.in, tc.n); got != tc.want {
			t.Errorf("OneLine(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestOutputCountsRows(t *testing.T) {
	for _, f := range []render.Format{render.FormatTable, render.FormatCSV, render.FormatJSONL} {
		var n int64
		if err := render.WriteSheet(sheet(), render.Output{Format: f, W: &bytes.Buffer{}, Rows: &n}); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("%s: counted %d rows, want 2", f, n)
		}
	}
}
