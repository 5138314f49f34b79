package layout

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// appendCommit appends the JSON of c exactly as encoding/json writes it,
// without reflection: a manifest of a busy minute holds a hundred thousand
// commits, and encoding them was the largest cost of a flush.
func appendCommit(b []byte, c *Commit) ([]byte, error) {
	b = append(b, `{"n":`...)
	b = strconv.AppendUint(b, c.N, 10)
	b = appendField(b, "kind", string(c.Kind))
	if c.GTID != "" {
		b = appendField(b, "gtid", c.GTID)
	}
	b = appendField(b, "file", c.File)
	b = append(b, `,"pos":`...)
	b = strconv.AppendUint(b, uint64(c.Pos), 10)
	if y := c.Time.Year(); y < 0 || y > 9999 {
		return b, fmt.Errorf("commit %d: time %v is outside the years JSON takes", c.N, c.Time)
	}
	b = append(b, `,"time":"`...)
	b = c.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	if c.DDL != "" {
		b = appendField(b, "ddl", c.DDL)
	}
	if c.Schema != "" {
		b = appendField(b, "schema", c.Schema)
	}
	if c.XID != "" {
		b = appendField(b, "xid", c.XID)
	}
	if len(c.Tables) > 0 {
		b = append(b, `,"tables":[`...)
		for i := range c.Tables {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendTableCount(b, &c.Tables[i])
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

func appendTableCount(b []byte, t *TableCount) []byte {
	b = append(b, `{"db":`...)
	b = appendString(b, t.DB)
	b = appendField(b, "table", t.Table)
	for _, f := range [...]struct {
		name string
		n    uint64
	}{{"inserts", t.Inserts}, {"updates", t.Updates}, {"deletes", t.Deletes}} {
		if f.n != 0 {
			b = append(b, `,"`+f.name+`":`...)
			b = strconv.AppendUint(b, f.n, 10)
		}
	}
	return append(b, '}')
}

// appendField appends `,"name":"value"`.
func appendField(b []byte, name, value string) []byte {
	b = append(b, `,"`...)
	b = append(b, name...)
	b = append(b, `":`...)
	return appendString(b, value)
}

// appendString appends s as a JSON string, as encoding/json does: text
// that needs no escaping is copied, anything else goes through json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			enc, _ := json.Marshal(s) // a string always encodes
			return append(b, enc...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
