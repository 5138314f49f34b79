package layout

import (
	"math"

	"github.com/parquet-go/parquet-go"
)

// columnEncoder writes a builder's rows to a Parquet writer one leaf column
// at a time, through a reused buffer of values.
type columnEncoder struct {
	b       *SegmentBuilder
	columns []*parquet.ColumnWriter
	values  []parquet.Value
}

// rowGroup writes rows [start, end) of every column; the caller then ends
// the row group.
func (e *columnEncoder) rowGroup(start, end int) error {
	for col := range e.columns {
		for lo := start; lo < end; lo += rowsPerBatch {
			hi := min(end, lo+rowsPerBatch)
			if _, err := e.columns[col].WriteRowValues(e.fill(col, lo, hi)); err != nil {
				return err
			}
		}
	}
	return nil
}

// fill returns the values of leaf column col for rows [lo, hi).
func (e *columnEncoder) fill(col, lo, hi int) []parquet.Value {
	if cap(e.values) < hi-lo {
		e.values = make([]parquet.Value, rowsPerBatch)
	}
	dst := e.values[:hi-lo]
	b := e.b
	switch col {
	case colCommit:
		for i := range dst {
			put(&dst[i], parquet.Int64Value(int64(b.commit[lo+i])), 0, col)
		}
	case colSeq:
		for i := range dst {
			put(&dst[i], parquet.Int32Value(int32(b.seq[lo+i])), 0, col)
		}
	case colOp:
		for i := range dst {
			put(&dst[i], stringValue(string(opNames[b.op[lo+i]])), 0, col)
		}
	case colTime:
		for i := range dst {
			put(&dst[i], parquet.Int64Value(b.commits[b.meta[lo+i]].micros), 0, col)
		}
	case colGTID:
		for i := range dst {
			put(&dst[i], stringValue(b.commits[b.meta[lo+i]].gtid), 0, col)
		}
	default:
		n := len(b.codecs)
		img, c := Before, col-numChangeCols
		if c >= n {
			img, c = After, c-n
		}
		fillImage(dst, &b.images[img][c], &b.codecs[c], lo, col)
	}
	return dst
}

// fillImage fills dst with the values of one image column for rows from
// lo on.
func fillImage(dst []parquet.Value, v *vector, c *codec, lo, col int) {
	for i := range dst {
		r := lo + i
		def := int(v.defs[r])
		if def != defValue {
			put(&dst[i], parquet.NullValue(), def, col)
			continue
		}
		var pv parquet.Value
		switch c.physical {
		case parquet.ByteArray:
			pv = parquet.ByteArrayValue(v.bytes(r))
		case parquet.Float:
			pv = parquet.FloatValue(math.Float32frombits(uint32(v.words[r])))
		case parquet.Double:
			pv = parquet.DoubleValue(math.Float64frombits(v.words[r]))
		default:
			pv = c.intValue(v.words[r])
		}
		put(&dst[i], pv, defValue, col)
	}
}
