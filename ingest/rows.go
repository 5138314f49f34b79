package ingest

import (
	"fmt"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

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

// decode adds the rows of an event whose rows data rowDecoder decodes.
func (r *rowAdder) decode(d *rowDecoder, typ replication.EventType, data []byte) error {
	body, err := rowsBody(typ, data)
	if err != nil {
		return err
	}
	images := imagesOf(r.op)
	for pos, row := 0, 1; pos < len(body); row++ {
		r.start()
		for _, img := range images {
			n, err := d.image(body[pos:], r.b, img)
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

// rowsBody uncompresses the rows data of MariaDB's compressed rows events.
func rowsBody(typ replication.EventType, data []byte) (body []byte, err error) {
	switch typ {
	case replication.MARIADB_WRITE_ROWS_COMPRESSED_EVENT_V1, replication.MARIADB_UPDATE_ROWS_COMPRESSED_EVENT_V1,
		replication.MARIADB_DELETE_ROWS_COMPRESSED_EVENT_V1:
	default:
		return data, nil
	}
	defer func() {
		if p := recover(); p != nil {
			body, err = nil, fmt.Errorf("uncompress rows event: malformed event: %v", p)
		}
	}()
	if len(data) == 0 {
		return nil, fmt.Errorf("uncompress rows event: malformed event: no data")
	}
	body, err = mysql.DecompressMariadbData(data)
	if err != nil {
		return nil, fmt.Errorf("uncompress rows event: %w", err)
	}
	return body, nil
}

// convert adds rows that go-mysql decoded, through Canonical.
func (r *rowAdder) convert(m *mappedTable, rows [][]any) error {
	images := imagesOf(r.op)
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
		v, err := Canonical(&m.cols[i], row[i])
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

// imagesOf lists the images a row of an operation has, in binlog order.
func imagesOf(op layout.Op) []layout.Image {
	switch op {
	case layout.OpInsert:
		return []layout.Image{layout.After}
	case layout.OpDelete:
		return []layout.Image{layout.Before}
	}
	return []layout.Image{layout.Before, layout.After}
}

// lazyRows is the undecoded rows data of a rows event, which the parsers
// of ingest's sources leave to the assembler (see decodeRowsLazily).
type lazyRows []byte

// decodeRowsLazily is the rows-event decoder of ingest's own parsers: it
// decodes and checks the event header, as DecodeRows does, and keeps the
// rows data undecoded as the event's only value, for the assembler to
// decode with rowDecoder or, failing that, decodeRowsNow.
func decodeRowsLazily(e *replication.RowsEvent, data []byte) (err error) {
	defer recoverMalformed(&err, len(data))
	pos, err := decodeRowsHeader(e, data)
	if err != nil {
		return err
	}
	e.Rows = [][]any{{lazyRows(data[pos:])}}
	return nil
}

// lazyRowsData returns the rows data that decodeRowsLazily kept.
func lazyRowsData(e *replication.RowsEvent) ([]byte, bool) {
	if len(e.Rows) != 1 || len(e.Rows[0]) != 1 {
		return nil, false
	}
	data, ok := e.Rows[0][0].(lazyRows)
	return data, ok
}

// decodeRowsNow decodes kept rows data with go-mysql, as DecodeRows would
// have.
func decodeRowsNow(e *replication.RowsEvent, data []byte) (err error) {
	defer recoverMalformed(&err, len(data))
	e.Rows = nil
	return e.DecodeData(0, data)
}
