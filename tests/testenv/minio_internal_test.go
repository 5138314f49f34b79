package testenv

import (
	"strings"
	"testing"
)

func TestMinIOBinaryMissing(t *testing.T) {
	t.Setenv("BINLAKE_MINIO", "")
	t.Setenv("PATH", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	_, err := minioBinary()
	if err == nil {
		t.Fatal("minioBinary found a server in empty directories")
	}
	for _, want := range []string{"make tools", "go install github.com/minio/minio@" + MinIOVersion} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestMinIOBinaryFromEnv(t *testing.T) {
	t.Setenv("BINLAKE_MINIO", "/nonexistent/minio")
	if _, err := minioBinary(); err == nil || !strings.Contains(err.Error(), "BINLAKE_MINIO=/nonexistent/minio") {
		t.Errorf("error = %v, want one naming BINLAKE_MINIO", err)
	}
}

func TestTailBuffer(t *testing.T) {
	b := &tailBuffer{max: 5}
	for _, s := range []string{"ab", "cdef", "g"} {
		b.Write([]byte(s))
	}
	if got := b.String(); got != "cdefg" {
		t.Errorf("tail = %q, want %q", got, "cdefg")
	}
}

func TestFreePort(t *testing.T) {
	p, err := FreePort()
	if err != nil || p <= 0 || p > 65535 {
		t.Errorf("FreePort() = %d, %v", p, err)
	}
}
