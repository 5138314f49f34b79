package ingest

import (
	"fmt"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/ingest/binlog"
	"github.com/binlake/binlake/layout"
)

// rowAdder adds the rows of one rows event to the segment builder of its
// table, numbering them in the transaction being read.
type rowAdder struct {
	a  *assembler
	tc *tableChanges
	b  *layout.SegmentBuilder
	op layout.Op
	pk []int
}

// decode adds the rows of an event whose rows data binlog.RowDecoder decodes.
func (r *rowAdder) decode(d *binlog.RowDecoder, typ replication.EventType, data []byte) error {
	body, err := binlog.RowsBody(typ, data)
	if err != nil {
		return err
	}
	images := binlog.Images(r.op)
	for pos, row := 0, 1; pos < len(body); row++ {
		r.start()
		for _, img := range images {
			n, err := d.Image(body[pos:], r.b, img)
			if err != nil {
				return fmt.Errorf("row %d of the event, %s image: malformed event: %w", row, img, err)
			}
			pos += n
		}
		if err := r.finish(); err != nil {
			return err
		}
	}
	return nil
}

// convert adds rows that go-mysql decoded, through binlog.Canonical.
func (r *rowAdder) convert(m *mappedTable, rows [][]any) error {
	images := binlog.Images(r.op)
	if len(rows)%len(images) != 0 {
		return fmt.Errorf("%s event with %d row images, not a multiple of %d", r.op, len(rows), len(images))
	}
	for i := 0; i < len(rows); i += len(images) {
		r.start()
		for k, img := range images {
			if err := r.canonical(m, img, rows[i+k]); err != nil {
				return err
			}
		}
		if err := r.finish(); err != nil {
			return err
		}
	}
	return nil
}

func (r *rowAdder) canonical(m *mappedTable, img layout.Image, row []any) error {
	if len(row) < len(m.cols) {
		return fmt.Errorf("row of %s has %d values, table map has %d columns", m.ref, len(row), len(m.cols))
	}
	for i := range m.cols {
		v, err := binlog.Canonical(&m.cols[i], row[i])
		if err != nil {
			return fmt.Errorf("%s: %w", m.cols[i].Name, err)
		}
		r.b.Value(img, i, v)
	}
	return nil
}

func (r *rowAdder) start() { r.b.StartRow(r.a.next, r.a.cur.seq, r.op) }

// finish ends a row; an update that changes the primary key becomes a
// delete and an insert, so that every change row touches one key.
func (r *rowAdder) finish() error {
	if err := r.b.EndRow(); err != nil {
		return err
	}
	if r.op == layout.OpUpdate && len(r.pk) > 0 && r.b.KeyChanged(r.pk) {
		r.b.SplitUpdate()
		r.a.cur.count(r.tc, layout.OpDelete)
		r.a.cur.count(r.tc, layout.OpInsert)
		return r.b.Err()
	}
	r.a.cur.count(r.tc, r.op)
	return nil
}
