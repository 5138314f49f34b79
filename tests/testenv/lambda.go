package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Lambda runs a real Lambda bootstrap binary behind an implementation of the
// Lambda Runtime API (the /2018-06-01/runtime/... HTTP protocol that
// aws-lambda-go's runtime loop speaks), one invocation at a time, as Lambda
// does per instance.
type Lambda struct {
	Name string
	// ColdStart is the time from starting the process to the answer of its
	// first invocation.
	ColdStart time.Duration

	srv     *http.Server
	cmd     *exec.Cmd
	stderr  *syncBuffer
	started time.Time
	next    chan *invocation
	mu      sync.Mutex // one invocation at a time
	pending sync.Map   // request id -> *invocation
	seq     int
	initErr chan string
	exited  chan error
}

type invocation struct {
	id      string
	payload []byte
	done    chan Reply
}

// Reply is the outcome of one invocation.
type Reply struct {
	Payload []byte // the response, when the function succeeded
	// ErrorType and ErrorMessage are set when the function returned an error
	// (or failed to initialize).
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

// Failed reports whether the function returned an error.
func (r Reply) Failed() bool { return r.ErrorType != "" || r.ErrorMessage != "" }

// StartLambda starts binary as function name with the given extra
// environment ("K=V") and stops it when the test ends. It skips the test
// under -short.
func StartLambda(t testing.TB, name, binary string, env []string) *Lambda {
	t.Helper()
	skipIfShort(t, "a Lambda bootstrap process")
	l, err := NewLambda(name, binary, env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

// NewLambda starts binary behind a Runtime API server on a free loopback port.
func NewLambda(name, binary string, env []string) (*Lambda, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API listener: %w", err)
	}
	l := &Lambda{Name: name, next: make(chan *invocation), stderr: &syncBuffer{},
		initErr: make(chan string, 1), exited: make(chan error, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", l.serveNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", l.serveResult(false))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", l.serveResult(true))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", l.serveInitError)
	l.srv = &http.Server{Handler: mux}
	go l.srv.Serve(ln) //nolint:errcheck // ends with Close
	l.cmd = exec.Command(binary)
	l.cmd.Env = append(append(os.Environ(),
		"AWS_LAMBDA_RUNTIME_API="+ln.Addr().String(),
		"AWS_LAMBDA_FUNCTION_NAME="+name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=2048",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/"+name,
		"_HANDLER=bootstrap",
	), env...)
	l.cmd.Stderr = l.stderr
	l.cmd.Stdout = l.stderr
	l.started = time.Now()
	if err := l.cmd.Start(); err != nil {
		l.srv.Close()
		return nil, fmt.Errorf("start %s (%s): %w", name, binary, err)
	}
	go func() { l.exited <- l.cmd.Wait() }()
	return l, nil
}

func (l *Lambda) serveNext(w http.ResponseWriter, r *http.Request) {
	select {
	case inv := <-l.next:
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(5*time.Minute).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:"+l.Name)
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
		w.WriteHeader(http.StatusOK)
		w.Write(inv.payload) //nolint:errcheck // the runtime reports its own failures
	case <-r.Context().Done():
	}
}

func (l *Lambda) serveResult(failed bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, ok := l.pending.LoadAndDelete(r.PathValue("id"))
		if !ok {
			http.Error(w, "unknown request id", http.StatusNotFound)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var rep Reply
		if failed {
			if err := json.Unmarshal(body, &rep); err != nil || !rep.Failed() {
				rep = Reply{ErrorType: "Unparsable", ErrorMessage: string(body)}
			}
		} else {
			rep.Payload = body
		}
		w.WriteHeader(http.StatusAccepted)
		v.(*invocation).done <- rep
	}
}

func (l *Lambda) serveInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	select {
	case l.initErr <- string(body):
	default:
	}
	w.WriteHeader(http.StatusAccepted)
}

// Invoke sends one event and waits for the function's reply.
func (l *Lambda) Invoke(ctx context.Context, payload []byte) (Reply, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	inv := &invocation{id: fmt.Sprintf("req-%06d", l.seq), payload: payload, done: make(chan Reply, 1)}
	l.pending.Store(inv.id, inv)
	first := l.seq == 1
	select {
	case l.next <- inv:
	case msg := <-l.initErr:
		return Reply{}, fmt.Errorf("%s failed to initialize: %s\n%s", l.Name, msg, l.Output())
	case err := <-l.exited:
		return Reply{}, fmt.Errorf("%s exited before taking the invocation (%v):\n%s", l.Name, err, l.Output())
	case <-ctx.Done():
		return Reply{}, ctx.Err()
	}
	select {
	case rep := <-inv.done:
		if first {
			l.ColdStart = time.Since(l.started)
		}
		return rep, nil
	case err := <-l.exited:
		return Reply{}, fmt.Errorf("%s crashed during the invocation (%v):\n%s", l.Name, err, l.Output())
	case <-ctx.Done():
		return Reply{}, ctx.Err()
	}
}

// Output is what the function printed (its logs), for failure messages.
func (l *Lambda) Output() string { return tail(l.stderr.String(), 4000) }

// Close stops the function and the Runtime API server.
func (l *Lambda) Close() {
	if l.cmd.Process != nil {
		l.cmd.Process.Kill() //nolint:errcheck // may have exited
	}
	l.srv.Close()
}

// LogLines returns the function's output lines containing s.
func (l *Lambda) LogLines(s string) []string {
	var out []string
	for _, line := range strings.Split(l.stderr.String(), "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
