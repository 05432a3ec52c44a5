package main

import "syscall"

// procAttr runs a server program with cred (nil: as ourselves) and stops
// it (SIGQUIT: PostgreSQL's immediate shutdown) when the test binary dies.
func procAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
}
