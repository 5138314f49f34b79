package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
)

// MariaDBOptions configures a private MariaDB server.
type MariaDBOptions struct {
	// ExtraArgs are appended to mariadbd's command line after binlake's
	// defaults; later flags win, so a test can pass "--binlog-format=STATEMENT"
	// to check that binlake refuses such a source.
	ExtraArgs []string
	// StartTimeout bounds how long a start waits for the server to accept
	// connections; zero means 60 s.
	StartTimeout time.Duration
}

// MariaDB is a private MariaDB server for one test or program: its own data
// directory, temporary directory, socket and TCP port on 127.0.0.1, with a
// row-based binlog. The TCP user User@127.0.0.1 has all privileges,
// replication included, and a database named test exists.
type MariaDB struct {
	Host     string // "127.0.0.1"
	Port     int
	User     string // "binlake"
	Password string
	DataDir  string
	Socket   string

	dir      string // temporary root holding DataDir, Socket, tmpDir and the logs
	tmpDir   string // the server's --tmpdir, private so that servers share no temporary files
	errLog   string
	mariadbd string
	extra    []string // MariaDBOptions.ExtraArgs
	timeout  time.Duration

	mu   sync.Mutex
	proc *mariadbProc
}

// mariadbProc is one run of mariadbd; done closes when it has exited.
type mariadbProc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

const (
	mariadbUser     = "binlake"
	mariadbPassword = "binlake-test-pw"
	mariadbInstall  = "apt-get install -y mariadb-server"
)

// StartMariaDB starts a private MariaDB server and stops it and removes its
// files when the test ends. It fails the test if the server cannot start,
// and skips it under -short.
func StartMariaDB(t testing.TB, opts MariaDBOptions) *MariaDB {
	t.Helper()
	skipIfShort(t, "a private MariaDB")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := NewMariaDB(ctx, opts)
	if err != nil {
		t.Fatalf("start MariaDB: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// NewMariaDB initialises a data directory in a new temporary directory,
// starts mariadbd on a free port and creates the binlake user and the test
// database. Close stops the server and removes the directory.
func NewMariaDB(ctx context.Context, opts MariaDBOptions) (*MariaDB, error) {
	mariadbd, err := findMariaDBBinary("mariadbd")
	if err != nil {
		return nil, err
	}
	installDB, err := findMariaDBBinary("mariadb-install-db")
	if err != nil {
		return nil, err
	}
	dir, err := mariadbTempDir()
	if err != nil {
		return nil, err
	}
	port, err := freeTCPPort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	m := &MariaDB{
		Host:     "127.0.0.1",
		Port:     port,
		User:     mariadbUser,
		Password: mariadbPassword,
		DataDir:  filepath.Join(dir, "data"),
		Socket:   filepath.Join(dir, "mariadbd.sock"),
		dir:      dir,
		tmpDir:   filepath.Join(dir, "tmp"),
		errLog:   filepath.Join(dir, "error.log"),
		mariadbd: mariadbd,
		extra:    opts.ExtraArgs,
		timeout:  opts.StartTimeout,
	}
	if m.timeout == 0 {
		m.timeout = 60 * time.Second
	}
	if err := m.setUp(ctx, installDB); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

func (m *MariaDB) setUp(ctx context.Context, installDB string) error {
	if err := os.Mkdir(m.tmpDir, 0o700); err != nil {
		return fmt.Errorf("create MariaDB tmpdir: %w", err)
	}
	if err := m.installDataDir(ctx, installDB); err != nil {
		return err
	}
	// The port was free a moment ago; another process may have taken it.
	for attempt := 1; ; attempt++ {
		err := m.start(ctx)
		if err == nil {
			break
		}
		if attempt == 3 || !strings.Contains(err.Error(), "Address already in use") {
			return err
		}
		if m.Port, err = freeTCPPort(); err != nil {
			return err
		}
	}
	return m.createUser(ctx)
}

// mariadbTempDir creates the server's directory. A Unix socket path must fit
// in 108 bytes, so a long $TMPDIR is passed over for /tmp.
func mariadbTempDir() (string, error) {
	dir, err := os.MkdirTemp("", "binlake-mariadb-")
	if err == nil && len(dir) > 80 {
		os.RemoveAll(dir)
		dir, err = os.MkdirTemp("/tmp", "binlake-mariadb-")
	}
	if err != nil {
		return "", fmt.Errorf("create MariaDB directory: %w", err)
	}
	return dir, nil
}

// findMariaDBBinary looks a MariaDB program up on PATH and in /usr/sbin and
// /usr/bin (sbin is often missing from PATH).
func findMariaDBBinary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found on PATH or in /usr/sbin: install MariaDB with `%s`", name, mariadbInstall)
}

// InnoDB sizes small enough for a test server.
var mariadbSmallInnoDB = []string{
	"--innodb-buffer-pool-size=16M",
	"--innodb-log-file-size=8M",
}

// installDataDir runs mariadb-install-db with the server's own --tmpdir
// (passed on to the bootstrap mariadbd): with the shared /tmp, bootstraps
// running at once failed now and then with "Unknown table
// 'mysql.tmp_proxies_priv'", their temporary tables colliding.
func (m *MariaDB) installDataDir(ctx context.Context, installDB string) error {
	args := append([]string{
		"--no-defaults",
		"--datadir=" + m.DataDir,
		"--tmpdir=" + m.tmpDir,
		"--user=root",
		"--auth-root-authentication-method=normal",
		"--skip-test-db",
		"--skip-name-resolve",
	}, mariadbSmallInnoDB...)
	out, err := exec.CommandContext(ctx, installDB, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("initialise MariaDB data directory %s: %w\n%s", m.DataDir, err, tail(string(out), 4000))
	}
	return nil
}

// serverArgs is mariadbd's command line: binlake's settings, then the
// options' extra arguments, which win.
func (m *MariaDB) serverArgs() []string {
	args := append([]string{
		"--no-defaults", // must come first
		"--user=root",
		"--datadir=" + m.DataDir,
		"--tmpdir=" + m.tmpDir,
		"--socket=" + m.Socket,
		"--pid-file=" + filepath.Join(m.dir, "mariadbd.pid"),
		"--log-error=" + m.errLog,
		"--port=" + strconv.Itoa(m.Port),
		"--bind-address=127.0.0.1",
		"--skip-name-resolve",
		"--character-set-server=utf8mb4",
		"--collation-server=utf8mb4_general_ci",
		"--server-id=1",
		"--log-bin=" + filepath.Join(m.DataDir, "bin"),
		"--binlog-format=ROW",
		"--binlog-row-image=FULL",
		"--binlog-row-metadata=FULL",
		"--gtid-strict-mode=1",
	}, mariadbSmallInnoDB...)
	return append(args, m.extra...)
}

// start runs mariadbd and waits until it accepts connections on its socket.
func (m *MariaDB) start(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.proc != nil {
		return errors.New("start MariaDB: already running")
	}
	logStart := fileSize(m.errLog)
	cmd := exec.Command(m.mariadbd, m.serverArgs()...)
	cmd.Dir = m.dir
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", m.mariadbd, err)
	}
	p := &mariadbProc{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	m.proc = p
	if err := m.waitReady(ctx, p, logStart); err != nil {
		_ = cmd.Process.Kill()
		<-p.done
		m.proc = nil
		return err
	}
	return nil
}

func (m *MariaDB) waitReady(ctx context.Context, p *mariadbProc, logStart int64) error {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		c, err := client.ConnectWithContext(ctx, m.Socket, "root", "", "", time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("mariadbd exited during start-up (%v); end of %s:\n%s", p.cmd.ProcessState, m.errLog, m.logTail(logStart))
		case <-ctx.Done():
			return fmt.Errorf("mariadbd did not accept connections on %s within %v (last error: %v); end of %s:\n%s", m.Socket, m.timeout, err, m.errLog, m.logTail(logStart))
		case <-tick.C:
		}
	}
}

// logTail returns the end of what the error log got from offset from on.
func (m *MariaDB) logTail(from int64) string {
	b, err := os.ReadFile(m.errLog)
	if err != nil {
		return fmt.Sprintf("(cannot read the error log: %v)", err)
	}
	if from > int64(len(b)) {
		from = 0
	}
	return tail(string(b[from:]), 4000)
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// createUser creates the TCP user and the test database as root over the
// socket, without writing them to the binlog: the binlog holds only what
// the test itself does.
func (m *MariaDB) createUser(ctx context.Context) error {
	c, err := client.ConnectWithContext(ctx, m.Socket, "root", "", "", 10*time.Second)
	if err != nil {
		return fmt.Errorf("connect to MariaDB as root over %s: %w", m.Socket, err)
	}
	defer c.Close()
	for _, q := range []string{
		"SET SESSION sql_log_bin = 0",
		fmt.Sprintf("CREATE USER '%s'@'127.0.0.1' IDENTIFIED BY '%s'", m.User, m.Password),
		fmt.Sprintf("GRANT ALL PRIVILEGES ON *.* TO '%s'@'127.0.0.1' WITH GRANT OPTION", m.User),
		fmt.Sprintf("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '%s'@'127.0.0.1'", m.User),
		"CREATE DATABASE IF NOT EXISTS test",
	} {
		if _, err := c.Execute(q); err != nil {
			return fmt.Errorf("set up MariaDB: %s: %w", q, err)
		}
	}
	return nil
}

// Addr returns "host:port".
func (m *MariaDB) Addr() string { return net.JoinHostPort(m.Host, strconv.Itoa(m.Port)) }

// DSN returns a data source name for go-mysql's database/sql driver
// ("user:password@host:port/db"); db may be empty.
func (m *MariaDB) DSN(db string) string {
	return fmt.Sprintf("%s:%s@%s/%s", m.User, m.Password, m.Addr(), db)
}

// Connect opens a go-mysql client connection over TCP as User; db may be
// empty.
func (m *MariaDB) Connect(ctx context.Context, db string) (*client.Conn, error) {
	c, err := client.ConnectWithContext(ctx, m.Addr(), m.User, m.Password, db, 10*time.Second)
	if err != nil {
		return nil, fmt.Errorf("connect to MariaDB at %s as %s: %w", m.Addr(), m.User, err)
	}
	return c, nil
}

// Exec runs the statements in order on one TCP connection as User (who has
// every privilege); cancelling ctx closes the connection.
func (m *MariaDB) Exec(ctx context.Context, sql ...string) error {
	c, err := m.Connect(ctx, "")
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	for _, q := range sql {
		if _, err := c.Execute(q); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("exec %q: %w", q, ctx.Err())
			}
			return fmt.Errorf("exec %q: %w", q, err)
		}
	}
	return nil
}

// BinlogFiles returns the absolute paths of the server's binlog files, in
// order, as SHOW BINARY LOGS lists them.
func (m *MariaDB) BinlogFiles() ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := m.Connect(ctx, "")
	if err != nil {
		return nil, err
	}
	defer c.Close()
	r, err := c.Execute("SELECT @@log_bin_basename")
	if err != nil {
		return nil, fmt.Errorf("read log_bin_basename: %w", err)
	}
	base, err := r.GetString(0, 0)
	if err != nil {
		return nil, fmt.Errorf("read log_bin_basename: %w", err)
	}
	r, err = c.Execute("SHOW BINARY LOGS")
	if err != nil {
		return nil, fmt.Errorf("list binary logs: %w", err)
	}
	files := make([]string, 0, r.RowNumber())
	for i := range r.RowNumber() {
		name, err := r.GetString(i, 0)
		if err != nil {
			return nil, fmt.Errorf("list binary logs: %w", err)
		}
		files = append(files, filepath.Join(filepath.Dir(base), name))
	}
	return files, nil
}

// Kill stops the server with SIGKILL, as a crash would, and waits for it to
// exit. Restart starts it again.
func (m *MariaDB) Kill() {
	m.stop(syscall.SIGKILL, 0)
}

// Restart stops the server cleanly if it is running and starts it again on
// the same data directory and port.
func (m *MariaDB) Restart(ctx context.Context) error {
	m.stop(syscall.SIGTERM, 30*time.Second)
	return m.start(ctx)
}

// Close stops the server (SIGTERM, then SIGKILL after 30 s) and removes its
// files. It may be called more than once.
func (m *MariaDB) Close() {
	m.stop(syscall.SIGTERM, 30*time.Second)
	if m.dir != "" {
		_ = os.RemoveAll(m.dir)
	}
}

// stop sends sig and waits for the process to exit, escalating to SIGKILL
// after grace (zero waits for ever, for SIGKILL itself).
func (m *MariaDB) stop(sig os.Signal, grace time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.proc
	if p == nil {
		return
	}
	m.proc = nil
	_ = p.cmd.Process.Signal(sig)
	if grace == 0 {
		<-p.done
		return
	}
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// dieWithParent asks Linux to kill the server when the process that started
// it dies (a test binary killed by -timeout skips its cleanups), so that no
// server outlives its test. The field exists only on Linux, hence reflection;
// elsewhere this does nothing.
func dieWithParent(cmd *exec.Cmd) {
	attr := &syscall.SysProcAttr{}
	if f := reflect.ValueOf(attr).Elem().FieldByName("Pdeathsig"); f.IsValid() && f.CanSet() {
		f.Set(reflect.ValueOf(syscall.SIGKILL))
	}
	cmd.SysProcAttr = attr
}

// freeTCPPort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freeTCPPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free TCP port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
