package layout_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/binlake/binlake/layout"
)

func sampleManifest() *layout.Manifest {
	return &layout.Manifest{
		Format:  layout.FormatVersion,
		Seq:     2,
		Prev:    strings.Repeat("ab", 32),
		Created: time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC),
		Source:  layout.Source{Flavor: "mariadb", ServerID: 1, Origin: "live"},
		Commits: []layout.Commit{
			{N: 7, Kind: layout.CommitDML, GTID: "0-1-7", File: "bin.000001", Pos: 1234,
				Time:   time.Date(2026, 11, 22, 2, 59, 59, 0, time.UTC),
				Tables: []layout.TableCount{{DB: "shop", Table: "orders", Inserts: 2, Updates: 1}}},
			{N: 8, Kind: layout.CommitDDL, GTID: "0-1-8", File: "bin.000001", Pos: 1400,
				Time: time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC), DDL: "ALTER TABLE orders ADD c INT", Schema: "shop"},
		},
		Objects: []layout.Object{{Key: "segments/shop/orders/v000001/x.parquet", SHA256: strings.Repeat("0", 64),
			Size: 100, Kind: layout.ObjectSegment, DB: "shop", Table: "orders", SchemaVersion: 1, First: 7, Last: 7, Rows: 3}},
		Resume: layout.Position{File: "bin.000001", Pos: 1400, GTIDSet: "0-1-8"},
	}
}

func TestManifestGolden(t *testing.T) {
	b, err := layout.EncodeManifest(sampleManifest())
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "manifest", "sample.json")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (UPDATE_GOLDEN=1 writes it): %v", err)
	}
	if string(b) != string(want) {
		t.Fatalf("manifest encoding changed; this is a format change (UPDATE_GOLDEN=1 to accept):\n%s", b)
	}
	m, err := layout.DecodeManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Commits[0].Rows() != 3 || m.Commits[1].DDL == "" || m.Resume.GTIDSet != "0-1-8" {
		t.Fatalf("decoded %+v", m)
	}
}

// checkpointParts returns the n parts of a checkpoint of shop.orders at
// commit 7.
func checkpointParts(n int) []layout.Object {
	var out []layout.Object
	for i := 1; i <= n; i++ {
		sha := strings.Repeat(string(rune('a'+i)), 64)
		out = append(out, layout.Object{Key: layout.CheckpointKey("shop", "orders", 1, 7, sha), SHA256: sha,
			Kind: layout.ObjectCheckpoint, DB: "shop", Table: "orders", SchemaVersion: 1, First: 7, Last: 7, Rows: 10,
			Part: i, Parts: n})
	}
	return out
}

func TestDecodeManifestRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*layout.Manifest)
		want   string
	}{
		{"format", func(m *layout.Manifest) { m.Format = 9 }, "format 9"},
		{"seq zero", func(m *layout.Manifest) { m.Seq = 0 }, "sequence number 0"},
		{"first with prev", func(m *layout.Manifest) { m.Seq = 1 }, "previous hash"},
		{"gap", func(m *layout.Manifest) { m.Commits[1].N = 10 }, "commit 10 follows commit 7"},
		{"hash", func(m *layout.Manifest) { m.Objects[0].SHA256 = "x" }, "not a hex SHA-256"},
		{"part of a segment", func(m *layout.Manifest) { m.Objects[0].Part, m.Objects[0].Parts = 1, 1 }, "part 1 of 1 of a segment"},
		{"missing part", func(m *layout.Manifest) { m.Objects = checkpointParts(3)[:2] }, "has 2 of its 3 parts"},
		{"part twice", func(m *layout.Manifest) {
			m.Objects = checkpointParts(2)
			m.Objects[1].Part = 1
		}, "part 1 of the checkpoint of shop.orders at commit 7 twice"},
		{"part beyond parts", func(m *layout.Manifest) {
			m.Objects = checkpointParts(2)
			m.Objects[1].Part = 3
		}, "part 3 of 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sampleManifest()
			tt.mutate(m)
			b, err := layout.EncodeManifest(m)
			if err != nil {
				t.Fatal(err)
			}
			_, err = layout.DecodeManifest(b)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want error containing %q", err, tt.want)
			}
		})
	}
	if _, err := layout.DecodeManifest([]byte(`{"format":1,"seq":1,"bogus":true}`)); err == nil {
		t.Fatal("unknown field accepted")
	}
}

func FuzzDecodeManifest(f *testing.F) {
	b, _ := layout.EncodeManifest(sampleManifest())
	f.Add(b)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"format":1,"seq":1,"prev":"","commits":[{"n":1},{"n":3}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := layout.DecodeManifest(data)
		if err != nil {
			return
		}
		again, err := layout.EncodeManifest(m)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if _, err := layout.DecodeManifest(again); err != nil {
			t.Fatalf("re-decode of accepted manifest: %v", err)
		}
	})
}
