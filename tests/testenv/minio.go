// Package testenv starts the real servers binlake's tests run against. It
// is a test-support package: only tests import it. A server that cannot be
// started fails the test; nothing is skipped, except under -short, where
// every Start function skips its test so that `go test -short ./...` starts
// no process.
package testenv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// MinIO is a MinIO server running on the loopback interface with its data
// in a temporary directory.
type MinIO struct {
	// AccessKey and SecretKey are the root credentials.
	AccessKey, SecretKey string

	port    int
	dataDir string
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the process has exited
	output  *tailBuffer
	close   sync.Once
}

const (
	minioStartTimeout = 30 * time.Second
	minioTries        = 3 // a picked port may be taken before MinIO binds it
)

// StartMinIO starts a MinIO server for the test and stops it when the test
// ends. It fails the test when the server cannot start, and skips it only
// under -short.
func StartMinIO(t testing.TB) *MinIO {
	t.Helper()
	skipIfShort(t, "a private MinIO")
	m, err := NewMinIO(context.Background())
	if err != nil {
		t.Fatalf("start MinIO: %v", err)
	}
	t.Cleanup(m.Close)
	return m
}

// NewMinIO starts a MinIO server and waits until it is live. The caller
// must Close it.
func NewMinIO(ctx context.Context) (*MinIO, error) {
	bin, err := minioBinary()
	if err != nil {
		return nil, err
	}
	for try := 1; ; try++ {
		m, err := startMinIO(ctx, bin)
		if err == nil {
			return m, nil
		}
		var early *exitedEarlyError
		if try == minioTries || !errors.As(err, &early) {
			return nil, err
		}
	}
}

// Endpoint is the server's base URL, such as http://127.0.0.1:40123.
func (m *MinIO) Endpoint() string { return "http://127.0.0.1:" + strconv.Itoa(m.port) }

// Close stops the server and removes its data. It may be called again.
func (m *MinIO) Close() {
	m.close.Do(func() {
		_ = m.cmd.Process.Kill()
		<-m.exited
		_ = os.RemoveAll(m.dataDir)
	})
}

// exitedEarlyError is a server that stopped before it was live.
type exitedEarlyError struct {
	err    error
	output string
}

func (e *exitedEarlyError) Error() string {
	return fmt.Sprintf("minio exited before it was live (%v); its output ends with:\n%s", e.err, e.output)
}

func startMinIO(ctx context.Context, bin string) (*MinIO, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	consolePort, err := FreePort()
	if err != nil {
		return nil, err
	}
	dataDir, err := os.MkdirTemp("", "binlake-minio-")
	if err != nil {
		return nil, fmt.Errorf("minio data directory: %w", err)
	}
	m := &MinIO{
		AccessKey: "binlake",
		SecretKey: "binlake-secret",
		port:      port,
		dataDir:   dataDir,
		exited:    make(chan struct{}),
		output:    &tailBuffer{max: 4096},
	}
	m.cmd = exec.Command(bin, "server", dataDir,
		"--address", "127.0.0.1:"+strconv.Itoa(port),
		"--console-address", "127.0.0.1:"+strconv.Itoa(consolePort),
		"--quiet")
	m.cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+m.AccessKey,
		"MINIO_ROOT_PASSWORD="+m.SecretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	)
	m.cmd.Stdout = m.output
	m.cmd.Stderr = m.output
	killWithParent(m.cmd)
	if err := m.cmd.Start(); err != nil {
		os.RemoveAll(dataDir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	var waitErr error
	go func() {
		waitErr = m.cmd.Wait()
		close(m.exited)
	}()
	if err := m.waitLive(ctx); err != nil {
		m.Close() // waits for the process, so waitErr is set
		if errors.Is(err, errExited) {
			return nil, &exitedEarlyError{err: waitErr, output: m.output.String()}
		}
		return nil, fmt.Errorf("minio at %s: %w; its output ends with:\n%s", m.Endpoint(), err, m.output.String())
	}
	return m, nil
}

var errExited = errors.New("process exited")

// waitLive polls the liveness endpoint until it answers 200.
func (m *MinIO) waitLive(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, minioStartTimeout)
	defer cancel()
	url := m.Endpoint() + "/minio/health/live"
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-m.exited:
			return errExited
		case <-ctx.Done():
			return fmt.Errorf("not live after %s: %w", minioStartTimeout, ctx.Err())
		case <-tick.C:
		}
	}
}
