//go:build linux

package e2e

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill a child if the test process dies
// without running its cleanups.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
