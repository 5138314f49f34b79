package layout

import (
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// zstdCodec is the Parquet compression of segments and checkpoints: plain
// zstd frames, which every Parquet reader decodes, written with the fastest
// match finder but with entropy coding of literals always on.
//
// Change rows are mostly text with few long matches (sysbench's random
// digits are the extreme); the default level spends its time looking for
// matches that are not there, and the fastest level on its own also skips
// Huffman coding of literal runs that have no matches, which is where most of
// the gain is. Measured on sysbench segments: within 5% of the default
// level's size, at a third of its CPU time.
type zstdCodec struct {
	encoders sync.Pool
}

var segmentCodec = &zstdCodec{}

func (c *zstdCodec) String() string                            { return "ZSTD" }
func (c *zstdCodec) CompressionCodec() format.CompressionCodec { return format.Zstd }

// Encode compresses src into dst's storage.
func (c *zstdCodec) Encode(dst, src []byte) ([]byte, error) {
	e, _ := c.encoders.Get().(*zstd.Encoder)
	if e == nil {
		var err error
		e, err = zstd.NewWriter(nil,
			zstd.WithEncoderConcurrency(1),
			zstd.WithEncoderLevel(zstd.SpeedFastest),
			zstd.WithAllLitEntropyCompression(true),
			zstd.WithZeroFrames(true),
			zstd.WithEncoderCRC(false))
		if err != nil {
			return nil, err
		}
	}
	defer c.encoders.Put(e)
	return e.EncodeAll(src, dst[:0]), nil
}

// Decode decompresses src into dst's storage (as parquet-go's own zstd
// codec, which readers use anyway).
func (c *zstdCodec) Decode(dst, src []byte) ([]byte, error) {
	return parquet.Zstd.Decode(dst, src)
}
