package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestMain removes the binlake binary the tests built, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// built is the binlake CLI, compiled once per test process by the first test
// that runs it as a subprocess (so that it can be killed with SIGKILL).
var built struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// binlakeBinary returns the path of the binlake CLI built from this module.
func binlakeBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() { built.path, built.err = buildBinlake() })
	if built.err != nil {
		t.Fatalf("build binlake: %v", built.err)
	}
	return built.path
}

func buildBinlake() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the binlake module (go env GOMOD is %q)", gomod)
	}
	dir, err := os.MkdirTemp("", "binlake-e2e-bin-")
	if err != nil {
		return "", err
	}
	built.dir = dir
	path := filepath.Join(dir, "binlake")
	cmd := exec.Command("go", "build", "-o", path, "./cmd/binlake")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/binlake: %w\n%s", err, out)
	}
	return path, nil
}
