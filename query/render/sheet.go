package render

import (
	"encoding/json"
	"strings"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
)

// Sheet is a result of named columns that can be written in every output
// format. Cells hold canonical values, or Object and List values, which
// become nested JSON in jsonl and STRUCT / LIST columns in Parquet.
type Sheet struct {
	Cols  []string
	Types []string // DuckDB column types, for Parquet
	Rows  [][]any
}

// Object is an ordered set of named values: an image, or a key.
type Object struct {
	Names []string
	Vals  []any
}

// String renders "name=value, ...", for table and csv output.
func (o Object) String() string {
	parts := make([]string, len(o.Names))
	for i, n := range o.Names {
		parts[i] = n + "=" + value.Text(o.Vals[i])
	}
	return strings.Join(parts, ", ")
}

// JSON renders the object as a JSON object.
func (o Object) JSON() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range o.Names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(n)
		b.Write(k)
		b.WriteByte(':')
		b.WriteString(CellJSON(o.Vals[i]))
	}
	b.WriteByte('}')
	return b.String()
}

// List is a list of names, such as changed columns.
type List []string

func (l List) String() string { return strings.Join(l, ",") }

// ImageObject is an image as a Object, nil for a missing image.
func ImageObject(s *layout.TableSchema, img []any) any {
	if img == nil {
		return nil
	}
	o := Object{Names: make([]string, len(s.Columns)), Vals: img}
	for i, c := range s.Columns {
		o.Names[i] = c.Name
	}
	return o
}

// KeyObject is the primary key of an image as a Object; for a table
// without one, the whole image.
func KeyObject(s *layout.TableSchema, img []any) any {
	if img == nil {
		return nil
	}
	if len(s.PrimaryKey) == 0 {
		return ImageObject(s, img)
	}
	o := Object{}
	for _, k := range s.PrimaryKey {
		o.Names = append(o.Names, s.Columns[k].Name)
		o.Vals = append(o.Vals, img[k])
	}
	return o
}

// CellJSON renders a cell as JSON: Objects as objects, Lists as arrays,
// other values as value.JSON.
func CellJSON(v any) string {
	switch x := v.(type) {
	case Object:
		return x.JSON()
	case List:
		b, _ := json.Marshal([]string(x))
		if x == nil {
			return "[]"
		}
		return string(b)
	}
	return value.JSON(v)
}

// WriteSheet writes a sheet in a stream format (table, csv, jsonl).
func WriteSheet(sh *Sheet, out Output) error {
	w, err := NewRowWriter(out)
	if err != nil {
		return err
	}
	if err := w.Header(sh.Cols); err != nil {
		return err
	}
	for _, row := range sh.Rows {
		if err := w.Row(row); err != nil {
			return err
		}
	}
	return w.Close()
}
