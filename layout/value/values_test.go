package value_test

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
)

// Columns for the value tests.
var (
	colInt      = layout.Column{Name: "i", Kind: layout.KindInt, SQLType: "int", Width: 4}
	colUint     = layout.Column{Name: "u", Kind: layout.KindInt, SQLType: "bigint unsigned", Width: 8, Unsigned: true}
	colFloat    = layout.Column{Name: "f", Kind: layout.KindFloat, SQLType: "float"}
	colDouble   = layout.Column{Name: "d", Kind: layout.KindDouble, SQLType: "double"}
	colDec      = layout.Column{Name: "dec", Kind: layout.KindDecimal, SQLType: "decimal(10,2)", Width: 10, Scale: 2}
	colDec0     = layout.Column{Name: "dec0", Kind: layout.KindDecimal, SQLType: "decimal(5,0)", Width: 5}
	colBit10    = layout.Column{Name: "b", Kind: layout.KindBit, SQLType: "bit(10)", Width: 10}
	colBit64    = layout.Column{Name: "b64", Kind: layout.KindBit, SQLType: "bit(64)", Width: 64}
	colYear     = layout.Column{Name: "y", Kind: layout.KindYear, SQLType: "year"}
	colDate     = layout.Column{Name: "dt", Kind: layout.KindDate, SQLType: "date"}
	colDatetime = layout.Column{Name: "dtt", Kind: layout.KindDatetime, SQLType: "datetime(6)", Scale: 6}
	colDt3      = layout.Column{Name: "dt3", Kind: layout.KindDatetime, SQLType: "datetime(3)", Scale: 3}
	colTs0      = layout.Column{Name: "ts", Kind: layout.KindTimestamp, SQLType: "timestamp"}
	colTime6    = layout.Column{Name: "t6", Kind: layout.KindTime, SQLType: "time(6)", Scale: 6}
	colTime2    = layout.Column{Name: "t2", Kind: layout.KindTime, SQLType: "time(2)", Scale: 2}
	colUTF8     = layout.Column{Name: "s", Kind: layout.KindString, SQLType: "varchar(10)", Width: 10, Charset: "utf8mb4"}
	colLatin1   = layout.Column{Name: "l", Kind: layout.KindString, SQLType: "text", Charset: "latin1"}
	colSJIS     = layout.Column{Name: "j", Kind: layout.KindString, SQLType: "text", Charset: "sjis"}
	colUnknown  = layout.Column{Name: "k", Kind: layout.KindString, SQLType: "text", Charset: "klingon"}
	colBinary4  = layout.Column{Name: "bin", Kind: layout.KindBytes, SQLType: "binary(4)", Width: 4, Fixed: true, Charset: "binary"}
	colBlob     = layout.Column{Name: "bl", Kind: layout.KindBytes, SQLType: "blob", Charset: "binary"}
	colEnum     = layout.Column{Name: "e", Kind: layout.KindEnum, SQLType: "enum('a','b')", Charset: "utf8mb4", Members: []string{"a", "b"}}
	colSet      = layout.Column{Name: "st", Kind: layout.KindSet, SQLType: "set('a','b','c')", Charset: "utf8mb4", Members: []string{"a", "b", "c"}}
	colJSON     = layout.Column{Name: "js", Kind: layout.KindJSON, SQLType: "json"}
	colGeometry = layout.Column{Name: "g", Kind: layout.KindGeometry, SQLType: "point"}
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		name string
		col  layout.Column
		in   any
		want any
	}{
		{"null", colInt, nil, nil},
		{"tinyint", colInt, int8(-128), int64(-128)},
		{"smallint", colInt, int16(-32768), int64(-32768)},
		{"mediumint is int32", colInt, int32(-8388608), int64(-8388608)},
		{"bigint", colInt, int64(math.MinInt64), int64(math.MinInt64)},
		{"tinyint unsigned", colUint, uint8(255), uint64(255)},
		{"smallint unsigned", colUint, uint16(65535), uint64(65535)},
		{"int unsigned", colUint, uint32(math.MaxUint32), uint64(math.MaxUint32)},
		{"bigint unsigned", colUint, uint64(math.MaxUint64), uint64(math.MaxUint64)},
		{"float", colFloat, float32(0.1), float32(0.1)},
		{"float -0 is 0", colFloat, float32(math.Copysign(0, -1)), float32(0)},
		{"double", colDouble, math.MaxFloat64, math.MaxFloat64},
		{"double -0 is 0", colDouble, math.Copysign(0, -1), 0.0},
		{"decimal", colDec, "-12.50", "-12.50"},
		{"decimal padded", colDec, "3.5", "3.50"},
		{"decimal without fraction", colDec, "7", "7.00"},
		{"decimal scale 0", colDec0, "-12345", "-12345"},
		{"bit", colBit10, int64(513), uint64(513)},
		{"bit(64) all ones", colBit64, int64(-1), uint64(math.MaxUint64)},
		{"year", colYear, 2155, int64(2155)},
		{"year 0", colYear, 0, int64(0)},
		{"date", colDate, "2024-02-29", "2024-02-29"},
		{"zero date", colDate, "0000-00-00", "0000-00-00"},
		{"datetime(6)", colDatetime, "2020-01-01 00:00:00.000001", "2020-01-01 00:00:00.000001"},
		{"zero datetime(6)", colDatetime, "0000-00-00 00:00:00.000000", "0000-00-00 00:00:00.000000"},
		{"datetime(3)", colDt3, "9999-12-31 23:59:59.999", "9999-12-31 23:59:59.999"},
		{"timestamp", colTs0, "2038-01-19 03:14:07", "2038-01-19 03:14:07"},
		{"time(6) without fraction gets one", colTime6, "-838:59:59", "-838:59:59.000000"},
		{"time(6) zero", colTime6, "00:00:00", "00:00:00.000000"},
		{"time(6) negative fraction", colTime6, "-00:00:00.000001", "-00:00:00.000001"},
		{"time(2)", colTime2, "-00:00:01.10", "-00:00:01.10"},
		{"utf8mb4 from CHAR", colUTF8, "héllo 😀", "héllo 😀"},
		{"utf8mb4 from TEXT", colUTF8, []byte("😀"), "😀"},
		{"latin1", colLatin1, []byte{'C', 0xe9, 0x80, 0x81, 0xff}, "Cé€\u0081ÿ"},
		{"sjis", colSJIS, []byte{'a', 0x82, 0xa0, 0xb1}, "aあｱ"},
		// Bytes that are no character are kept as U+10FF00 + byte.
		{"utf8mb4 not UTF-8", colUTF8, []byte{'a', 0xff, 'b'}, "a\U0010ffffb"},
		{"utf8mb4 surrogate MariaDB stores", colUTF8, []byte{0xed, 0xa0, 0x80}, "\U0010ffed\U0010ffa0\U0010ff80"},
		{"utf8mb4 escape code point itself", colUTF8, "\U0010ff41", "\U0010fff4\U0010ff8f\U0010ffbd\U0010ff81"},
		{"sjis unassigned character", colSJIS, []byte{0x85, 0x40, 'x'}, "\U0010ff85\U0010ff40x"},
		{"binary padded", colBinary4, "\x01\x02", []byte{1, 2, 0, 0}},
		{"binary all zeros arrives empty", colBinary4, "", []byte{0, 0, 0, 0}},
		{"binary full", colBinary4, "\x01\x02\x03\x04", []byte{1, 2, 3, 4}},
		{"blob", colBlob, []byte{0, 0xff}, []byte{0, 0xff}},
		{"empty blob", colBlob, []byte{}, []byte{}},
		{"varbinary from string", colBlob, "ab", []byte("ab")},
		{"enum", colEnum, int64(2), "b"},
		{"enum invalid value", colEnum, int64(0), ""},
		{"set", colSet, int64(5), "a,c"},
		{"empty set", colSet, int64(0), ""},
		{"json", colJSON, `{"a":[1,2.0,"é"]}`, `{"a":[1,2.0,"é"]}`},
		{"json from MySQL text", colJSON, `{"a": [1, 2]}`, `{"a":[1,2]}`},
		{"empty json document", colJSON, []byte{}, "null"},
		{"geometry", colGeometry, []byte{0, 0, 0, 0, 1}, []byte{0, 0, 0, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := value.FromBinlog(&tt.col, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !layout.Identical(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestCanonicalErrors(t *testing.T) {
	tests := []struct {
		name string
		col  layout.Column
		in   any
		want string
	}{
		{"signed value in unsigned column", colUint, int64(-1), "signedness"},
		{"unsigned value in signed column", colInt, uint32(1), "signedness"},
		{"string for int", colInt, "1", "unexpected Go type string"},
		{"float64 for float", colFloat, 1.0, "unexpected Go type float64"},
		{"decimal.Decimal-like for decimal", colDec, 1.5, "unexpected Go type float64"},
		{"decimal with too many digits", colDec, "1.234", "more than 2 fraction digits"},
		{"decimal garbage", colDec, "1e5", "not decimal text"},
		{"bit wider than the column", colBit10, int64(1 << 10), "more than 10 bits"},
		{"year out of range", colYear, 1900, "year 1900"},
		{"year as int64", colYear, int64(2000), "unexpected Go type int64"},
		{"time.Time (ParseTime on)", colDatetime, time.Now(), "unexpected Go type time.Time"},
		{"datetime garbage", colDatetime, "2020-01-01T00:00:00", "not datetime text"},
		{"time with too many digits", colTime2, "00:00:00.123", "more than 2 fraction digits"},
		{"date with a fraction", colDate, "2020-01-01.5", "not date text"},
		{"unknown character set", colUnknown, []byte("x"), `character set "klingon"`},
		{"binary too long", colBinary4, "12345", "binary(4)"},
		{"enum index too big", colEnum, int64(3), "enum index 3"},
		{"set bit beyond members", colSet, int64(8), "beyond the 3"},
		{"invalid json", colJSON, "{", "JSON text"},
		{"geometry as string", colGeometry, "x", "unexpected Go type string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := value.FromBinlog(&tt.col, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "column "+tt.col.Name+" ") || !strings.Contains(err.Error(), string(tt.col.Kind)) {
				t.Errorf("error %q does not name the column and its kind", err)
			}
		})
	}
}

func TestCanonicalCopies(t *testing.T) {
	in := []byte{1, 2}
	got, err := value.FromBinlog(&colBlob, in)
	if err != nil {
		t.Fatal(err)
	}
	in[0] = 9
	if !bytes.Equal(got.([]byte), []byte{1, 2}) {
		t.Errorf("the canonical value shares memory with the event: %v", got)
	}
}

func TestFromSQL(t *testing.T) {
	tests := []struct {
		name string
		col  layout.Column
		in   any
		want any
	}{
		{"null", colEnum, nil, nil},
		{"int", colInt, int64(-5), int64(-5)},
		{"unsigned", colUint, uint64(math.MaxUint64), uint64(math.MaxUint64)},
		{"unsigned sent as signed", colUint, int64(5), uint64(5)},
		{"signed sent as unsigned", colInt, uint64(5), int64(5)},
		{"float widened by go-mysql", colFloat, float64(float32(0.1)), float32(0.1)},
		{"float -0", colFloat, math.Copysign(0, -1), float32(0)},
		{"double", colDouble, 1e-300, 1e-300},
		{"decimal", colDec, []byte("-0.05"), "-0.05"},
		{"bit", colBit10, []byte{0x02, 0x01}, uint64(513)},
		{"bit(64)", colBit64, []byte{0x80, 0, 0, 0, 0, 0, 0, 1}, uint64(0x8000000000000001)},
		{"year", colYear, int64(1901), int64(1901)},
		{"year unsigned", colYear, uint64(2155), int64(2155)},
		{"date", colDate, []byte("0000-00-00"), "0000-00-00"},
		{"datetime(6) without micros", colDatetime, []byte("2020-01-01 00:00:00"), "2020-01-01 00:00:00.000000"},
		{"datetime(3) with six digits", colDt3, []byte("2020-01-01 00:00:00.123000"), "2020-01-01 00:00:00.123"},
		{"zero timestamp", colTs0, []byte("0000-00-00 00:00:00"), "0000-00-00 00:00:00"},
		{"time(2) negative", colTime2, []byte("-838:59:59.990000"), "-838:59:59.99"},
		{"time(6) zero", colTime6, []byte("00:00:00"), "00:00:00.000000"},
		{"utf8mb4", colUTF8, []byte("naïve 😀"), "naïve 😀"},
		{"latin1 bytes", colLatin1, []byte{0x80, 0xe9}, "€é"},
		{"utf8mb4 cut short", colUTF8, []byte{0xc3}, "\U0010ffc3"},
		{"ucs2 of an odd length", layout.Column{Name: "w", Kind: layout.KindString, Charset: "ucs2"}, []byte{0, 'a', 0}, "a\U0010ff00"},
		{"binary(4)", colBinary4, []byte{1, 0, 0, 0}, []byte{1, 0, 0, 0}},
		{"empty blob from a nil slice", colBlob, []byte(nil), []byte{}},
		{"enum", colEnum, []byte("b"), "b"},
		{"enum invalid value", colEnum, []byte(""), ""},
		{"set in definition order", colSet, []byte("c,a"), "a,c"},
		{"empty set", colSet, []byte(""), ""},
		{"json", colJSON, []byte(`{"a": 1, "b": [true, null]}`), `{"a":1,"b":[true,null]}`},
		{"geometry", colGeometry, []byte{1, 2}, []byte{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := value.FromSQL(&tt.col, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !layout.Identical(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestFromSQLErrors(t *testing.T) {
	tests := []struct {
		name string
		col  layout.Column
		in   any
		want string
	}{
		{"negative for unsigned", colUint, int64(-1), "signedness"},
		{"too big for signed", colInt, uint64(math.MaxUint64), "signedness"},
		{"float rounded by the text protocol", colFloat, 0.1, "not a float32"},
		{"float as text", colFloat, []byte("0.1"), "unexpected Go type []uint8"},
		{"bit too long", colBit64, make([]byte, 9), "at most 8"},
		{"datetime with micros in datetime(3)", colDt3, []byte("2020-01-01 00:00:00.123456"), "more than 3"},
		{"not an enum member", colEnum, []byte("z"), `"z" is not a member`},
		{"not a set member", colSet, []byte("a,z"), `"z" is not a member`},
		{"unknown character set", colUnknown, []byte("x"), `character set "klingon"`},
		{"year as bytes", colYear, []byte("2000"), "unexpected Go type []uint8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := value.FromSQL(&tt.col, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "column "+tt.col.Name+" ") {
				t.Errorf("error %q does not name the column", err)
			}
		})
	}
}

func FuzzCanonical(f *testing.F) {
	f.Add(uint8(3), uint8(12), int64(0), 0.0, "-12.5", int16(10), int8(2), false, "utf8mb4")
	f.Add(uint8(8), uint8(12), int64(0), 0.0, "-838:59:59.5", int16(0), int8(6), false, "utf8mb4")
	f.Add(uint8(10), uint8(13), int64(0), 0.0, "\x80\xff", int16(0), int8(0), false, "latin1")
	f.Add(uint8(11), uint8(12), int64(0), 0.0, "\x01", int16(4), int8(0), false, "binary")
	f.Add(uint8(13), uint8(4), int64(-1), 0.0, "", int16(0), int8(0), false, "utf8mb4")
	f.Add(uint8(0), uint8(8), int64(-1), 0.0, "", int16(8), int8(0), true, "")
	f.Add(uint8(14), uint8(12), int64(0), 0.0, `{"a": [1, 2]}`, int16(0), int8(0), false, "")
	for _, cs := range value.CharsetNames() {
		f.Add(uint8(10), uint8(13), int64(0), 0.0, "a\x82\xa0\xff\xed\xa0\x80\x00\xd8", int16(0), int8(0), false, cs)
	}
	f.Fuzz(func(t *testing.T, kind, sel uint8, i int64, fl float64, s string, width int16, scale int8, unsigned bool, charset string) {
		col := layout.Column{Name: "c", Kind: fuzzKinds[int(kind)%len(fuzzKinds)], Width: int(width), Scale: int(scale),
			Unsigned: unsigned, Fixed: width%2 == 0, Charset: charset, Members: []string{"a", "b", "c"}}
		v := fuzzValue(sel, i, fl, s)
		for _, convert := range []func(*layout.Column, any) (any, error){value.FromBinlog, value.FromSQL} {
			out, err := convert(&col, v)
			if err != nil || out == nil {
				continue
			}
			want := canonicalTypes[col.Kind]
			if col.Kind == layout.KindInt {
				want = reflect.TypeFor[int64]()
				if col.Unsigned {
					want = reflect.TypeFor[uint64]()
				}
			}
			if reflect.TypeOf(out) != want {
				t.Fatalf("%s value %#v became %T, want %v", col.Kind, v, out, want)
			}
			if col.Kind == layout.KindString {
				checkTextRoundTrip(t, col.Charset, v, out.(string))
			}
		}
	})
}

// checkTextRoundTrip checks that canonical text s of a column in charset
// encodes back to exactly the bytes in of the value it came from.
func checkTextRoundTrip(t *testing.T, charset string, in any, s string) {
	t.Helper()
	var b []byte
	switch x := in.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	}
	_, raw, err := value.Encode(charset, s)
	if err != nil || !bytes.Equal(raw, b) {
		t.Fatalf("%s bytes %X became %+q, which encodes to %X (%v)", charset, b, s, raw, err)
	}
}

// canonicalTypes is the Go type of each kind's canonical value.
var canonicalTypes = map[layout.Kind]reflect.Type{
	layout.KindFloat: reflect.TypeFor[float32](), layout.KindDouble: reflect.TypeFor[float64](),
	layout.KindDecimal: reflect.TypeFor[string](), layout.KindBit: reflect.TypeFor[uint64](),
	layout.KindDate: reflect.TypeFor[string](), layout.KindDatetime: reflect.TypeFor[string](),
	layout.KindTimestamp: reflect.TypeFor[string](), layout.KindTime: reflect.TypeFor[string](),
	layout.KindYear: reflect.TypeFor[int64](), layout.KindString: reflect.TypeFor[string](),
	layout.KindBytes: reflect.TypeFor[[]byte](), layout.KindEnum: reflect.TypeFor[string](),
	layout.KindSet: reflect.TypeFor[string](), layout.KindJSON: reflect.TypeFor[string](),
	layout.KindGeometry: reflect.TypeFor[[]byte](),
}

var fuzzKinds = []layout.Kind{layout.KindInt, layout.KindFloat, layout.KindDouble, layout.KindDecimal, layout.KindBit,
	layout.KindDate, layout.KindDatetime, layout.KindTimestamp, layout.KindTime, layout.KindYear, layout.KindString,
	layout.KindBytes, layout.KindEnum, layout.KindSet, layout.KindJSON, layout.KindGeometry}

// fuzzValue builds a value of one of the Go types go-mysql produces, or
// of a type it never does.
func fuzzValue(sel uint8, i int64, f float64, s string) any {
	values := []any{nil, int8(i), int16(i), int32(i), i, uint8(i), uint16(i), uint32(i), uint64(i), float32(f), f,
		int(i), s, []byte(s), struct{}{}, time.Unix(i, 0)}
	return values[int(sel)%len(values)]
}
