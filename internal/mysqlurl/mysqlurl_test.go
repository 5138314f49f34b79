package mysqlurl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/binlake/binlake/internal/mysqlurl"
)

func TestParse(t *testing.T) {
	tests := []struct {
		raw  string
		want mysqlurl.URL
		err  string
	}{
		{raw: "mysql://repl:s3cret@db.internal:3307", want: mysqlurl.URL{Host: "db.internal", Port: 3307, User: "repl", Password: "s3cret"}},
		{raw: "mariadb://repl@10.0.0.1", want: mysqlurl.URL{Host: "10.0.0.1", Port: 3306, User: "repl"}},
		{raw: "mysql://u:p@[::1]:3306", want: mysqlurl.URL{Host: "::1", Port: 3306, User: "u", Password: "p"}},
		{raw: "postgres://u@h", err: "want mysql://"},
		{raw: "mysql:///nohost", err: "want mysql://"},
		{raw: "mysql://u:p@h:99999", err: `bad port "99999"`},
	}
	for _, tt := range tests {
		got, err := mysqlurl.Parse(tt.raw)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "p@") {
				t.Errorf("Parse(%q) = %v, want an error with %q", tt.raw, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.raw, got, err, tt.want)
		}
	}
	if _, err := mysqlurl.Parse("x"); !errors.Is(err, mysqlurl.ErrScheme) {
		t.Errorf("scheme error is not ErrScheme: %v", err)
	}
	if got := mysqlurl.Redact("mysql://u:s3cret@h:1"); strings.Contains(got, "s3cret") {
		t.Errorf("Redact kept the password: %s", got)
	}
}
