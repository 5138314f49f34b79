package layout

// The Parquet encoding of change segments and checkpoints.
//
// A segment holds change rows, one Parquet row per Change, with these
// columns in this order:
//
//	_commit  INT64, required                         the commit number
//	_seq     INT32 INT(32, unsigned), required       order inside the commit
//	_op      BYTE_ARRAY STRING, required             "insert", "update" or "delete"
//	_time    INT64 TIMESTAMP(MICROS, UTC), required  source commit time
//	_gtid    BYTE_ARRAY STRING, required             source GTID, "" when none
//	before   optional group                          before image, absent for inserts
//	after    optional group                          after image, absent for deletes
//
// Each image group holds the table's columns in MySQL column order, every one
// optional. A checkpoint is flat: the table's columns in MySQL order, every
// one optional, and nothing else. Table columns are stored by Kind as below,
// chosen so that DuckDB reads natural types and every value round-trips
// exactly:
//
//	| Kind                            | Go value | Parquet physical | Parquet logical        | DuckDB reads |
//	|---------------------------------|----------|------------------|------------------------|--------------|
//	| int, Width 1                    | int64    | INT32            | INT(8, signed)         | TINYINT      |
//	| int, Width 2                    | int64    | INT32            | INT(16, signed)        | SMALLINT     |
//	| int, Width 3 or 4               | int64    | INT32            | INT(32, signed)        | INTEGER      |
//	| int, Width 8                    | int64    | INT64            | INT(64, signed)        | BIGINT       |
//	| int unsigned, Width 1           | uint64   | INT32            | INT(8, unsigned)       | UTINYINT     |
//	| int unsigned, Width 2           | uint64   | INT32            | INT(16, unsigned)      | USMALLINT    |
//	| int unsigned, Width 3 or 4      | uint64   | INT32            | INT(32, unsigned)      | UINTEGER     |
//	| int unsigned, Width 8           | uint64   | INT64            | INT(64, unsigned)      | UBIGINT      |
//	| float                           | float32  | FLOAT            | none                   | FLOAT        |
//	| double                          | float64  | DOUBLE           | none                   | DOUBLE       |
//	| decimal                         | string   | BYTE_ARRAY       | STRING                 | VARCHAR      |
//	| bit                             | uint64   | INT64            | INT(64, unsigned)      | UBIGINT      |
//	| date, datetime, timestamp, time | string   | BYTE_ARRAY       | STRING                 | VARCHAR      |
//	| year                            | int64    | INT32            | INT(16, unsigned)      | USMALLINT    |
//	| string, enum, set, json         | string   | BYTE_ARRAY       | STRING                 | VARCHAR      |
//	| bytes, geometry                 | []byte   | BYTE_ARRAY       | none                   | BLOB         |
//
// Decimals stay text because MySQL's reach 65 digits and DuckDB's stop at 38;
// temporal values stay text so that zero dates ("0000-00-00") and TIME values
// beyond a day ("-838:59:59.000000") survive. NULL is a Parquet null. The
// file's key/value metadata holds the TableSchema as JSON under
// "binlake.schema" and the format version under "binlake.format" ("1");
// a checkpoint adds its commit number under "binlake.commit".

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// Key/value metadata of segment and checkpoint files.
const (
	metaSchema    = "binlake.schema"
	metaFormat    = "binlake.format"
	metaCommit    = "binlake.commit"
	metaPart      = "binlake.part"
	formatVersion = "1"
)

// The change-row columns that precede the images in a segment, and the
// leaf column index of each.
const (
	colCommit = iota
	colSeq
	colOp
	colTime
	colGTID
	numChangeCols
)

// SegmentSchema returns the Parquet schema of a segment of the table. It
// panics if the schema has a column of unknown kind or width, no columns,
// or two columns of the same name: schemas come from ingest, and the writers
// return those problems as errors.
func SegmentSchema(s *TableSchema) *parquet.Schema {
	schema, err := segmentSchema(s)
	if err != nil {
		panic(err)
	}
	return schema
}

// CheckpointSchema returns the Parquet schema of a checkpoint of the table.
// It panics where SegmentSchema does.
func CheckpointSchema(s *TableSchema) *parquet.Schema {
	schema, err := checkpointSchema(s)
	if err != nil {
		panic(err)
	}
	return schema
}

func segmentSchema(s *TableSchema) (*parquet.Schema, error) {
	codecs, err := codecsOf(s)
	if err != nil {
		return nil, err
	}
	delta := func(n parquet.Node) parquet.Node { return parquet.Encoded(n, &parquet.DeltaBinaryPacked) }
	root := newOrderedGroup(
		[]string{"_commit", "_seq", "_op", "_time", "_gtid", "before", "after"},
		[]parquet.Node{
			delta(parquet.Leaf(parquet.Int64Type)),
			delta(parquet.Uint(32)),
			parquet.Encoded(parquet.String(), &parquet.RLEDictionary),
			delta(parquet.Timestamp(parquet.Microsecond)),
			parquet.Encoded(parquet.String(), &parquet.DeltaByteArray),
			parquet.Optional(imageGroup(s, codecs)),
			parquet.Optional(imageGroup(s, codecs)),
		})
	return parquet.NewSchema("binlake_segment", root), nil
}

func checkpointSchema(s *TableSchema) (*parquet.Schema, error) {
	codecs, err := codecsOf(s)
	if err != nil {
		return nil, err
	}
	return parquet.NewSchema("binlake_checkpoint", imageGroup(s, codecs)), nil
}

// imageGroup returns a group of the table's columns, in MySQL order, all
// optional.
func imageGroup(s *TableSchema, codecs []codec) parquet.Node {
	names := make([]string, len(s.Columns))
	nodes := make([]parquet.Node, len(s.Columns))
	for i, c := range s.Columns {
		names[i] = c.Name
		nodes[i] = parquet.Optional(codecs[i].node())
	}
	return newOrderedGroup(names, nodes)
}

// orderedGroup is a Parquet group whose fields keep the order they were
// given in; parquet.Group sorts them by name.
type orderedGroup struct {
	parquet.Group
	fields []parquet.Field
}

// newOrderedGroup returns a group of the named nodes in the given order. The
// names must be distinct.
func newOrderedGroup(names []string, nodes []parquet.Node) *orderedGroup {
	g := &orderedGroup{Group: make(parquet.Group, len(names))}
	for i, name := range names {
		g.Group[name] = nodes[i]
	}
	// parquet.Group's fields know how to find their value in a Go value;
	// reuse them, reordered.
	byName := make(map[string]parquet.Field, len(names))
	for _, f := range g.Group.Fields() {
		byName[f.Name()] = f
	}
	g.fields = make([]parquet.Field, len(names))
	for i, name := range names {
		g.fields[i] = byName[name]
	}
	return g
}

// Fields returns the group's fields in their given order.
func (g *orderedGroup) Fields() []parquet.Field { return g.fields }

// String prints the group in Parquet's schema notation.
func (g *orderedGroup) String() string {
	var b strings.Builder
	_ = parquet.PrintSchema(&b, "", g)
	return b.String()
}

// GoType returns a struct type with the group's fields.
func (g *orderedGroup) GoType() reflect.Type { return g.Group.GoType() }

// checkColumns reports a schema that cannot be stored: no columns, or two
// columns whose names MySQL would consider the same.
func checkColumns(s *TableSchema) error {
	if len(s.Columns) == 0 {
		return fmt.Errorf("schema version %d of %s has no columns", s.Version, s.Name())
	}
	seen := make(map[string]bool, len(s.Columns))
	for _, c := range s.Columns {
		key := strings.ToLower(c.Name)
		if c.Name == "" || seen[key] {
			return fmt.Errorf("schema version %d of %s has an empty or repeated column name %q", s.Version, s.Name(), c.Name)
		}
		seen[key] = true
	}
	return nil
}

// goKind is the Go type of a column's canonical values.
type goKind uint8

const (
	goInt64 goKind = iota + 1
	goUint64
	goFloat32
	goFloat64
	goString
	goBytes
)

// String names the Go type, for error messages.
func (k goKind) String() string {
	return [...]string{"?", "int64", "uint64", "float32", "float64", "string", "[]byte"}[k]
}

// codec says how the values of one table column are held in Go and stored
// in Parquet: the mapping table at the top of this file, for one column.
type codec struct {
	goKind   goKind
	physical parquet.Kind // Int32, Int64, Float, Double or ByteArray
	bits     int          // integer storage width: 8, 16, 32 or 64
	valBits  int          // integer value width: bits, or 24 for MEDIUMINT
	unsigned bool         // integer storage is unsigned
	text     bool         // a byte array annotated STRING, so UTF-8
}

// codecsOf returns the codec of each column of s.
func codecsOf(s *TableSchema) ([]codec, error) {
	if err := checkColumns(s); err != nil {
		return nil, err
	}
	codecs := make([]codec, len(s.Columns))
	for i := range s.Columns {
		c, err := codecOf(&s.Columns[i])
		if err != nil {
			return nil, fmt.Errorf("schema version %d of %s: %w", s.Version, s.Name(), err)
		}
		codecs[i] = c
	}
	return codecs, nil
}

func codecOf(c *Column) (codec, error) {
	switch c.Kind {
	case KindInt:
		bits := map[int]int{1: 8, 2: 16, 3: 32, 4: 32, 8: 64}[c.Width]
		if bits == 0 {
			return codec{}, fmt.Errorf("int column %s has width %d, want 1, 2, 3, 4 or 8 bytes", c.Name, c.Width)
		}
		k := goInt64
		if c.Unsigned {
			k = goUint64
		}
		codec := intCodec(k, bits, c.Unsigned)
		codec.valBits = 8 * c.Width
		return codec, nil
	case KindBit:
		return intCodec(goUint64, 64, true), nil
	case KindYear:
		return intCodec(goInt64, 16, true), nil
	case KindFloat:
		return codec{goKind: goFloat32, physical: parquet.Float}, nil
	case KindDouble:
		return codec{goKind: goFloat64, physical: parquet.Double}, nil
	case KindDecimal, KindDate, KindDatetime, KindTimestamp, KindTime,
		KindString, KindEnum, KindSet, KindJSON:
		return codec{goKind: goString, physical: parquet.ByteArray, text: true}, nil
	case KindBytes, KindGeometry:
		return codec{goKind: goBytes, physical: parquet.ByteArray}, nil
	}
	return codec{}, fmt.Errorf("column %s has unknown kind %q", c.Name, c.Kind)
}

func intCodec(k goKind, bits int, unsigned bool) codec {
	physical := parquet.Int32
	if bits == 64 {
		physical = parquet.Int64
	}
	return codec{goKind: k, physical: physical, bits: bits, valBits: bits, unsigned: unsigned}
}

// isBytes reports whether the column is stored as a byte array.
func (c *codec) isBytes() bool { return c.physical == parquet.ByteArray }

// node returns the column's Parquet leaf, required (callers wrap it).
func (c codec) node() parquet.Node {
	switch {
	case c.bits != 0 && c.unsigned:
		return parquet.Uint(c.bits)
	case c.bits != 0:
		return parquet.Int(c.bits)
	case c.physical == parquet.Float:
		return parquet.Leaf(parquet.FloatType)
	case c.physical == parquet.Double:
		return parquet.Leaf(parquet.DoubleType)
	case c.text:
		return parquet.String()
	default:
		return parquet.Leaf(parquet.ByteArrayType)
	}
}
