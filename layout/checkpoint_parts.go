package layout

import (
	"bytes"
	"context"
	"fmt"
)

// Default bounds of a checkpoint part: memory stays at about two parts
// whatever the table's size.
const (
	DefaultPartRows  = 500_000
	DefaultPartBytes = 128 << 20
)

// CheckpointParts writes the state of a table at a commit as checkpoint
// parts (Object.Part), storing each part as soon as it is full, so that a
// large table is never held in memory: only the part being encoded and
// one row group. The caller links the objects Close returns into the chain,
// all in one manifest; until then they are garbage.
type CheckpointParts struct {
	ctx      context.Context
	store    Store
	s        *TableSchema
	commit   uint64
	maxRows  int
	maxBytes int

	buf     bytes.Buffer
	cw      *CheckpointWriter
	objects []Object
}

// NewCheckpointParts starts the checkpoint of s at commit in store, in parts
// of at most maxRows rows or about maxBytes bytes (0: the defaults).
func NewCheckpointParts(ctx context.Context, store Store, s *TableSchema, commit uint64, maxRows, maxBytes int) *CheckpointParts {
	if maxRows <= 0 {
		maxRows = DefaultPartRows
	}
	if maxBytes <= 0 {
		maxBytes = DefaultPartBytes
	}
	return &CheckpointParts{ctx: ctx, store: store, s: s, commit: commit, maxRows: maxRows, maxBytes: maxBytes}
}

// Write adds one row of canonical values (which must not change after).
func (p *CheckpointParts) Write(row []any) error {
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

func (p *CheckpointParts) start() error {
	p.buf.Reset()
	cw, err := NewCheckpointWriter(&p.buf, p.s, p.commit, len(p.objects)+1)
	if err != nil {
		return err
	}
	p.cw = cw
	return nil
}

// finish stores the part being written.
func (p *CheckpointParts) finish() error {
	if err := p.cw.Close(); err != nil {
		return err
	}
	sha := Hash(p.buf.Bytes())
	o := Object{Key: CheckpointKey(p.s.DB, p.s.Table, p.s.Version, p.commit, sha), SHA256: sha,
		Size: int64(p.buf.Len()), Kind: ObjectCheckpoint, DB: p.s.DB, Table: p.s.Table,
		SchemaVersion: p.s.Version, First: p.commit, Last: p.commit, Rows: int64(p.cw.Rows()), Part: len(p.objects) + 1}
	if err := p.store.Put(p.ctx, o.Key, p.buf.Bytes()); err != nil {
		return fmt.Errorf("store checkpoint %s: %w", o.Key, err)
	}
	p.objects = append(p.objects, o)
	p.cw = nil
	return nil
}

// Close stores the last part (an empty table has one empty part) and
// returns the parts, numbered.
func (p *CheckpointParts) Close() ([]Object, error) {
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

// Rows is the number of rows written.
func (p *CheckpointParts) Rows() int64 {
	var n int64
	for _, o := range p.objects {
		n += o.Rows
	}
	if p.cw != nil {
		n += int64(p.cw.Rows())
	}
	return n
}
