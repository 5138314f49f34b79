package binlog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
)

// RowDecoder decodes the row images of rows events straight into a segment
// builder, as canonical values: the same values go-mysql's decoding followed
// by Canonical gives (rowdecode_test.go checks this against go-mysql, value
// for value), without boxing each one in an interface. It knows the column
// types of current MySQL and MariaDB tables; a table with any other column
// (JSON, for one) has no RowDecoder and takes go-mysql's path.
type RowDecoder struct {
	cols    []colDecoder
	raw     []byte // go-mysql's text of a decimal or temporal value
	scratch []byte // a value being built: canonical text, decoded text, sets, BINARY
}

// colDecoder decodes the values of one column.
type colDecoder struct {
	op       decodeOp
	size     int  // fixed byte width, or the bytes of the length prefix
	unsigned bool // integers
	dec      int  // fractional-second digits, decimal scale
	prec     int  // decimal precision; bit width
	text     textPath
	charset  value.Charset // of text other than utf8mb4, utf8mb3 and latin1
	fixed    bool          // BINARY(width): values are padded to width bytes
	width    int
	kind     layout.Kind
	members  []string
}

type decodeOp uint8

// textPath is how a text column's bytes become canonical UTF-8: as they
// are when they are plain UTF-8 (value.PlainUTF8), by the latin1 table, or
// through value.Charset.
type textPath uint8

const (
	textUTF8MB4 textPath = iota
	textUTF8MB3
	textLatin1
	textCharset
)

const (
	opInt decodeOp = iota + 1
	opFloat
	opDouble
	opDecimal
	opBit
	opYear
	opDate
	opDatetime
	opTimestamp
	opTime
	opText  // a string with a length prefix of size bytes
	opBytes // the same, binary
	opEnum
	opSet
)

// NewRowDecoder returns a decoder for the rows of a table map whose columns
// ColumnsFromTableMap derived as cols, or nil when a column needs go-mysql.
func NewRowDecoder(tm *replication.TableMapEvent, cols []layout.Column) *RowDecoder {
	if len(tm.ColumnType) != len(cols) || len(tm.ColumnMeta) != len(cols) {
		return nil
	}
	d := &RowDecoder{cols: make([]colDecoder, len(cols))}
	for i := range cols {
		c, ok := columnDecoder(tm.ColumnType[i], tm.ColumnMeta[i], &cols[i])
		if !ok {
			return nil
		}
		d.cols[i] = c
	}
	return d
}

func columnDecoder(typ byte, meta uint16, col *layout.Column) (colDecoder, bool) {
	c := colDecoder{unsigned: col.Unsigned, kind: col.Kind}
	switch typ {
	case mysql.MYSQL_TYPE_TINY, mysql.MYSQL_TYPE_SHORT, mysql.MYSQL_TYPE_INT24, mysql.MYSQL_TYPE_LONG, mysql.MYSQL_TYPE_LONGLONG:
		c.op, c.size = opInt, col.Width
	case mysql.MYSQL_TYPE_FLOAT:
		c.op = opFloat
	case mysql.MYSQL_TYPE_DOUBLE:
		c.op = opDouble
	case mysql.MYSQL_TYPE_NEWDECIMAL:
		c.op, c.prec, c.dec = opDecimal, int(meta>>8), int(meta&0xff)
		if c.dec > c.prec || c.dec > 30 || c.prec > 65 || c.dec != col.Scale {
			return c, false
		}
	case mysql.MYSQL_TYPE_BIT:
		c.op, c.prec = opBit, int(meta>>8)*8+int(meta&0xff)
		c.size = (c.prec + 7) / 8
	case mysql.MYSQL_TYPE_YEAR:
		c.op = opYear
	case mysql.MYSQL_TYPE_DATE:
		c.op = opDate
	case mysql.MYSQL_TYPE_DATETIME2, mysql.MYSQL_TYPE_TIMESTAMP2, mysql.MYSQL_TYPE_TIME2:
		c.op, c.dec = temporalOps[typ], int(meta)
		if c.dec > 6 || c.dec != col.Scale {
			return c, false
		}
	case mysql.MYSQL_TYPE_VARCHAR, mysql.MYSQL_TYPE_VAR_STRING:
		c.size = prefixBytes(int(meta))
		return c.stringLike(col)
	case mysql.MYSQL_TYPE_STRING:
		return c.fixedString(meta, col)
	case mysql.MYSQL_TYPE_BLOB, mysql.MYSQL_TYPE_GEOMETRY:
		if meta < 1 || meta > 4 {
			return c, false
		}
		c.size = int(meta)
		return c.stringLike(col)
	default:
		return c, false // JSON, the old temporal types, anything new
	}
	return c, c.matches(col)
}

// prefixBytes is the length prefix of a CHAR or VARCHAR of at most max bytes.
func prefixBytes(max int) int {
	if max < 256 {
		return 1
	}
	return 2
}

// fixedString sets up MYSQL_TYPE_STRING, whose metadata holds the real type
// (CHAR, BINARY, ENUM or SET) as ColumnsFromTableMap reads it.
func (c colDecoder) fixedString(meta uint16, col *layout.Column) (colDecoder, bool) {
	rtype, length := stringRealType(meta)
	switch rtype {
	case mysql.MYSQL_TYPE_ENUM, mysql.MYSQL_TYPE_SET:
		c.op, c.size, c.members = opEnum, int(meta&0xff), col.Members
		if rtype == mysql.MYSQL_TYPE_SET {
			c.op = opSet
		}
		return c, c.matches(col) && (c.op == opSet && c.size >= 1 && c.size <= 8 || c.op == opEnum && (c.size == 1 || c.size == 2))
	case mysql.MYSQL_TYPE_STRING:
		c.size = prefixBytes(length)
		c.fixed, c.width = col.Kind == layout.KindBytes && col.Fixed, col.Width
		return c.stringLike(col)
	}
	return c, false
}

// stringLike picks text or bytes by the column's kind and character set.
func (c colDecoder) stringLike(col *layout.Column) (colDecoder, bool) {
	switch col.Kind {
	case layout.KindBytes, layout.KindGeometry:
		c.op = opBytes
		return c, true
	case layout.KindString:
		c.op = opText
		c.charset = value.CharsetNamed(col.Charset)
		switch c.charset.Name {
		case "utf8mb4":
			c.text = textUTF8MB4
		case "utf8mb3":
			c.text = textUTF8MB3
		case "latin1":
			c.text = textLatin1
		default:
			c.text = textCharset
		}
		return c, c.charset.Known()
	}
	return c, false
}

var temporalOps = map[byte]decodeOp{mysql.MYSQL_TYPE_DATETIME2: opDatetime, mysql.MYSQL_TYPE_TIMESTAMP2: opTimestamp,
	mysql.MYSQL_TYPE_TIME2: opTime}

// opKinds is the column kind each operation decodes to.
var opKinds = map[decodeOp]layout.Kind{opInt: layout.KindInt, opFloat: layout.KindFloat, opDouble: layout.KindDouble,
	opDecimal: layout.KindDecimal, opBit: layout.KindBit, opYear: layout.KindYear, opDate: layout.KindDate,
	opDatetime: layout.KindDatetime, opTimestamp: layout.KindTimestamp, opTime: layout.KindTime,
	opEnum: layout.KindEnum, opSet: layout.KindSet}

// matches checks that the column's kind is the one the binlog type decodes
// to, so that the builder receives the values it expects.
func (c colDecoder) matches(col *layout.Column) bool { return col.Kind == opKinds[c.op] }

var errShortRow = errors.New("the event ends inside a row image")

// image decodes one full row image (every column present) at the start of
// data into image img of the builder's current row, and returns its length.
func (d *RowDecoder) Image(data []byte, b *layout.SegmentBuilder, img layout.Image) (int, error) {
	nullBytes := (len(d.cols) + 7) / 8
	if len(data) < nullBytes {
		return 0, errShortRow
	}
	nulls, pos := data[:nullBytes], nullBytes
	for i := range d.cols {
		if nulls[i>>3]&(1<<(i&7)) != 0 {
			b.Null(img, i)
			continue
		}
		n, err := d.value(data[pos:], b, img, i)
		if err != nil {
			return 0, fmt.Errorf("column %d: %w", i+1, err)
		}
		pos += n
	}
	return pos, nil
}

// value decodes the value of column i at the start of data and returns its
// length.
func (d *RowDecoder) value(data []byte, b *layout.SegmentBuilder, img layout.Image, i int) (int, error) {
	c := &d.cols[i]
	switch c.op {
	case opInt:
		if len(data) < c.size {
			return 0, errShortRow
		}
		u := littleEndian(data[:c.size])
		if c.unsigned {
			b.Uint(img, i, u)
		} else {
			shift := 64 - 8*c.size
			b.Int(img, i, int64(u<<shift)>>shift)
		}
		return c.size, nil
	case opFloat:
		if len(data) < 4 {
			return 0, errShortRow
		}
		f := math.Float32frombits(binary.LittleEndian.Uint32(data))
		if f == 0 {
			f = 0 // MariaDB's SELECT shows -0 as 0 (see value.PositiveZero)
		}
		b.Float32(img, i, f)
		return 4, nil
	case opDouble:
		if len(data) < 8 {
			return 0, errShortRow
		}
		b.Float64(img, i, value.PositiveZero(math.Float64frombits(binary.LittleEndian.Uint64(data))))
		return 8, nil
	case opYear:
		if len(data) < 1 {
			return 0, errShortRow
		}
		y := int64(data[0])
		if y != 0 {
			y += 1900
		}
		b.Int(img, i, y)
		return 1, nil
	case opBit:
		return d.bit(data, b, img, i)
	case opEnum:
		return d.enum(data, b, img, i)
	case opSet:
		return d.set(data, b, img, i)
	case opText, opBytes:
		return d.str(data, b, img, i)
	}
	return d.formatted(data, b, img, i)
}

// formatted decodes the kinds stored as text that binlake formats itself:
// decimals and temporal values.
func (d *RowDecoder) formatted(data []byte, b *layout.SegmentBuilder, img layout.Image, i int) (int, error) {
	c := &d.cols[i]
	var n int
	var err error
	raw := d.raw[:0]
	switch c.op {
	case opDecimal:
		raw, n, err = rawDecimal(raw, data, c.prec, c.dec)
	case opDate:
		raw, n, err = rawDate(raw, data)
	case opDatetime:
		raw, n, err = rawDatetime2(raw, data, c.dec)
	case opTimestamp:
		raw, n, err = rawTimestamp2(raw, data, c.dec)
	case opTime:
		raw, n, err = rawTime2(raw, data, c.dec)
	default:
		return 0, fmt.Errorf("no decoder for operation %d", c.op)
	}
	d.raw = raw
	if err != nil {
		return 0, err
	}
	if c.op == opDecimal {
		d.scratch, err = value.AppendDecimal(d.scratch[:0], c.dec, raw)
	} else {
		d.scratch, err = value.AppendTemporal(d.scratch[:0], c.kind, c.dec, raw)
	}
	if err != nil {
		return 0, err
	}
	b.Text(img, i, d.scratch)
	return n, nil
}

func littleEndian(b []byte) uint64 {
	var u uint64
	for j := len(b) - 1; j >= 0; j-- {
		u = u<<8 | uint64(b[j])
	}
	return u
}

func bigEndian(b []byte) uint64 {
	var u uint64
	for _, x := range b {
		u = u<<8 | uint64(x)
	}
	return u
}

func (d *RowDecoder) bit(data []byte, b *layout.SegmentBuilder, img layout.Image, i int) (int, error) {
	c := &d.cols[i]
	if c.size < 1 || c.size > 8 {
		return 0, fmt.Errorf("invalid bit length %d", c.size)
	}
	if len(data) < c.size {
		return 0, errShortRow
	}
	u := bigEndian(data[:c.size])
	if c.prec > 0 && c.prec < 64 && u>>c.prec != 0 {
		return 0, fmt.Errorf("value %#x has more than %d bits", u, c.prec)
	}
	b.Uint(img, i, u)
	return c.size, nil
}

func (d *RowDecoder) enum(data []byte, b *layout.SegmentBuilder, img layout.Image, i int) (int, error) {
	c := &d.cols[i]
	if len(data) < c.size {
		return 0, errShortRow
	}
	k := littleEndian(data[:c.size])
	switch {
	case k == 0:
		b.String(img, i, "")
	case k > uint64(len(c.members)):
		return 0, fmt.Errorf("enum index %d, the column has %d members", k, len(c.members))
	default:
		b.String(img, i, c.members[k-1])
	}
	return c.size, nil
}

func (d *RowDecoder) set(data []byte, b *layout.SegmentBuilder, img layout.Image, i int) (int, error) {
	c := &d.cols[i]
	if len(data) < c.size {
		return 0, errShortRow
	}
	mask := littleEndian(data[:c.size])
	if n := len(c.members); n < 64 && mask>>n != 0 {
		return 0, fmt.Errorf("set bitmask %#x names members beyond the %d the column has", mask, n)
	}
	d.scratch = d.scratch[:0]
	for j, m := range c.members {
		if mask&(1<<j) != 0 {
			if len(d.scratch) > 0 {
				d.scratch = append(d.scratch, ',')
			}
			d.scratch = append(d.scratch, m...)
		}
	}
	b.Text(img, i, d.scratch)
	return c.size, nil
}

// str decodes a value with a length prefix: CHAR, VARCHAR, BINARY,
// VARBINARY, TEXT, BLOB, GEOMETRY.
func (d *RowDecoder) str(data []byte, b *layout.SegmentBuilder, img layout.Image, i int) (int, error) {
	c := &d.cols[i]
	if len(data) < c.size {
		return 0, errShortRow
	}
	n := int(littleEndian(data[:c.size]))
	end := c.size + n
	if n < 0 || end > len(data) {
		return 0, errShortRow
	}
	v := data[c.size:end]
	switch {
	case c.op == opText:
		d.text(c, v, b, img, i)
	case c.fixed && len(v) < c.width:
		// The binlog strips trailing 0x00 from BINARY(n) values.
		d.scratch = append(d.scratch[:0], v...)
		for len(d.scratch) < c.width {
			d.scratch = append(d.scratch, 0)
		}
		b.Bytes(img, i, d.scratch)
	case c.fixed && len(v) > c.width:
		return 0, fmt.Errorf("%d bytes in a binary(%d) column", len(v), c.width)
	default:
		b.Bytes(img, i, v)
	}
	return end, nil
}

// text sets a text value: as it is when it is its own canonical form, the
// common case, else decoded into scratch.
func (d *RowDecoder) text(c *colDecoder, v []byte, b *layout.SegmentBuilder, img layout.Image, i int) {
	switch c.text {
	case textUTF8MB4, textUTF8MB3:
		if value.PlainUTF8(v, c.text == textUTF8MB3) {
			b.TrustedText(img, i, v)
			return
		}
		d.scratch = c.charset.AppendDecode(d.scratch[:0], v)
	case textLatin1:
		d.scratch = value.AppendLatin1(d.scratch[:0], v)
	default:
		d.scratch = c.charset.AppendDecode(d.scratch[:0], v)
	}
	b.Text(img, i, d.scratch)
}

// Images lists the images a row of an operation has, in binlog order.
func Images(op layout.Op) []layout.Image {
	switch op {
	case layout.OpInsert:
		return []layout.Image{layout.After}
	case layout.OpDelete:
		return []layout.Image{layout.Before}
	}
	return []layout.Image{layout.Before, layout.After}
}
