package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"
)

// ingester runs `binlake ingest` as a subprocess, so that it can be killed
// with SIGKILL as a crash would, and restarted. Every run appends its
// stdout and stderr to one log file.
type ingester struct {
	bin     string
	args    []string // flags after "ingest"
	env     []string // added to the test's environment
	logPath string

	mu     sync.Mutex
	proc   *ingestProc
	starts int
	kills  int
	// exited receives an error when a live ingest stops without being killed.
	exited chan error
}

type ingestProc struct {
	cmd    *exec.Cmd
	done   chan struct{} // closed when the process has exited
	err    error         // cmd.Wait's result, set before done closes
	killed atomic.Bool
}

func newIngester(bin, logPath string, env []string, args ...string) *ingester {
	return &ingester{bin: bin, args: args, env: env, logPath: logPath, exited: make(chan error, 1)}
}

// command builds one run of binlake ingest with extra flags, its output
// appended to the log under a header naming the run.
func (g *ingester) command(ctx context.Context, what string, extra ...string) (*exec.Cmd, *os.File, error) {
	log, err := os.OpenFile(g.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(log, "\n=== %s at %s ===\n", what, time.Now().Format("15:04:05.000"))
	args := append(append([]string{"ingest"}, g.args...), extra...)
	cmd := exec.CommandContext(ctx, g.bin, args...)
	cmd.Env = append(os.Environ(), g.env...)
	cmd.Stdout, cmd.Stderr = log, log
	dieWithParent(cmd)
	return cmd, log, nil
}

// start starts a live ingest; it must not be running.
func (g *ingester) start() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.proc != nil {
		return errors.New("start ingest: already running")
	}
	g.starts++
	cmd, log, err := g.command(context.Background(), fmt.Sprintf("start %d", g.starts))
	if err != nil {
		return err
	}
	defer log.Close() // the child holds its own descriptor
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start binlake ingest: %w", err)
	}
	p := &ingestProc{cmd: cmd, done: make(chan struct{})}
	n := g.starts
	go func() {
		p.err = cmd.Wait()
		close(p.done)
		if !p.killed.Load() {
			select {
			case g.exited <- fmt.Errorf("binlake ingest (start %d) exited by itself: %v", n, p.err):
			default:
			}
		}
	}()
	g.proc = p
	return nil
}

// kill sends SIGKILL to the live ingest, if any, and waits for it to exit.
// It reports whether a process was killed.
func (g *ingester) kill() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.proc
	if p == nil {
		return false
	}
	g.proc = nil
	p.killed.Store(true)
	_ = p.cmd.Process.Kill()
	<-p.done
	if p.cmd.ProcessState != nil && p.cmd.ProcessState.Exited() {
		// It had stopped by itself before the signal.
		select {
		case g.exited <- fmt.Errorf("binlake ingest (start %d) exited by itself: %v", g.starts, p.err):
		default:
		}
		return false
	}
	g.kills++
	if f, err := os.OpenFile(g.logPath, os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
		fmt.Fprintf(f, "\n=== SIGKILL %d at %s ===\n", g.kills, time.Now().Format("15:04:05.000"))
		f.Close()
	}
	return true
}

// killCount returns how many live ingests were killed so far.
func (g *ingester) killCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.kills
}

// catchUp runs `binlake ingest --exit-when-caught-up` to completion.
func (g *ingester) catchUp(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd, log, err := g.command(ctx, "catch up (--exit-when-caught-up)", "--exit-when-caught-up")
	if err != nil {
		return err
	}
	defer log.Close()
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("binlake ingest --exit-when-caught-up did not finish within %v", timeout)
		}
		return fmt.Errorf("binlake ingest --exit-when-caught-up: %w", err)
	}
	return nil
}

// logTail returns the last n bytes of the ingest log.
func (g *ingester) logTail(n int) string {
	b, err := os.ReadFile(g.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", g.logPath, err)
	}
	if len(b) > n {
		return "...\n" + string(b[len(b)-n:])
	}
	return string(b)
}
