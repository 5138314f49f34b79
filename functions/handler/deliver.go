package handler

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/binlake/binlake/functions/lambdaio"
	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query/render"
)

var errTooLarge = errors.New("answer exceeds the inline limit")

// cappedBuffer fails writes past its limit, so a large answer stops early.
type cappedBuffer struct {
	buf   bytes.Buffer
	limit int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.buf.Len()+len(p) > b.limit {
		return 0, errTooLarge
	}
	return b.buf.Write(p)
}

// deliver runs exec into the answer: inline JSON rows when the format is
// json and they fit, otherwise a file under results/ with a presigned URL.
func (d *Deps) deliver(ctx context.Context, format string, exec func(render.Output) error, ans *Answer) (*Answer, error) {
	if format == "json" {
		buf := &cappedBuffer{limit: d.InlineLimit}
		err := exec(render.Output{Format: render.FormatJSONL, W: buf})
		if err == nil {
			return inlineRows(ans, buf.buf.Bytes())
		}
		if !errors.Is(err, errTooLarge) {
			return nil, err
		}
		format = "jsonl"
	}
	return d.writeResult(ctx, format, exec, ans)
}

func inlineRows(ans *Answer, jsonl []byte) (*Answer, error) {
	sc := bufio.NewScanner(bytes.NewReader(jsonl))
	sc.Buffer(make([]byte, 1<<20), len(jsonl)+1)
	for sc.Scan() {
		ans.Rows = append(ans.Rows, json.RawMessage(append([]byte(nil), sc.Bytes()...)))
	}
	ans.RowCount = int64(len(ans.Rows))
	return ans, sc.Err()
}

// writeResult writes the answer to a file, counting its rows as they are
// written (DuckDB counts those of a Parquet file), and streams the file
// under results/.
func (d *Deps) writeResult(ctx context.Context, format string, exec func(render.Output) error, ans *Answer) (*Answer, error) {
	dir, err := os.MkdirTemp("", "binlake-result-")
	if err != nil {
		return nil, fmt.Errorf("result file: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "result."+format)
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("result file: %w", err)
	}
	w := bufio.NewWriterSize(f, 256<<10)
	var rows int64
	err = exec(render.Output{Format: render.Format(format), W: w, Path: path, Rows: &rows})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	res, err := lambdaio.StoreFile(ctx, d.Results, layout.ResultKey(lambdaio.RequestID(ctx), format), path, format)
	if err != nil {
		return nil, err
	}
	ans.Result, ans.RowCount = res, rows
	return ans, nil
}
