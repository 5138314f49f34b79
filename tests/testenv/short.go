package testenv

import "testing"

// skipIfShort skips the test under -short, naming what it needs: `go test
// -short ./...` runs unit tests only and starts no process.
func skipIfShort(t testing.TB, needs string) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs " + needs + ": not run under -short")
	}
}
