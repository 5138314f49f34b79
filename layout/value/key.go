package value

import (
	"fmt"
	"strings"

	"github.com/binlake/binlake/layout"
)

// KeyValue is one column=value condition of a key, with a canonical value.
type KeyValue struct {
	Column string
	Index  int // index of the column in the schema it was parsed against
	Value  any
}

// KeyForm describes the accepted form of a key, for help and errors.
const KeyForm = `col=value[,col=value...]; quote a value that holds a comma ('a,b'), \N is NULL, ` +
	`binary values may be given as 0x-hex`

// ParseKey parses "col=value[,col=value]" against a schema, turning each
// value into its column's canonical value (see Parse).
func ParseKey(s *layout.TableSchema, spec string) ([]KeyValue, error) {
	parts, err := splitKey(spec)
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("key %q is empty: want %s", spec, KeyForm)
	}
	var out []KeyValue
	for _, p := range parts {
		name, val := p[0], p[1]
		i := s.ColumnIndex(name)
		if i < 0 {
			return nil, fmt.Errorf("key %q: %s has no column %q (columns: %s)", spec, s.Name(), name, s.ColumnNames())
		}
		v, err := Parse(&s.Columns[i], val)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", spec, err)
		}
		out = append(out, KeyValue{Column: s.Columns[i].Name, Index: i, Value: v})
	}
	return out, nil
}

// splitKey splits "a=1,b='x,y'" into name/value pairs; a value in single
// or double quotes may hold commas, with the quote doubled inside.
func splitKey(spec string) ([][2]string, error) {
	var out [][2]string
	rest := strings.TrimSpace(spec)
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("key %q: %q has no column name before '=': want %s", spec, rest, KeyForm)
		}
		name := strings.TrimSpace(rest[:eq])
		rest = strings.TrimLeft(rest[eq+1:], " ")
		var val string
		if rest != "" && (rest[0] == '\'' || rest[0] == '"') {
			q := rest[0]
			var b strings.Builder
			i := 1
			for ; i < len(rest); i++ {
				if rest[i] == q {
					if i+1 < len(rest) && rest[i+1] == q {
						b.WriteByte(q)
						i++
						continue
					}
					break
				}
				b.WriteByte(rest[i])
			}
			if i >= len(rest) {
				return nil, fmt.Errorf("key %q: unterminated quote in the value of %s", spec, name)
			}
			val, rest = b.String(), strings.TrimSpace(rest[i+1:])
			if rest != "" && rest[0] != ',' {
				return nil, fmt.Errorf("key %q: text after the quoted value of %s", spec, name)
			}
		} else {
			end := strings.IndexByte(rest, ',')
			if end < 0 {
				end = len(rest)
			}
			val, rest = strings.TrimSpace(rest[:end]), rest[end:]
		}
		rest = strings.TrimSpace(strings.TrimPrefix(rest, ","))
		out = append(out, [2]string{name, val})
	}
	return out, nil
}
