package layout

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// FormatVersion is the version of the storage format this code writes.
const FormatVersion = 1

// Manifest is one link of the chain: the commits of one flush and the
// objects that hold their change rows. Manifests are immutable; manifest seq
// exists if and only if its commits are visible.
type Manifest struct {
	Format int    `json:"format"`
	Seq    uint64 `json:"seq"`
	// Prev is the hex SHA-256 of the previous manifest's bytes ("" for seq 1).
	Prev    string    `json:"prev"`
	Created time.Time `json:"created"`
	Source  Source    `json:"source"`
	Commits []Commit  `json:"commits"`
	Objects []Object  `json:"objects"`
	// Schemas are the table schema versions introduced by these commits.
	Schemas []TableSchema `json:"schemas,omitempty"`
	// Resume is the source position to continue from after this manifest.
	Resume Position `json:"resume"`
}

// Source identifies the primary a chain replicates.
type Source struct {
	Flavor   string `json:"flavor"` // "mariadb" or "mysql"
	ServerID uint32 `json:"server_id,omitempty"`
	// UUID is MySQL's server_uuid; empty on MariaDB.
	UUID string `json:"uuid,omitempty"`
	// Origin describes where history came from: "live" or "files".
	Origin string `json:"origin"`
}

// Position is a place in the source's binlog.
type Position struct {
	File string `json:"file"`
	Pos  uint32 `json:"pos"`
	// GTIDSet is the source's GTID set (MySQL) or GTID position (MariaDB)
	// covering every transaction up to here; "" when GTIDs are off.
	GTIDSet string `json:"gtid_set,omitempty"`
}

// Before reports whether p comes before q in the binlog: an earlier file,
// or the same file at a smaller offset. Binlog file names end in a
// zero-padded number, so they sort as they were written; a longer number
// (after 999999) comes later.
func (p Position) Before(q Position) bool {
	if len(p.File) != len(q.File) && p.File != "" && q.File != "" {
		return len(p.File) < len(q.File)
	}
	return p.File < q.File || p.File == q.File && p.Pos < q.Pos
}

// String is "file:pos", with the GTID set when there is one.
func (p Position) String() string {
	s := p.File + ":" + strconv.FormatUint(uint64(p.Pos), 10)
	if p.GTIDSet != "" {
		s += " (GTIDs " + p.GTIDSet + ")"
	}
	return s
}

// CommitKind says what produced a commit.
type CommitKind string

// The commit kinds.
const (
	CommitDML      CommitKind = "dml"      // a source transaction of row changes
	CommitDDL      CommitKind = "ddl"      // a schema change
	CommitSnapshot CommitKind = "snapshot" // the initial copy of tables that existed before streaming
	// CommitResnapshot copies some tables afresh in one consistent snapshot
	// (ingest --resnapshot); the versions it introduces are marked Gap.
	CommitResnapshot CommitKind = "resnapshot"
	// CommitXAPrepare is an XA PREPARE: its rows are held aside, in
	// prepared objects, until the XA COMMIT that makes them a dml commit.
	CommitXAPrepare CommitKind = "xa-prepare"
	// CommitXARollback is an XA ROLLBACK: the prepared rows never count.
	CommitXARollback CommitKind = "xa-rollback"
)

// Commit is one source transaction as recorded in the chain.
type Commit struct {
	N    uint64     `json:"n"`
	Kind CommitKind `json:"kind"`
	GTID string     `json:"gtid,omitempty"`
	// File and Pos are the binlog position just after the transaction.
	File string    `json:"file"`
	Pos  uint32    `json:"pos"`
	Time time.Time `json:"time"`
	// DDL is the statement text of a schema change, with Schema its default
	// database.
	DDL    string `json:"ddl,omitempty"`
	Schema string `json:"schema,omitempty"`
	// XID names the XA transaction of an xa-prepare, an xa-rollback, and
	// the dml commit its XA COMMIT made, as MySQL writes it:
	// X'<gtrid hex>',X'<bqual hex>',<format id>.
	XID    string       `json:"xid,omitempty"`
	Tables []TableCount `json:"tables,omitempty"`
}

// Rows is the number of row changes in the commit.
func (c *Commit) Rows() uint64 {
	var n uint64
	for _, t := range c.Tables {
		n += t.Inserts + t.Updates + t.Deletes
	}
	return n
}

// TableCount counts the row changes a commit made to one table.
type TableCount struct {
	DB      string `json:"db"`
	Table   string `json:"table"`
	Inserts uint64 `json:"inserts,omitempty"`
	Updates uint64 `json:"updates,omitempty"`
	Deletes uint64 `json:"deletes,omitempty"`
}

// ObjectKind says what an object holds.
type ObjectKind string

// The object kinds.
const (
	ObjectSegment    ObjectKind = "segment"
	ObjectCheckpoint ObjectKind = "checkpoint"
	// ObjectPrepared holds the change rows of an XA PREPARE (numbered with
	// its xa-prepare commit); readers leave it alone, and the XA COMMIT's
	// commit carries the same rows in its own segments.
	ObjectPrepared ObjectKind = "prepared"
)

// Object is a data object a manifest adds to the chain.
type Object struct {
	Key           string     `json:"key"`
	SHA256        string     `json:"sha256"`
	Size          int64      `json:"size"`
	Kind          ObjectKind `json:"kind"`
	DB            string     `json:"db"`
	Table         string     `json:"table"`
	SchemaVersion int        `json:"schema_version"`
	// First and Last are the commit range of a segment; a checkpoint has
	// First == Last == the commit whose state it holds.
	First uint64 `json:"first"`
	Last  uint64 `json:"last"`
	Rows  int64  `json:"rows"`
	// Part and Parts split one checkpoint into several objects (a large
	// table's initial snapshot): part Part of Parts, numbered from 1, all in
	// one manifest; the table's state is the rows of every part. Zero for a
	// checkpoint in one object and for segments.
	Part  int `json:"part,omitempty"`
	Parts int `json:"parts,omitempty"`
}

// Hash returns the hex SHA-256 of b, the digest used everywhere in the format.
func Hash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// EncodeManifest returns the bytes stored for m: compact JSON with each
// commit, object and schema on a line of its own (so that grep finds a
// commit and a diff of two manifests reads line by line), newline
// terminated. The next manifest's Prev is the Hash of these bytes.
func EncodeManifest(m *Manifest) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(1024 + 256*len(m.Commits) + 512*len(m.Objects))
	fail := func(err error) ([]byte, error) { return nil, fmt.Errorf("encode manifest %d: %w", m.Seq, err) }
	field := func(sep, name string, v any) error {
		b.WriteString(sep)
		b.WriteString(`"` + name + `":`)
		enc, err := json.Marshal(v)
		b.Write(enc)
		return err
	}
	list := func(name string, n int, item func(dst []byte, i int) ([]byte, error)) error {
		b.WriteString(`,` + "\n" + `"` + name + `":[`)
		var line []byte
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
			var err error
			if line, err = item(line[:0], i); err != nil {
				return err
			}
			b.Write(line)
		}
		b.WriteByte(']')
		return nil
	}
	for _, err := range []error{
		field("{", "format", m.Format),
		field(",", "seq", m.Seq),
		field(",", "prev", m.Prev),
		field(",", "created", m.Created),
		field(",", "source", m.Source),
		list("commits", len(m.Commits), func(dst []byte, i int) ([]byte, error) { return appendCommit(dst, &m.Commits[i]) }),
		list("objects", len(m.Objects), func(dst []byte, i int) ([]byte, error) { return appendJSON(dst, &m.Objects[i]) }),
	} {
		if err != nil {
			return fail(err)
		}
	}
	if len(m.Schemas) > 0 {
		if err := list("schemas", len(m.Schemas), func(dst []byte, i int) ([]byte, error) { return appendJSON(dst, &m.Schemas[i]) }); err != nil {
			return fail(err)
		}
	}
	if err := field(","+"\n", "resume", m.Resume); err != nil {
		return fail(err)
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

func appendJSON(dst []byte, v any) ([]byte, error) {
	enc, err := json.Marshal(v)
	return append(dst, enc...), err
}

// Validate checks a manifest's internal consistency, as DecodeManifest does
// for stored bytes.
func (m *Manifest) Validate() error {
	if err := m.check(); err != nil {
		return fmt.Errorf("manifest %d: %w", m.Seq, err)
	}
	return nil
}

// DecodeManifest parses stored manifest bytes and checks their internal
// consistency. It does not check the link to the previous manifest.
func DecodeManifest(b []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode manifest: %w", err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("decode manifest %d: %w", m.Seq, err)
	}
	return &m, nil
}

func (m *Manifest) check() error {
	if m.Format != FormatVersion {
		return fmt.Errorf("format %d, this binlake reads format %d", m.Format, FormatVersion)
	}
	if m.Seq == 0 {
		return fmt.Errorf("sequence number 0 (they start at 1)")
	}
	if (m.Seq == 1) != (m.Prev == "") {
		return fmt.Errorf("previous hash %q does not fit sequence %d", m.Prev, m.Seq)
	}
	for i := 1; i < len(m.Commits); i++ {
		if m.Commits[i].N != m.Commits[i-1].N+1 {
			return fmt.Errorf("commit %d follows commit %d", m.Commits[i].N, m.Commits[i-1].N)
		}
	}
	for _, o := range m.Objects {
		if len(o.SHA256) != 64 {
			return fmt.Errorf("object %s: hash %q is not a hex SHA-256", o.Key, o.SHA256)
		}
		if o.First > o.Last {
			return fmt.Errorf("object %s: commit range %d-%d", o.Key, o.First, o.Last)
		}
	}
	return checkParts(m.Objects)
}

// checkParts requires every checkpoint split into parts to have all of them,
// once each, in the manifest.
func checkParts(objects []Object) error {
	type whole struct {
		db, table      string
		version, parts int
		commit         uint64
	}
	seen := map[whole]map[int]bool{}
	for _, o := range objects {
		if o.Part == 0 && o.Parts == 0 {
			continue
		}
		if o.Kind != ObjectCheckpoint || o.Parts < 1 || o.Part < 1 || o.Part > o.Parts {
			return fmt.Errorf("object %s: part %d of %d of a %s", o.Key, o.Part, o.Parts, o.Kind)
		}
		w := whole{o.DB, o.Table, o.SchemaVersion, o.Parts, o.Last}
		if seen[w] == nil {
			seen[w] = map[int]bool{}
		}
		if seen[w][o.Part] {
			return fmt.Errorf("object %s: part %d of the checkpoint of %s.%s at commit %d twice", o.Key, o.Part, o.DB, o.Table, o.Last)
		}
		seen[w][o.Part] = true
	}
	for w, parts := range seen {
		if len(parts) != w.parts {
			return fmt.Errorf("checkpoint of %s.%s at commit %d has %d of its %d parts", w.db, w.table, w.commit, len(parts), w.parts)
		}
	}
	return nil
}
