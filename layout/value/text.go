package value

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Text renders a value the way the MySQL client prints it: NULL, numbers
// without exponents in the usual range, strings as they are, binary data
// as 0x-hex (the client's --binary-as-hex).
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case []byte:
		return "0x" + strings.ToUpper(hex.EncodeToString(x))
	case float32:
		return formatFloat(float64(x), 32)
	case float64:
		return formatFloat(x, 64)
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999999")
	case bool:
		if x {
			return "1"
		}
		return "0"
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// formatFloat prints the shortest decimal that reads back as the same
// float, in plain notation between 1e-5 and 1e15 and as MySQL's 1e15 / 1e-7
// outside.
func formatFloat(f float64, bits int) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.FormatFloat(f, 'g', -1, bits)
	}
	exp := 0
	if f != 0 {
		exp = int(math.Floor(math.Log10(math.Abs(f))))
	}
	if exp >= -5 && exp < 15 {
		return strconv.FormatFloat(f, 'f', -1, bits)
	}
	s := strconv.FormatFloat(f, 'e', -1, bits)
	mant, e, _ := strings.Cut(s, "e")
	n, _ := strconv.Atoi(e)
	return mant + "e" + strconv.Itoa(n)
}

// JSON renders a value as JSON: numbers stay numbers (64-bit integers
// exactly), binary data becomes a 0x-hex string.
func JSON(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case float32, float64:
		return Text(x)
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64, int, uint:
		return fmt.Sprint(x)
	}
	b, _ := json.Marshal(Text(v))
	return string(b)
}
