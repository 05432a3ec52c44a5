package pgstore

import (
	"container/list"
	"sync"

	"github.com/billfold/billfold/ledger"
)

// A kept journal is one a Store loaded or wrote, with the id of its last
// transaction: together with its length, what the database must still
// show for the journal to be used again. size is the length of its
// transactions' JSON bodies, in bytes: what the cache counts against its
// byte bound.
type kept struct {
	j    ledger.Journal
	last string
	size int64
}

// A cache keeps the journals of the streams used most recently, at most
// maxStreams of them and at most maxBytes of their size. It is safe for
// concurrent use. A cache of maxStreams ≤ 0 keeps nothing, nor does one of
// maxBytes ≤ 0.
type cache struct {
	mu              sync.Mutex
	maxStreams      int
	maxBytes, bytes int64
	items           map[string]*list.Element // of *cached
	lru             *list.List               // most recently used first
}

type cached struct {
	stream string
	kept
}

func newCache(maxStreams int, maxBytes int64) *cache {
	return &cache{maxStreams: maxStreams, maxBytes: maxBytes, items: make(map[string]*list.Element), lru: list.New()}
}

// enabled reports whether the cache keeps anything.
func (c *cache) enabled() bool { return c.maxStreams > 0 && c.maxBytes > 0 }

// get returns the journal kept for stream, if any.
func (c *cache) get(stream string) (kept, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[stream]
	if !ok {
		return kept{}, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cached).kept, true
}

// put keeps k for stream unless a longer journal is kept for it: writers
// racing to put what they saw leave the newest. A stale journal does no
// harm beyond a wasted read, since every use checks it against the
// database. Empty journals are not kept, nor one larger than maxBytes;
// the least recently used journals go to make room.
func (c *cache) put(stream string, k kept) {
	if !c.enabled() || k.j.Len() == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[stream]; ok {
		v := e.Value.(*cached)
		if v.j.Len() > k.j.Len() {
			c.lru.MoveToFront(e)
			return
		}
		c.remove(e)
	}
	if k.size > c.maxBytes {
		return
	}
	c.items[stream] = c.lru.PushFront(&cached{stream, k})
	c.bytes += k.size
	for c.lru.Len() > c.maxStreams || c.bytes > c.maxBytes {
		c.remove(c.lru.Back())
	}
}

// remove forgets e's journal. c.mu must be held.
func (c *cache) remove(e *list.Element) {
	v := c.lru.Remove(e).(*cached)
	delete(c.items, v.stream)
	c.bytes -= v.size
}

// drop forgets the journal kept for stream if it is k's: the database
// showed it no longer holds it.
func (c *cache) drop(stream string, k kept) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[stream]; ok && e.Value.(*cached).kept == k {
		c.remove(e)
	}
}
