//go:build !linux

package testenv

import "os/exec"

// killWithParent does nothing where the kernel cannot tie a child's life to
// its parent's; Close stops the server.
func killWithParent(*exec.Cmd) {}
