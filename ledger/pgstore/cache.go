package pgstore

import (
	"container/list"
	"sync"

	"github.com/billfold/billfold/ledger"
)

// A kept journal is one a Store loaded or wrote, with the id of its last
// transaction: together with its length, what the database must still
// show for the journal to be used again.
type kept struct {
	j    ledger.Journal
	last string
}

// A cache keeps the journals of the streams used most recently, at most
// max of them. It is safe for concurrent use. A cache of max ≤ 0 keeps
// nothing.
type cache struct {
	mu    sync.Mutex
	max   int
	items map[string]*list.Element // of *cached
	lru   *list.List               // most recently used first
}

type cached struct {
	stream string
	kept
}

func newCache(max int) *cache {
	return &cache{max: max, items: make(map[string]*list.Element), lru: list.New()}
}

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
// database. Empty journals are not kept.
func (c *cache) put(stream string, k kept) {
	if c.max <= 0 || k.j.Len() == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[stream]; ok {
		v := e.Value.(*cached)
		if v.j.Len() <= k.j.Len() {
			v.kept = k
		}
		c.lru.MoveToFront(e)
		return
	}
	c.items[stream] = c.lru.PushFront(&cached{stream, k})
	for c.lru.Len() > c.max {
		old := c.lru.Remove(c.lru.Back()).(*cached)
		delete(c.items, old.stream)
	}
}

// drop forgets the journal kept for stream if it is k's: the database
// showed it no longer holds it.
func (c *cache) drop(stream string, k kept) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[stream]; ok && e.Value.(*cached).kept == k {
		c.lru.Remove(e)
		delete(c.items, stream)
	}
}
