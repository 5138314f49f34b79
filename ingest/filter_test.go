package ingest

import "testing"

func TestFilter(t *testing.T) {
	tests := []struct {
		name    string
		f       Filter
		db, tbl string
		want    bool
	}{
		{"everything", Filter{}, "shop", "orders", true},
		{"system db", Filter{}, "mysql", "user", false},
		{"include match", Filter{Include: []string{"shop.*"}}, "shop", "orders", true},
		{"include miss", Filter{Include: []string{"shop.*"}}, "crm", "leads", false},
		{"exclude wins", Filter{Include: []string{"shop.*"}, Exclude: []string{"*.audit_*"}}, "shop", "audit_log", false},
		{"exclude other", Filter{Exclude: []string{"shop.tmp"}}, "shop", "orders", true},
		{"dots in names", Filter{Include: []string{"a.b"}}, "a.b", "c", false},
	}
	for _, tt := range tests {
		if got := tt.f.Match(tt.db, tt.tbl); got != tt.want {
			t.Errorf("%s: Match(%s, %s) = %v", tt.name, tt.db, tt.tbl, got)
		}
	}
	if err := (&Filter{Include: []string{"shop.["}}).Validate(); err == nil {
		t.Error("bad pattern accepted")
	}
}
