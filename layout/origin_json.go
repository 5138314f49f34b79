package layout

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// originJSON is how a ColumnOrigin is stored. JSON strings hold only UTF-8,
// so a default that is not (the bytes of a BINARY or BLOB default) is
// stored hex-encoded under default_hex instead of default.
type originJSON struct {
	From       int     `json:"from"`
	Default    *string `json:"default,omitempty"`
	DefaultHex *string `json:"default_hex,omitempty"`
}

// MarshalJSON stores Default as text when it is UTF-8, else as hex.
func (o ColumnOrigin) MarshalJSON() ([]byte, error) {
	j := originJSON{From: o.From}
	if o.Default != nil {
		if utf8.ValidString(*o.Default) {
			j.Default = o.Default
		} else {
			h := hex.EncodeToString([]byte(*o.Default))
			j.DefaultHex = &h
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads either form of the default.
func (o *ColumnOrigin) UnmarshalJSON(b []byte) error {
	var j originJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	o.From, o.Default = j.From, j.Default
	if j.DefaultHex != nil {
		if j.Default != nil {
			return fmt.Errorf("column origin has both default and default_hex")
		}
		raw, err := hex.DecodeString(*j.DefaultHex)
		if err != nil {
			return fmt.Errorf("column origin default_hex: %w", err)
		}
		s := string(raw)
		o.Default = &s
	}
	return nil
}
