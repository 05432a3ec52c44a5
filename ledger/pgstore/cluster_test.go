//go:build unix

package pgstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// A cluster is a throwaway PostgreSQL server for the tests: a fresh data
// directory in a temporary directory, listening on a free port of
// 127.0.0.1 and on a unix socket in that directory, with durability turned
// off (fsync, synchronous_commit, full_page_writes) since nothing in it is
// kept.
//
// The server runs as a child of the test binary with a parent-death
// signal (on Linux), so it goes down with the binary even when a test
// timeout kills it; pg_ctl would start it as a daemon that outlives the
// binary.
type cluster struct {
	dir  string // removed by stop
	url  string
	cmd  *exec.Cmd
	done chan error // receives the server's exit

	postgres, data string
	cred           *syscall.Credential
	port           int      // 0 until started
	settings       []string // -c settings beyond the defaults
	group          bool     // the server leads a process group of its own, for kill
	cmdPid         int      // the postmaster's pid, its group's id
}

// installHint says how to get the server binaries.
const installHint = "install the PostgreSQL server (Debian/Ubuntu: apt-get install postgresql), " +
	"or set DATABASE_URL to a database the tests may create schemas in"

// pgBinary finds a PostgreSQL server program on PATH or in
// /usr/lib/postgresql/*/bin, the newest version first.
func pgBinary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return pgVersion(b) - pgVersion(a) })
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("pgstore tests: PostgreSQL program %q not found on PATH or in /usr/lib/postgresql/*/bin: %s", name, installHint)
}

// pgVersion is the major version in a /usr/lib/postgresql/N/bin path.
func pgVersion(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// serverUser returns the credentials to run the server with: nil to run
// as ourselves, or those of the postgres user when we are root (initdb and
// postgres refuse to run as root).
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgstore tests: running as root, the server must run as the user \"postgres\", which does not exist (%v): %s", err, installHint)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("pgstore tests: user postgres: %v", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// startCluster initialises and starts a throwaway server. The caller must
// call stop.
func startCluster() (c *cluster, err error) { return startClusterWith(false) }

// startClusterWith is startCluster; with crashable, the server keeps
// synchronous_commit on (so that a crash of every server process loses
// no acknowledged commit: fsync off only matters if the machine fails)
// and leads its own process group, which kill ends at once.
func startClusterWith(crashable bool) (c *cluster, err error) {
	initdb, err := pgBinary("initdb")
	if err != nil {
		return nil, err
	}
	postgres, err := pgBinary("postgres")
	if err != nil {
		return nil, err
	}
	cred, err := serverUser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgstore-test-")
	if err != nil {
		return nil, err
	}
	c = &cluster{dir: dir, group: crashable}
	if crashable {
		c.settings = []string{"synchronous_commit=on"}
	} else {
		c.settings = []string{"synchronous_commit=off"}
	}
	defer func() {
		if err != nil {
			c.stop()
		}
	}()
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	var out bytes.Buffer
	cmd := exec.Command(initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
	cmd.Dir, cmd.Stdout, cmd.Stderr, cmd.SysProcAttr = dir, &out, &out, procAttr(cred)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("pgstore tests: %s: %v\n%s", cmd, err, out.String())
	}
	c.postgres, c.data, c.cred = postgres, data, cred
	for try := 0; ; try++ {
		err := c.start()
		if err == nil || try == 2 {
			return c, err
		}
	}
}

// start runs the server, on the port it had if it ran before, else on a
// free one, and waits until it accepts connections.
func (c *cluster) start() error {
	postgres, data, cred := c.postgres, c.data, c.cred
	port := c.port
	if port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	logPath := filepath.Join(c.dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	args := []string{"-D", data, "-p", strconv.Itoa(port), "-k", c.dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "full_page_writes=off",
		"-c", "max_connections=100"}
	for _, s := range c.settings {
		args = append(args, "-c", s)
	}
	cmd := exec.Command(postgres, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr, cmd.SysProcAttr = c.dir, logFile, logFile, procAttr(cred)
	cmd.SysProcAttr.Setpgid = c.group
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgstore tests: starting %s: %v", postgres, err)
	}
	c.cmd, c.cmdPid, c.done = cmd, cmd.Process.Pid, make(chan error, 1)
	go func() { c.done <- cmd.Wait() }()
	c.port = port
	c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgconn.Connect(ctx, c.url)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case werr := <-c.done:
			c.cmd = nil
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("pgstore tests: postgres exited (%v):\n%s", werr, tail(string(log), 20))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pgstore tests: postgres did not accept connections within 30 s: %v", err)
		}
	}
}

// kill ends every process of the server at once (SIGKILL to the
// postmaster and to each of its children, found in /proc: the backends
// leave the postmaster's process group), as a crash of the server would,
// and waits until they are all gone. The cluster must be crashable.
func (c *cluster) kill() error {
	if !c.group || c.cmd == nil {
		return errors.New("pgstore tests: kill needs a running, crashable cluster")
	}
	pids := append(children(c.cmdPid), c.cmdPid)
	syscall.Kill(-c.cmdPid, syscall.SIGSTOP) // no new children while we kill
	for _, pid := range append(children(c.cmdPid), pids...) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	syscall.Kill(-c.cmdPid, syscall.SIGKILL)
	<-c.done
	c.cmd = nil
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for syscall.Kill(pid, 0) == nil {
			if time.Now().After(deadline) {
				return fmt.Errorf("pgstore tests: server process %d outlived SIGKILL", pid)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return nil
}

// children returns the pids of the processes whose parent is pid, from
// /proc (none where there is no /proc).
func children(pid int) []int {
	var out []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		rest := string(b[bytes.LastIndexByte(b, ')')+1:])
		fields := strings.Fields(rest)
		if len(fields) < 2 {
			continue
		}
		if ppid, _ := strconv.Atoi(fields[1]); ppid == pid {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
			out = append(out, child)
		}
	}
	return out
}

// stop shuts the server down (fast shutdown, then a kill after ten
// seconds) and removes its directory.
func (c *cluster) stop() {
	if c.cmd != nil {
		c.cmd.Process.Signal(os.Interrupt)
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			c.cmd.Process.Kill()
			<-c.done
		}
	}
	os.RemoveAll(c.dir)
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
