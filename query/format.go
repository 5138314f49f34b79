package query

import (
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"
)

// Format is an output format of query results.
type Format string

// The formats.
const (
	FormatTable   Format = "table"
	FormatCSV     Format = "csv"
	FormatJSONL   Format = "jsonl"
	FormatParquet Format = "parquet"
)

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case FormatTable, FormatCSV, FormatJSONL, FormatParquet:
		return f, nil
	}
	return "", fmt.Errorf("format %q: use table, csv, jsonl or parquet", s)
}

// Output says where and how a result is written. Parquet is written by
// DuckDB straight to Path; the other formats go to W.
type Output struct {
	Format Format
	W      io.Writer
	Path   string // required for parquet
}

// rowWriter writes a result row by row.
type rowWriter interface {
	header(cols []string) error
	row(vals []any) error
	close() error
}

func newRowWriter(f Format, w io.Writer) (rowWriter, error) {
	switch f {
	case FormatTable, "":
		return &tableWriter{w: w}, nil
	case FormatCSV:
		return &csvWriter{w: csv.NewWriter(w)}, nil
	case FormatJSONL:
		return &jsonlWriter{enc: json.NewEncoder(w)}, nil
	}
	return nil, fmt.Errorf("format %q cannot be written to a stream (parquet needs --out FILE)", f)
}

// Text renders a value the way the MySQL client prints it: NULL, numbers
// without exponents in the usual range, strings as they are, binary data
// as 0x-hex (the client's --binary-as-hex).
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case []byte:
		return "0x" + strings.ToUpper(hex.EncodeToString(x))
	case float32:
		return formatFloat(float64(x), 32)
	case float64:
		return formatFloat(x, 64)
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999999")
	case bool:
		if x {
			return "1"
		}
		return "0"
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// formatFloat prints the shortest decimal that reads back as the same
// float, in plain notation between 1e-5 and 1e15 and as MySQL's 1e15 / 1e-7
// outside.
func formatFloat(f float64, bits int) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.FormatFloat(f, 'g', -1, bits)
	}
	exp := 0
	if f != 0 {
		exp = int(math.Floor(math.Log10(math.Abs(f))))
	}
	if exp >= -5 && exp < 15 {
		return strconv.FormatFloat(f, 'f', -1, bits)
	}
	s := strconv.FormatFloat(f, 'e', -1, bits)
	mant, e, _ := strings.Cut(s, "e")
	n, _ := strconv.Atoi(e)
	return mant + "e" + strconv.Itoa(n)
}

type tableWriter struct {
	w    io.Writer
	cols []string
	rows [][]string
}

func (t *tableWriter) header(cols []string) error { t.cols = cols; return nil }

func (t *tableWriter) row(vals []any) error {
	r := make([]string, len(vals))
	for i, v := range vals {
		r[i] = Text(v)
	}
	t.rows = append(t.rows, r)
	return nil
}

func (t *tableWriter) close() error {
	widths := make([]int, len(t.cols))
	for i, c := range t.cols {
		widths[i] = runewidth.StringWidth(c)
	}
	for _, r := range t.rows {
		for i, v := range r {
			widths[i] = max(widths[i], runewidth.StringWidth(v))
		}
	}
	line := func() string {
		var b strings.Builder
		for _, w := range widths {
			b.WriteString("+" + strings.Repeat("-", w+2))
		}
		return b.String() + "+\n"
	}
	cells := func(vals []string) string {
		var b strings.Builder
		for i, v := range vals {
			b.WriteString("| " + v + strings.Repeat(" ", widths[i]-runewidth.StringWidth(v)) + " ")
		}
		return b.String() + "|\n"
	}
	var b strings.Builder
	b.WriteString(line() + cells(t.cols) + line())
	for _, r := range t.rows {
		b.WriteString(cells(r))
	}
	b.WriteString(line())
	if len(t.rows) == 1 {
		b.WriteString("1 row\n")
	} else {
		fmt.Fprintf(&b, "%d rows\n", len(t.rows))
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}

type csvWriter struct{ w *csv.Writer }

func (c *csvWriter) header(cols []string) error { return c.w.Write(cols) }

func (c *csvWriter) row(vals []any) error {
	r := make([]string, len(vals))
	for i, v := range vals {
		if v == nil {
			r[i] = `\N`
			continue
		}
		r[i] = Text(v)
	}
	return c.w.Write(r)
}

func (c *csvWriter) close() error { c.w.Flush(); return c.w.Error() }

type jsonlWriter struct {
	enc  *json.Encoder
	cols []string
}

func (j *jsonlWriter) header(cols []string) error { j.cols = cols; return nil }

func (j *jsonlWriter) row(vals []any) error {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(j.cols[i])
		b.Write(k)
		b.WriteByte(':')
		b.WriteString(jsonValue(v))
	}
	b.WriteByte('}')
	return j.enc.Encode(json.RawMessage(b.String()))
}

func (j *jsonlWriter) close() error { return nil }

// jsonValue renders a value as JSON: numbers stay numbers (64-bit integers
// exactly), binary data becomes a 0x-hex string.
func jsonValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case float32, float64:
		return Text(x)
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64, int, uint:
		return fmt.Sprint(x)
	}
	b, _ := json.Marshal(Text(v))
	return string(b)
}
