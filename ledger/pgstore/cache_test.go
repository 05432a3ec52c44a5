package pgstore

import (
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// journal returns a journal of n grants, the last with id last.
func journal(t *testing.T, n int, last string) kept {
	t.Helper()
	var j ledger.Journal
	for i := range n {
		id := string(rune('a' + i))
		if i == n-1 {
			id = last
		}
		var err error
		j, _, err = j.Apply(ledger.Grant(id, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			ledger.Terms{Account: ledger.InstrumentAccount("cash", "USD")}, decimal.New(1, 0), ""))
		if err != nil {
			t.Fatal(err)
		}
	}
	return kept{j, last, int64(n)}
}

// The cache keeps the most recently used streams, never trades a journal
// for a shorter one, drops only what it was told is stale, and keeps
// nothing when its size is not positive.
func TestCache(t *testing.T) {
	c := newCache(2, 1<<20)
	one, two := journal(t, 1, "x"), journal(t, 2, "y")
	c.put("a", one)
	c.put("b", one)
	c.get("a") // b is now the least recently used
	c.put("c", one)
	if _, ok := c.get("b"); ok {
		t.Error("the least recently used stream was not evicted")
	}
	if _, ok := c.get("a"); !ok {
		t.Error("a recently used stream was evicted")
	}

	c.put("a", two)
	c.put("a", one)
	if k, _ := c.get("a"); k != two {
		t.Error("a shorter journal replaced a longer one")
	}
	c.drop("a", one)
	if k, ok := c.get("a"); !ok || k != two {
		t.Error("drop removed a journal other than the one named")
	}
	c.drop("a", two)
	if _, ok := c.get("a"); ok {
		t.Error("drop kept the journal")
	}

	c.put("e", kept{})
	if _, ok := c.get("e"); ok {
		t.Error("an empty journal was kept")
	}
	off := newCache(-1, 1<<20)
	off.put("a", one)
	if _, ok := off.get("a"); ok {
		t.Error("a cache of size -1 kept a journal")
	}
}

// The cache is bounded by bytes as well as streams: the least recently
// used journals go until the kept ones fit, and a journal larger than the
// bound is not kept at all.
func TestCacheBytes(t *testing.T) {
	c := newCache(10, 5)
	two, three := journal(t, 2, "x"), journal(t, 3, "y") // sizes 2 and 3
	c.put("a", two)
	c.put("b", three) // 5 bytes: both fit
	if _, ok := c.get("a"); !ok {
		t.Fatal("a journal within the bound was evicted")
	}
	c.put("c", two) // 7 bytes: b, the least recently used, goes
	if _, ok := c.get("b"); ok {
		t.Error("the least recently used journal was kept beyond the byte bound")
	}
	if _, ok := c.get("a"); !ok {
		t.Error("a recently used journal was evicted")
	}
	if c.bytes != 4 {
		t.Errorf("the cache counts %d bytes, want 4", c.bytes)
	}
	c.put("a", three) // replaced: 3 + 2 bytes
	if c.bytes != 5 || c.lru.Len() != 2 {
		t.Errorf("after replacing a journal: %d bytes in %d journals, want 5 in 2", c.bytes, c.lru.Len())
	}
	c.put("big", journal(t, 6, "z"))
	if _, ok := c.get("big"); ok {
		t.Error("a journal larger than the bound was kept")
	}
	if c.lru.Len() != 2 {
		t.Error("a journal too large to keep evicted others")
	}
}
