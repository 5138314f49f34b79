package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// MinIOVersion is the MinIO server the tests are written against, as a Go
// module version; `make tools` installs it.
const MinIOVersion = "v0.0.0-20260212201848-7aac2a2c5b7c"

// minioBinary finds the MinIO server: $BINLAKE_MINIO, then minio on PATH,
// then $HOME/.cache/binlake/bin/minio.
func minioBinary() (string, error) {
	if p := os.Getenv("BINLAKE_MINIO"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("BINLAKE_MINIO=%s: %w", p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	var cached string
	if home, err := os.UserHomeDir(); err == nil {
		cached = filepath.Join(home, ".cache", "binlake", "bin", "minio")
		if _, err := os.Stat(cached); err == nil {
			return cached, nil
		}
	}
	return "", fmt.Errorf("MinIO server not found (looked at $BINLAKE_MINIO, minio on PATH, %s); "+
		"install it with `make tools`, or with "+
		"`GOBIN=$HOME/.cache/binlake/bin go install github.com/minio/minio@%s`", cached, MinIOVersion)
}
