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
	schema, err := checkpointSchema(s)
	if err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	fail := func(err error) error {
		return fmt.Errorf("write checkpoint of %s at commit %d: %w", s.Name(), commit, err)
	}
	pw, err := newParquetWriter(w, s, schema, metaCommit, strconv.FormatUint(commit, 10))
	if err != nil {
		return fail(err)
	}
	codecs := mustCodecs(s)
	n := len(codecs)
	values := make([]parquet.Value, rowsPerBatch*n)
	batch := make([]parquet.Row, 0, rowsPerBatch)
	for start := 0; start < len(rows); start += rowsPerBatch {
		batch = batch[:0]
		for i, img := range rows[start:min(len(rows), start+rowsPerBatch)] {
			if len(img) != n {
				return fail(fmt.Errorf("row %d has %d values, schema version %d has %d columns", start+i, len(img), s.Version, n))
			}
			row := values[i*n : (i+1)*n : (i+1)*n]
			if err := encodeValues(row, 0, 1, s, codecs, img); err != nil {
				return fail(fmt.Errorf("row %d: %w", start+i, err))
			}
			batch = append(batch, row)
		}
		if _, err := pw.WriteRows(batch); err != nil {
			return fail(err)
		}
	}
	if err := pw.Close(); err != nil {
		return fail(err)
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
