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
	"time"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/query/render"
)

const resultTTL = time.Hour

var errTooLarge = errors.New("answer exceeds the inline limit")

// cappedBuffer fails writes past its limit, so a large answer stops early.
type cappedBuffer struct {
	bytes.Buffer
	limit int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.limit {
		return 0, errTooLarge
	}
	return b.Buffer.Write(p)
}

// deliver runs exec into the answer: inline JSON rows when the format is
// json and they fit, otherwise a file under results/ with a presigned URL.
func (d *Deps) deliver(ctx context.Context, format string, exec func(render.Output) error, ans *Answer) (*Answer, error) {
	if format == "json" {
		buf := &cappedBuffer{limit: d.InlineLimit}
		err := exec(render.Output{Format: render.FormatJSONL, W: buf})
		if err == nil {
			return inlineRows(ans, buf.Bytes())
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
	ans.RowCount = len(ans.Rows)
	return ans, sc.Err()
}

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
	counter := &lineCounter{w: f}
	out := render.Output{Format: render.Format(format), W: counter, Path: path}
	err = exec(out)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	key := layout.ResultKey(requestID(ctx), format)
	size, err := putFile(ctx, d.Results, key, path)
	if err != nil {
		return nil, fmt.Errorf("store result %s: %w", key, err)
	}
	res := &Result{Key: key, Format: format, Bytes: size, Expires: time.Now().Add(resultTTL).UTC()}
	if p, ok := d.Results.(Presigner); ok {
		if res.URL, err = p.Presign(ctx, key, resultTTL); err != nil {
			return nil, err
		}
	}
	ans.Result = res
	ans.RowCount = counter.lines
	if format == "csv" {
		ans.RowCount-- // the header line
	}
	return ans, nil
}

// lineCounter counts the lines written through it.
type lineCounter struct {
	w     *os.File
	lines int
}

func (c *lineCounter) Write(p []byte) (int, error) {
	c.lines += bytes.Count(p, []byte{'\n'})
	return c.w.Write(p)
}

// putFile stores the file at path under key, streaming it, and returns its
// size.
func putFile(ctx context.Context, store layout.Store, key, path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if err := store.Put(ctx, key, f, info.Size()); err != nil {
		return 0, err
	}
	return info.Size(), nil
}
