package ddl_test

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/binlake/binlake/ingest/ddl"
	"github.com/binlake/binlake/layout"
)

// ddlCase applies setup (commits 1, 2, ...), then stmt at commit 100, and
// expects the versions stmt creates, as describe renders them, or an error.
type ddlCase struct {
	name  string
	setup []string
	stmt  string
	want  []string
	err   error // a sentinel the error must wrap
}

const ddlCommit = 100

func TestApplyDDL(t *testing.T) {
	for _, tc := range ddlCases() {
		t.Run(tc.name, func(t *testing.T) {
			set := ddlSetup(t, tc.setup)
			before := fmt.Sprint(describeSet(set))
			got, err := ddl.Apply(set, "test", tc.stmt, ddlCommit, ddlTime)
			if tc.err != nil {
				checkDDLError(t, err, tc.err, tc.stmt)
				if after := fmt.Sprint(describeSet(set)); after != before {
					t.Errorf("set changed by a failed statement:\n before %s\n after  %s", before, after)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			var lines []string
			for _, v := range got {
				lines = append(lines, describe(v))
				if v.Since != ddlCommit {
					t.Errorf("%s: Since %d, want %d", v.Name(), v.Since, ddlCommit)
				}
				if s := set[layout.TableRef{DB: v.DB, Table: v.Table}]; s == nil || !reflect.DeepEqual(*s, v) {
					t.Errorf("%s: the set does not hold the returned version", v.Name())
				}
			}
			if strings.Join(lines, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("versions of %q:\n got  %s\n want %s", tc.stmt, strings.Join(lines, "\n      "), strings.Join(tc.want, "\n      "))
			}
		})
	}
}

var ddlTime = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("CEST", 2*3600))

func ddlSetup(t *testing.T, stmts []string) ddl.SchemaSet {
	t.Helper()
	set := ddl.SchemaSet{}
	for i, s := range stmts {
		if _, err := ddl.Apply(set, "test", s, uint64(i+1), ddlTime); err != nil {
			t.Fatalf("setup %q: %v", s, err)
		}
	}
	return set
}

func checkDDLError(t *testing.T, err, want error, stmt string) {
	t.Helper()
	var de *ddl.Error
	switch {
	case !errors.Is(err, want):
		t.Fatalf("error %v, want one wrapping %v", err, want)
	case !errors.As(err, &de) || de.Stmt != stmt:
		t.Errorf("error %v does not carry the statement", err)
	case !strings.Contains(err.Error(), strconv.Quote(stmt)):
		t.Errorf("error %q does not quote the statement", err)
	case want == ddl.ErrUnknownTable && !strings.Contains(err.Error(), de.Table.String()):
		t.Errorf("error %q does not name table %s", err, de.Table)
	}
}

// describe renders a version on one line: name, version, flags, columns
// (type, NOT NULL), primary key and origins ("0" for a column from index 0,
// "+'x'" or "+NULL" for an added one).
func describe(v layout.TableSchema) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s v%d", v.Name(), v.Version)
	switch {
	case v.Dropped:
		return b.String() + " dropped"
	case len(v.Columns) == 0:
		return b.String() + " pending"
	case v.Truncated:
		b.WriteString(" truncated")
	}
	if v.RenamedFrom != nil {
		b.WriteString(" from " + v.RenamedFrom.String())
	}
	cols := make([]string, len(v.Columns))
	for i, c := range v.Columns {
		cols[i] = c.Name + " " + c.SQLType
		if !c.Nullable {
			cols[i] += " NOT NULL"
		}
	}
	b.WriteString(": " + strings.Join(cols, ", "))
	if len(v.PrimaryKey) > 0 {
		var pk []string
		for _, i := range v.PrimaryKey {
			pk = append(pk, v.Columns[i].Name)
		}
		b.WriteString("; PK(" + strings.Join(pk, ",") + ")")
	}
	if v.Origins != nil {
		b.WriteString("; <- " + describeOrigins(v.Origins))
	}
	return b.String()
}

func describeOrigins(origins []layout.ColumnOrigin) string {
	out := make([]string, len(origins))
	for i, o := range origins {
		switch {
		case o.From >= 0:
			out[i] = strconv.Itoa(o.From)
		case o.Default == nil:
			out[i] = "+NULL"
		default:
			out[i] = "+'" + *o.Default + "'"
		}
	}
	return strings.Join(out, " ")
}

func describeSet(set ddl.SchemaSet) map[string]string {
	out := map[string]string{}
	for ref, s := range set {
		out[ref.String()] = describe(*s)
	}
	return out
}
