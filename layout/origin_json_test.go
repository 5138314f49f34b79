package layout_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/binlake/binlake/layout"
)

func TestColumnOriginDefaultsRoundTrip(t *testing.T) {
	for _, def := range []string{"", "EUR", "é €", "\x00\xff\x00", "ab\x00\x00", "\x80"} {
		d := def
		b, err := json.Marshal(layout.ColumnOrigin{From: -1, Default: &d})
		if err != nil {
			t.Fatal(err)
		}
		var got layout.ColumnOrigin
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if got.From != -1 || got.Default == nil || *got.Default != def {
			t.Errorf("%q stored as %s read back as %+v", def, b, got)
		}
	}
	b, _ := json.Marshal(layout.ColumnOrigin{From: 2})
	if string(b) != `{"from":2}` {
		t.Errorf("NULL default stored as %s", b)
	}
	var o layout.ColumnOrigin
	if err := json.Unmarshal([]byte(`{"from":-1,"default":"a","default_hex":"00"}`), &o); err == nil || !strings.Contains(err.Error(), "both") {
		t.Errorf("both forms accepted: %v", err)
	}
}
