package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"iter"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// runWallet is the wallet of every customer of the bill-run tests: a
// voucher, a gift balance, a credit line with an overdraft, a prepaid card
// and cash, as definitions (their balances come from the journal).
func runWallet() allocation.Wallet {
	in := func(id, kind string) allocation.Instrument {
		return allocation.Instrument{ID: id, Kind: kind, Currency: "USD"}
	}
	return allocation.Wallet{in("voucher", "voucher"), in("gift", "gift"), in("credit", "credit"), in("card", "prepaid"), in("cash", "cash")}
}

// seedRun opens n customer streams in s, each granting the five
// instruments of runWallet amounts that vary by customer, so some bills
// are paid in full and some leave an amount outstanding.
func seedRun(t fatalT, s ledger.Store, n int) {
	t.Helper()
	ctx := context.Background()
	for c := range n {
		var txs []ledger.Transaction
		for k, in := range runWallet() {
			amount := decimal.New(int64(1+(c*7+k*3)%11), 0)
			txs = append(txs, ledger.Grant("g:"+in.ID, t0, ledger.Terms{Account: acct(in.ID), Kind: in.Kind}, amount, ""))
		}
		if _, err := s.Append(ctx, "c"+strconv.Itoa(c), 0, txs); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
}

// runJobs returns the bills of a month-end run over n customers: each
// bill has 5 lines; every third customer gets a second bill (booked after
// the first, on what it left); the bills named in bad have no time, which
// allocation rejects.
func runJobs(n int, month int, bad ...string) iter.Seq[ledger.BillJob] {
	return func(yield func(ledger.BillJob) bool) {
		for c := range n {
			for b := range 1 + btoi(c%3 == 0) {
				id := fmt.Sprintf("c%d-%d-%d", c, month, b)
				bill := allocation.Bill{ID: id, Currency: "USD", At: t0.AddDate(0, month, 0)}
				if slices.Contains(bad, id) {
					bill.At = time.Time{}
				}
				for l := range 5 {
					bill.Lines = append(bill.Lines, allocation.Line{ID: "l" + strconv.Itoa(l), Product: "ecs",
						Amount: decimal.New(int64(1+(c+l+b)%4), 0)})
				}
				if !yield(ledger.BillJob{Stream: "c" + strconv.Itoa(c), Bill: bill, Wallet: runWallet(),
					Options: ledger.SpendOptions{Receivable: true}}) {
					return
				}
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// books returns every stream's transactions of s, for comparing the
// outcome of two runs.
func books(t fatalT, s ledger.Store, n int) map[string][]ledger.Transaction {
	t.Helper()
	out := map[string][]ledger.Transaction{}
	for c := range n {
		j, err := s.Load(context.Background(), "c"+strconv.Itoa(c))
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		for _, tx := range j.Transactions() {
			out["c"+strconv.Itoa(c)] = append(out["c"+strconv.Itoa(c)], tx)
		}
	}
	return out
}

// A run stopped at any bill (here: its context cancelled as the input
// reaches that bill, as a killed process stops) and run again with the same
// input leaves exactly the books of one uninterrupted run: no bill booked
// twice, none missing.
func TestRunBillsIsExactlyOnceAfterAKill(t *testing.T) {
	const n = 24
	var whole ledger.MemoryStore
	seedRun(t, &whole, n)
	want, err := ledger.RunBills(context.Background(), &whole, runJobs(n, 1, "c5-1-0"), ledger.RunOptions{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if want.Booked == 0 || len(want.Rejected) != 1 {
		t.Fatalf("uninterrupted run: %+v", want)
	}
	wantBooks := books(t, &whole, n)
	rapid.Check(t, func(rt *rapid.T) {
		kill := rapid.IntRange(0, n+n/3).Draw(rt, "kill")
		workers := rapid.IntRange(1, 4).Draw(rt, "workers")
		var s ledger.MemoryStore
		seedRun(rt, &s, n)
		ctx, cancel := context.WithCancel(context.Background())
		killed := func(yield func(ledger.BillJob) bool) {
			i := 0
			for job := range runJobs(n, 1, "c5-1-0") {
				if i == kill {
					cancel()
				}
				i++
				if !yield(job) {
					return
				}
			}
		}
		first, err := ledger.RunBills(ctx, &s, killed, ledger.RunOptions{Workers: workers})
		if kill < n+n/3 && !errors.Is(err, context.Canceled) {
			rt.Fatalf("killed run: %v, want context.Canceled", err)
		}
		second, err := ledger.RunBills(context.Background(), &s, runJobs(n, 1, "c5-1-0"), ledger.RunOptions{Workers: workers})
		if err != nil {
			rt.Fatal(err)
		}
		if got := first.Booked + second.Booked; got != want.Booked {
			rt.Errorf("booked %d + %d, want %d in all", first.Booked, second.Booked, want.Booked)
		}
		if second.Replayed != first.Booked {
			rt.Errorf("rerun replayed %d, want the %d the killed run booked", second.Replayed, first.Booked)
		}
		if diff := cmp.Diff(wantBooks, books(rt, &s, n)); diff != "" {
			rt.Errorf("books after kill and rerun (-uninterrupted +got):\n%s", diff)
		}
	})
}

// N processes each running one part of the same input book every stream
// exactly once between them; running a part again books nothing.
func TestRunBillsPartitionsCoverEveryStreamOnce(t *testing.T) {
	const n, parts = 60, 3
	var s ledger.MemoryStore
	seedRun(t, &s, n)
	total := 0
	for range runJobs(n, 1) {
		total++
	}
	booked, skipped := 0, 0
	seen := map[string]int{}
	for k := range parts {
		r, err := ledger.RunBills(context.Background(), &s, runJobs(n, 1), ledger.RunOptions{Workers: 2, Part: k, Parts: parts})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rejected) != 0 {
			t.Fatalf("part %d rejected %v", k, r.Rejected)
		}
		if r.Booked == 0 {
			t.Errorf("part %d booked nothing: a poor hash", k)
		}
		booked, skipped = booked+r.Booked, skipped+r.Skipped
		for c := range n {
			if ledger.StreamPart("c"+strconv.Itoa(c), parts) == k {
				seen["c"+strconv.Itoa(c)]++
			}
		}
	}
	if booked != total || skipped != (parts-1)*total {
		t.Errorf("booked %d and skipped %d, want %d and %d", booked, skipped, total, (parts-1)*total)
	}
	for c := range n {
		if seen["c"+strconv.Itoa(c)] != 1 {
			t.Errorf("stream c%d is in %d parts, want 1", c, seen["c"+strconv.Itoa(c)])
		}
		j, _ := s.Load(context.Background(), "c"+strconv.Itoa(c))
		if _, ok := j.Transaction("spend:" + fmt.Sprintf("c%d-1-0", c)); !ok {
			t.Errorf("stream c%d: bill not booked", c)
		}
	}
	again, err := ledger.RunBills(context.Background(), &s, runJobs(n, 1), ledger.RunOptions{Part: 1, Parts: parts})
	if err != nil || again.Booked != 0 || again.Replayed == 0 {
		t.Errorf("part 1 again: %+v, %v; want only replays", again, err)
	}
	if _, err := ledger.RunBills(context.Background(), &s, runJobs(n, 1), ledger.RunOptions{Part: 3, Parts: parts}); err == nil {
		t.Error("part 3 of 3 accepted")
	}
}

// A bill that cannot be booked is reported with its reason and does not
// stop the bills after it; a bill booked before with another split is a
// conflict, not a second booking.
func TestRunBillsRejectedBillDoesNotStopOthers(t *testing.T) {
	const n = 10
	var s ledger.MemoryStore
	seedRun(t, &s, n)
	r, err := ledger.RunBills(context.Background(), &s, runJobs(n, 1, "c2-1-0"), ledger.RunOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rejected) != 1 || r.Rejected[0].Bill != "c2-1-0" || r.Rejected[0].Stream != "c2" ||
		!errors.Is(r.Rejected[0].Err, allocation.ErrInvalid) {
		t.Fatalf("rejected %+v, want c2-1-0 for allocation.ErrInvalid", r.Rejected)
	}
	total := 0
	for range runJobs(n, 1) {
		total++
	}
	if r.Booked != total-1 {
		t.Errorf("booked %d, want the %d other bills", r.Booked, total-1)
	}
	changed := func(yield func(ledger.BillJob) bool) {
		for job := range runJobs(n, 1) {
			if job.Bill.ID == "c4-1-0" {
				job.Bill.Lines[0].Amount = dec("3.5")
			}
			if !yield(job) {
				return
			}
		}
	}
	r, err = ledger.RunBills(context.Background(), &s, changed, ledger.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rejected) != 1 || r.Rejected[0].Bill != "c4-1-0" || !errors.Is(r.Rejected[0].Err, ledger.ErrConflict) {
		t.Errorf("rerun with bill c4-1-0 changed rejected %+v, want it alone for ErrConflict", r.Rejected)
	}
	if r.Booked != 1 || r.Replayed != total-2 {
		t.Errorf("rerun: booked %d (want the c2-1-0 fixed, 1), replayed %d (want %d)", r.Booked, r.Replayed, total-2)
	}
}

// Progress is reported one call at a time, counts every bill, and derives
// the rate and time left from the clock it is given.
func TestRunBillsReportsProgress(t *testing.T) {
	const n = 12
	var s ledger.MemoryStore
	seedRun(t, &s, n)
	total := 0
	for range runJobs(n, 1) {
		total++
	}
	now := t0
	clock := func() time.Time { now = now.Add(time.Second); return now } // one second per reading
	var got []ledger.Progress
	_, err := ledger.RunBills(context.Background(), &s, runJobs(n, 1, "c1-1-0"), ledger.RunOptions{Workers: 1, Total: total, Clock: clock,
		Every: 4, Progress: func(p ledger.Progress) { got = append(got, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 {
		t.Fatalf("%d reports", len(got))
	}
	last := got[len(got)-1]
	if last.Done != total-1 || last.Failed != 1 || last.Left != 0 {
		t.Errorf("last report %+v, want %d done, 1 failed, nothing left", last, total-1)
	}
	first := got[0]
	if first.Done+first.Failed != 4 || first.Rate != 4 || first.Left != time.Duration(total-4)*time.Second/4 {
		t.Errorf("first report %+v, want 4 bills in 1 s: rate 4, %d left at 4/s", first, total-4)
	}
}

// ExampleRunBills books two customers' month-end bills, then runs the
// same input again, as a restarted process would: nothing is booked twice.
func ExampleRunBills() {
	ctx := context.Background()
	var s ledger.MemoryStore
	at := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	wallet := allocation.Wallet{{ID: "gift", Kind: "gift", Currency: "USD"}}
	for _, c := range []string{"alice", "bob"} {
		s.Append(ctx, c, 0, []ledger.Transaction{ledger.Grant("g", at.AddDate(0, -1, 0),
			ledger.Terms{Account: ledger.InstrumentAccount("gift", "USD"), Kind: "gift"}, decimal.RequireFromString("30"), "")})
	}
	jobs := func(yield func(ledger.BillJob) bool) {
		for i, c := range []string{"alice", "bob"} {
			bill := allocation.Bill{ID: c + "-2024-01", Currency: "USD", At: at,
				Lines: []allocation.Line{{ID: "vm", Product: "ecs", Amount: decimal.New(int64(20+20*i), 0)}}}
			if !yield(ledger.BillJob{Stream: c, Bill: bill, Wallet: wallet, Options: ledger.SpendOptions{Receivable: true}}) {
				return
			}
		}
	}
	for run := range 2 {
		r, err := ledger.RunBills(ctx, &s, jobs, ledger.RunOptions{Workers: 2})
		fmt.Printf("run %d: booked %d, replayed %d, rejected %d, err %v\n", run+1, r.Booked, r.Replayed, len(r.Rejected), err)
	}
	for _, c := range []string{"alice", "bob"} {
		j, _ := s.Load(ctx, c)
		fmt.Printf("%s: gift %s, owes %s\n", c, j.Balance(ledger.InstrumentAccount("gift", "USD")),
			j.Balance(ledger.SystemAccount(ledger.Receivable, "USD")).Neg())
	}
	// Output:
	// run 1: booked 2, replayed 0, rejected 0, err <nil>
	// run 2: booked 0, replayed 2, rejected 0, err <nil>
	// alice: gift 10, owes 0
	// bob: gift 0, owes 10
}

// StreamPart is the documented hash, 64-bit FNV-1a of the stream id modulo
// the parts, so processes in other languages or releases agree on it.
func TestStreamPartIsFNV1a(t *testing.T) {
	for _, stream := range []string{"", "a", "c0", "customer-42", "客户"} {
		h := fnv.New64a()
		h.Write([]byte(stream))
		for _, parts := range []int{2, 3, 7, 1000} {
			if got, want := ledger.StreamPart(stream, parts), int(h.Sum64()%uint64(parts)); got != want {
				t.Errorf("StreamPart(%q, %d) = %d, want %d", stream, parts, got, want)
			}
		}
		if got := ledger.StreamPart(stream, 1); got != 0 {
			t.Errorf("StreamPart(%q, 1) = %d, want 0", stream, got)
		}
	}
}
