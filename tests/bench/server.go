package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/binlake/binlake/tests/testenv"
)

// serverArgs make the private server fast enough to load a million rows in
// seconds: a buffer pool that holds the data and no fsync per commit. They
// change how fast MariaDB writes, not what its binlog holds.
var serverArgs = []string{
	"--innodb-buffer-pool-size=512M",
	"--innodb-flush-log-at-trx-commit=2",
	"--sync-binlog=0",
	"--max-connections=200",
}

// server wraps the private MariaDB with the workload steps the measures need.
type server struct {
	db      *testenv.MariaDB
	threads int
}

func (s *server) version(ctx context.Context) (string, error) {
	c, err := s.db.Connect(ctx, "")
	if err != nil {
		return "", err
	}
	defer c.Close()
	r, err := c.Execute("SELECT VERSION()")
	if err != nil {
		return "", fmt.Errorf("read server version: %w", err)
	}
	return r.GetString(0, 0)
}

// sourceURL is the live source URL of the server for ingest.Config.
func (s *server) sourceURL() string {
	u := url.URL{Scheme: "mysql", User: url.UserPassword(s.db.User, s.db.Password), Host: s.db.Addr()}
	return u.String()
}

// sysbenchResult is what a sysbench run reports.
type sysbenchResult struct {
	transactions int64
	tps          float64
	elapsed      time.Duration
}

var sysbenchTxns = regexp.MustCompile(`transactions:\s+(\d+)\s+\(([\d.]+) per sec`)

// sysbench runs oltp_write_only with the given command ("prepare", "run")
// and extra options against database sbtest.
func (s *server) sysbench(ctx context.Context, command string, extra ...string) (sysbenchResult, error) {
	args := append([]string{"oltp_write_only",
		"--db-driver=mysql",
		"--mysql-host=" + s.db.Host,
		"--mysql-port=" + strconv.Itoa(s.db.Port),
		"--mysql-user=" + s.db.User,
		"--mysql-password=" + s.db.Password,
		"--mysql-db=sbtest",
		"--threads=" + strconv.Itoa(s.threads),
	}, extra...)
	args = append(args, command)
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "sysbench", args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	res := sysbenchResult{elapsed: time.Since(start)}
	if err != nil {
		return res, fmt.Errorf("sysbench %s %s: %w\n%s", command, strings.Join(extra, " "), err, tailText(out.String(), 3000))
	}
	if m := sysbenchTxns.FindStringSubmatch(out.String()); m != nil {
		res.transactions, _ = strconv.ParseInt(m[1], 10, 64)
		res.tps, _ = strconv.ParseFloat(m[2], 64)
	}
	return res, nil
}

// resetDatabase drops sbtest, forgets every binlog (RESET MASTER) and
// creates sbtest again, so the next binlog holds only the next workload.
func (s *server) resetDatabase(ctx context.Context) error {
	return s.db.Exec(ctx,
		"DROP DATABASE IF EXISTS sbtest",
		"RESET MASTER",
		"CREATE DATABASE sbtest")
}

// copyBinlogs rotates the binlog and copies every binlog file into dir.
// It returns the total size of the copies.
func (s *server) copyBinlogs(ctx context.Context, dir string) (int64, error) {
	if err := s.db.Exec(ctx, "FLUSH BINARY LOGS"); err != nil {
		return 0, err
	}
	files, err := s.db.BinlogFiles()
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("create %s: %w", dir, err)
	}
	var total int64
	for _, f := range files {
		n, err := copyFile(f, filepath.Join(dir, filepath.Base(f)))
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

func copyFile(from, to string) (int64, error) {
	in, err := os.Open(from)
	if err != nil {
		return 0, fmt.Errorf("copy binlog: %w", err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return 0, fmt.Errorf("copy binlog: %w", err)
	}
	n, err := io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("copy binlog %s: %w", from, err)
	}
	return n, nil
}

func tailText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// dirSize sums the sizes of the regular files under dir.
func dirSize(dir string) (int64, int, error) {
	var total int64
	var files int
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		files++
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("size of %s: %w", dir, err)
	}
	return total, files, nil
}
