package layout

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
)

// ReadSegment decodes a segment written by WriteSegment: the schema version
// it was written under and its changes, with canonical values. The bytes
// come from outside: anything malformed is an error, never a panic.
func ReadSegment(data []byte) (s *TableSchema, changes []Change, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, changes, err = nil, nil, fmt.Errorf("read segment: malformed Parquet (%v)", r)
		}
	}()
	s, changes, err = readSegment(data)
	if err != nil {
		return nil, nil, fmt.Errorf("read segment: %w", err)
	}
	return s, changes, nil
}

func readSegment(data []byte) (*TableSchema, []Change, error) {
	f, s, err := openFile(data)
	if err != nil {
		return nil, nil, err
	}
	want, err := segmentSchema(s)
	if err != nil {
		return nil, nil, err
	}
	if !parquet.EqualNodes(f.Schema(), want) {
		return nil, nil, fmt.Errorf("file schema does not match the segment schema of version %d of %s", s.Version, s.Name())
	}
	dec := segmentDecoder{s: s, codecs: mustCodecs(s)}
	changes := make([]Change, 0, capHint(f))
	err = forEachRow(f, numChangeCols+2*len(s.Columns), func(row parquet.Row) error {
		c, err := dec.decode(row)
		if err != nil {
			return fmt.Errorf("row %d: %w", len(changes), err)
		}
		changes = append(changes, c)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return s, changes, nil
}

// openFile opens a binlake Parquet file and decodes its table schema.
func openFile(data []byte) (*parquet.File, *TableSchema, error) {
	if err := checkFooter(data); err != nil {
		return nil, nil, err
	}
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)),
		parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, nil, err
	}
	if v, ok := f.Lookup(metaFormat); !ok || v != formatVersion {
		return nil, nil, fmt.Errorf("not a binlake file of format %s (%s is %q)", formatVersion, metaFormat, v)
	}
	text, ok := f.Lookup(metaSchema)
	if !ok {
		return nil, nil, fmt.Errorf("no %s in the file metadata", metaSchema)
	}
	s := new(TableSchema)
	if err := json.Unmarshal([]byte(text), s); err != nil {
		return nil, nil, fmt.Errorf("decode %s: %w", metaSchema, err)
	}
	return f, s, nil
}

// checkFooter refuses bytes that are not an unencrypted Parquet file, or
// whose footer length runs outside them: parquet-go would first allocate a
// buffer of that length, up to 4 GiB.
func checkFooter(data []byte) error {
	n := len(data)
	if n < 12 || string(data[:4]) != "PAR1" || string(data[n-4:]) != "PAR1" {
		return errors.New("not a Parquet file (no PAR1 magic at both ends)")
	}
	if footer := binary.LittleEndian.Uint32(data[n-8:]); int64(footer) > int64(n-12) {
		return fmt.Errorf("footer length %d runs outside the %d-byte file", footer, n)
	}
	return nil
}

// mustCodecs returns the codecs of a schema already known to be valid.
func mustCodecs(s *TableSchema) []codec {
	codecs, err := codecsOf(s)
	if err != nil {
		panic(err)
	}
	return codecs
}

// capHint returns the capacity to reserve for the rows of f: the row count
// it claims, bounded, since the claim comes from outside.
func capHint(f *parquet.File) int {
	return int(max(0, min(f.NumRows(), 1<<16)))
}

// forEachRow calls fn with every row of the file, in order. A row is only
// valid during the call; width is the number of leaf columns.
func forEachRow(f *parquet.File, width int, fn func(parquet.Row) error) error {
	buf := make([]parquet.Row, 128)
	for i, rg := range f.RowGroups() {
		rows := rg.Rows()
		err := forEachRowIn(rows, buf, width, fn)
		rows.Close()
		if err != nil {
			return fmt.Errorf("row group %d: %w", i, err)
		}
	}
	return nil
}

func forEachRowIn(rows parquet.Rows, buf []parquet.Row, width int, fn func(parquet.Row) error) error {
	for {
		n, err := rows.ReadRows(buf)
		for _, row := range buf[:n] {
			if len(row) != width {
				return fmt.Errorf("row has %d values, want %d", len(row), width)
			}
			if err := fn(row); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrNoProgress
		}
	}
}

// segmentDecoder turns Parquet rows of a segment back into changes.
type segmentDecoder struct {
	s      *TableSchema
	codecs []codec
}

func (d *segmentDecoder) decode(row parquet.Row) (Change, error) {
	var c Change
	commit, err := requiredValue(row, colCommit, parquet.Int64)
	if err != nil {
		return c, err
	}
	if commit.Int64() < 0 {
		return c, fmt.Errorf("negative commit number %d", commit.Int64())
	}
	c.Commit = uint64(commit.Int64())
	if err := d.decodeHeader(row, &c); err != nil {
		return c, fmt.Errorf("commit %d: %w", c.Commit, err)
	}
	n := len(d.codecs)
	if c.Before, err = d.decodeImage(row[numChangeCols : numChangeCols+n]); err != nil {
		return c, fmt.Errorf("commit %d seq %d before image: %w", c.Commit, c.Seq, err)
	}
	if c.After, err = d.decodeImage(row[numChangeCols+n:]); err != nil {
		return c, fmt.Errorf("commit %d seq %d after image: %w", c.Commit, c.Seq, err)
	}
	if err := c.Validate(d.s); err != nil {
		return c, fmt.Errorf("commit %d seq %d: %w", c.Commit, c.Seq, err)
	}
	return c, nil
}

// decodeHeader decodes _seq, _op, _time and _gtid.
func (d *segmentDecoder) decodeHeader(row parquet.Row, c *Change) error {
	seq, err := requiredValue(row, colSeq, parquet.Int32)
	if err != nil {
		return err
	}
	c.Seq = uint32(seq.Int32())
	op, err := requiredValue(row, colOp, parquet.ByteArray)
	if err != nil {
		return err
	}
	switch c.Op = Op(op.ByteArray()); c.Op {
	case OpInsert, OpUpdate, OpDelete:
	default:
		return fmt.Errorf("seq %d: unknown operation %q", c.Seq, c.Op)
	}
	t, err := requiredValue(row, colTime, parquet.Int64)
	if err != nil {
		return err
	}
	c.Time = time.UnixMicro(t.Int64()).UTC()
	gtid, err := requiredValue(row, colGTID, parquet.ByteArray)
	if err != nil {
		return err
	}
	if !utf8.Valid(gtid.ByteArray()) {
		return fmt.Errorf("seq %d: GTID is not valid UTF-8", c.Seq)
	}
	c.GTID = string(gtid.ByteArray())
	return nil
}

// requiredValue returns the value of a required top-level column.
func requiredValue(row parquet.Row, col int, kind parquet.Kind) (parquet.Value, error) {
	v := row[col]
	if v.IsNull() || v.Kind() != kind {
		return v, fmt.Errorf("column %d is null or not %s", col, kind)
	}
	return v, nil
}

// decodeImage decodes one optional image group: nil when absent.
func (d *segmentDecoder) decodeImage(vals []parquet.Value) ([]any, error) {
	if vals[0].DefinitionLevel() == 0 {
		for _, v := range vals {
			if v.DefinitionLevel() != 0 {
				return nil, errors.New("image is both absent and present")
			}
		}
		return nil, nil
	}
	img := make([]any, len(vals))
	return img, decodeValues(img, vals, 2, d.s, d.codecs)
}

// decodeValues decodes the values of a row image into dst; present is the
// definition level of a non-NULL value, one less is NULL.
func decodeValues(dst []any, vals []parquet.Value, present int, s *TableSchema, codecs []codec) error {
	for i, v := range vals {
		switch v.DefinitionLevel() {
		case present - 1:
			dst[i] = nil
		case present:
			x, err := codecs[i].decode(v)
			if err != nil {
				return fmt.Errorf("column %s: %w", s.Columns[i].Name, err)
			}
			dst[i] = x
		default:
			return fmt.Errorf("column %s: definition level %d, want %d or %d", s.Columns[i].Name, v.DefinitionLevel(), present-1, present)
		}
	}
	return nil
}

// decode returns the canonical Go value of a stored value.
func (c *codec) decode(v parquet.Value) (any, error) {
	if v.IsNull() || v.Kind() != c.physical {
		return nil, fmt.Errorf("stored value is not %s", c.physical)
	}
	switch c.physical {
	case parquet.Int32, parquet.Int64:
		return c.decodeInt(v)
	case parquet.Float:
		return v.Float(), nil
	case parquet.Double:
		return v.Double(), nil
	}
	b := v.ByteArray()
	if !c.text {
		return append(make([]byte, 0, len(b)), b...), nil
	}
	if !utf8.Valid(b) {
		return nil, errors.New("string is not valid UTF-8")
	}
	return string(b), nil
}

func (c *codec) decodeInt(v parquet.Value) (any, error) {
	var u uint64
	switch {
	case c.physical == parquet.Int64:
		u = uint64(v.Int64())
	case c.unsigned:
		u = uint64(uint32(v.Int32()))
	default:
		u = uint64(int64(v.Int32()))
	}
	negative := !c.unsigned && int64(u) < 0
	if _, problem := c.encodeInt(u, negative); problem != "" {
		return nil, fmt.Errorf("integer %s for %d bits", problem, c.valBits)
	}
	if c.goKind == goUint64 {
		return u, nil
	}
	return int64(u), nil
}
