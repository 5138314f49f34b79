package value

import "github.com/binlake/binlake/layout"

// FromDuckDB turns a value DuckDB scanned into binlake's canonical Go type.
func FromDuckDB(c *layout.Column, v any) any {
	if c.Kind == layout.KindYear {
		if u, ok := v.(uint16); ok {
			return int64(u)
		}
	}
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return uint64(x)
	case uint16:
		return uint64(x)
	case uint32:
		return uint64(x)
	}
	return v
}
