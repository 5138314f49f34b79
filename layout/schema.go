package layout

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Kind is the family of a MySQL column as binlake stores it. The Go type of
// a column's values in memory (its canonical value) depends only on the Kind
// and, for integers, on Unsigned; see Column.
type Kind string

// The kinds. The comment after each names its canonical Go value; NULL is nil
// for every kind.
const (
	KindInt       Kind = "int"       // int64, or uint64 when Unsigned
	KindFloat     Kind = "float"     // float32
	KindDouble    Kind = "double"    // float64
	KindDecimal   Kind = "decimal"   // string, MySQL text with exactly Scale fraction digits: "-12.50"
	KindBit       Kind = "bit"       // uint64
	KindDate      Kind = "date"      // string "YYYY-MM-DD", zero dates kept: "0000-00-00"
	KindDatetime  Kind = "datetime"  // string "YYYY-MM-DD hh:mm:ss[.f{Scale}]"
	KindTimestamp Kind = "timestamp" // string as KindDatetime, in UTC; zero is "0000-00-00 00:00:00"
	KindTime      Kind = "time"      // string "[-]hhh:mm:ss[.f{Scale}]"
	KindYear      Kind = "year"      // int64: 0 or 1901..2155
	KindString    Kind = "string"    // string, UTF-8 (converted losslessly from Charset)
	KindBytes     Kind = "bytes"     // []byte; BINARY(n) values are padded to n bytes with 0x00
	KindEnum      Kind = "enum"      // string, the member label ("" for the invalid index 0)
	KindSet       Kind = "set"       // string, member labels joined by "," in definition order
	KindJSON      Kind = "json"      // string, JSON text
	KindGeometry  Kind = "geometry"  // []byte, MySQL's internal format: 4-byte SRID + WKB
)

// Column is one column of a table schema.
type Column struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// SQLType is the column type in MySQL's spelling, e.g. "int unsigned",
	// "varchar(20)", "decimal(10,2)", "datetime(6)", "enum('a','b')".
	SQLType  string `json:"sql_type"`
	Unsigned bool   `json:"unsigned,omitempty"`
	Nullable bool   `json:"nullable"`
	// Width is, by kind: int, the storage bytes (1, 2, 3, 4, 8); bit, the
	// number of bits; string and bytes, the declared length in characters or
	// bytes (0 for TEXT/BLOB); decimal, the precision.
	Width int `json:"width,omitempty"`
	// Scale is the decimal scale or the fractional-second digits (0..6).
	Scale int `json:"scale,omitempty"`
	// Fixed marks CHAR and BINARY (as opposed to VARCHAR, VARBINARY, TEXT, BLOB).
	Fixed bool `json:"fixed,omitempty"`
	// Charset is the MySQL character set of string, enum and set columns
	// ("utf8mb4", "latin1", ...); Collation its collation id.
	Charset   string `json:"charset,omitempty"`
	Collation uint64 `json:"collation,omitempty"`
	// Members are the labels of an enum or set, in definition order.
	Members []string `json:"members,omitempty"`
}

// TableSchema is one version of a table's schema. A table's versions are
// numbered from 1; a new version starts at the commit that changed it.
type TableSchema struct {
	DB      string   `json:"db"`
	Table   string   `json:"table"`
	Version int      `json:"version"`
	Columns []Column `json:"columns"`
	// PrimaryKey holds column indexes; empty means the table has no primary
	// key and a row's identity is its whole image.
	PrimaryKey []int `json:"primary_key,omitempty"`
	// Since is the commit that introduced this version.
	Since uint64 `json:"since"`
	// Origins says, for each column, where its values come from for rows that
	// existed under the previous version (see ColumnOrigin). Empty for
	// version 1 and for versions that start from an empty table.
	Origins []ColumnOrigin `json:"origins,omitempty"`
	// Dropped marks a version that ends the table (DROP TABLE or a RENAME
	// away); it has no columns.
	Dropped bool `json:"dropped,omitempty"`
	// Truncated marks a version that starts from an empty table (TRUNCATE).
	Truncated bool `json:"truncated,omitempty"`
	// Gap marks a version that starts from a copy of the table taken at
	// Since (a resnapshot): the table's changes between its previous
	// version and Since are not in the chain, or not all of them. Its rows
	// at Since are the checkpoint at Since.
	Gap bool `json:"gap,omitempty"`
	// RenamedFrom names the table whose rows this version carries over
	// (through Origins) when it differs from this one: RENAME TABLE.
	RenamedFrom *TableRef `json:"renamed_from,omitempty"`
}

// TableRef names a table.
type TableRef struct {
	DB    string `json:"db"`
	Table string `json:"table"`
}

// String returns "db.table".
func (r TableRef) String() string { return r.DB + "." + r.Table }

// ColumnOrigin maps a column of a new schema version onto the previous one.
type ColumnOrigin struct {
	// From is the index of the column in the previous version, or -1.
	From int `json:"from"`
	// Default is the canonical text of the value rows receive when From is
	// -1; nil means NULL.
	Default *string `json:"default,omitempty"`
}

// Name returns "db.table".
func (s *TableSchema) Name() string { return s.DB + "." + s.Table }

// ColumnIndex returns the index of the named column (case-insensitive, as
// MySQL compares column names), or -1.
func (s *TableSchema) ColumnIndex(name string) int {
	for i, c := range s.Columns {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// Op is the operation of a change row.
type Op string

// The operations. A primary-key update is stored as a delete of the old
// image followed by an insert of the new one, so every change row of a table
// with a primary key touches exactly one key.
const (
	OpInsert Op = "insert"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// Change is one change row: one row of one table changed by one commit.
type Change struct {
	Commit uint64    // commit number in the chain
	Seq    uint32    // order inside the commit, across all its tables, from 0
	Op     Op        //
	Time   time.Time // source commit time (one-second resolution on MariaDB)
	GTID   string    // source GTID, "" when the source has none
	Before []any     // full before image for updates and deletes, else nil
	After  []any     // full after image for inserts and updates, else nil
}

// Validate checks that a change fits the schema: images present as the
// operation requires and of the schema's width.
func (c *Change) Validate(s *TableSchema) error {
	want := len(s.Columns)
	check := func(what string, img []any, needed bool) error {
		switch {
		case needed && img == nil:
			return fmt.Errorf("%s change to %s has no %s image", c.Op, s.Name(), what)
		case !needed && img != nil:
			return fmt.Errorf("%s change to %s has an unexpected %s image", c.Op, s.Name(), what)
		case img != nil && len(img) != want:
			return fmt.Errorf("%s image of %s has %d values, schema version %d has %d columns", what, s.Name(), len(img), s.Version, want)
		}
		return nil
	}
	if err := check("before", c.Before, c.Op != OpInsert); err != nil {
		return err
	}
	return check("after", c.After, c.Op != OpDelete)
}

// ValuesEqual reports whether two canonical values are the same value.
func ValuesEqual(a, b any) bool {
	switch x := a.(type) {
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	case nil:
		return b == nil
	}
	if _, ok := b.([]byte); ok {
		return false
	}
	return a == b
}

// ImagesEqual reports whether two row images hold equal values (see
// ValuesEqual) column by column.
func ImagesEqual(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !ValuesEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

// Identical reports whether two canonical values are the same bits:
// ValuesEqual, except that floats compare bit for bit (-0 is not 0, a NaN
// is itself) and a nil []byte is not an empty one.
func Identical(a, b any) bool {
	switch x := a.(type) {
	case float32:
		y, ok := b.(float32)
		return ok && math.Float32bits(x) == math.Float32bits(y)
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y) && (x == nil) == (y == nil)
	}
	return ValuesEqual(a, b)
}

// ColumnNames lists the schema's column names, comma-separated, for
// messages.
func (s *TableSchema) ColumnNames() string {
	names := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}
