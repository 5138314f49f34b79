package layout

import (
	"fmt"
	"strconv"
	"strings"
)

// Every object key of a store is built here, so that the format has one
// definition. Numbers are zero-padded to 20 digits so that a LIST returns
// them in numeric order.

const (
	manifestPrefix   = "manifests/"
	segmentPrefix    = "segments/"
	checkpointPrefix = "checkpoints/"
	tagPrefix        = "tags/"
	numWidth         = 20
)

// ManifestPrefix is the prefix under which all manifests live.
func ManifestPrefix() string { return manifestPrefix }

// ManifestKey is the key of manifest seq: "manifests/00000000000000000042.json".
func ManifestKey(seq uint64) string {
	return fmt.Sprintf("%s%0*d.json", manifestPrefix, numWidth, seq)
}

// ParseManifestKey returns the sequence number of a manifest key.
func ParseManifestKey(key string) (uint64, error) {
	name, ok := strings.CutPrefix(key, manifestPrefix)
	if !ok {
		return 0, fmt.Errorf("manifest key %q: not under %s", key, manifestPrefix)
	}
	digits, ok := strings.CutSuffix(name, ".json")
	if !ok || len(digits) != numWidth {
		return 0, fmt.Errorf("manifest key %q: want %s<%d digits>.json", key, manifestPrefix, numWidth)
	}
	seq, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("manifest key %q: %w", key, err)
	}
	return seq, nil
}

// SegmentKey is the key of a segment of change rows of one table and schema
// version covering commits first..last, named by the SHA-256 of its bytes:
// "segments/<db>/<table>/v<version>/<first>-<last>-<sha256>.parquet".
func SegmentKey(db, table string, version int, first, last uint64, sha string) string {
	return fmt.Sprintf("%s%s/%s/v%06d/%0*d-%0*d-%s.parquet", segmentPrefix,
		EscapeName(db), EscapeName(table), version, numWidth, first, numWidth, last, sha)
}

// CheckpointKey is the key of a checkpoint, the full state of a table at a
// commit: "checkpoints/<db>/<table>/v<version>/<commit>-<sha256>.parquet".
func CheckpointKey(db, table string, version int, commit uint64, sha string) string {
	return fmt.Sprintf("%s%s/%s/v%06d/%0*d-%s.parquet", checkpointPrefix,
		EscapeName(db), EscapeName(table), version, numWidth, commit, sha)
}

// PreparedKey is the key of the change rows of an XA PREPARE, commit n,
// held aside until its XA COMMIT:
// "prepared/<db>/<table>/v<version>/<n>-<sha256>.parquet".
func PreparedKey(db, table string, version int, n uint64, sha string) string {
	return fmt.Sprintf("prepared/%s/%s/v%06d/%0*d-%s.parquet", EscapeName(db), EscapeName(table), version, numWidth, n, sha)
}

// TagKey is the key of a named commit.
func TagKey(name string) string { return tagPrefix + EscapeName(name) }

// EscapeName makes a MySQL identifier safe as one key segment: ASCII letters,
// digits, '_', '$' and '-' stay, every other byte becomes %XX. MySQL names
// are case-sensitive on most platforms, and so are keys.
func EscapeName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c == '-' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// ResultKey is the key of a query result too large to answer inline:
// "results/<id>.<ext>".
func ResultKey(id, ext string) string { return "results/" + EscapeName(id) + "." + ext }

// PatchKey is the key of a recovery patch: "patches/<id>.sql".
func PatchKey(id string) string { return "patches/" + EscapeName(id) + ".sql" }
