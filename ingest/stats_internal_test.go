package ingest

import (
	"testing"
	"time"
)

func TestStatsLag(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	s := &Stats{}
	steps := []struct {
		name string
		do   func()
		at   time.Duration // now = t0 + at
		want time.Duration
	}{
		{"nothing yet", func() {}, 0, 0},
		{"contact, nothing pending", func() { s.contact(t0) }, time.Second, 0},
		{"a transaction of t0+1s being read", func() { s.begin(t0.Add(time.Second)) }, 3 * time.Second, 2 * time.Second},
		{"read, waiting for its flush", func() { s.end(7) }, 5 * time.Second, 4 * time.Second},
		{"a second one read", func() { s.begin(t0.Add(4 * time.Second)); s.end(8) }, 6 * time.Second, 5 * time.Second},
		{"the first committed", func() { s.committed(7, 1) }, 6 * time.Second, 2 * time.Second},
		{"both committed", func() { s.committed(8, 1) }, 6 * time.Second, 0},
		{"connection lost at t0+10s, last contact t0+9s", func() { s.contact(t0.Add(9 * time.Second)); s.disconnected(t0.Add(10 * time.Second)) },
			15 * time.Second, 6 * time.Second},
		{"back", func() { s.contact(t0.Add(16 * time.Second)) }, 17 * time.Second, 0},
		{"a transaction dropped (read again after a reconnect)", func() { s.begin(t0.Add(17 * time.Second)); s.drop() }, 20 * time.Second, 0},
	}
	for _, st := range steps {
		st.do()
		if got := s.Lag(t0.Add(st.at)); got != st.want {
			t.Errorf("%s: Lag = %v, want %v", st.name, got, st.want)
		}
	}
	if c, r := s.Counts(); c != 2 || r != 1 {
		t.Errorf("Counts = %d commits, %d reconnects; want 2, 1", c, r)
	}
}
