package promtest

import "syscall"

// childAttr makes the kernel kill the server when the test binary dies,
// even by a crash or a timeout panic that skips every cleanup.
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
