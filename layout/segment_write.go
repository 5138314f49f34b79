package layout

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
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

// rowsPerBatch is how many rows are built before being handed to the
// Parquet writer; their values share one reused buffer.
const rowsPerBatch = 256

// WriteSegment writes the changes of one table, under one schema version, as
// a segment: zstd-compressed Parquet, one row per change, in the order given.
// Each change must fit the schema (Change.Validate) and each value must be
// its column's canonical Go value (see Kind) and fit its column's width;
// on an error, w may have received part of a file. The same changes always
// encode to the same bytes.
func WriteSegment(w io.Writer, s *TableSchema, changes []Change) error {
	schema, err := segmentSchema(s)
	if err != nil {
		return fmt.Errorf("write segment: %w", err)
	}
	pw, err := newParquetWriter(w, s, schema)
	if err != nil {
		return fmt.Errorf("write segment of %s: %w", s.Name(), err)
	}
	enc := newSegmentEncoder(s)
	for len(changes) > 0 {
		batch := changes[:min(len(changes), rowsPerBatch)]
		changes = changes[len(batch):]
		rows, err := enc.encode(batch)
		if err != nil {
			return fmt.Errorf("write segment of %s: %w", s.Name(), err)
		}
		if _, err := pw.WriteRows(rows); err != nil {
			return fmt.Errorf("write segment of %s: %w", s.Name(), err)
		}
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("write segment of %s: %w", s.Name(), err)
	}
	return nil
}

// newParquetWriter returns a writer of zstd-compressed Parquet with the
// binlake metadata; extra adds more key/value pairs (key, value, ...).
//
// Column chunks carry min/max statistics and a page index (min/max cut to
// 16 bytes); page headers carry no statistics, which would only repeat the
// index's, untruncated.
func newParquetWriter(w io.Writer, s *TableSchema, schema *parquet.Schema, extra ...string) (*parquet.Writer, error) {
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
	config, err := parquet.NewWriterConfig(options...)
	if err != nil {
		return nil, err
	}
	return parquet.NewWriter(w, config), nil
}

// segmentEncoder turns changes into Parquet rows, reusing one buffer of
// values: rows from a call are valid until the next.
type segmentEncoder struct {
	s      *TableSchema
	codecs []codec
	width  int // leaf columns per row
	values []parquet.Value
	rows   []parquet.Row
}

func newSegmentEncoder(s *TableSchema) *segmentEncoder {
	codecs, _ := codecsOf(s) // checked by segmentSchema
	return &segmentEncoder{s: s, codecs: codecs, width: numChangeCols + 2*len(codecs)}
}

func (e *segmentEncoder) encode(changes []Change) ([]parquet.Row, error) {
	if need := len(changes) * e.width; cap(e.values) < need {
		e.values = make([]parquet.Value, need)
	}
	e.rows = e.rows[:0]
	for i := range changes {
		row := e.values[i*e.width : (i+1)*e.width : (i+1)*e.width]
		if err := e.encodeChange(row, &changes[i]); err != nil {
			return nil, err
		}
		e.rows = append(e.rows, row)
	}
	return e.rows, nil
}

func (e *segmentEncoder) encodeChange(row parquet.Row, c *Change) error {
	if err := c.Validate(e.s); err != nil {
		return fmt.Errorf("commit %d seq %d: %w", c.Commit, c.Seq, err)
	}
	if c.Op != OpInsert && c.Op != OpUpdate && c.Op != OpDelete {
		return fmt.Errorf("commit %d seq %d: unknown operation %q", c.Commit, c.Seq, c.Op)
	}
	if c.Commit > math.MaxInt64 {
		return fmt.Errorf("commit %d seq %d: commit number beyond int64", c.Commit, c.Seq)
	}
	if !utf8.ValidString(c.GTID) {
		return fmt.Errorf("commit %d seq %d: GTID is not valid UTF-8", c.Commit, c.Seq)
	}
	put(&row[colCommit], parquet.Int64Value(int64(c.Commit)), 0, colCommit)
	put(&row[colSeq], parquet.Int32Value(int32(c.Seq)), 0, colSeq)
	put(&row[colOp], stringValue(string(c.Op)), 0, colOp)
	put(&row[colTime], parquet.Int64Value(c.Time.UnixMicro()), 0, colTime)
	put(&row[colGTID], stringValue(c.GTID), 0, colGTID)
	n := len(e.codecs)
	if err := e.encodeImage(row[numChangeCols:numChangeCols+n], numChangeCols, c.Before); err != nil {
		return fmt.Errorf("commit %d seq %d before image: %w", c.Commit, c.Seq, err)
	}
	if err := e.encodeImage(row[numChangeCols+n:], numChangeCols+n, c.After); err != nil {
		return fmt.Errorf("commit %d seq %d after image: %w", c.Commit, c.Seq, err)
	}
	return nil
}

// encodeImage fills the values of one optional image group whose first leaf
// is column first: an absent image is a null at definition level 0, a NULL
// value one at level 1, a value is at level 2.
func (e *segmentEncoder) encodeImage(dst []parquet.Value, first int, img []any) error {
	if img == nil {
		for i := range dst {
			put(&dst[i], parquet.NullValue(), 0, first+i)
		}
		return nil
	}
	return encodeValues(dst, first, 2, e.s, e.codecs, img)
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
	fits := true // a signed 64-bit column takes any int64
	switch {
	case c.unsigned:
		fits = !negative && (c.valBits == 64 || u>>c.valBits == 0)
	case c.valBits < 64:
		i := int64(u)
		fits = i == i<<(64-c.valBits)>>(64-c.valBits)
	}
	if !fits {
		return parquet.Value{}, "is out of range"
	}
	if c.physical == parquet.Int64 {
		return parquet.Int64Value(int64(u)), ""
	}
	return parquet.Int32Value(int32(u)), ""
}

// stringValue returns a byte-array value that shares the string's bytes;
// the Parquet writer copies them and never writes through the value.
func stringValue(s string) parquet.Value {
	return parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// put stores v at definition level def of leaf column col (repetition
// level 0: the schemas have no repeated fields). Setting the levels in
// place is measurably faster than copying through Value.Level.
func put(dst *parquet.Value, v parquet.Value, def, col int) {
	*dst = v
	dst.SetDefinitionLevel(def)
	dst.SetColumnIndex(col)
}
