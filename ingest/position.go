package ingest

import (
	"fmt"

	"github.com/go-mysql-org/go-mysql/mysql"

	"github.com/binlake/binlake/layout"
)

// positionTracker follows the source position (binlog file and offset) and
// the set of GTIDs seen, so every commit knows where to resume after it.
type positionTracker struct {
	flavor string
	file   string
	pos    uint32
	gtids  mysql.GTIDSet // nil when the source has no GTIDs (yet)
}

func newPositionTracker(flavor string, from layout.Position) (*positionTracker, error) {
	p := &positionTracker{flavor: flavor, file: from.File, pos: from.Pos}
	if from.GTIDSet != "" {
		set, err := mysql.ParseGTIDSet(flavor, from.GTIDSet)
		if err != nil {
			return nil, fmt.Errorf("parse resume GTID set %q: %w", from.GTIDSet, err)
		}
		p.gtids = set
	}
	return p, nil
}

func (p *positionTracker) rotate(file string, pos uint32) {
	p.file, p.pos = file, pos
}

// commit records the end of a transaction at pos with the given GTID.
func (p *positionTracker) commit(pos uint32, gtid string) error {
	p.pos = pos
	if gtid == "" {
		return nil
	}
	if p.gtids == nil {
		set, err := mysql.ParseGTIDSet(p.flavor, "")
		if err != nil {
			return fmt.Errorf("start GTID set: %w", err)
		}
		p.gtids = set
	}
	if err := p.gtids.Update(gtid); err != nil {
		return fmt.Errorf("add GTID %s to %s: %w", gtid, p.gtids, err)
	}
	return nil
}

// seen reports whether a transaction was already handed on: its GTID is in
// the set, or (without a GTID) its first event ends at or before the
// position of the last transaction. This is the second line of defense
// against a stream that resumes too early; the first is resuming from the
// position of the last transaction handed on.
func (p *positionTracker) seen(gtid, file string, eventEnd uint32) (bool, error) {
	if gtid != "" {
		if p.gtids == nil {
			return false, nil
		}
		one, err := mysql.ParseGTIDSet(p.flavor, gtid)
		if err != nil {
			return false, fmt.Errorf("parse GTID %s: %w", gtid, err)
		}
		return p.gtids.Contain(one), nil
	}
	if file == "" || p.file == "" {
		return false, nil
	}
	return layout.Position{File: file, Pos: eventEnd}.Before(layout.Position{File: p.file, Pos: p.pos + 1}), nil
}

func (p *positionTracker) position() layout.Position {
	pos := layout.Position{File: p.file, Pos: p.pos}
	if p.gtids != nil {
		pos.GTIDSet = p.gtids.String()
	}
	return pos
}
