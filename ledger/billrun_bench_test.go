package ledger_test

import (
	"context"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// BenchmarkRunBills runs the month-end over 100,000 customers on a
// MemoryStore, each bill of 5 lines paid from 5 instruments (allocation,
// FromSplit, Update), with one worker per CPU. Each iteration is one
// month's run over every customer (new bill ids, the same streams), so the
// streams grow by one spend per iteration. It reports bills/s.
func BenchmarkRunBills(b *testing.B) {
	const customers = 100_000
	var s ledger.MemoryStore
	ctx := context.Background()
	wallet := runWallet()
	for c := range customers {
		var txs []ledger.Transaction
		for _, in := range wallet {
			txs = append(txs, ledger.Grant("g:"+in.ID, t0, ledger.Terms{Account: acct(in.ID), Kind: in.Kind}, decimal.New(1_000_000, 0), ""))
		}
		if _, err := s.Append(ctx, "c"+strconv.Itoa(c), 0, txs); err != nil {
			b.Fatal(err)
		}
	}
	streams := make([]string, customers)
	for c := range streams {
		streams[c] = "c" + strconv.Itoa(c)
	}
	var lines []allocation.Line
	for l := range 5 {
		lines = append(lines, allocation.Line{ID: "l" + strconv.Itoa(l), Product: "ecs", Amount: decimal.New(int64(30+l), 0)})
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime(b)
	for month := range b.N {
		suffix := "-" + strconv.Itoa(month)
		jobs := func(yield func(ledger.BillJob) bool) {
			for _, c := range streams {
				bill := allocation.Bill{ID: c + suffix, Currency: "USD", At: t0.AddDate(0, 1+month, 0), Lines: lines}
				if !yield(ledger.BillJob{Stream: c, Bill: bill, Wallet: wallet}) {
					return
				}
			}
		}
		r, err := ledger.RunBills(ctx, &s, jobs, ledger.RunOptions{Workers: runtime.GOMAXPROCS(0)})
		if err != nil || r.Booked != customers {
			b.Fatalf("%+v, %v", r.Booked, err)
		}
	}
	b.ReportMetric(float64(customers*b.N)/b.Elapsed().Seconds(), "bills/s")
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(customers*b.N), "cpu-ns/bill")
}

// BenchmarkRunBillsPerBill books b.N bills with one worker over 2,000
// customers on a MemoryStore (the bills of BenchmarkRunBills, 5 lines × 5
// instruments): the cost of one bill with little setup, for profiles and
// before/after comparisons. It reports the process's CPU time per bill
// (GC included), which a machine shared with other work disturbs less
// than the elapsed time.
func BenchmarkRunBillsPerBill(b *testing.B) {
	const customers = 2000
	var s ledger.MemoryStore
	ctx := context.Background()
	wallet := runWallet()
	streams := make([]string, customers)
	for c := range streams {
		streams[c] = "c" + strconv.Itoa(c)
		var txs []ledger.Transaction
		for _, in := range wallet {
			txs = append(txs, ledger.Grant("g:"+in.ID, t0, ledger.Terms{Account: acct(in.ID), Kind: in.Kind}, decimal.New(1_000_000_000, 0), ""))
		}
		if _, err := s.Append(ctx, streams[c], 0, txs); err != nil {
			b.Fatal(err)
		}
	}
	var lines []allocation.Line
	for l := range 5 {
		lines = append(lines, allocation.Line{ID: "l" + strconv.Itoa(l), Product: "ecs", Amount: decimal.New(int64(30+l), 0)})
	}
	jobs := func(yield func(ledger.BillJob) bool) {
		for i := range b.N {
			c := streams[i%customers]
			bill := allocation.Bill{ID: c + "-" + strconv.Itoa(i), Currency: "USD", At: t0.AddDate(0, 1+i/customers, 0), Lines: lines}
			if !yield(ledger.BillJob{Stream: c, Bill: bill, Wallet: wallet}) {
				return
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime(b)
	r, err := ledger.RunBills(ctx, &s, jobs, ledger.RunOptions{Workers: 1})
	if err != nil || r.Booked != b.N {
		b.Fatalf("%+v, %v", r.Booked, err)
	}
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/bill")
}

// cpuTime returns the CPU time the process has used (user and system, all
// threads).
func cpuTime(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// BenchmarkBillStages measures, one at a time and on one worker, the
// stages every bill of BenchmarkRunBills goes through, on the same inputs
// (a customer of BenchmarkRunBills, one month in): the wallet's balances
// from the journal (WithBalances), the allocation (allocation.Allocate),
// the spend (FromSplit), and the journal's checks and indexes (Apply, on a
// journal that holds neither the spend nor its id). Their sum is the
// processor time a bill costs before any store, queue or report: the floor
// under BenchmarkRunBills's cpu-ns/bill.
func BenchmarkBillStages(b *testing.B) {
	wallet := runWallet()
	var j ledger.Journal
	for _, in := range wallet {
		j = apply(b, j, ledger.Grant("g:"+in.ID, t0, ledger.Terms{Account: acct(in.ID), Kind: in.Kind}, decimal.New(1_000_000, 0), ""))
	}
	var lines []allocation.Line
	for l := range 5 {
		lines = append(lines, allocation.Line{ID: "l" + strconv.Itoa(l), Product: "ecs", Amount: decimal.New(int64(30+l), 0)})
	}
	bill := allocation.Bill{ID: "c0-1", Currency: "USD", At: t0.AddDate(0, 1, 0), Lines: lines}
	funded := ledger.WithBalances(j, wallet)
	split, err := allocation.Allocate(bill, funded, allocation.Policy{})
	if err != nil {
		b.Fatal(err)
	}
	tx, err := ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("stage=balances", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			ledger.WithBalances(j, wallet)
		}
	})
	b.Run("stage=allocate", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := allocation.Allocate(bill, funded, allocation.Policy{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stage=spend", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := ledger.FromSplit(bill, wallet, split, ledger.SpendOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stage=apply", func(b *testing.B) {
		// The spend under a new id each time, on 4,096 journals in turn,
		// each granted as a customer's and growing by one spend a turn,
		// as the streams of a run do month after month.
		gs := make([]ledger.Journal, 4096)
		for k := range gs {
			for _, in := range wallet {
				gs[k] = apply(b, gs[k], ledger.Grant("g:"+in.ID, t0, ledger.Terms{Account: acct(in.ID), Kind: in.Kind}, decimal.New(1, 15), ""))
			}
		}
		txs := make([]ledger.Transaction, b.N)
		for i := range txs {
			txs[i] = tx
			txs[i].ID = "spend:" + strconv.Itoa(i)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			var err error
			if gs[i%len(gs)], _, err = gs[i%len(gs)].Apply(txs[i]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
