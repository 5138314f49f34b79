package layout

import (
	"fmt"
	"io"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// WriteCheckpoint writes the full state of a table at a commit: one Parquet
// row per table row, the table's columns in MySQL order and nothing else,
// so that any Parquet reader sees the table itself. Each row holds one
// canonical value per column, as in a change image; on an error, w may
// have received part of a file.
func WriteCheckpoint(w io.Writer, s *TableSchema, commit uint64, rows [][]any) error {
	cw, err := NewCheckpointWriter(w, s, commit, 0)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	return cw.Close()
}

// CheckpointWriter writes a checkpoint row by row, holding no more than a
// row group in memory (see WriteCheckpoint).
type CheckpointWriter struct {
	s      *TableSchema
	commit uint64
	pw     *parquet.GenericWriter[any]
	codecs []codec
	values []parquet.Value
	batch  []parquet.Row
	rows   int
	// grouped is about how many bytes of values the open row group holds;
	// it ends at rowGroupBytes, so that rows of large values do not fill
	// memory before rowsPerRowGroup of them are there.
	grouped int
}

// rowGroupBytes bounds the values of one checkpoint row group.
const rowGroupBytes = 64 << 20

// NewCheckpointWriter starts a checkpoint of s at commit on w. A part above
// zero marks the file as that part of a checkpoint split into several
// objects (Object.Part), which also keeps equal parts apart by their hash.
func NewCheckpointWriter(w io.Writer, s *TableSchema, commit uint64, part int) (*CheckpointWriter, error) {
	schema, err := checkpointSchema(s)
	if err != nil {
		return nil, fmt.Errorf("write checkpoint: %w", err)
	}
	extra := []string{metaCommit, strconv.FormatUint(commit, 10)}
	if part > 0 {
		extra = append(extra, metaPart, strconv.Itoa(part))
	}
	cw := &CheckpointWriter{s: s, commit: commit, codecs: mustCodecs(s)}
	if cw.pw, err = newParquetWriter(w, s, schema, extra...); err != nil {
		return nil, cw.fail(err)
	}
	cw.values = make([]parquet.Value, rowsPerBatch*len(cw.codecs))
	return cw, nil
}

func (cw *CheckpointWriter) fail(err error) error {
	return fmt.Errorf("write checkpoint of %s at commit %d: %w", cw.s.Name(), cw.commit, err)
}

// Rows is the number of rows written so far.
func (cw *CheckpointWriter) Rows() int { return cw.rows }

// Write adds one row of canonical values, which are read when the writer
// encodes its next batch of rows: they must not change after the call.
func (cw *CheckpointWriter) Write(img []any) error {
	n := len(cw.codecs)
	if len(img) != n {
		return cw.fail(fmt.Errorf("row %d has %d values, schema version %d has %d columns", cw.rows, len(img), cw.s.Version, n))
	}
	i := len(cw.batch)
	row := cw.values[i*n : (i+1)*n : (i+1)*n]
	if err := encodeValues(row, 0, 1, cw.s, cw.codecs, img); err != nil {
		return cw.fail(fmt.Errorf("row %d: %w", cw.rows, err))
	}
	cw.batch = append(cw.batch, row)
	cw.rows++
	for _, v := range img {
		switch x := v.(type) {
		case string:
			cw.grouped += len(x)
		case []byte:
			cw.grouped += len(x)
		}
		cw.grouped += 8
	}
	if len(cw.batch) == rowsPerBatch || cw.grouped >= rowGroupBytes {
		if err := cw.flush(); err != nil {
			return err
		}
	}
	if cw.grouped >= rowGroupBytes {
		cw.grouped = 0
		if err := cw.pw.Flush(); err != nil { // end the row group
			return cw.fail(err)
		}
	}
	return nil
}

func (cw *CheckpointWriter) flush() error {
	if len(cw.batch) == 0 {
		return nil
	}
	if _, err := cw.pw.WriteRows(cw.batch); err != nil {
		return cw.fail(err)
	}
	cw.batch = cw.batch[:0]
	return nil
}

// Close writes the rest and the file footer.
func (cw *CheckpointWriter) Close() error {
	if err := cw.flush(); err != nil {
		return err
	}
	if err := cw.pw.Close(); err != nil {
		return cw.fail(err)
	}
	return nil
}

// ReadCheckpoint decodes a checkpoint written by WriteCheckpoint: the schema
// version of the table and its rows, with canonical values. The bytes come
// from outside: anything malformed is an error, never a panic.
func ReadCheckpoint(data []byte) (s *TableSchema, rows [][]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, rows, err = nil, nil, fmt.Errorf("read checkpoint: malformed Parquet (%v)", r)
		}
	}()
	s, rows, err = readCheckpoint(data)
	if err != nil {
		return nil, nil, fmt.Errorf("read checkpoint: %w", err)
	}
	return s, rows, nil
}

func readCheckpoint(data []byte) (*TableSchema, [][]any, error) {
	f, s, err := openFile(data)
	if err != nil {
		return nil, nil, err
	}
	if text, _ := f.Lookup(metaCommit); !isCommitNumber(text) {
		return nil, nil, fmt.Errorf("%s is %q, want a commit number", metaCommit, text)
	}
	want, err := checkpointSchema(s)
	if err != nil {
		return nil, nil, err
	}
	if !parquet.EqualNodes(f.Schema(), want) {
		return nil, nil, fmt.Errorf("file schema does not match the checkpoint schema of version %d of %s", s.Version, s.Name())
	}
	codecs := mustCodecs(s)
	rows := make([][]any, 0, capHint(f))
	err = forEachRow(f, len(codecs), func(row parquet.Row) error {
		img := make([]any, len(codecs))
		if err := decodeValues(img, row, 1, s, codecs); err != nil {
			return fmt.Errorf("row %d: %w", len(rows), err)
		}
		rows = append(rows, img)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return s, rows, nil
}

func isCommitNumber(text string) bool {
	_, err := strconv.ParseUint(text, 10, 64)
	return err == nil
}
