package layout

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

// Image selects the before or the after image of a change row.
type Image uint8

// The two images of a change row.
const (
	Before Image = iota
	After
)

func (i Image) String() string {
	if i == Before {
		return "before"
	}
	return "after"
}

// SegmentBuilder collects the change rows of one table under one schema
// version, column by column, ready to be written as one segment. Ingest
// decodes binlog values straight into it, so a value is never boxed in an
// interface or allocated on its own; WriteSegment uses it for []Change.
//
// A row is added with StartRow, one call per column of each image the
// operation has (Null, Int, Uint, Float32, Float64, Text, String or
// Bytes), and EndRow. The value methods check the value against the
// column's kind and width; the first problem is kept and returned by EndRow
// (and by every later call of it), with the commit, seq, image and column.
// A SegmentBuilder is not safe for concurrent use.
type SegmentBuilder struct {
	s       *TableSchema
	codecs  []codec
	commit  []uint64
	seq     []uint32
	op      []opCode
	meta    []int32 // per row: index into commits
	commits []commitInfo
	images  [2][]vector // by Image, one vector per column
	size    int         // bytes of values held
	err     error
}

// commitInfo is the source time and GTID of a commit's rows.
type commitInfo struct {
	n      uint64
	micros int64
	gtid   string
	set    bool
}

// opCode is an Op as the builder holds it.
type opCode uint8

const (
	opInsert opCode = iota
	opUpdate
	opDelete
)

var opNames = [...]Op{opInsert: OpInsert, opUpdate: OpUpdate, opDelete: OpDelete}

func opCodeOf(op Op) (opCode, bool) {
	switch op {
	case OpInsert:
		return opInsert, true
	case OpUpdate:
		return opUpdate, true
	case OpDelete:
		return opDelete, true
	}
	return 0, false
}

// vector holds one column of one image for every row: its definition
// level (0 image absent, 1 NULL, 2 a value) and the value, in words for
// numbers (the bits of an int64, uint64, float32 or float64) and in spans of
// data for byte arrays.
type vector struct {
	defs  []uint8
	words []uint64
	spans []span
	data  []byte
}

// span is where a byte-array value lies in its vector's data.
type span struct{ off, n uint32 }

// Definition levels of image columns.
const (
	defAbsent = 0
	defNull   = 1
	defValue  = 2
)

// NewSegmentBuilder returns an empty builder for changes to s. It fails on
// a schema that cannot be stored (see SegmentSchema).
func NewSegmentBuilder(s *TableSchema) (*SegmentBuilder, error) {
	codecs, err := codecsOf(s)
	if err != nil {
		return nil, err
	}
	b := &SegmentBuilder{s: s, codecs: codecs}
	for img := range b.images {
		b.images[img] = make([]vector, len(codecs))
	}
	return b, nil
}

// LastCommit returns the commit of the newest row.
func (b *SegmentBuilder) LastCommit() (uint64, bool) {
	if len(b.commit) == 0 {
		return 0, false
	}
	return b.commit[len(b.commit)-1], true
}

// Schema is the schema version the builder's rows are stored under.
func (b *SegmentBuilder) Schema() *TableSchema { return b.s }

// Len is the number of rows added (complete or not).
func (b *SegmentBuilder) Len() int { return len(b.commit) }

// Size is about how many bytes the rows take in memory.
func (b *SegmentBuilder) Size() int { return b.size }

// Err is the first problem found, or nil.
func (b *SegmentBuilder) Err() error { return b.err }

// CommitRange returns the first and last commit number of the rows.
func (b *SegmentBuilder) CommitRange() (first, last uint64) {
	return b.CommitRangeOf(0, b.Len())
}

// CommitRangeOf returns the first and last commit number of rows [from, to).
func (b *SegmentBuilder) CommitRangeOf(from, to int) (first, last uint64) {
	if from < 0 || to > len(b.commit) || from >= to {
		return 0, 0
	}
	return b.commit[from], b.commit[to-1]
}

// fail keeps the first problem, naming the current row.
func (b *SegmentBuilder) fail(format string, args ...any) {
	b.failAt(": ", format, args...)
}

// failImage keeps the first problem with a value of an image.
func (b *SegmentBuilder) failImage(img Image, format string, args ...any) {
	b.failAt(" "+img.String()+" image: ", format, args...)
}

func (b *SegmentBuilder) failAt(sep, format string, args ...any) {
	if b.err != nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if r := len(b.commit) - 1; r >= 0 {
		msg = fmt.Sprintf("commit %d seq %d%s%s", b.commit[r], b.seq[r], sep, msg)
	}
	b.err = errors.New(msg)
}

// StartRow begins a change row of commit n; its images are absent until
// their values are set.
func (b *SegmentBuilder) StartRow(n uint64, seq uint32, op Op) {
	b.reserveRow()
	code, ok := opCodeOf(op)
	b.commit = append(b.commit, n)
	b.seq = append(b.seq, seq)
	b.op = append(b.op, code)
	if last := len(b.commits) - 1; last < 0 || b.commits[last].n != n {
		b.commits = append(b.commits, commitInfo{n: n})
	}
	b.meta = append(b.meta, int32(len(b.commits)-1))
	for img := range b.images {
		for c := range b.images[img] {
			v := &b.images[img][c]
			v.defs = append(v.defs, defAbsent)
			if b.codecs[c].isBytes() {
				v.spans = append(v.spans, span{})
			} else {
				v.words = append(v.words, 0)
			}
		}
	}
	b.size += 16 + 10*len(b.codecs)
	switch {
	case !ok:
		b.fail("unknown operation %q", op)
	case n > math.MaxInt64:
		b.fail("commit number beyond int64")
	}
}

// SetCommit records the source commit time and GTID of the rows of the
// newest commit, which must be commit n.
func (b *SegmentBuilder) SetCommit(n uint64, at time.Time, gtid string) {
	last := len(b.commits) - 1
	if last < 0 || b.commits[last].n != n {
		b.fail("commit %d has no rows to date", n)
		return
	}
	if !utf8.ValidString(gtid) {
		b.fail("GTID is not valid UTF-8")
		return
	}
	b.commits[last] = commitInfo{n: n, micros: at.UnixMicro(), gtid: gtid, set: true}
}

// EndRow checks that the row has the images its operation needs, each
// complete, and returns the first problem found so far.
func (b *SegmentBuilder) EndRow() error {
	if b.err != nil {
		return b.err
	}
	r := len(b.commit) - 1
	if r < 0 {
		return nil
	}
	op := b.op[r]
	if err := b.checkImage(r, Before, op != opInsert); err != nil {
		b.fail("%v", err)
	} else if err := b.checkImage(r, After, op != opDelete); err != nil {
		b.fail("%v", err)
	}
	return b.err
}

func (b *SegmentBuilder) checkImage(r int, img Image, needed bool) error {
	vs := b.images[img]
	set := 0
	for c := range vs {
		if vs[c].defs[r] != defAbsent {
			set++
		}
	}
	switch {
	case needed && set == 0:
		return fmt.Errorf("%s change to %s has no %s image", opNames[b.op[r]], b.s.Name(), img)
	case !needed && set > 0:
		return fmt.Errorf("%s change to %s has an unexpected %s image", opNames[b.op[r]], b.s.Name(), img)
	case needed && set < len(vs):
		return fmt.Errorf("%s image of %s has %d values, schema version %d has %d columns", img, b.s.Name(), set, b.s.Version, len(vs))
	}
	return nil
}

// slot returns the vector of a column of the current row's image, after
// checking that the column holds values of kind k and is not yet set.
func (b *SegmentBuilder) slot(img Image, col int, k goKind, what string) *vector {
	r := len(b.commit) - 1
	if r < 0 || col < 0 || col >= len(b.codecs) || img > After {
		b.fail("value for column %d of the %s image, outside a row of %d columns", col, img, len(b.codecs))
		return nil
	}
	v := &b.images[img][col]
	switch {
	case v.defs[r] != defAbsent:
		b.failImage(img, "column %s set twice", b.s.Columns[col].Name)
		return nil
	case k != 0 && b.codecs[col].goKind != k:
		b.failValue(img, col, what, "has the wrong type")
		return nil
	}
	return v
}

func (b *SegmentBuilder) failValue(img Image, col int, what, problem string) {
	c := &b.s.Columns[col]
	b.failImage(img, "column %s (%s): %s value %s, want %s", c.Name, c.SQLType, what, problem, b.codecs[col].goKind)
}

// Null sets a column of the current row's image to NULL.
func (b *SegmentBuilder) Null(img Image, col int) {
	if v := b.slot(img, col, 0, "nil"); v != nil {
		v.defs[len(v.defs)-1] = defNull
	}
}

// Int sets a signed integer or YEAR column.
func (b *SegmentBuilder) Int(img Image, col int, x int64) {
	if v := b.slot(img, col, goInt64, "int64"); v != nil {
		b.setWord(v, img, col, uint64(x), x < 0, "int64")
	}
}

// Uint sets an unsigned integer or BIT column.
func (b *SegmentBuilder) Uint(img Image, col int, x uint64) {
	if v := b.slot(img, col, goUint64, "uint64"); v != nil {
		b.setWord(v, img, col, x, false, "uint64")
	}
}

func (b *SegmentBuilder) setWord(v *vector, img Image, col int, u uint64, negative bool, what string) {
	if !b.codecs[col].fits(u, negative) {
		b.failValue(img, col, what, "is out of range")
		return
	}
	r := len(v.defs) - 1
	v.defs[r], v.words[r] = defValue, u
}

// Float32 sets a FLOAT column.
func (b *SegmentBuilder) Float32(img Image, col int, x float32) {
	if v := b.slot(img, col, goFloat32, "float32"); v != nil {
		r := len(v.defs) - 1
		v.defs[r], v.words[r] = defValue, uint64(math.Float32bits(x))
	}
}

// Float64 sets a DOUBLE column.
func (b *SegmentBuilder) Float64(img Image, col int, x float64) {
	if v := b.slot(img, col, goFloat64, "float64"); v != nil {
		r := len(v.defs) - 1
		v.defs[r], v.words[r] = defValue, math.Float64bits(x)
	}
}

// Text sets a column whose values are strings (text, decimal, temporal,
// enum, set, JSON) from UTF-8 bytes, which it copies.
func (b *SegmentBuilder) Text(img Image, col int, x []byte) {
	if v := b.slot(img, col, goString, "string"); v != nil {
		if !utf8.Valid(x) {
			b.failValue(img, col, "string", "is not valid UTF-8")
			return
		}
		b.setBytes(v, x)
	}
}

// TrustedText is Text for bytes the caller has just checked to be valid
// UTF-8 (the binlog decoder's fast path checks that in the same pass that
// looks for text needing conversion): it skips Text's own check, so that
// text is scanned once. Anything else calls Text.
func (b *SegmentBuilder) TrustedText(img Image, col int, x []byte) {
	if v := b.slot(img, col, goString, "string"); v != nil {
		b.setBytes(v, x)
	}
}

// String sets a column whose values are strings.
func (b *SegmentBuilder) String(img Image, col int, x string) {
	if v := b.slot(img, col, goString, "string"); v != nil {
		if !utf8.ValidString(x) {
			b.failValue(img, col, "string", "is not valid UTF-8")
			return
		}
		b.setBytes(v, unsafeBytes(x))
	}
}

// Bytes sets a binary or geometry column, copying x.
func (b *SegmentBuilder) Bytes(img Image, col int, x []byte) {
	if v := b.slot(img, col, goBytes, "[]byte"); v != nil {
		b.setBytes(v, x)
	}
}

func (b *SegmentBuilder) setBytes(v *vector, x []byte) {
	if len(v.data)+len(x) > math.MaxUint32 {
		b.fail("more than 4 GiB of values in one column of one segment")
		return
	}
	if cap(v.data)-len(v.data) < len(x) {
		v.data = grow(v.data, len(x))
	}
	r := len(v.defs) - 1
	v.defs[r] = defValue
	v.spans[r] = span{off: uint32(len(v.data)), n: uint32(len(x))}
	v.data = append(v.data, x...)
	b.size += len(x)
}

// reserveRow makes room for one more row in every per-row slice.
func (b *SegmentBuilder) reserveRow() {
	if len(b.commit) < cap(b.commit) {
		return
	}
	b.commit, b.seq, b.op, b.meta = grow(b.commit, 1), grow(b.seq, 1), grow(b.op, 1), grow(b.meta, 1)
	for img := range b.images {
		for c := range b.images[img] {
			v := &b.images[img][c]
			v.defs = grow(v.defs, 1)
			if b.codecs[c].isBytes() {
				v.spans = grow(v.spans, 1)
			} else {
				v.words = grow(v.words, 1)
			}
		}
	}
}

// grow returns s with room for n more elements, at least doubling its
// capacity: append grows large slices by a quarter at a time, which copied
// a batch's values several times over.
func grow[T any](s []T, n int) []T {
	if cap(s)-len(s) >= n {
		return s
	}
	out := make([]T, len(s), max(2*cap(s), len(s)+n, 256))
	copy(out, s)
	return out
}

// KeyChanged reports whether the current row's before and after images
// differ on any of the columns in key.
func (b *SegmentBuilder) KeyChanged(key []int) bool {
	r := len(b.commit) - 1
	for _, c := range key {
		if c < 0 || c >= len(b.codecs) {
			return true
		}
		bv, av := &b.images[Before][c], &b.images[After][c]
		if bv.defs[r] != av.defs[r] {
			return true
		}
		if bv.defs[r] != defValue {
			continue
		}
		if b.codecs[c].isBytes() {
			if string(bv.bytes(r)) != string(av.bytes(r)) {
				return true
			}
		} else if bv.words[r] != av.words[r] {
			return true
		}
	}
	return false
}

func (v *vector) bytes(r int) []byte {
	s := v.spans[r]
	return v.data[s.off : s.off+s.n : s.off+s.n]
}

// SplitUpdate turns the current row, an update, into a delete of its before
// image followed by an insert (with seq one more) of its after image: how a
// primary-key update is stored.
func (b *SegmentBuilder) SplitUpdate() {
	r := len(b.commit) - 1
	if r < 0 || b.op[r] != opUpdate {
		b.fail("split of a row that is not an update")
		return
	}
	b.op[r] = opDelete
	b.reserveRow()
	b.commit = append(b.commit, b.commit[r])
	b.seq = append(b.seq, b.seq[r]+1)
	b.op = append(b.op, opInsert)
	b.meta = append(b.meta, b.meta[r])
	for c := range b.codecs {
		bv, av := &b.images[Before][c], &b.images[After][c]
		bv.defs = append(bv.defs, defAbsent)
		av.defs = append(av.defs, av.defs[r])
		av.defs[r] = defAbsent
		if b.codecs[c].isBytes() {
			bv.spans = append(bv.spans, span{})
			av.spans = append(av.spans, av.spans[r])
			av.spans[r] = span{}
		} else {
			bv.words = append(bv.words, 0)
			av.words = append(av.words, av.words[r])
			av.words[r] = 0
		}
	}
	b.size += 16 + 10*len(b.codecs)
}

// Truncate drops every row from the n-th on (rows of a transaction that
// will not be committed now).
func (b *SegmentBuilder) Truncate(n int) {
	if n >= len(b.commit) {
		return
	}
	removed := len(b.commit) - n
	b.size -= removed * (16 + 10*len(b.codecs))
	for img := range b.images {
		for c := range b.images[img] {
			if v := &b.images[img][c]; v.spans != nil {
				for _, sp := range v.spans[n:] {
					b.size -= int(sp.n)
				}
			}
		}
	}
	b.commit, b.seq, b.op = b.commit[:n], b.seq[:n], b.op[:n]
	b.meta = b.meta[:n]
	keep := 0
	if n > 0 {
		keep = int(b.meta[n-1]) + 1
	}
	b.commits = b.commits[:keep]
	for img := range b.images {
		for c := range b.images[img] {
			v := &b.images[img][c]
			v.defs = v.defs[:n]
			if v.words != nil {
				v.words = v.words[:n]
			}
			if v.spans != nil {
				v.spans = v.spans[:n]
			}
		}
	}
}

// AppendChange adds a change given as canonical Go values (see Kind).
func (b *SegmentBuilder) AppendChange(c *Change) error {
	b.StartRow(c.Commit, c.Seq, c.Op)
	if last := b.commits[len(b.commits)-1]; last.set && (last.micros != c.Time.UnixMicro() || last.gtid != c.GTID) {
		// Rows of one commit normally share both; keep each row's own.
		b.commits = append(b.commits, commitInfo{n: c.Commit})
		b.meta[len(b.meta)-1] = int32(len(b.commits) - 1)
	}
	b.SetCommit(c.Commit, c.Time, c.GTID)
	if err := c.Validate(b.s); err != nil {
		b.fail("%v", err)
		return b.err
	}
	b.appendImage(Before, c.Before)
	b.appendImage(After, c.After)
	return b.EndRow()
}

func (b *SegmentBuilder) appendImage(img Image, values []any) {
	for col, v := range values {
		b.Value(img, col, v)
	}
}

// Value sets a column to a canonical Go value (see Kind), nil for NULL.
func (b *SegmentBuilder) Value(img Image, col int, v any) {
	switch x := v.(type) {
	case nil:
		b.Null(img, col)
	case int64:
		b.Int(img, col, x)
	case uint64:
		b.Uint(img, col, x)
	case float32:
		b.Float32(img, col, x)
	case float64:
		b.Float64(img, col, x)
	case string:
		b.String(img, col, x)
	case []byte:
		b.Bytes(img, col, x)
	default:
		if b.slot(img, col, 0, "") != nil {
			b.failValue(img, col, fmt.Sprintf("%T", v), "has the wrong type")
		}
	}
}

// Change returns row r as canonical Go values, as ReadSegment would return
// it once written.
func (b *SegmentBuilder) Change(r int) Change {
	ci := b.commits[b.meta[r]]
	c := Change{Commit: b.commit[r], Seq: b.seq[r], Op: opNames[b.op[r]], GTID: ci.gtid}
	if ci.set {
		c.Time = time.UnixMicro(ci.micros).UTC()
	}
	for img := range b.images {
		vs := b.images[img]
		if vs[0].defs[r] == defAbsent {
			continue
		}
		values := make([]any, len(vs))
		for col := range vs {
			values[col] = b.value(&vs[col], &b.codecs[col], r)
		}
		if Image(img) == Before {
			c.Before = values
		} else {
			c.After = values
		}
	}
	return c
}

// value is the canonical Go value of row r of a vector.
func (b *SegmentBuilder) value(v *vector, c *codec, r int) any {
	if v.defs[r] != defValue {
		return nil
	}
	switch c.goKind {
	case goInt64:
		return int64(v.words[r])
	case goUint64:
		return v.words[r]
	case goFloat32:
		return math.Float32frombits(uint32(v.words[r]))
	case goFloat64:
		return math.Float64frombits(v.words[r])
	case goString:
		return string(v.bytes(r))
	}
	return append([]byte{}, v.bytes(r)...)
}

// Reset empties the builder for reuse, keeping its memory.
func (b *SegmentBuilder) Reset() {
	b.commit, b.seq, b.op, b.meta = b.commit[:0], b.seq[:0], b.op[:0], b.meta[:0]
	clear(b.commits) // drop the GTID strings
	b.commits = b.commits[:0]
	for img := range b.images {
		for c := range b.images[img] {
			v := &b.images[img][c]
			v.defs, v.words, v.spans, v.data = v.defs[:0], v.words[:0], v.spans[:0], v.data[:0]
		}
	}
	b.size, b.err = 0, nil
}
