package ddl

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
)

// markedLiteral converts the text default of a MariaDB UUID, INET6 or INET4
// column to the bytes the binlog shows for it; other literals pass.
func markedLiteral(name string, lit literal) (literal, error) {
	if lit.kind != litString {
		return lit, nil
	}
	switch name {
	case "inet6", "inet4":
		addr, err := netip.ParseAddr(strings.TrimSpace(lit.text))
		if err != nil || (name == "inet4" && !addr.Is4()) || (name == "inet6" && !addr.Is6()) {
			return lit, fmt.Errorf("%w: %q is not an %s address", errNoConversion, lit.text, strings.ToUpper(name))
		}
		return literal{kind: litBits, bits: addr.AsSlice()}, nil
	case "uuid":
		b, err := hex.DecodeString(strings.ReplaceAll(strings.Trim(lit.text, "{} "), "-", ""))
		if err != nil || len(b) != 16 {
			return lit, fmt.Errorf("%w: %q is not a UUID", errNoConversion, lit.text)
		}
		return literal{kind: litBits, bits: b}, nil
	}
	return lit, nil
}
