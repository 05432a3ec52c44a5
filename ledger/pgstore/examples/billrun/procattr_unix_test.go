//go:build unix && !linux

package main

import "syscall"

// procAttr runs a server program with cred (nil: as ourselves).
func procAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred}
}
