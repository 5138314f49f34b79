package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// gen returns one value to bind to a column's placeholder; nil is NULL.
type gen func(r *rand.Rand) any

// column is a column of a workload table: its definition, the SQL
// expression its value is bound through, and a generator of values.
type column struct {
	name string
	def  string
	ph   string // placeholder expression; "?" when empty
	gen  gen
}

func (c column) placeholder() string {
	if c.ph == "" {
		return "?"
	}
	return c.ph
}

// orNull makes g return NULL one time in ten.
func orNull(g gen) gen {
	return func(r *rand.Rand) any {
		if r.IntN(10) == 0 {
			return nil
		}
		return g(r)
	}
}

// pick returns one of the edge values half of the time, else g's value.
func pick(edges []any, g gen) gen {
	return func(r *rand.Rand) any {
		if g == nil || r.IntN(2) == 0 {
			return edges[r.IntN(len(edges))]
		}
		return g(r)
	}
}

func intGen(lo, hi int64) gen {
	edges := []any{lo, hi, int64(0), int64(-1), int64(1)}
	return pick(edges, func(r *rand.Rand) any {
		if r.IntN(2) == 0 {
			return max(lo, min(hi, int64(r.IntN(2001)-1000)))
		}
		span := uint64(hi - lo)
		if span == math.MaxUint64 {
			return int64(r.Uint64())
		}
		return lo + int64(r.Uint64N(span+1))
	})
}

func uintGen(hi uint64) gen {
	edges := []any{uint64(0), hi, uint64(1), hi - 1}
	return pick(edges, func(r *rand.Rand) any {
		if hi == math.MaxUint64 {
			return r.Uint64()
		}
		return r.Uint64N(hi + 1)
	})
}

// decGen makes DECIMAL(ip+fp, fp) values as text, up to every digit.
func decGen(ip, fp int) gen {
	nines := strings.Repeat("9", ip)
	if fp > 0 {
		nines += "." + strings.Repeat("9", fp)
	}
	tiny := "0"
	if fp > 0 {
		tiny = "0." + strings.Repeat("0", fp-1) + "1"
	}
	edges := []any{nines, "-" + nines, "0", tiny, "-" + tiny}
	return pick(edges, func(r *rand.Rand) any {
		var b strings.Builder
		if r.IntN(2) == 0 {
			b.WriteByte('-')
		}
		b.WriteString(digits(r, 1+r.IntN(ip)))
		if fp > 0 {
			b.WriteByte('.')
			b.WriteString(digits(r, 1+r.IntN(fp)))
		}
		return b.String()
	})
}

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// Negative zero: binlake stores -0 as 0, what MariaDB's SELECT returns for it
// (ingest's positiveZero), and the checks compare values bit for bit, so a
// -0 that reached the replica as -0 would fail them. MariaDB (10.11) itself
// stores a -0 sent for a FLOAT or DOUBLE as 0; a negative double too small
// for a FLOAT (-1e-50 here) is the way found to make it store, and the binlog
// carry, a FLOAT -0. Go's literal -0.0 is +0: write math.Copysign(0, -1).
var floatEdges = []any{
	float32(math.Copysign(0, -1)), float32(0), float32(1e-38), float32(-1e-38),
	float32(math.MaxFloat32), float32(-math.MaxFloat32), float32(math.SmallestNonzeroFloat32),
	float32(0.1), float32(3.4028235e38), float32(1.1754944e-38), float32(-2.5),
	-1e-50, // a float64: the server narrows it to a FLOAT -0
}

func floatGen(r *rand.Rand) any {
	for {
		f := math.Float32frombits(r.Uint32())
		if !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) {
			return f
		}
	}
}

var doubleEdges = []any{
	math.Copysign(0, -1), 0.0, 1e-38, math.MaxFloat64, -math.MaxFloat64,
	math.SmallestNonzeroFloat64, 2.2250738585072014e-308, 0.1, 1.0 / 3, -1e300,
}

func doubleGen(r *rand.Rand) any {
	for {
		f := math.Float64frombits(r.Uint64())
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f
		}
	}
}

func bitGen(bits int) gen {
	max := uint64(math.MaxUint64)
	if bits < 64 {
		max = 1<<bits - 1
	}
	return pick([]any{uint64(0), max, uint64(1)}, func(r *rand.Rand) any {
		if bits == 64 {
			return r.Uint64()
		}
		return r.Uint64N(max + 1)
	})
}

var dateEdges = []any{"0000-00-00", "1000-01-01", "9999-12-31", "2024-02-29", "1970-01-01"}

func dateText(r *rand.Rand) string {
	return fmt.Sprintf("%04d-%02d-%02d", 1000+r.IntN(9000), 1+r.IntN(12), 1+r.IntN(28))
}

func dateGen(r *rand.Rand) any { return dateText(r) }

func fraction(r *rand.Rand, fsp int) string {
	if fsp == 0 {
		return ""
	}
	return "." + digits(r, fsp)
}

func datetimeGen(fsp int) gen {
	f := ""
	if fsp > 0 {
		f = "." + strings.Repeat("9", fsp)
	}
	edges := []any{"0000-00-00 00:00:00", "1000-01-01 00:00:00", "9999-12-31 23:59:59" + f, "2000-01-01 00:00:00" + f}
	return pick(edges, func(r *rand.Rand) any {
		return fmt.Sprintf("%s %02d:%02d:%02d%s", dateText(r), r.IntN(24), r.IntN(60), r.IntN(60), fraction(r, fsp))
	})
}

// timestampGen makes TIMESTAMP values; the range edges only in UTC
// sessions (elsewhere they fall outside the range once converted).
func timestampGen(fsp int, utc bool) gen {
	edges := []any{"0000-00-00 00:00:00", "2000-02-29 12:00:00"}
	if utc {
		f := ""
		if fsp > 0 {
			f = "." + strings.Repeat("9", fsp)
		}
		edges = append(edges, "1970-01-01 00:00:01", "2038-01-19 03:14:07"+f)
	}
	return pick(edges, func(r *rand.Rand) any {
		return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d%s", 1971+r.IntN(66), 1+r.IntN(12), 1+r.IntN(28),
			r.IntN(24), r.IntN(60), r.IntN(60), fraction(r, fsp))
	})
}

func timeGen(fsp int) gen {
	f := ""
	if fsp > 0 {
		f = "." + strings.Repeat("0", fsp)
	}
	edges := []any{"-838:59:59" + f, "838:59:59" + f, "00:00:00", "-00:00:01", "-12:00:00"}
	if fsp > 0 {
		edges = append(edges, "-00:00:00.5"+strings.Repeat("0", fsp-1)) // negative, under a second
	}
	return pick(edges, func(r *rand.Rand) any {
		sign := ""
		if r.IntN(3) == 0 {
			sign = "-"
		}
		return fmt.Sprintf("%s%d:%02d:%02d%s", sign, r.IntN(839), r.IntN(60), r.IntN(60), fraction(r, fsp))
	})
}

func yearGen(r *rand.Rand) any {
	switch r.IntN(4) {
	case 0:
		return int64(0)
	case 1:
		return []int64{1901, 2155, 2000}[r.IntN(3)]
	}
	return int64(1901 + r.IntN(255))
}

// Text pools. utf8Runes holds characters of every UTF-8 length; latinRunes
// only characters latin1 (cp1252) can hold.
var (
	utf8Runes  = []rune("abcXYZ019 _'\"\\%\t\néßñ€中文字😀🎉𝄞\x00")
	latinRunes = []rune("abcXYZ019 _'\"\\%\téèßñÿ€Œœ™¼©\x00")
	utf8Edges  = []string{"", " ", "a ", "  trailing  ", "😀", "emoji 😀🎉 mix", "NUL\x00byte", "quote ' \" \\", "ünïcödé", "中文"}
	latinEdges = []string{"", " ", "é", "€", "café ", "Œuvre™", "naïve", "x\x00y", "ÿ¼", "€€€"}
)

// textGen makes strings of at most maxChars characters from runes, with
// edge values; long texts when maxChars allows.
func textGen(runes []rune, edges []string, maxChars int) gen {
	return func(r *rand.Rand) any {
		if r.IntN(3) == 0 {
			for {
				s := edges[r.IntN(len(edges))]
				if utf8.RuneCountInString(s) <= maxChars {
					return s
				}
			}
		}
		n := r.IntN(min(maxChars, 40) + 1)
		if maxChars > 1000 && r.IntN(10) == 0 {
			n = 200 + r.IntN(maxChars/2)
		}
		b := make([]rune, n)
		for i := range b {
			b[i] = runes[r.IntN(len(runes))]
		}
		return string(b)
	}
}

func bytesGen(maxLen int, edges ...[]byte) gen {
	return func(r *rand.Rand) any {
		if len(edges) > 0 && r.IntN(2) == 0 {
			return edges[r.IntN(len(edges))]
		}
		b := make([]byte, r.IntN(maxLen+1))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		if len(b) > 0 && r.IntN(3) == 0 {
			b[len(b)-1] = 0 // trailing zero bytes
		}
		return b
	}
}

// bigBytesGen makes mostly short values and, rarely, one over 64 KiB.
func bigBytesGen(big int) gen {
	small := bytesGen(100, []byte{})
	return func(r *rand.Rand) any {
		if r.IntN(50) != 0 {
			return small(r)
		}
		b := make([]byte, big)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	}
}

func oneOf(vals ...any) gen {
	return func(r *rand.Rand) any { return vals[r.IntN(len(vals))] }
}

// setGen makes SET values: a random subset of members in random order.
func setGen(members ...string) gen {
	return func(r *rand.Rand) any {
		var out []string
		for _, m := range members {
			if r.IntN(2) == 0 {
				out = append(out, m)
			}
		}
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return strings.Join(out, ",")
	}
}

var jsonTexts = []any{
	`{}`, `[]`, `null`, `true`, `0`, `-1.5e300`, `"str 😀"`, `{"a": 1, "b": [true, null, 1.5]}`,
	`  {"spaced" :  "kept as written" }  `, `{"nested": {"deeper": {"list": [1, "two", {"three": 3}]}}}`,
	`{"latin": "café €", "escaped": "\u00e9\n\"q\""}`, `[1,2,3,4,5,6,7,8,9,10]`,
}

func jsonGen(r *rand.Rand) any {
	if r.IntN(2) == 0 {
		return jsonTexts[r.IntN(len(jsonTexts))]
	}
	v, _ := json.Marshal(textGen(utf8Runes, utf8Edges, 10)(r))
	return fmt.Sprintf(`{"id": %d, "v": %s, "f": %v}`, r.IntN(1000), v, r.Float64())
}

func coord(r *rand.Rand) string {
	return fmt.Sprintf("%.6f %.6f", r.Float64()*360-180, r.Float64()*180-90)
}

func pointGen(r *rand.Rand) any { return "POINT(" + coord(r) + ")" }

func geometryGen(r *rand.Rand) any {
	switch r.IntN(5) {
	case 0:
		return pointGen(r)
	case 1:
		return fmt.Sprintf("LINESTRING(%s, %s, %s)", coord(r), coord(r), coord(r))
	case 2:
		return "POLYGON((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 2 1, 2 2, 1 1))"
	case 3:
		return fmt.Sprintf("MULTIPOINT(%s, %s)", coord(r), coord(r))
	}
	return "GEOMETRYCOLLECTION(POINT(1 1), LINESTRING(0 0, 1 1))"
}

// allTypesColumns are the columns of e2e.alltypes after its key: every
// MySQL type family, nullable.
var allTypesColumns = []column{
	{name: "i8", def: "TINYINT", gen: intGen(math.MinInt8, math.MaxInt8)},
	{name: "u8", def: "TINYINT UNSIGNED", gen: uintGen(math.MaxUint8)},
	{name: "i16", def: "SMALLINT", gen: intGen(math.MinInt16, math.MaxInt16)},
	{name: "u16", def: "SMALLINT UNSIGNED", gen: uintGen(math.MaxUint16)},
	{name: "i24", def: "MEDIUMINT", gen: intGen(-1<<23, 1<<23-1)},
	{name: "u24", def: "MEDIUMINT UNSIGNED", gen: uintGen(1<<24 - 1)},
	{name: "i32", def: "INT", gen: intGen(math.MinInt32, math.MaxInt32)},
	{name: "u32", def: "INT UNSIGNED", gen: uintGen(math.MaxUint32)},
	{name: "i64", def: "BIGINT", gen: intGen(math.MinInt64, math.MaxInt64)},
	{name: "u64", def: "BIGINT UNSIGNED", gen: uintGen(math.MaxUint64)},
	{name: "dec65", def: "DECIMAL(65,30)", gen: decGen(35, 30)},
	{name: "dec10", def: "DECIMAL(10,2)", gen: decGen(8, 2)},
	{name: "dec0", def: "DECIMAL(65,0)", gen: decGen(65, 0)},
	{name: "f", def: "FLOAT", gen: pick(floatEdges, floatGen)},
	{name: "d", def: "DOUBLE", gen: pick(doubleEdges, doubleGen)},
	{name: "b1", def: "BIT(1)", gen: bitGen(1)},
	{name: "b13", def: "BIT(13)", gen: bitGen(13)},
	{name: "b64", def: "BIT(64)", gen: bitGen(64)},
	{name: "dt", def: "DATE", gen: pick(dateEdges, dateGen)},
	{name: "dtm", def: "DATETIME", gen: datetimeGen(0)},
	{name: "dtm3", def: "DATETIME(3)", gen: datetimeGen(3)},
	{name: "dtm6", def: "DATETIME(6)", gen: datetimeGen(6)},
	{name: "dtm1", def: "DATETIME(1)", gen: datetimeGen(1)},
	{name: "ts", def: "TIMESTAMP NULL DEFAULT NULL"},     // gen set per session time zone
	{name: "ts6", def: "TIMESTAMP(6) NULL DEFAULT NULL"}, // idem
	{name: "ts2", def: "TIMESTAMP(2) NULL DEFAULT NULL"}, // idem
	{name: "tm", def: "TIME", gen: timeGen(0)},
	{name: "tm6", def: "TIME(6)", gen: timeGen(6)},
	{name: "tm3", def: "TIME(3)", gen: timeGen(3)},
	{name: "yr", def: "YEAR", gen: yearGen},
	{name: "ch", def: "CHAR(10)", gen: textGen(utf8Runes, utf8Edges, 10)},
	{name: "chl", def: "CHAR(100)", gen: textGen(utf8Runes, utf8Edges, 100)}, // over 255 bytes
	{name: "vc", def: "VARCHAR(100)", gen: textGen(utf8Runes, utf8Edges, 100)},
	{name: "ttx", def: "TINYTEXT", gen: textGen(utf8Runes, utf8Edges, 60)},
	{name: "tx", def: "TEXT", gen: textGen(utf8Runes, utf8Edges, 3000)},
	{name: "mtx", def: "MEDIUMTEXT", gen: textGen(utf8Runes, utf8Edges, 3000)},
	{name: "lch", def: "CHAR(10) CHARACTER SET latin1", gen: textGen(latinRunes, latinEdges, 10)},
	{name: "lvc", def: "VARCHAR(100) CHARACTER SET latin1", gen: textGen(latinRunes, latinEdges, 100)},
	{name: "ltx", def: "TEXT CHARACTER SET latin1", gen: textGen(latinRunes, latinEdges, 3000)},
	{name: "bn", def: "BINARY(4)", gen: bytesGen(4, []byte{}, []byte{0}, []byte{1, 0}, []byte("ab\x00\x00"), []byte{0xff, 0xff, 0xff, 0xff})},
	{name: "vb", def: "VARBINARY(16)", gen: bytesGen(16, []byte{}, []byte{0, 0}, []byte("x\x00\x00"))},
	{name: "bl", def: "BLOB", gen: bytesGen(300, []byte{}, []byte{0})},
	{name: "tbl", def: "TINYBLOB", gen: bytesGen(255, []byte{}, []byte{0})},
	{name: "mbl", def: "MEDIUMBLOB", gen: bigBytesGen(70000)},
	{name: "lbl", def: "LONGBLOB", gen: bytesGen(300, []byte{}, []byte{0xff, 0})},
	{name: "en", def: "ENUM('a','b','c d','é')", gen: oneOf("a", "b", "c d", "é")},
	{name: "st", def: "SET('x','y','z','w')", gen: setGen("x", "y", "z", "w")},
	{name: "st2", def: "SET('m0','m1','m2','m3','m4','m5','m6','m7','m8','m9','é')", // two bytes
		gen: setGen("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "é")},
	{name: "js", def: "JSON", gen: jsonGen},
	{name: "geo", def: "GEOMETRY", ph: "ST_GeomFromText(?)", gen: geometryGen},
	{name: "pt", def: "POINT", ph: "ST_GeomFromText(?, 4326)", gen: pointGen},
}

// allTypesFor returns the columns with generators for a session whose
// time zone is UTC or not, every one of them sometimes NULL.
func allTypesFor(utc bool) []column {
	cols := make([]column, len(allTypesColumns))
	for i, c := range allTypesColumns {
		switch c.name {
		case "ts":
			c.gen = timestampGen(0, utc)
		case "ts6":
			c.gen = timestampGen(6, utc)
		case "ts2":
			c.gen = timestampGen(2, utc)
		}
		c.gen = orNull(c.gen)
		cols[i] = c
	}
	return cols
}

func allTypesDDL() string {
	defs := []string{"id BIGINT NOT NULL PRIMARY KEY"}
	for _, c := range allTypesColumns {
		defs = append(defs, c.name+" "+c.def)
	}
	defs = append(defs, "tsu TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)")
	return "CREATE TABLE e2e.alltypes (\n  " + strings.Join(defs, ",\n  ") + "\n) DEFAULT CHARSET=utf8mb4"
}

// nopkColumns draw from small domains, so that equal rows are common.
var nopkColumns = []column{
	{name: "a", def: "INT", gen: orNull(oneOf(int64(0), int64(1), int64(2), int64(3), int64(4)))},
	{name: "b", def: "VARCHAR(20)", gen: orNull(oneOf("x", "y", "", " ", "é😀"))},
	{name: "c", def: "DOUBLE", gen: orNull(oneOf(0.5, math.Copysign(0, -1), 1e300))}, // -0: see floatEdges
	{name: "d", def: "DATE", gen: orNull(oneOf("0000-00-00", "2024-01-31"))},
	{name: "e", def: "VARBINARY(8)", gen: orNull(oneOf([]byte{}, []byte{0}, []byte("ab")))},
	{name: "l", def: "CHAR(3) CHARACTER SET latin1", gen: orNull(oneOf("é", "€", "a "))},
}

func nopkDDL() string {
	var defs []string
	for _, c := range nopkColumns {
		defs = append(defs, c.name+" "+c.def)
	}
	return "CREATE TABLE e2e.nopk (" + strings.Join(defs, ", ") + ")"
}

const accountsDDL = `CREATE TABLE e2e.accounts (
  id INT NOT NULL PRIMARY KEY,
  owner VARCHAR(40) NOT NULL,
  balance DECIMAL(20,2) NOT NULL,
  updated DATETIME(6) NOT NULL,
  note TEXT NULL)`
