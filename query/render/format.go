package render

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/binlake/binlake/layout/value"
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
	// Rows, when set, is incremented for every result row written.
	Rows *int64
}

// ErrNoOutputPath: Parquet output is written to a file, and none was
// named (Output.Path).
var ErrNoOutputPath = errors.New("parquet output needs a file path")

// RowWriter writes a result row by row in a stream format: Header once,
// Row for each row, Close at the end.
type RowWriter interface {
	Header(cols []string) error
	Row(vals []any) error
	Close() error
}

// NewRowWriter returns a writer of out's format to out.W, counting rows
// into out.Rows when set; Parquet is not a stream format (ErrNoOutputPath).
func NewRowWriter(out Output) (RowWriter, error) {
	w, err := newRowWriter(out.Format, out.W)
	if err != nil || out.Rows == nil {
		return w, err
	}
	return &countingWriter{RowWriter: w, n: out.Rows}, nil
}

// countingWriter counts the rows written through it.
type countingWriter struct {
	RowWriter
	n *int64
}

func (c *countingWriter) Row(vals []any) error {
	*c.n++
	return c.RowWriter.Row(vals)
}

func newRowWriter(f Format, w io.Writer) (RowWriter, error) {
	switch f {
	case FormatTable, "":
		return &TableWriter{w: w}, nil
	case FormatCSV:
		return &csvWriter{w: csv.NewWriter(w)}, nil
	case FormatJSONL:
		return &jsonlWriter{w: w}, nil
	}
	return nil, fmt.Errorf("format %q cannot be written to a stream: %w", f, ErrNoOutputPath)
}

// TableWriter draws a result as a table with borders, the way the MySQL
// client does, followed by the row count.
type TableWriter struct {
	w    io.Writer
	cols []string
	rows [][]string
}

func (t *TableWriter) Header(cols []string) error { t.cols = cols; return nil }

func (t *TableWriter) Row(vals []any) error {
	r := make([]string, len(vals))
	for i, v := range vals {
		r[i] = value.Text(v)
	}
	t.rows = append(t.rows, r)
	return nil
}

// RowText adds a row of cells already rendered as text.
func (t *TableWriter) RowText(cells []string) { t.rows = append(t.rows, cells) }

func (t *TableWriter) Close() error {
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

func (c *csvWriter) Header(cols []string) error { return c.w.Write(cols) }

func (c *csvWriter) Row(vals []any) error {
	r := make([]string, len(vals))
	for i, v := range vals {
		if v == nil {
			r[i] = `\N`
			continue
		}
		r[i] = value.Text(v)
	}
	return c.w.Write(r)
}

func (c *csvWriter) Close() error { c.w.Flush(); return c.w.Error() }

type jsonlWriter struct {
	w    io.Writer
	cols []string
}

func (j *jsonlWriter) Header(cols []string) error { j.cols = cols; return nil }

func (j *jsonlWriter) Row(vals []any) error {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(j.cols[i])
		b.Write(k)
		b.WriteByte(':')
		b.WriteString(CellJSON(v))
	}
	b.WriteString("}\n")
	_, err := j.w.Write([]byte(b.String()))
	return err
}

func (j *jsonlWriter) Close() error { return nil }

// OneLine folds white space and cuts s to at most n runes, for tables.
func OneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// NewTable returns a TableWriter to w.
func NewTable(w io.Writer) *TableWriter { return &TableWriter{w: w} }
