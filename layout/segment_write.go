package layout

import (
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
	"unsafe"

	"github.com/parquet-go/parquet-go"
)

// rowsPerRowGroup bounds the rows of one row group, so that a reader can
// skip row groups by the statistics of _commit and decode one at a time.
const rowsPerRowGroup = 128 * 1024

// pageBufferSize is the uncompressed size a column's page grows to before it
// is compressed and written: larger pages compress better (about 8% on
// sysbench rows against parquet-go's 256 KiB default).
const pageBufferSize = 1 << 20

// rowsPerBatch is how many rows or column values are built before being
// handed to the Parquet writer; they share one reused buffer.
const rowsPerBatch = 4096

// WriteSegment writes the changes of one table, under one schema version, as
// a segment: zstd-compressed Parquet, one row per change, in the order given.
// Each change must fit the schema (Change.Validate) and each value must be
// its column's canonical Go value (see Kind) and fit its column's width;
// on an error, w may have received part of a file. The same changes always
// encode to the same bytes.
func WriteSegment(w io.Writer, s *TableSchema, changes []Change) error {
	b, err := NewSegmentBuilder(s)
	if err != nil {
		return fmt.Errorf("write segment: %w", err)
	}
	for i := range changes {
		if err := b.AppendChange(&changes[i]); err != nil {
			return fmt.Errorf("write segment of %s: %w", s.Name(), err)
		}
	}
	return b.Write(w)
}

// Write writes the builder's rows as a segment (see WriteSegment). Every row
// must be complete and every commit's time and GTID set.
func (b *SegmentBuilder) Write(w io.Writer) error {
	return b.WriteRange(w, 0, b.Len())
}

// WriteRange writes rows [from, to) as a segment.
func (b *SegmentBuilder) WriteRange(w io.Writer, from, to int) error {
	s := b.s
	fail := func(err error) error { return fmt.Errorf("write segment of %s: %w", s.Name(), err) }
	if b.err != nil {
		return fail(b.err)
	}
	if from < 0 || to > b.Len() || from > to {
		return fail(fmt.Errorf("rows %d-%d of %d", from, to, b.Len()))
	}
	for r := from; r < to; r++ {
		if ci := b.commits[b.meta[r]]; !ci.set {
			return fail(fmt.Errorf("commit %d: no source time and GTID", ci.n))
		}
	}
	schema, err := segmentSchema(s)
	if err != nil {
		return fmt.Errorf("write segment: %w", err)
	}
	pw, err := newParquetWriter(w, s, schema)
	if err != nil {
		return fail(err)
	}
	enc := columnEncoder{b: b, columns: pw.ColumnWriters()}
	for start := from; start < to; start += rowsPerRowGroup {
		if err := enc.rowGroup(start, min(to, start+rowsPerRowGroup)); err != nil {
			return fail(err)
		}
		if err := pw.Flush(); err != nil {
			return fail(err)
		}
	}
	if err := pw.Close(); err != nil {
		return fail(err)
	}
	return nil
}

// newParquetWriter returns a writer of zstd-compressed Parquet with the
// binlake metadata; extra adds more key/value pairs (key, value, ...).
//
// Column chunks carry min/max statistics and a page index (min/max cut to
// 16 bytes); page headers carry no statistics, which would only repeat the
// index's, untruncated.
func newParquetWriter(w io.Writer, s *TableSchema, schema *parquet.Schema, extra ...string) (*parquet.GenericWriter[any], error) {
	schemaJSON, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode schema: %w", err)
	}
	options := []parquet.WriterOption{
		schema,
		parquet.Compression(segmentCodec),
		parquet.PageBufferSize(pageBufferSize),
		parquet.MaxRowsPerRowGroup(rowsPerRowGroup),
		parquet.DataPageStatistics(false),
		parquet.CreatedBy("binlake", formatVersion, "parquet-go"),
		parquet.KeyValueMetadata(metaFormat, formatVersion),
		parquet.KeyValueMetadata(metaSchema, string(schemaJSON)),
	}
	for i := 0; i+1 < len(extra); i += 2 {
		options = append(options, parquet.KeyValueMetadata(extra[i], extra[i+1]))
	}
	config, err := parquet.NewWriterConfig(options...) // an error here, not NewGenericWriter's panic
	if err != nil {
		return nil, err
	}
	// GenericWriter[any] with a schema is the replacement of the deprecated
	// parquet.Writer: rows are written with WriteRows and ColumnWriters.
	return parquet.NewGenericWriter[any](w, config), nil
}

// encodeValues fills dst with the values of a row image whose first leaf is
// column first and whose values are optional at definition level present.
func encodeValues(dst []parquet.Value, first, present int, s *TableSchema, codecs []codec, img []any) error {
	for i, v := range img {
		if v == nil {
			put(&dst[i], parquet.NullValue(), present-1, first+i)
			continue
		}
		pv, problem := codecs[i].encode(v)
		if problem != "" {
			c := &s.Columns[i]
			return fmt.Errorf("column %s (%s): %T value %s, want %s", c.Name, c.SQLType, v, problem, codecs[i].goKind)
		}
		put(&dst[i], pv, present, first+i)
	}
	return nil
}

// encode returns v as a Parquet value, or says what is wrong with it.
func (c *codec) encode(v any) (parquet.Value, string) {
	switch c.goKind {
	case goInt64:
		i, ok := v.(int64)
		if !ok {
			return parquet.Value{}, "has the wrong type"
		}
		return c.encodeInt(uint64(i), i < 0)
	case goUint64:
		u, ok := v.(uint64)
		if !ok {
			return parquet.Value{}, "has the wrong type"
		}
		return c.encodeInt(u, false)
	case goFloat32:
		f, ok := v.(float32)
		if !ok {
			return parquet.Value{}, "has the wrong type"
		}
		return parquet.FloatValue(f), ""
	case goFloat64:
		f, ok := v.(float64)
		if !ok {
			return parquet.Value{}, "has the wrong type"
		}
		return parquet.DoubleValue(f), ""
	case goString:
		str, ok := v.(string)
		if !ok {
			return parquet.Value{}, "has the wrong type"
		}
		if !utf8.ValidString(str) {
			return parquet.Value{}, "is not valid UTF-8"
		}
		return stringValue(str), ""
	default:
		b, ok := v.([]byte)
		if !ok {
			return parquet.Value{}, "has the wrong type"
		}
		return parquet.ByteArrayValue(b), ""
	}
}

// encodeInt stores the integer whose two's complement bits are u; negative
// says whether it came from a negative int64.
func (c *codec) encodeInt(u uint64, negative bool) (parquet.Value, string) {
	if !c.fits(u, negative) {
		return parquet.Value{}, "is out of range"
	}
	return c.intValue(u), ""
}

// fits reports whether the integer whose two's complement bits are u (from
// a negative int64 if negative) is in the column's range.
func (c *codec) fits(u uint64, negative bool) bool {
	switch {
	case c.unsigned:
		return !negative && (c.valBits == 64 || u>>c.valBits == 0)
	case c.valBits < 64:
		i := int64(u)
		return i == i<<(64-c.valBits)>>(64-c.valBits)
	}
	return true // a signed 64-bit column takes any int64
}

// intValue is the Parquet value of an integer that fits the column.
func (c *codec) intValue(u uint64) parquet.Value {
	if c.physical == parquet.Int64 {
		return parquet.Int64Value(int64(u))
	}
	return parquet.Int32Value(int32(u))
}

// stringValue returns a byte-array value that shares the string's bytes;
// the Parquet writer copies them and never writes through the value.
func stringValue(s string) parquet.Value {
	return parquet.ByteArrayValue(unsafeBytes(s))
}

// unsafeBytes returns the bytes of s without a copy; they must not be
// written.
func unsafeBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// put stores v at definition level def of leaf column col (repetition
// level 0: the schemas have no repeated fields). Setting the levels in
// place is measurably faster than copying through Value.Level.
func put(dst *parquet.Value, v parquet.Value, def, col int) {
	*dst = v
	dst.SetDefinitionLevel(def)
	dst.SetColumnIndex(col)
}
