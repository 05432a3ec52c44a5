package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// scaleHistory returns the transactions of a stream with n past
// transactions on five instruments in0…in4: grants first, then
// two-posting spends cycling over the instruments, with every 50th
// transaction a hold on in0 that the next one releases, and every 1,000th
// a reversal of half of the spend before it. So the stream has n/50 holds
// (each its own held account), n/1,000 reversals and ~0.93·n spends, one
// minute apart. Built once per size per test binary.
func scaleHistory(b *testing.B, n int) []ledger.Transaction {
	scaleMu.Lock()
	defer scaleMu.Unlock()
	if txs, ok := scaleCache[n]; ok {
		return txs
	}
	var j ledger.Journal
	var txs []ledger.Transaction
	add := func(tx ledger.Transaction) {
		var err error
		if j, _, err = j.Apply(tx); err != nil {
			b.Fatal(err)
		}
		txs = append(txs, tx)
	}
	for i := range 5 {
		id := "in" + strconv.Itoa(i)
		add(ledger.Grant("g"+id, t0, ledger.Terms{Account: acct(id), Kind: "gift"}, decimal.New(1, 12), ""))
	}
	wallet := allocation.Wallet{{ID: "in0", Currency: "USD"}}
	amount := dec("1.25")
	for i := len(txs); i < n; i++ {
		when := t0.Add(time.Duration(i) * time.Minute)
		id := "h" + strconv.Itoa(i)
		switch {
		case i%50 == 0:
			bill := allocation.Bill{ID: id, Currency: "USD", At: when, Lines: []allocation.Line{{ID: "l", Product: "ecs", Amount: amount}}}
			split := allocation.Split{Bill: id, Currency: "USD", Allocations: []allocation.Allocation{{Instrument: "in0", Line: "l", Amount: amount}}}
			tx, err := ledger.Hold(bill, wallet, split, when.Add(time.Hour), "")
			if err != nil {
				b.Fatal(err)
			}
			add(tx)
		case i%50 == 1:
			tx, err := ledger.Release(j, id, when, "hold:h"+strconv.Itoa(i-1), "")
			if err != nil {
				b.Fatal(err)
			}
			add(tx)
		case i%1000 == 3:
			tx, err := ledger.Reverse(j, id, when, "h"+strconv.Itoa(i-1), dec("0.5"), "")
			if err != nil {
				b.Fatal(err)
			}
			add(tx)
		default:
			add(spendTx(id, when, acct("in"+strconv.Itoa(i%5)), "1.25"))
		}
	}
	scaleCache[n] = txs
	return txs
}

var (
	scaleMu    sync.Mutex
	scaleCache = map[int][]ledger.Transaction{}
)

// scaleBill returns bill i of five lines paid by the five instruments (5 ×
// 5 allocations), booked after any history, and its spend.
func scaleBill(b *testing.B, i int) ledger.Transaction {
	wallet := make(allocation.Wallet, 5)
	bill := allocation.Bill{ID: "b" + strconv.Itoa(i), Currency: "USD", At: t0.Add(100 * 365 * 24 * time.Hour)}
	split := allocation.Split{Bill: bill.ID, Currency: "USD"}
	for k := range 5 {
		wallet[k] = allocation.Instrument{ID: "in" + strconv.Itoa(k), Currency: "USD"}
		line := "l" + strconv.Itoa(k)
		bill.Lines = append(bill.Lines, allocation.Line{ID: line, Product: "ecs", Amount: dec("10")})
	}
	for _, l := range bill.Lines {
		for _, in := range wallet {
			split.Allocations = append(split.Allocations, allocation.Allocation{Instrument: in.ID, Line: l.ID, Amount: dec("2")})
		}
	}
	tx, err := ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return tx
}

// rebuild applies txs to an empty journal, as a Store's Load does.
func rebuild(b *testing.B, txs []ledger.Transaction) ledger.Journal {
	j, _, _, err := ledger.Journal{}.ApplyAll(txs)
	if err != nil {
		b.Fatal(err)
	}
	return j
}

// scaleJournal returns the journal of scaleHistory(n), rebuilt once per
// size: the read-only benchmarks share it, and it stays the newest version
// of its log as long as nothing is applied to it ("warm" rebuilds its own).
func scaleJournal(b *testing.B, n int) ledger.Journal {
	scaleMu.Lock()
	j, ok := scaleJournals[n]
	scaleMu.Unlock()
	if !ok {
		j = rebuild(b, scaleHistory(b, n))
		scaleMu.Lock()
		scaleJournals[n] = j
		scaleMu.Unlock()
	}
	return j
}

var scaleJournals = map[int]ledger.Journal{}

// scaleSizes are the history lengths of BenchmarkSpendAtScale: a fresh
// stream (its five grants only), 100,000 and 1,000,000 past transactions.
var scaleSizes = []int{5, 100_000, 1_000_000}

// BenchmarkSpendAtScale books a 5-line × 5-instrument spend (FromSplit +
// Apply) on a stream with a history of each size: "warm" on the journal in
// memory, "store" through MemoryStore and Update, "cold" after rebuilding
// the journal from the stored transactions (what a Store's Load does
// without a checkpoint), "resume" from a checkpoint and the transactions
// after it ([ledger.Resume], what a store's Load does with one). It also
// measures, warm, what else a booking may
// read: an Expire, OpenHolds, and the Reversible amount and the Reverse of
// the oldest spend. Sizes are sub-benchmarks "past=N": select one with
// -bench 'SpendAtScale/^past=100000$/'.
func BenchmarkSpendAtScale(b *testing.B) {
	for _, n := range scaleSizes {
		b.Run(fmt.Sprintf("past=%d/store", n), func(b *testing.B) {
			var s ledger.MemoryStore
			ctx := context.Background()
			if _, err := s.Append(ctx, "c", 0, scaleHistory(b, n)); err != nil {
				b.Fatal(err)
			}
			txs := make([]ledger.Transaction, b.N)
			for i := range txs {
				txs[i] = scaleBill(b, i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, _, err := ledger.Update(ctx, &s, "c", 3, func(ledger.Journal) ([]ledger.Transaction, error) {
					return txs[i : i+1], nil
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("past=%d/cold", n), func(b *testing.B) {
			hist := scaleHistory(b, n)
			tx := scaleBill(b, 0)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, _, err := rebuild(b, hist).Apply(tx); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("past=%d/resume", n), func(b *testing.B) {
			// Cold from a checkpoint, as a store reads a stream: decode
			// the checkpoint taken 32 transactions back (pgstore takes
			// one every 64), resume with those, learn that the bill's id is new (the store's
			// look-up by id) and book the spend.
			hist := scaleHistory(b, n)
			c := max(n-32, 0)
			data, err := json.Marshal(rebuild(b, hist[:c]).Checkpoint())
			if err != nil {
				b.Fatal(err)
			}
			tail, tx := hist[c:], scaleBill(b, 0)
			b.ReportMetric(float64(len(data)), "checkpoint-bytes")
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				var cp ledger.Checkpoint
				if err := json.Unmarshal(data, &cp); err != nil {
					b.Fatal(err)
				}
				j, err := ledger.Resume(cp, tail)
				if err == nil {
					j, err = j.Recall([]string{tx.ID}, nil)
				}
				if err == nil {
					_, _, err = j.Apply(tx)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("past=%d/expire", n), func(b *testing.B) {
			j := scaleJournal(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				ledger.Expire(j, t0.Add(time.Duration(200*365*24+i)*time.Hour))
			}
		})
		b.Run(fmt.Sprintf("past=%d/open_holds", n), func(b *testing.B) {
			j := scaleJournal(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if len(j.OpenHolds()) != 0 {
					b.Fatal("open holds")
				}
			}
		})
		b.Run(fmt.Sprintf("past=%d/reverse_oldest", n), func(b *testing.B) {
			if n < 10 {
				b.Skip("no spend to reverse yet")
			}
			j := scaleJournal(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if !j.Reversible("h7").IsPositive() {
					b.Fatal("h7 not reversible")
				}
				tx, err := ledger.Reverse(j, "r"+strconv.Itoa(i), t0.Add(200*365*24*time.Hour), "h7", dec("0.01"), "")
				if err != nil {
					b.Fatal(err)
				}
				if err := j.Check(tx); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("past=%d/warm", n), func(b *testing.B) {
			j := rebuild(b, scaleHistory(b, n))
			txs := make([]ledger.Transaction, b.N)
			for i := range txs {
				txs[i] = scaleBill(b, i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				var err error
				if j, _, err = j.Apply(txs[i]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
