// Package ingest follows a MySQL or MariaDB binlog (live, or from files) and
// turns every source transaction into a commit of the chain.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/catalog"
	"github.com/binlake/binlake/ingest/binlog"
	"github.com/binlake/binlake/layout"
)

// Config configures one ingest run.
type Config struct {
	// Source is mysql://user:password@host:port, or file:///path to a binlog
	// file, a directory of binlog files, or a glob.
	Source string
	Store  layout.Store
	Filter Filter
	// FlushInterval bounds how long a transaction waits before its manifest
	// is written (default 1s); FlushRows and FlushBytes flush earlier when
	// that many row changes, or bytes of them, are pending (default 200,000
	// and 64 MiB). A single transaction is never split across flushes.
	FlushInterval time.Duration
	FlushRows     int
	FlushBytes    int
	// ExitWhenCaughtUp stops after the transactions the source had at start
	// are committed (files: at the end of the last file).
	ExitWhenCaughtUp bool
	// ReplicaID is the server id binlake uses on the source (default random).
	ReplicaID uint32
	// Resnapshot names tables (db.table) to copy afresh from the live
	// primary in one consistent snapshot, inserted into the stream where
	// it stands; their changes before it are not read. It is the way on
	// after ingest stopped at an event it could not read (a statement-based
	// or minimal-image event), once the source's setting is fixed; the
	// tables' history then has a gap, which log and verify show.
	Resnapshot []string
	// SourceRetryFor bounds how long a live source keeps connecting again
	// after its connection is lost (default 5 minutes; negative: for ever).
	SourceRetryFor time.Duration
	// SnapshotChunk is how often (in rows) the initial snapshot reports its
	// progress (default 10,000).
	SnapshotChunk int
	// SnapshotPartRows and SnapshotPartBytes bound each checkpoint part of
	// the initial snapshot (0: layout.DefaultPartRows, DefaultPartBytes):
	// a table is stored as it is read, a part at a time.
	SnapshotPartRows  int
	SnapshotPartBytes int
	Log               *slog.Logger
	// OnFlush, when set, is called after every manifest is written.
	OnFlush func(commits []layout.Commit, took time.Duration)
	// OnSnapshot, when set, reports the initial snapshot's progress.
	OnSnapshot func(table string, rows, total int64)
	// Stats, when set, follows the lag behind the source (see Stats).
	Stats *Stats

	// goMySQLOnly has every event parsed and every row decoded by go-mysql
	// (tests compare the two ways).
	goMySQLOnly bool
}

func (c *Config) defaults() {
	if c.FlushInterval <= 0 {
		c.FlushInterval = time.Second
	}
	if c.FlushRows <= 0 {
		c.FlushRows = 200_000
	}
	if c.FlushBytes <= 0 {
		c.FlushBytes = 64 << 20
	}
	if c.ReplicaID == 0 {
		c.ReplicaID = 1_000_000 + rand.Uint32N(1_000_000_000)
	}
	if c.SourceRetryFor == 0 {
		c.SourceRetryFor = 5 * time.Minute
	}
	if c.SnapshotChunk <= 0 {
		c.SnapshotChunk = 10_000
	}

	if c.Log == nil {
		c.Log = slog.Default()
	}
}

// source is where binlog events come from.
type source interface {
	identity() layout.Source
	// stream reads events from a position and hands each to fn (a nil
	// event is a tick: nothing came for a while). A source that reads
	// again after losing its connection asks resume where to read from.
	stream(ctx context.Context, from layout.Position, fn func(file string, ev *replication.BinlogEvent) error,
		resume func() layout.Position) error
}

var errCaughtUp = errors.New("caught up")

// Run ingests until ctx ends, the source fails, or (ExitWhenCaughtUp) the
// source's history at start is committed. Transactions read but not yet
// committed when ctx ends are committed before Run returns.
func Run(ctx context.Context, cfg Config) error {
	cfg.defaults()
	if err := cfg.Filter.Validate(); err != nil {
		return err
	}
	chain, err := catalog.Open(ctx, cfg.Store)
	if err != nil {
		return fmt.Errorf("open chain: %w", err)
	}
	copies := &cfg.Filter // a first start copies every replicated table
	if chain.Head() != nil {
		copies = nil
		if len(cfg.Resnapshot) > 0 {
			copies = &Filter{Include: cfg.Resnapshot}
		}
	}
	src, live, err := openSource(ctx, &cfg, copies)
	if err != nil {
		return err
	}
	if live != nil {
		live.tick = cfg.tick()
	}
	if head := chain.Head(); head != nil {
		if err := sameSource(head.Source, src.identity()); err != nil {
			return err
		}
	}
	r := &run{cfg: cfg, chain: chain, src: src,
		com: &committer{chain: chain, source: src.identity(), uploads: 8, observer: cfg.OnFlush, stats: cfg.Stats}}
	from := layout.Position{}
	if head := chain.Head(); head != nil {
		from = head.Resume
		if live != nil {
			if err := live.checkNotPurged(ctx, from, chain.LastCommit()); err != nil {
				return err
			}
		}
	} else if live != nil {
		snap, err := takeSnapshot(ctx, live, cfg.Store, &cfg)
		if err != nil {
			return err
		}
		b := newBatch(nil)
		b.add(snap, time.Now())
		if err := r.com.write(ctx, b); err != nil {
			return err
		}
		from = snap.end
	}
	resnap, err := openRequestedResnapshot(ctx, &cfg, chain, live)
	if err != nil {
		return err
	}
	if resnap != nil {
		defer resnap.close()
	}
	var target *layout.Position
	if live != nil && cfg.ExitWhenCaughtUp {
		h, err := live.head(ctx)
		if err != nil {
			return err
		}
		if !from.Before(h) && resnap == nil {
			cfg.Log.Info("already caught up", "position", fmt.Sprintf("%s:%d", from.File, from.Pos))
			return nil
		}
		target = &h
	}
	return r.loop(ctx, from, target, resnap)
}

// openRequestedResnapshot opens the copy --resnapshot asks for, checking
// that it can be made: a live source, a chain to continue, replicated
// tables.
func openRequestedResnapshot(ctx context.Context, cfg *Config, chain *catalog.Chain, live *liveSource) (*resnapshot, error) {
	if len(cfg.Resnapshot) == 0 {
		return nil, nil
	}
	switch {
	case live == nil:
		return nil, errors.New("--resnapshot copies tables from a live primary: binlog files hold no table to copy")
	case chain.Head() == nil:
		return nil, errors.New("--resnapshot continues a chain, and this store has none yet: the first start copies every table anyway")
	}
	var tables []layout.TableRef
	for _, name := range cfg.Resnapshot {
		db, table, ok := strings.Cut(name, ".")
		if !ok || db == "" || table == "" || strings.ContainsAny(name, "*?[") {
			return nil, fmt.Errorf("--resnapshot %q: name a table as DB.TABLE", name)
		}
		if !cfg.Filter.Match(db, table) {
			return nil, fmt.Errorf("--resnapshot %s: the table is not replicated (see --include and --exclude)", name)
		}
		tables = append(tables, layout.TableRef{DB: db, Table: table})
	}
	return openResnapshot(ctx, live, tables, true, "copied afresh (--resnapshot "+strings.Join(cfg.Resnapshot, ", ")+
		"): changes before this commit that binlake could not read are not in the chain")
}

// openSource opens and checks the configured source; copies selects the
// tables this start copies (see checkGrants).
func openSource(ctx context.Context, cfg *Config, copies *Filter) (source, *liveSource, error) {
	if path, ok := strings.CutPrefix(cfg.Source, "file://"); ok {
		s, err := openFileSource(path)
		return s, nil, err
	}
	if !strings.Contains(cfg.Source, "://") {
		s, err := openFileSource(cfg.Source)
		return s, nil, err
	}
	s, err := parseSourceURL(cfg.Source)
	if err != nil {
		return nil, nil, err
	}
	s.replicaID, s.log, s.retryFor = cfg.ReplicaID, cfg.Log, max(cfg.SourceRetryFor, 0)
	if st := cfg.Stats; st != nil {
		s.onEvent = func() { st.contact(time.Now()) }
		s.onReconnect = st.disconnected
	}
	if err := s.check(ctx, copies); err != nil {
		return nil, nil, err
	}
	return s, s, nil
}

// sameSource refuses to extend a chain with another primary's history.
func sameSource(chain, src layout.Source) error {
	if chain.Flavor == src.Flavor && chain.ServerID == src.ServerID && chain.UUID == src.UUID {
		return nil
	}
	return fmt.Errorf("the store holds history of a %s primary with server_id %d%s, but the source is a %s server with server_id %d%s: "+
		"use a new store for a new primary", chain.Flavor, chain.ServerID, uuidNote(chain.UUID), src.Flavor, src.ServerID, uuidNote(src.UUID))
}

func uuidNote(u string) string {
	if u == "" {
		return ""
	}
	return " (server_uuid " + u + ")"
}

// tick is how often a waiting reader checks whether a batch is due.
func (c *Config) tick() time.Duration {
	return min(c.FlushInterval/4, 250*time.Millisecond)
}

// run is one ingest run's pipeline: a reader goroutine assembles
// transactions from the source into batches, the calling goroutine writes
// each batch as the reader builds the next.
type run struct {
	cfg   Config
	chain *catalog.Chain
	src   source
	com   *committer
}

func (r *run) loop(ctx context.Context, from layout.Position, target *layout.Position, resnap *resnapshot) error {
	pos, err := newPositionTracker(r.src.identity().Flavor, from)
	if err != nil {
		return err
	}
	// One batch waits while one is written: the reader runs at most one
	// batch ahead of the store.
	batches := make(chan *batch, 1)
	pool := newBuilderPool(2 * r.cfg.FlushBytes)
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	asm := &assembler{tracker: newTracker(r.cfg.Log, r.chain.LatestSchemas()), filter: &r.cfg.Filter, pos: pos,
		next: r.chain.LastCommit() + 1, log: r.cfg.Log, pool: pool, batch: newBatch(pool), goMySQLOnly: r.cfg.goMySQLOnly,
		ctx: readCtx, store: r.chain.Store(), resnap: resnap, cfg: &r.cfg, stats: r.cfg.Stats, prepared: openPrepared(r.chain),
		policy: flushPolicy{interval: r.cfg.FlushInterval, rows: r.cfg.FlushRows, bytes: r.cfg.FlushBytes},
		// Sent even when ctx has ended: the batch's transactions are
		// complete, and the committer takes every batch until the channel
		// closes (or drains them after it failed).
		out: func(b *batch) error {
			batches <- b
			return nil
		}}
	if src, ok := r.src.(interface{ useShortcut(*binlog.Shortcut) }); ok && !r.cfg.goMySQLOnly {
		src.useShortcut(binlog.NewShortcut(asm.tracker))
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		err := r.src.stream(readCtx, from, func(file string, ev *replication.BinlogEvent) error {
			if ev == nil {
				if err := asm.tick(time.Now()); err != nil {
					return err
				}
				if target != nil && asm.idle() && asm.resnap == nil && !pos.position().Before(*target) {
					return errCaughtUp // an idle primary at the target: nothing more will come
				}
				return nil
			}
			if err := asm.handle(file, ev); err != nil {
				return err
			}
			if target != nil && asm.idle() && !pos.position().Before(*target) {
				return errCaughtUp
			}
			return nil
		}, asm.restart)
		if ferr := asm.finish(); err == nil {
			err = ferr
		}
		readErr <- err
	}()
	err = r.commitLoop(ctx, batches)
	stopReading()
	for range batches { // let the reader finish
	}
	rerr := <-readErr
	if err != nil {
		return err
	}
	if rerr != nil && !errors.Is(rerr, errCaughtUp) && ctx.Err() == nil {
		return rerr
	}
	return nil
}

// commitLoop writes every batch the reader hands on, in order, until the
// reader stops. A stop request lets the batches already read be written:
// their transactions are complete, and committing them now saves reading
// them again.
func (r *run) commitLoop(ctx context.Context, batches <-chan *batch) error {
	wctx := context.WithoutCancel(ctx)
	for b := range batches {
		fctx, cancel := context.WithTimeout(wctx, 2*time.Minute)
		err := r.com.write(fctx, b)
		cancel()
		if err != nil {
			return err
		}
		b.release()
	}
	return nil
}
