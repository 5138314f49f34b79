package layout_test

import (
	"sort"
	"testing"

	"github.com/binlake/binlake/layout"
)

func TestManifestKeysSortNumerically(t *testing.T) {
	seqs := []uint64{1, 9, 10, 11, 100, 99, 1 << 40}
	keys := make([]string, len(seqs))
	for i, s := range seqs {
		keys[i] = layout.ManifestKey(s)
	}
	sort.Strings(keys)
	var prev uint64
	for _, k := range keys {
		got, err := layout.ParseManifestKey(k)
		if err != nil {
			t.Fatal(err)
		}
		if got <= prev {
			t.Fatalf("key %s sorts after seq %d", k, prev)
		}
		prev = got
	}
}

func TestParseManifestKeyRejects(t *testing.T) {
	for _, k := range []string{"", "manifests/1.json", "segments/00000000000000000001.json",
		"manifests/0000000000000000000x.json", "manifests/00000000000000000001.jso"} {
		if _, err := layout.ParseManifestKey(k); err == nil {
			t.Errorf("ParseManifestKey(%q) accepted", k)
		}
	}
}

func TestEscapeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"orders", "orders"},
		{"my-db$1", "my-db$1"},
		{"a/b", "a%2Fb"},
		{"..", "%2E%2E"},
		{"sp ace", "sp%20ace"},
		{"é", "%C3%A9"},
		{"a.b", "a%2Eb"},
	}
	for _, tt := range tests {
		if got := layout.EscapeName(tt.in); got != tt.want {
			t.Errorf("EscapeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSegmentKeyShape(t *testing.T) {
	got := layout.SegmentKey("shop", "orders", 2, 5, 17, "abc")
	want := "segments/shop/orders/v000002/00000000000000000005-00000000000000000017-abc.parquet"
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
