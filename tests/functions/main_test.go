package functions

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// bins holds the binaries built once for the package: the functions as
// deployed (static bootstrap executables) and the CLI to compare with.
var bins struct {
	dir string
	cli string
}

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		// Every test here starts MariaDB, MinIO and the functions, and skips
		// under -short: build nothing.
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "binlake-functions-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := 1
	if err := build(dir); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

func build(dir string) error {
	root, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return err
	}
	mod := filepath.Dir(strings.TrimSpace(string(root)))
	bins.dir, bins.cli = dir, filepath.Join(dir, "binlake")
	steps := []*exec.Cmd{
		exec.Command("bash", "tests/tools/build-lambda.sh", dir),
		exec.Command("go", "build", "-o", bins.cli, "./cmd/binlake"),
	}
	steps[0].Env = append(os.Environ(), "FUNCTIONS=query verify checkpoint recover")
	for _, c := range steps {
		c.Dir = mod
		if out, err := c.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(c.Args, " "), err, out)
		}
	}
	return nil
}

func bootstrap(fn string) string { return filepath.Join(bins.dir, fn, "bootstrap") }
