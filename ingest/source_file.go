package ingest

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/ingest/binlog"
	"github.com/binlake/binlake/layout"
)

// fileSource reads binlog files from a local directory, in name order.
type fileSource struct {
	files  []string // absolute paths, sorted
	flavor string
	server uint32
	// fast, when set, parses the events it can without go-mysql.
	fast *binlog.Shortcut
}

// useShortcut has the source parse rows events and table maps with s
// where it can.
func (s *fileSource) useShortcut(sc *binlog.Shortcut) { s.fast = sc }

// openFileSource accepts a binlog file (that file alone), a directory (every
// binlog file in it) or a glob pattern.
func openFileSource(path string) (*fileSource, error) {
	var files []string
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("list binlog directory %s: %w", path, err)
		}
		for _, e := range entries {
			if !e.IsDir() && isBinlogName(e.Name()) {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
	case err == nil:
		files = []string{path}
	default:
		matches, gerr := filepath.Glob(path)
		if gerr != nil || len(matches) == 0 {
			return nil, fmt.Errorf("binlog source %s: %w", path, err)
		}
		files = matches
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("binlog source %s: no binlog files (names like mysql-bin.000001)", path)
	}
	sort.Strings(files)
	flavor, server, err := probeBinlog(files[0])
	if err != nil {
		return nil, err
	}
	return &fileSource{files: files, flavor: flavor, server: server}, nil
}

// isBinlogName reports whether a file name looks like a binlog file: a base
// name, a dot and a numeric extension.
func isBinlogName(name string) bool {
	ext := filepath.Ext(name)
	return len(ext) > 1 && isDigits(ext[1:])
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// probeBinlog reads the format description event at the start of a binlog
// file to learn the server's flavor and id.
func probeBinlog(path string) (flavor string, server uint32, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("open binlog %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 4+replication.EventHeaderSize+2+50)
	if _, err := io.ReadFull(f, head); err != nil {
		return "", 0, fmt.Errorf("read binlog %s: too short to be a binlog file: %w", path, err)
	}
	if string(head[:4]) != string(replication.BinLogFileHeader) {
		return "", 0, fmt.Errorf("%s is not a binlog file (bad magic bytes)", path)
	}
	server = uint32(head[9]) | uint32(head[10])<<8 | uint32(head[11])<<16 | uint32(head[12])<<24
	version := string(head[4+replication.EventHeaderSize+2:])
	if strings.Contains(version, "MariaDB") {
		return "mariadb", server, nil
	}
	return "mysql", server, nil
}

func (s *fileSource) identity() layout.Source {
	return layout.Source{Flavor: s.flavor, ServerID: s.server, Origin: "files"}
}

// stream calls fn for every event after from, file by file.
func (s *fileSource) stream(ctx context.Context, from layout.Position, fn func(file string, ev *replication.BinlogEvent) error,
	_ func() layout.Position) error {
	p := replication.NewBinlogParser()
	binlog.ConfigureLazyParser(p, s.flavor)
	for _, path := range s.files {
		name := filepath.Base(path)
		if from.File != "" && name < from.File {
			continue
		}
		var offset int64
		if name == from.File {
			offset = int64(from.Pos)
		}
		err := parseFile(p, s.fast, path, offset, func(ev *replication.BinlogEvent) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return fn(name, ev)
		})
		if err != nil {
			return fmt.Errorf("read binlog %s: %w", path, err)
		}
	}
	return nil
}

// parseFile is go-mysql's ParseFile with buffered reads (it reads each
// event header and body with separate unbuffered syscalls) and binlake's
// framing (readEvents): the format description event first, then every
// event from offset on.
func parseFile(p *replication.BinlogParser, fast *binlog.Shortcut, path string, offset int64, fn replication.OnEventFunc) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	magic := make([]byte, len(replication.BinLogFileHeader))
	if _, err := io.ReadFull(f, magic); err != nil || string(magic) != string(replication.BinLogFileHeader) {
		return fmt.Errorf("%s is not a binlog file (bad magic bytes)", path)
	}
	br := bufio.NewReaderSize(f, 1<<20)
	if offset > int64(len(magic)) {
		// Decoding needs the format description event, which starts the file.
		if _, err := p.ParseSingleEvent(br, func(ev *replication.BinlogEvent) error {
			if fast != nil {
				fast.Seen(ev)
			}
			return nil
		}); err != nil {
			return fmt.Errorf("format description event: %w", err)
		}
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			return err
		}
		br.Reset(f)
	}
	return readEvents(p, fast, br, fn)
}

// parseEvent parses one event, with the shortcut when it takes it.
func parseEvent(p *replication.BinlogParser, fast *binlog.Shortcut, raw []byte) (*replication.BinlogEvent, error) {
	if fast == nil {
		return p.Parse(raw)
	}
	ev, err := fast.Parse(raw)
	if ev == nil && err == nil {
		ev, err = p.Parse(raw)
	}
	if err != nil {
		return nil, err
	}
	fast.Seen(ev)
	return ev, nil
}

// slabSize is the size of the blocks events are read into.
const slabSize = 1 << 20

// readEvents reads and parses events until the end of r, as go-mysql's
// ParseReader does, with fewer allocations: ParseReader copies each event
// twice through a pooled buffer and allocates two readers to do it. Here
// events are read straight into slices of a shared block, except table
// maps, which the parser and the tracker keep (a kept event keeps its
// whole block alive). Events are never reused: go-mysql's values point
// into them.
func readEvents(p *replication.BinlogParser, fast *binlog.Shortcut, r io.Reader, fn replication.OnEventFunc) error {
	var head [replication.EventHeaderSize]byte
	var slab []byte
	for {
		if _, err := io.ReadFull(r, head[:]); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("read event header: %w", err)
		}
		size := int(binary.LittleEndian.Uint32(head[9:13]))
		if size < len(head) {
			return fmt.Errorf("invalid event header: event size %d is smaller than the header", size)
		}
		var raw []byte
		if replication.EventType(head[4]) == replication.TABLE_MAP_EVENT || size > slabSize/8 {
			raw = make([]byte, size)
		} else {
			if len(slab) < size {
				slab = make([]byte, slabSize)
			}
			raw, slab = slab[:size:size], slab[size:]
		}
		copy(raw, head[:])
		if _, err := io.ReadFull(r, raw[len(head):]); err != nil {
			return fmt.Errorf("read event of %d bytes: %w", size, err)
		}
		ev, err := parseEvent(p, fast, raw)
		if err != nil {
			return err
		}
		if err := fn(ev); err != nil {
			return err
		}
	}
}
