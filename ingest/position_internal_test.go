package ingest

import (
	"testing"

	"github.com/binlake/binlake/layout"
)

func TestPositionTrackerSeen(t *testing.T) {
	maria, err := newPositionTracker("mariadb", layout.Position{File: "bin.000002", Pos: 500, GTIDSet: "0-1-10,1-1-4"})
	if err != nil {
		t.Fatal(err)
	}
	mysqlSet := "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-20"
	mysqlPos, err := newPositionTracker("mysql", layout.Position{File: "bin.000002", Pos: 500, GTIDSet: mysqlSet})
	if err != nil {
		t.Fatal(err)
	}
	noGTID, err := newPositionTracker("mysql", layout.Position{File: "bin.000002", Pos: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		p    *positionTracker
		gtid string
		file string
		end  uint32
		want bool
	}{
		{"mariadb older seq", maria, "0-1-9", "bin.000002", 600, true},
		{"mariadb same seq", maria, "0-1-10", "bin.000002", 600, true},
		{"mariadb next seq", maria, "0-1-11", "bin.000002", 600, false},
		{"mariadb other domain", maria, "2-1-1", "bin.000002", 600, false},
		{"mariadb domain 1 old", maria, "1-1-4", "bin.000002", 600, true},
		{"mysql in set", mysqlPos, "3e11fa47-71ca-11e1-9e33-c80aa9429562:20", "", 0, true},
		{"mysql next", mysqlPos, "3e11fa47-71ca-11e1-9e33-c80aa9429562:21", "", 0, false},
		{"mysql other server", mysqlPos, "4e11fa47-71ca-11e1-9e33-c80aa9429562:1", "", 0, false},
		{"position before", noGTID, "", "bin.000002", 450, true},
		{"position at", noGTID, "", "bin.000002", 500, true},
		{"position after", noGTID, "", "bin.000002", 501, false},
		{"earlier file", noGTID, "", "bin.000001", 900, true},
		{"later file", noGTID, "", "bin.000003", 100, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.p.seen(tc.gtid, tc.file, tc.end)
			if err != nil || got != tc.want {
				t.Errorf("seen(%q, %s:%d) = %v, %v; want %v", tc.gtid, tc.file, tc.end, got, err, tc.want)
			}
		})
	}
}

func TestPositionBefore(t *testing.T) {
	for _, tc := range []struct {
		a, b layout.Position
		want bool
	}{
		{layout.Position{File: "b.000001", Pos: 10}, layout.Position{File: "b.000001", Pos: 11}, true},
		{layout.Position{File: "b.000001", Pos: 11}, layout.Position{File: "b.000001", Pos: 11}, false},
		{layout.Position{File: "b.000009", Pos: 900}, layout.Position{File: "b.000010", Pos: 4}, true},
		{layout.Position{File: "b.999999", Pos: 900}, layout.Position{File: "b.1000000", Pos: 4}, true},
		{layout.Position{File: "b.1000000", Pos: 4}, layout.Position{File: "b.999999", Pos: 900}, false},
	} {
		if got := tc.a.Before(tc.b); got != tc.want {
			t.Errorf("%v.Before(%v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
