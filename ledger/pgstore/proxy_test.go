package pgstore_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"
)

// A proxy relays PostgreSQL connections from 127.0.0.1 to a server, and
// can cut a connection right after the client sent a COMMIT: the server
// receives the COMMIT (and commits) while the client never hears back,
// which is the outcome a host cannot know.
//
// Cancel requests are dropped: a client cut off from the server cannot
// reach it to cancel the COMMIT either.
//
// It follows the protocol's messages from the client to tell a COMMIT:
// a simple query, or the execution of a statement whose text is COMMIT
// (pgx prepares it once per connection and then executes it by name).
type proxy struct {
	ln net.Listener
	// cut is asked after each COMMIT is relayed; true cuts the
	// connection there.
	cut func() bool

	mu     sync.Mutex
	target string // host:port
	conns  map[net.Conn]bool
	wg     sync.WaitGroup
}

// startProxy listens on a free port of 127.0.0.1 and relays to target
// (host:port). It stops, closing every connection, when the test ends.
func startProxy(t testing.TB, target string, cut func() bool) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, cut: cut, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// retarget makes new connections go to target.
func (p *proxy) retarget(target string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.target = target
}

// addr is the proxy's host:port.
func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// track registers c to be closed with the proxy; false if it is closing.
func (p *proxy) track(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.conns[c] = true
	}
}

func (p *proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		target := p.target
		p.mu.Unlock()
		server, err := net.Dial("tcp", target)
		if err != nil {
			client.Close()
			continue
		}
		p.track(client, server)
		p.wg.Add(2)
		// The server's end is only ever half-closed, and read to its end:
		// closing a socket with unread data resets the connection, and
		// the server could then lose a COMMIT sent just before.
		go func() {
			defer p.wg.Done()
			io.Copy(client, server)
			client.Close()
			io.Copy(io.Discard, server)
			p.untrack(client, server)
		}()
		go func() {
			defer p.wg.Done()
			p.relay(client, server)
			client.Close()
			server.(*net.TCPConn).CloseWrite()
		}()
	}
}

// relay copies the client's messages to the server, whole, and cuts the
// connection after a COMMIT when p.cut says so.
func (p *proxy) relay(client, server net.Conn) {
	var (
		buf     []byte
		chunk   = make([]byte, 32<<10)
		started bool                // the startup message (no type byte) is past
		commits = map[string]bool{} // prepared statements that are a COMMIT
		portals = map[string]bool{} // portals bound to one
	)
	for {
		n, err := client.Read(chunk)
		if err != nil {
			return
		}
		buf = append(buf, chunk[:n]...)
		end, commit := 0, false
		for {
			if !started {
				if len(buf)-end < 4 {
					break
				}
				l := int(binary.BigEndian.Uint32(buf[end:]))
				if len(buf)-end < l {
					break
				}
				if l == 16 && binary.BigEndian.Uint32(buf[end+4:]) == 80877102 {
					// A CancelRequest, which pgx sends when a connection
					// breaks: dropped, as by the partition that cut the
					// connection.
					return
				}
				end += l
				started = true
				continue
			}
			if len(buf)-end < 5 {
				break
			}
			typ := buf[end]
			l := int(binary.BigEndian.Uint32(buf[end+1:]))
			if len(buf)-end < 1+l {
				break
			}
			body := buf[end+5 : end+1+l]
			end += 1 + l
			fields := bytes.Split(body, []byte{0})
			switch typ {
			case 'Q': // simple query
				if bytes.Contains(bytes.ToUpper(body), []byte("COMMIT")) {
					commit = true
				}
			case 'P': // Parse: statement name, query
				if len(fields) >= 2 {
					commits[string(fields[0])] = bytes.EqualFold(bytes.TrimSpace(fields[1]), []byte("COMMIT"))
				}
			case 'B': // Bind: portal, statement
				if len(fields) >= 2 {
					portals[string(fields[0])] = commits[string(fields[1])]
				}
			case 'E': // Execute: portal
				if len(fields) >= 1 && portals[string(fields[0])] {
					commit = true
				}
			}
		}
		cut := commit && p.cut()
		if cut {
			client.Close() // first, so that no answer reaches it
		}
		if end > 0 {
			if _, err := server.Write(buf[:end]); err != nil {
				return
			}
			buf = append(buf[:0], buf[end:]...)
		}
		if cut {
			return // the caller half-closes the server's end
		}
	}
}
