package binlog

import (
	"strings"
	"testing"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/layout"
)

// benchText is text of the kind tables hold: mostly ASCII, some accents.
var benchText = []string{
	"Alice Martin", "rue de la Paix 12, Paris", "Ölçüm ünitesi", "order shipped on time",
	"José Ramírez", "customer asked for a refund because the parcel arrived late", "ok", "",
	"北京市海淀区", "Straße 5", "note: call back tomorrow morning before 10", "Zoë",
}

// benchRows encodes n insert images of (id INT, a VARCHAR(80), b TEXT,
// c VARCHAR(40), d VARCHAR(40) in cs) with the text above.
func benchRows(n int, cs uint64) (cols []testColumn, images []byte) {
	cols = []testColumn{
		{name: "id", typ: mysql.MYSQL_TYPE_LONG},
		{name: "a", typ: mysql.MYSQL_TYPE_VARCHAR, meta: 320, coll: utf8mb4Coll},
		{name: "b", typ: mysql.MYSQL_TYPE_BLOB, meta: 2, coll: utf8mb4Coll},
		{name: "c", typ: mysql.MYSQL_TYPE_VARCHAR, meta: 160, coll: utf8mb4Coll},
		{name: "d", typ: mysql.MYSQL_TYPE_VARCHAR, meta: 160, coll: cs},
	}
	for r := range n {
		images = append(images, 0) // no NULLs
		images = append(images, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
		for k, prefix := range []int{2, 2, 1, 1} {
			s := benchText[(r+k)%len(benchText)]
			if k == 1 {
				s = strings.Repeat(s+" ", 3)
			}
			if k == 3 {
				s = strings.Map(func(r rune) rune { return min(r, 'z') }, s) // ASCII: fits any charset
			}
			images = append(images, byte(len(s)))
			if prefix == 2 {
				images = append(images, byte(len(s)>>8))
			}
			images = append(images, s...)
		}
	}
	return cols, images
}

// BenchmarkRowDecoderText decodes rows of text columns: utf8mb4 (the
// fast path), and a fourth column in latin1 or, through the charset
// tables, cp1251.
func BenchmarkRowDecoderText(b *testing.B) {
	for _, bc := range []struct {
		name string
		coll uint64
	}{{"utf8mb4", utf8mb4Coll}, {"latin1", latin1Coll}, {"cp1251", 51}} {
		b.Run(bc.name, func(b *testing.B) {
			cols, images := benchRows(1000, bc.coll)
			p := testParser(b)
			tmEv, err := p.Parse(tableMapEvent(cols))
			if err != nil {
				b.Fatal(err)
			}
			tm := tmEv.Event.(*replication.TableMapEvent)
			lcols, pk, err := ColumnsFromTableMap(tm)
			if err != nil {
				b.Fatal(err)
			}
			d := NewRowDecoder(tm, lcols)
			if d == nil {
				b.Fatal("no RowDecoder")
			}
			s := &layout.TableSchema{DB: "test", Table: "t", Version: 1, Columns: lcols, PrimaryKey: pk}
			builder, err := layout.NewSegmentBuilder(s)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(images)))
			b.ReportAllocs()
			for b.Loop() {
				builder.Reset()
				for pos, seq := 0, uint32(0); pos < len(images); seq++ {
					builder.StartRow(1, seq, layout.OpInsert)
					builder.SetCommit(1, t0, "")
					n, err := d.Image(images[pos:], builder, layout.After)
					if err != nil {
						b.Fatal(err)
					}
					pos += n
					if err := builder.EndRow(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
