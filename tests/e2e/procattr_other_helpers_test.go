//go:build !linux

package e2e

import "os/exec"

// dieWithParent is a no-op where the kernel cannot tie a child's life to
// its parent; the test's cleanups still stop it.
func dieWithParent(*exec.Cmd) {}
