package ingest

import (
	"bytes"
	"context"
	"fmt"

	"github.com/binlake/binlake/layout"
)

// partWriter writes the rows of one table's snapshot as checkpoint parts,
// storing each part as soon as it is full: a large table is never held in
// memory, only the part being encoded (and parquet-go's row group).
type partWriter struct {
	ctx      context.Context
	store    layout.Store
	s        *layout.TableSchema
	commit   uint64
	maxRows  int
	maxBytes int

	buf     bytes.Buffer
	cw      *layout.CheckpointWriter
	objects []layout.Object
}

// write adds one row of canonical values (which must not change after).
func (p *partWriter) write(row []any) error {
	if p.cw == nil {
		if err := p.start(); err != nil {
			return err
		}
	}
	if err := p.cw.Write(row); err != nil {
		return err
	}
	if p.cw.Rows() >= p.maxRows || p.buf.Len() >= p.maxBytes {
		return p.finish()
	}
	return nil
}

func (p *partWriter) start() error {
	p.buf.Reset()
	cw, err := layout.NewCheckpointWriter(&p.buf, p.s, p.commit, len(p.objects)+1)
	if err != nil {
		return err
	}
	p.cw = cw
	return nil
}

// finish stores the part being written.
func (p *partWriter) finish() error {
	if err := p.cw.Close(); err != nil {
		return err
	}
	sha := layout.Hash(p.buf.Bytes())
	o := layout.Object{Key: layout.CheckpointKey(p.s.DB, p.s.Table, p.s.Version, p.commit, sha), SHA256: sha,
		Size: int64(p.buf.Len()), Kind: layout.ObjectCheckpoint, DB: p.s.DB, Table: p.s.Table,
		SchemaVersion: p.s.Version, First: p.commit, Last: p.commit, Rows: int64(p.cw.Rows()), Part: len(p.objects) + 1}
	if err := p.store.Put(p.ctx, o.Key, p.buf.Bytes()); err != nil {
		return fmt.Errorf("store checkpoint %s: %w", o.Key, err)
	}
	p.objects = append(p.objects, o)
	p.cw = nil
	return nil
}

// close stores the last part (an empty table has one empty part) and
// returns the parts, numbered.
func (p *partWriter) close() ([]layout.Object, error) {
	if p.cw == nil && len(p.objects) == 0 {
		if err := p.start(); err != nil {
			return nil, err
		}
	}
	if p.cw != nil {
		if err := p.finish(); err != nil {
			return nil, err
		}
	}
	for i := range p.objects {
		p.objects[i].Parts = len(p.objects)
	}
	return p.objects, nil
}

// rows is the number of rows written.
func (p *partWriter) rows() int64 {
	var n int64
	for _, o := range p.objects {
		n += o.Rows
	}
	if p.cw != nil {
		n += int64(p.cw.Rows())
	}
	return n
}
