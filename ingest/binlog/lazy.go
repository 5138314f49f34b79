package binlog

import (
	"fmt"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
)

// RowsBody uncompresses the rows data of MariaDB's compressed rows events.
func RowsBody(typ replication.EventType, data []byte) (body []byte, err error) {
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

// lazyRows is the undecoded rows data of a rows event, which the parsers
// of ingest's sources leave to the assembler (see decodeRowsLazily).
type lazyRows []byte

// decodeRowsLazily is the rows-event decoder of ingest's own parsers: it
// decodes and checks the event header, as DecodeRows does, and keeps the
// rows data undecoded as the event's only value, for the assembler to
// decode with RowDecoder or, failing that, DecodeRowsNow.
func decodeRowsLazily(e *replication.RowsEvent, data []byte) (err error) {
	defer recoverMalformed(&err, len(data))
	pos, err := decodeRowsHeader(e, data)
	if err != nil {
		return err
	}
	e.Rows = [][]any{{lazyRows(data[pos:])}}
	return nil
}

// LazyRowsData returns the rows data that decodeRowsLazily kept.
func LazyRowsData(e *replication.RowsEvent) ([]byte, bool) {
	if len(e.Rows) != 1 || len(e.Rows[0]) != 1 {
		return nil, false
	}
	data, ok := e.Rows[0][0].(lazyRows)
	return data, ok
}

// DecodeRowsNow decodes kept rows data with go-mysql, as DecodeRows would
// have.
func DecodeRowsNow(e *replication.RowsEvent, data []byte) (err error) {
	defer recoverMalformed(&err, len(data))
	e.Rows = nil
	return e.DecodeData(0, data)
}
