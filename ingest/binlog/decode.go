package binlog

import (
	"fmt"
	"time"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/layout"
	"github.com/binlake/binlake/layout/value"
)

// ConfigureParser sets up a parser of binlog files so that Canonical can
// convert the values it decodes. flavor is "mysql" or "mariadb" and must
// match the source (see ColumnsFromTableMap). The settings:
//   - ParseTime false: dates and times stay strings, zero dates included;
//   - UseDecimal false: DECIMAL stays the exact text the binlog encodes;
//   - TimestampStringLocation UTC: TIMESTAMP text in UTC, not in the
//     machine's local zone (the default);
//   - UseFloatWithTrailingZero false, RenderJSONAsMySQLText true: JSON text
//     keeps each JSONB value's type (1.0 stays a double) and key order;
//   - IgnoreJSONDecodeError false: a bad JSON document is an error;
//   - rows events decode through DecodeRows, so corrupt rows are an error;
//   - VerifyChecksum false: the server's current binlog file has
//     LOG_EVENT_BINLOG_IN_USE_F set in its format description event, whose
//     CRC32 was computed without the flag, so go-mysql would reject every
//     file still being written. (The server clears the flag when it closes
//     a file, and in what it sends to replicas: ConfigureSyncer verifies.)
func ConfigureParser(p *replication.BinlogParser, flavor string) {
	p.SetFlavor(flavor)
	p.SetParseTime(false)
	p.SetUseDecimal(false)
	p.SetTimestampStringLocation(time.UTC)
	p.SetUseFloatWithTrailingZero(false)
	p.SetRenderJSONAsMySQLText(true)
	p.SetIgnoreJSONDecodeError(false)
	p.SetVerifyChecksum(false)
	p.SetRowsEventDecodeFunc(DecodeRows)
}

// ConfigureSyncer applies the settings of ConfigureParser to a syncer
// configuration, except that it verifies checksums: a corrupt event then
// fails its CRC32 before go-mysql decodes it (go-mysql panics on some
// corrupt table maps). c.Flavor must already name the source's flavor.
func ConfigureSyncer(c *replication.BinlogSyncerConfig) {
	c.ParseTime = false
	c.UseDecimal = false
	c.TimestampStringLocation = time.UTC
	c.UseFloatWithTrailingZero = false
	c.RenderJSONAsMySQLText = true
	c.VerifyChecksum = true
	c.RowsEventDecodeFunc = DecodeRows
}

// ConfigureLazyParser is ConfigureParser for ingest's own file source:
// rows are left undecoded for the assembler (see decodeRowsLazily).
func ConfigureLazyParser(p *replication.BinlogParser, flavor string) {
	ConfigureParser(p, flavor)
	p.SetRowsEventDecodeFunc(decodeRowsLazily)
}

// ConfigureLazySyncer is ConfigureSyncer for ingest's live source.
func ConfigureLazySyncer(c *replication.BinlogSyncerConfig) {
	ConfigureSyncer(c)
	c.RowsEventDecodeFunc = decodeRowsLazily
}

// DecodeRows decodes a rows event as go-mysql does, but turns a panic on
// malformed bytes into an error, so a corrupt event stops ingest with a
// message instead of crashing it. It also refuses an event whose columns do
// not match its table map or whose column bitmap is empty: go-mysql would
// loop for ever on such an event, adding empty rows.
func DecodeRows(e *replication.RowsEvent, data []byte) (err error) {
	defer recoverMalformed(&err, len(data))
	pos, err := decodeRowsHeader(e, data)
	if err != nil {
		return err
	}
	return e.DecodeData(pos, data)
}

// decodeRowsHeader decodes and checks a rows event's header and returns
// where its rows data starts.
func decodeRowsHeader(e *replication.RowsEvent, data []byte) (int, error) {
	pos, err := e.DecodeHeader(data)
	if err != nil {
		return 0, err
	}
	return pos, checkRowsHeader(e)
}

// recoverMalformed, deferred, turns a panic of go-mysql's decoding of an
// event of n bytes into the error *err.
func recoverMalformed(err *error, n int) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("decode rows event of %d bytes: malformed event: %v", n, r)
	}
}

func checkRowsHeader(e *replication.RowsEvent) error {
	name := string(e.Table.Schema) + "." + string(e.Table.Table)
	n := e.ColumnCount
	if n == 0 || n != e.Table.ColumnCount {
		return fmt.Errorf("decode rows event for %s: malformed event: %d columns, the table map has %d", name, n, e.Table.ColumnCount)
	}
	for _, bitmap := range [][]byte{e.ColumnBitmap1, e.ColumnBitmap2} {
		if bitmap == nil {
			continue
		}
		named := false
		for i := uint64(0); i < n && !named; i++ {
			named = bitmap[i/8]&(1<<(i%8)) != 0
		}
		if !named {
			return fmt.Errorf("decode rows event for %s: malformed event: its column bitmap names no column", name)
		}
	}
	return nil
}

// Canonical converts a value of column col, as go-mysql decodes it from a
// rows event under ConfigureParser's settings, into the column's canonical
// value (see layout.Kind and value.FromBinlog). The result never shares
// memory with the event.
func Canonical(col *layout.Column, v any) (any, error) {
	if _, ok := v.(*replication.JsonDiff); ok {
		return nil, fmt.Errorf("binlog value of column %s (%s): partial JSON update: the source must run with binlog_row_value_options='' (no PARTIAL_JSON)", col.Name, col.SQLType)
	}
	return value.FromBinlog(col, v)
}
