package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/binlake/binlake/ingest/binlog"
	"github.com/binlake/binlake/internal/mysqlurl"
	"github.com/binlake/binlake/layout"
)

// liveSource follows a running primary as a replica would.
type liveSource struct {
	addr, user, password string
	host                 string
	port                 uint16
	replicaID            uint32
	flavor               string
	serverID             uint32
	uuid                 string
	log                  *slog.Logger
	// tick is how often stream reports that it is waiting (0: never).
	tick time.Duration
	// retryFor bounds how long stream keeps connecting again after the
	// connection is lost (0: for ever).
	retryFor time.Duration
	// onEvent and onReconnect, when set, hear of every event read and of
	// every lost connection (with when it was lost), for the lag metric.
	onEvent     func()
	onReconnect func(lost time.Time)
}

// parseSourceURL parses mysql://user:pass@host:port.
func parseSourceURL(raw string) (*liveSource, error) {
	u, err := mysqlurl.Parse(raw)
	if errors.Is(err, mysqlurl.ErrScheme) {
		return nil, fmt.Errorf("source %q: %w or file:///path/to/binlogs", mysqlurl.Redact(raw), err)
	}
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", mysqlurl.Redact(raw), err)
	}
	return &liveSource{host: u.Host, port: u.Port, addr: u.Addr(), user: u.User, password: u.Password}, nil
}

func (s *liveSource) connect(ctx context.Context) (*client.Conn, error) {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	conn, err := client.ConnectWithDialer(ctx, "tcp", s.addr, s.user, s.password, "", dialer.DialContext)
	if err != nil {
		return nil, fmt.Errorf("connect to source %s as %s: %w", s.addr, s.user, err)
	}
	return conn, nil
}

// check connects, learns the flavor and identity of the server, and refuses
// settings binlake cannot replicate from and privileges its user lacks,
// naming each (copies: the tables this start copies, see checkGrants).
func (s *liveSource) check(ctx context.Context, copies *Filter) error {
	conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	vars, err := queryVars(conn, "version", "server_id", "log_bin", "binlog_format", "binlog_row_image", "binlog_row_metadata")
	if err != nil {
		return err
	}
	s.flavor = mysql.MySQLFlavor
	if strings.Contains(strings.ToLower(vars["version"]), "mariadb") {
		s.flavor = mysql.MariaDBFlavor
	}
	id, _ := strconv.ParseUint(vars["server_id"], 10, 32)
	s.serverID = uint32(id)
	if s.flavor == mysql.MySQLFlavor {
		u, err := queryVars(conn, "server_uuid")
		if err != nil {
			return err
		}
		s.uuid = u["server_uuid"]
	}
	var problems []string
	want := func(name, value, fix string) {
		got := vars[name]
		if got == "1" && value == "ON" {
			got = "ON"
		}
		if !strings.EqualFold(got, value) {
			problems = append(problems, fmt.Sprintf("%s is %q, binlake needs %s (%s)", name, vars[name], value, fix))
		}
	}
	want("log_bin", "ON", "start the server with --log-bin")
	want("binlog_format", "ROW", "SET GLOBAL binlog_format='ROW', or --binlog-format=ROW")
	want("binlog_row_image", "FULL", "SET GLOBAL binlog_row_image='FULL'")
	want("binlog_row_metadata", "FULL", "SET GLOBAL binlog_row_metadata='FULL' (MySQL 8.0.1+, MariaDB 10.5+)")
	if len(problems) > 0 {
		return fmt.Errorf("source %s cannot be replicated: %s", s.addr, strings.Join(problems, "; "))
	}
	return s.checkGrants(ctx, conn, copies)
}

func queryVars(conn *client.Conn, names ...string) (map[string]string, error) {
	cols := make([]string, len(names))
	for i, n := range names {
		cols[i] = "@@" + n
	}
	r, err := conn.Execute("SELECT " + strings.Join(cols, ", "))
	if err != nil {
		return nil, fmt.Errorf("read server variables %s: %w", strings.Join(names, ", "), err)
	}
	out := map[string]string{}
	for i, n := range names {
		v, _ := r.GetString(0, i)
		out[n] = v
	}
	return out, nil
}

func (s *liveSource) identity() layout.Source {
	return layout.Source{Flavor: s.flavor, ServerID: s.serverID, UUID: s.uuid, Origin: "live"}
}

// head returns the primary's current binlog position.
func (s *liveSource) head(ctx context.Context) (layout.Position, error) {
	conn, err := s.connect(ctx)
	if err != nil {
		return layout.Position{}, err
	}
	defer conn.Close()
	r, err := conn.Execute("SHOW MASTER STATUS")
	if err != nil {
		return layout.Position{}, fmt.Errorf("read source position: %w", err)
	}
	if r.RowNumber() == 0 {
		return layout.Position{}, errors.New("read source position: SHOW MASTER STATUS is empty: is binary logging on (--log-bin)?")
	}
	file, _ := r.GetString(0, 0)
	pos, _ := r.GetUint(0, 1)
	return layout.Position{File: file, Pos: uint32(pos)}, nil
}

// binlogs lists the binlog files the primary still has.
func (s *liveSource) binlogs(ctx context.Context) ([]string, error) {
	conn, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	r, err := conn.Execute("SHOW BINARY LOGS")
	if err != nil {
		return nil, fmt.Errorf("list source binlogs: %w", err)
	}
	var out []string
	for i := 0; i < r.RowNumber(); i++ {
		name, _ := r.GetString(i, 0)
		out = append(out, name)
	}
	return out, nil
}

// ticker hands out a context that ends every tick, so that waiting for an
// event is interrupted that often (one context per tick, not per event).
type ticker struct {
	parent context.Context
	every  time.Duration
	ctx    context.Context
	cancel context.CancelFunc
}

// next waits for the next event, or returns nil when the tick ends first.
func (t *ticker) next(streamer *replication.BinlogStreamer) (*replication.BinlogEvent, error) {
	if t.every <= 0 {
		return streamer.GetEvent(t.parent)
	}
	if t.ctx == nil || t.ctx.Err() != nil {
		t.stop()
		t.ctx, t.cancel = context.WithTimeout(t.parent, t.every)
	}
	ev, err := streamer.GetEvent(t.ctx)
	if err != nil && t.parent.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return nil, nil
	}
	return ev, err
}

func (t *ticker) stop() {
	if t.cancel != nil {
		t.cancel()
	}
}

// stream follows the primary from a position until ctx ends or fn fails;
// while no event comes, it calls fn with a nil event every tick.
//
// When the connection is lost (the primary restarts, its dump thread is
// killed, the network drops) stream connects again, with backoff, for up
// to s.retryFor, and reads again from resume(): the position after the
// last transaction the reader handed on. The replication library's own
// reconnect is off: it resumes from where it last read, which may be in
// the middle of a transaction, and a transaction would then be read twice.
func (s *liveSource) stream(ctx context.Context, from layout.Position, fn func(file string, ev *replication.BinlogEvent) error,
	resume func() layout.Position) error {
	var lost time.Time // when the connection was lost; zero while connected
	for attempt := 0; ; attempt++ {
		read, err := s.streamOnce(ctx, from, fn)
		if err == nil || ctx.Err() != nil {
			return err
		}
		var fe *fnError
		if errors.As(err, &fe) {
			return fe.err // the reader's own error: reading again would not help
		}
		if !retryable(err) {
			return err
		}
		if read {
			lost, attempt = time.Now(), 0
		} else if lost.IsZero() {
			lost = time.Now()
		}
		if s.retryFor > 0 && time.Since(lost) > s.retryFor {
			return fmt.Errorf("the source %s has been unreachable for %v (--source-retry-for): %w", s.addr, time.Since(lost).Round(time.Second), err)
		}
		from = resume()
		wait := backoff(attempt)
		s.log.Warn("lost the source connection; reading again from the last transaction handed on",
			"err", err, "resume", from.String(), "retry_in", wait.Round(time.Millisecond), "attempt", attempt+1)
		if s.onReconnect != nil {
			s.onReconnect(lost)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// fnError marks an error of the reader's callback, which stream returns
// as it is.
type fnError struct{ err error }

func (e *fnError) Error() string { return e.err.Error() }
func (e *fnError) Unwrap() error { return e.err }

// backoff is how long to wait before connection attempt n (from 0):
// doubling from 250 ms to at most 10 s, with jitter.
func backoff(n int) time.Duration {
	d := 250 * time.Millisecond << min(n, 6)
	d = min(d, 10*time.Second)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// retryable reports whether a stream error is the connection's (the
// primary went away, the network dropped, the dump thread was killed)
// rather than the data's.
func retryable(err error) bool {
	var myErr *mysql.MyError
	if errors.As(err, &myErr) {
		switch myErr.Code {
		case mysql.ER_SERVER_SHUTDOWN, mysql.ER_QUERY_INTERRUPTED, mysql.ER_CON_COUNT_ERROR, mysql.ER_NET_READ_ERROR,
			mysql.ER_NET_READ_INTERRUPTED, mysql.ER_NET_ERROR_ON_WRITE, mysql.ER_NET_WRITE_INTERRUPTED,
			1927,       // ER_CONNECTION_KILLED (MariaDB)
			2006, 2013: // the client's "server has gone away", "lost connection"
			return true
		}
		return false
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) {
		return true
	}
	msg := strings.ToLower(err.Error())
	for _, m := range []string{"connection", "broken pipe", "eof", "bad conn", "i/o timeout"} {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// streamOnce reads over one connection until it fails; read reports
// whether any event came.
func (s *liveSource) streamOnce(ctx context.Context, from layout.Position, fn func(file string, ev *replication.BinlogEvent) error) (read bool, err error) {
	cfg := replication.BinlogSyncerConfig{ServerID: s.replicaID, Flavor: s.flavor, Host: s.host, Port: s.port,
		User: s.user, Password: s.password, HeartbeatPeriod: 10 * time.Second, ReadTimeout: 60 * time.Second,
		DisableRetrySync: true, Logger: s.log}
	binlog.ConfigureLazySyncer(&cfg)
	syncer := replication.NewBinlogSyncer(cfg)
	defer syncer.Close()
	var streamer *replication.BinlogStreamer
	if from.GTIDSet != "" {
		set, perr := mysql.ParseGTIDSet(s.flavor, from.GTIDSet)
		if perr != nil {
			return false, fmt.Errorf("parse resume GTID set %q: %w", from.GTIDSet, perr)
		}
		streamer, err = syncer.StartSyncGTID(set)
	} else {
		streamer, err = syncer.StartSync(mysql.Position{Name: from.File, Pos: from.Pos})
	}
	if err != nil {
		return false, fmt.Errorf("start binlog stream from %s: %w", from.String(), err)
	}
	file := from.File
	tick := &ticker{parent: ctx, every: s.tick}
	defer tick.stop()
	for {
		ev, err := tick.next(streamer)
		if err != nil {
			if ctx.Err() != nil {
				return read, ctx.Err()
			}
			return read, fmt.Errorf("read binlog stream after %s: %w", file, err)
		}
		if ev == nil {
			if err := fn(file, nil); err != nil {
				return read, &fnError{err}
			}
			continue
		}
		read = true
		if s.onEvent != nil {
			s.onEvent()
		}
		if r, ok := ev.Event.(*replication.RotateEvent); ok {
			file = string(r.NextLogName)
		}
		if err := fn(file, ev); err != nil {
			return read, &fnError{err}
		}
	}
}
