// Package golden compares the Lambda functions' answers with golden files
// (testdata/golden/<function>/<case>/{event,answer}.json), for the
// functions' tests only. Run the tests with -update to rewrite the answers
// after a deliberate change, and review the diff.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden answers")

// Case is one golden event.
type Case struct {
	Name  string
	Dir   string
	Event []byte
}

// Cases lists the cases under dir, sorted by name.
func Cases(t *testing.T, dir string) []Case {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*", "event.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden cases under %s: %v", dir, err)
	}
	sort.Strings(paths)
	var out []Case
	for _, p := range paths {
		ev, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		d := filepath.Dir(p)
		out = append(out, Case{Name: filepath.Base(d), Dir: d, Event: ev})
	}
	return out
}

// volatile are the answer fields that change from run to run: times,
// durations, request IDs and the URLs made from them.
var volatile = regexp.MustCompile(`"(took_ms|expires|url|key)":("[^"]*"|[0-9]+)`)

// Answer marshals what a handler returned (an answer, or an error as the
// Lambda runtime reports it), masks the volatile fields, and compares it
// with c's answer.json.
func Answer(t *testing.T, c Case, ans any, err error) {
	t.Helper()
	var v any = ans
	if err != nil {
		v = map[string]string{"errorType": errorType(err), "errorMessage": err.Error()}
	}
	raw, merr := json.Marshal(v)
	if merr != nil {
		t.Fatal(merr)
	}
	raw = volatile.ReplaceAll(raw, []byte(`"$1":"…"`))
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	path := filepath.Join(c.Dir, "answer.json")
	if *update {
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, rerr := os.ReadFile(path)
	if rerr != nil {
		t.Fatalf("%v (run the test with -update to write it)", rerr)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("%s: the answer differs from %s (run with -update after a deliberate change):\ngot:\n%s\nwant:\n%s",
			c.Name, path, pretty.Bytes(), want)
	}
}

// errorType names an error as the Lambda runtime does: its Go type,
// without the pointer and package.
func errorType(err error) string {
	s := regexp.MustCompile(`^\*?([a-zA-Z0-9_]+\.)*`).ReplaceAllString(typeName(err), "")
	return s
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }
