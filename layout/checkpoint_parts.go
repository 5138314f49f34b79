package layout

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
)

// Default bounds of a checkpoint part: a part is spooled to a temporary
// file, so these bound the size of objects and of the spool on disk, not
// memory.
const (
	DefaultPartRows  = 500_000
	DefaultPartBytes = 128 << 20
)

// CheckpointParts writes the state of a table at a commit as checkpoint
// parts (Object.Part), storing each part as soon as it is full, so that a
// large table is never held in memory. A part's key holds its SHA-256, so
// a part must be complete before it can be stored: it is written to a
// temporary file (in TempDir), hashed on the way, then stored from the file
// and removed. Memory holds only the row group being encoded, whatever the
// size of the part. The caller links the objects Close returns into the
// chain, all in one manifest; until then they are garbage. A caller that
// gives up before Close calls Discard (deferring it is simplest).
type CheckpointParts struct {
	// TempDir is the directory parts are spooled in ("": os.TempDir()).
	// Set it before the first Write.
	TempDir string

	ctx      context.Context
	store    Store
	s        *TableSchema
	commit   uint64
	maxRows  int
	maxBytes int

	spool   *partSpool
	cw      *CheckpointWriter
	objects []Object
	err     error // the first failure: the checkpoint is lost
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
// After an error the part being written is discarded, and Write and Close
// return that error again.
func (p *CheckpointParts) Write(row []any) error {
	if p.err != nil {
		return p.err
	}
	if p.cw == nil {
		if err := p.start(); err != nil {
			return p.fail(err)
		}
	}
	if err := p.cw.Write(row); err != nil {
		return p.fail(err)
	}
	if p.cw.Rows() >= p.maxRows || p.spool.n >= int64(p.maxBytes) {
		if err := p.finish(); err != nil {
			return p.fail(err)
		}
	}
	return nil
}

// fail records the checkpoint's first failure and discards the part being
// written.
func (p *CheckpointParts) fail(err error) error {
	p.err = err
	p.Discard()
	return err
}

func (p *CheckpointParts) start() error {
	sp, err := newPartSpool(p.TempDir)
	if err != nil {
		return fmt.Errorf("checkpoint of %s at commit %d: %w", p.s.Name(), p.commit, err)
	}
	cw, err := NewCheckpointWriter(sp, p.s, p.commit, len(p.objects)+1)
	if err != nil {
		sp.remove()
		return err
	}
	p.spool, p.cw = sp, cw
	return nil
}

// finish stores the part being written from its spool, and removes the
// spool whatever happens.
func (p *CheckpointParts) finish() error {
	defer p.Discard()
	if err := p.cw.Close(); err != nil {
		return err
	}
	sha, size, err := p.spool.seal()
	if err != nil {
		return fmt.Errorf("checkpoint of %s at commit %d: %w", p.s.Name(), p.commit, err)
	}
	o := Object{Key: CheckpointKey(p.s.DB, p.s.Table, p.s.Version, p.commit, sha), SHA256: sha,
		Size: size, Kind: ObjectCheckpoint, DB: p.s.DB, Table: p.s.Table,
		SchemaVersion: p.s.Version, First: p.commit, Last: p.commit, Rows: int64(p.cw.Rows()), Part: len(p.objects) + 1}
	if err := p.store.Put(p.ctx, o.Key, p.spool.f, size); err != nil {
		return fmt.Errorf("store checkpoint %s: %w", o.Key, err)
	}
	p.objects = append(p.objects, o)
	return nil
}

// Close stores the last part (an empty table has one empty part) and
// returns the parts, numbered.
func (p *CheckpointParts) Close() ([]Object, error) {
	if p.err != nil {
		return nil, p.err
	}
	if p.cw == nil && len(p.objects) == 0 {
		if err := p.start(); err != nil {
			return nil, p.fail(err)
		}
	}
	if p.cw != nil {
		if err := p.finish(); err != nil {
			return nil, p.fail(err)
		}
	}
	for i := range p.objects {
		p.objects[i].Parts = len(p.objects)
	}
	return p.objects, nil
}

// Discard drops the part being written and removes its spool; the parts
// already stored stay garbage until a manifest links them. It is a no-op
// when no part is open, after Close for one.
func (p *CheckpointParts) Discard() {
	if p.spool != nil {
		p.spool.remove()
	}
	p.spool, p.cw = nil, nil
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

// partSpool is a part being written to a temporary file, hashed and
// counted on the way.
type partSpool struct {
	f *os.File
	w *bufio.Writer // to f and h
	h hash.Hash
	n int64
}

func newPartSpool(dir string) (*partSpool, error) {
	f, err := os.CreateTemp(dir, "binlake-checkpoint-*.parquet")
	if err != nil {
		return nil, fmt.Errorf("spool a checkpoint part: %w", err)
	}
	h := sha256.New()
	return &partSpool{f: f, w: bufio.NewWriterSize(io.MultiWriter(f, h), 256<<10), h: h}, nil
}

func (sp *partSpool) Write(b []byte) (int, error) {
	n, err := sp.w.Write(b)
	sp.n += int64(n)
	if err != nil {
		err = fmt.Errorf("spool %s: %w", sp.f.Name(), err)
	}
	return n, err
}

// seal flushes the spool and rewinds it for reading, and returns its
// SHA-256 (as Hash gives it) and size.
func (sp *partSpool) seal() (string, int64, error) {
	if err := sp.w.Flush(); err != nil {
		return "", 0, fmt.Errorf("spool %s: %w", sp.f.Name(), err)
	}
	if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
		return "", 0, fmt.Errorf("spool %s: %w", sp.f.Name(), err)
	}
	return hex.EncodeToString(sp.h.Sum(nil)), sp.n, nil
}

func (sp *partSpool) remove() {
	sp.f.Close()
	os.Remove(sp.f.Name())
}
