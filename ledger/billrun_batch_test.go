package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	gocmp "github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// errStore is the failure of a store itself (a lost connection), which
// stops a bill run.
var errStore = errors.New("store: connection lost")

// A faultStore is a BatchStore over a MemoryStore that misbehaves as told:
// before the first append to a stream of conflict, another writer spends
// all of its prepaid card (so its verdict is a version conflict); an append to a
// stream of reject is not stored and gets that verdict; the call numbered
// failAt (counting every Load, Append, LoadBatch and AppendBatch from 1)
// fails with errStore and does nothing. It records the streams of each
// AppendBatch.
type faultStore struct {
	*ledger.MemoryStore
	conflict map[string]bool
	reject   map[string]error
	failAt   int

	mu      sync.Mutex
	calls   int
	batches [][]string // the streams of each AppendBatch call
	gate    <-chan struct{}
}

// call counts one call to the store and returns errStore if it is the one
// to fail.
func (f *faultStore) call() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls == f.failAt {
		return errStore
	}
	return nil
}

func (f *faultStore) Load(ctx context.Context, stream string) (ledger.Journal, error) {
	if err := f.call(); err != nil {
		return ledger.Journal{}, err
	}
	return f.MemoryStore.Load(ctx, stream)
}

func (f *faultStore) Append(ctx context.Context, stream string, expected int, txs []ledger.Transaction) (int, error) {
	if err := f.call(); err != nil {
		return 0, err
	}
	return f.MemoryStore.Append(ctx, stream, expected, txs)
}

func (f *faultStore) LoadBatch(ctx context.Context, streams []string) ([]ledger.Journal, error) {
	if f.gate != nil {
		<-f.gate
	}
	if err := f.call(); err != nil {
		return nil, err
	}
	return f.MemoryStore.LoadBatch(ctx, streams)
}

func (f *faultStore) AppendBatch(ctx context.Context, appends []ledger.StreamAppend) ([]error, error) {
	if err := f.call(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	var streams []string
	var pass []ledger.StreamAppend
	var at []int // at[k] is the index in appends of pass[k]
	verdicts := make([]error, len(appends))
	for i, a := range appends {
		streams = append(streams, a.Stream)
		if f.conflict[a.Stream] {
			delete(f.conflict, a.Stream)
			j, _ := f.MemoryStore.Load(ctx, a.Stream)
			other := spendTx("other:"+a.Stream, t0, acct("card"), exactly(j.Balance(acct("card"))))
			if _, err := f.MemoryStore.Append(ctx, a.Stream, j.Len(), []ledger.Transaction{other}); err != nil {
				panic(err)
			}
		}
		if err, ok := f.reject[a.Stream]; ok {
			verdicts[i] = err
			continue
		}
		pass, at = append(pass, a), append(at, i)
	}
	f.batches = append(f.batches, streams)
	f.mu.Unlock()
	vs, err := f.MemoryStore.AppendBatch(ctx, pass)
	if err != nil {
		return nil, err
	}
	for k, v := range vs {
		verdicts[at[k]] = v
	}
	return verdicts, nil
}

// exactly formats d for spendTx.
func exactly(d decimal.Decimal) string { return d.String() }

// perBill hides a store's batch methods, so RunBills books bill by bill.
type perBill struct{ ledger.Store }

// gated returns jobs closing done once the last job is taken, so a store
// gated on done sees every bill of the input queued before it serves its
// first batch.
func gated(jobs iter.Seq[ledger.BillJob], done chan struct{}) iter.Seq[ledger.BillJob] {
	return func(yield func(ledger.BillJob) bool) {
		defer close(done)
		for job := range jobs {
			if !yield(job) {
				return
			}
		}
	}
}

// In a batch, a bill whose stream another writer moved is booked again on
// its own over the new journal, a bill refused by the store is reported
// with the store's reason, and the other bills of the batch are booked.
func TestRunBillsBatchBooksTheRestOfAGroup(t *testing.T) {
	const n = 10
	refused := fmt.Errorf("%w: injected by the store", ledger.ErrInsufficient)
	f := &faultStore{MemoryStore: &ledger.MemoryStore{}, conflict: map[string]bool{"c3": true}, reject: map[string]error{"c5": refused}}
	seedRun(t, f.MemoryStore, n)
	done := make(chan struct{})
	f.gate = done
	total := 0
	for range runJobs(n, 1) {
		total++
	}
	r, err := ledger.RunBills(context.Background(), f, gated(runJobs(n, 1), done), ledger.RunOptions{Workers: 1, Batch: 64})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rejected) != 1 || r.Rejected[0].Stream != "c5" || r.Rejected[0].Bill != "c5-1-0" || !errors.Is(r.Rejected[0].Err, refused) {
		t.Fatalf("rejected %+v, want c5-1-0 alone, for the store's reason", r.Rejected)
	}
	if r.Booked != total-1 || r.Replayed != 0 {
		t.Errorf("booked %d, replayed %d; want the %d others booked", r.Booked, r.Replayed, total-1)
	}
	withC5 := slices.IndexFunc(f.batches, func(b []string) bool { return slices.Contains(b, "c5") })
	if withC5 < 0 || len(f.batches[withC5]) < 2 {
		t.Fatalf("batches %v: want c5 in a batch with others", f.batches)
	}
	for _, stream := range f.batches[withC5] {
		j, _ := f.Load(context.Background(), stream)
		_, ok := j.Transaction("spend:" + stream + "-1-0")
		if ok != (stream != "c5") {
			t.Errorf("stream %s of c5's batch: spend booked %v", stream, ok)
		}
	}
	j, _ := f.Load(context.Background(), "c3")
	var ids []string
	for _, tx := range j.Transactions() {
		ids = append(ids, tx.ID)
	}
	if want := []string{"g:voucher", "g:gift", "g:credit", "g:card", "g:cash", "other:c3", "spend:c3-1-0", "spend:c3-1-1"}; !slices.Equal(ids, want) {
		t.Errorf("c3 holds %v, want %v: the conflicted bill booked again after the other writer", ids, want)
	}
	// The re-booked bill saw the other writer's spend: it did not draw on
	// the prepaid card that spend emptied, as bills of other streams do.
	drew := func(stream, bill string) bool {
		j, _ := f.Load(context.Background(), stream)
		spent, _ := j.Transaction("spend:" + bill)
		return slices.ContainsFunc(spent.Postings, func(p ledger.Posting) bool { return p.Account == acct("card") })
	}
	if drew("c3", "c3-1-0") || !drew("c0", "c0-1-0") {
		t.Errorf("c3's first bill drew on the card %v (want false), c0's %v (want true)", drew("c3", "c3-1-0"), drew("c0", "c0-1-0"))
	}
}

// An error of the store itself in a batch stops the run, and the bills of
// that batch are not counted as booked: the report matches the books.
func TestRunBillsBatchStoreErrorStopsWithoutCounting(t *testing.T) {
	const n = 10
	f := &faultStore{MemoryStore: &ledger.MemoryStore{}}
	seedRun(t, f.MemoryStore, n)
	f.failAt = f.calls + 2 // the first AppendBatch, after the first LoadBatch
	r, err := ledger.RunBills(context.Background(), f, runJobs(n, 1), ledger.RunOptions{Workers: 1})
	if !errors.Is(err, errStore) {
		t.Fatalf("err %v, want the store's", err)
	}
	if r.Booked != 0 || r.Replayed != 0 || len(r.Rejected) != 0 {
		t.Errorf("report %+v, want nothing counted", r)
	}
	for stream, txs := range books(t, f.MemoryStore, n) {
		if len(txs) != 5 {
			t.Errorf("stream %s holds %d transactions, want the 5 grants alone", stream, len(txs))
		}
	}
}

// MemoryStore's AppendBatch judges each append as Append would, stores
// those it accepts together, and refuses a second append to one stream.
func TestMemoryStoreAppendBatchVerdicts(t *testing.T) {
	ctx := context.Background()
	var s ledger.MemoryStore
	seedRun(t, &s, 3)
	spend := func(stream, amount string) ledger.StreamAppend {
		return ledger.StreamAppend{Stream: stream, Expected: 5, Txs: []ledger.Transaction{spendTx("spend:"+stream+"-"+amount, t0, acct("cash"), amount)}}
	}
	late := spend("c1", "1")
	late.Expected = 4
	verdicts, err := s.AppendBatch(ctx, []ledger.StreamAppend{spend("c0", "1"), late, spend("c2", "999"), spend("c0", "2"), spend("", "1")})
	if err != nil {
		t.Fatal(err)
	}
	want := []error{nil, ledger.ErrVersion, ledger.ErrInsufficient, ledger.ErrInvalid, ledger.ErrInvalid}
	for i, w := range want {
		if (w == nil) != (verdicts[i] == nil) || w != nil && !errors.Is(verdicts[i], w) {
			t.Errorf("verdict %d: %v, want %v", i, verdicts[i], w)
		}
	}
	js, err := s.LoadBatch(ctx, []string{"c0", "c1", "c2", "c0"})
	if err != nil {
		t.Fatal(err)
	}
	if got := []int{js[0].Len(), js[1].Len(), js[2].Len(), js[3].Len()}; !slices.Equal(got, []int{6, 5, 5, 6}) {
		t.Errorf("versions after the batch %v, want only c0 appended to", got)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.AppendBatch(cancelled, []ledger.StreamAppend{spend("c1", "1")}); !errors.Is(err, context.Canceled) {
		t.Errorf("AppendBatch with a done ctx: %v", err)
	}
	if j, _ := s.Load(ctx, "c1"); j.Len() != 5 {
		t.Errorf("c1 at version %d after a cancelled batch, want 5", j.Len())
	}
}

// drawRun draws customers with random wallets and a month of random bills
// over them: a stream may get several bills, and some bills are invalid
// (no time, or a negative line), so rejected.
func drawRun(t *rapid.T) (seed map[string][]ledger.Transaction, jobs []ledger.BillJob, streams []string) {
	kinds := []string{"voucher", "gift", "credit", "prepaid", "cash"}
	n := rapid.IntRange(1, 8).Draw(t, "customers")
	seed = map[string][]ledger.Transaction{}
	wallets := map[string]allocation.Wallet{}
	for c := range n {
		stream := "c" + strconv.Itoa(c)
		streams = append(streams, stream)
		for k, kind := range kinds {
			if !rapid.Bool().Draw(t, "has") {
				continue
			}
			id := kind + strconv.Itoa(k)
			wallets[stream] = append(wallets[stream], allocation.Instrument{ID: id, Kind: kind, Currency: "USD"})
			terms := ledger.Terms{Account: acct(id), Kind: kind}
			if kind == "credit" {
				terms.Overdraft = decimal.New(int64(rapid.IntRange(0, 20).Draw(t, "overdraft")), 0)
			}
			amount := decimal.New(int64(rapid.IntRange(0, 3000).Draw(t, "grant")), -2)
			seed[stream] = append(seed[stream], ledger.Grant("g:"+id, t0, terms, amount, ""))
		}
	}
	for b := range rapid.IntRange(0, 30).Draw(t, "bills") {
		stream := rapid.SampledFrom(streams).Draw(t, "stream")
		bill := allocation.Bill{ID: "b" + strconv.Itoa(b), Currency: "USD", At: t0.AddDate(0, 1, 0)}
		for l := range rapid.IntRange(1, 4).Draw(t, "lines") {
			bill.Lines = append(bill.Lines, allocation.Line{ID: "l" + strconv.Itoa(l), Product: "ecs",
				Amount: decimal.New(int64(rapid.IntRange(0, 2500).Draw(t, "amount")), -2)})
		}
		switch rapid.IntRange(0, 9).Draw(t, "bad") {
		case 0:
			bill.At = time.Time{}
		case 1:
			bill.Lines[0].Amount = bill.Lines[0].Amount.Neg().Sub(decimal.New(1, 0))
		}
		jobs = append(jobs, ledger.BillJob{Stream: stream, Bill: bill, Wallet: wallets[stream],
			Options: ledger.SpendOptions{Receivable: rapid.Bool().Draw(t, "receivable")}})
	}
	return seed, jobs, streams
}

// seeded returns a MemoryStore holding seed.
func seeded(t *rapid.T, seed map[string][]ledger.Transaction, streams []string) *ledger.MemoryStore {
	var s ledger.MemoryStore
	for _, stream := range streams {
		if _, err := s.Append(context.Background(), stream, 0, seed[stream]); err != nil {
			t.Fatalf("seed %s: %v", stream, err)
		}
	}
	return &s
}

// booksOf returns the transactions of streams in s.
func booksOf(t *rapid.T, s ledger.Store, streams []string) map[string][]ledger.Transaction {
	out := map[string][]ledger.Transaction{}
	for _, stream := range streams {
		j, err := s.Load(context.Background(), stream)
		if err != nil {
			t.Fatalf("load %s: %v", stream, err)
		}
		for _, tx := range j.Transactions() {
			out[stream] = append(out[stream], tx)
		}
	}
	return out
}

// rejectedBills returns the stream and bill of each rejection, sorted:
// workers may reject in any order.
func rejectedBills(r ledger.RunReport) []string {
	var out []string
	for _, x := range r.Rejected {
		out = append(out, x.Stream+"/"+x.Bill)
	}
	slices.Sort(out)
	return out
}

// A run in batches leaves the same books and report as a run bill by bill,
// whatever the customers, wallets, bills (several per stream, some
// rejected), workers and batch size.
func TestRunBillsBatchEqualsPerBill(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed, jobs, streams := drawRun(t)
		workers := rapid.IntRange(1, 3).Draw(t, "workers")
		batch := rapid.IntRange(1, 6).Draw(t, "batch")
		one := seeded(t, seed, streams)
		want, err := ledger.RunBills(context.Background(), perBill{one}, slices.Values(jobs), ledger.RunOptions{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		grouped := seeded(t, seed, streams)
		got, err := ledger.RunBills(context.Background(), grouped, slices.Values(jobs), ledger.RunOptions{Workers: workers, Batch: batch})
		if err != nil {
			t.Fatal(err)
		}
		if got.Booked != want.Booked || got.Replayed != want.Replayed {
			t.Errorf("batched booked %d replayed %d, per bill %d and %d", got.Booked, got.Replayed, want.Booked, want.Replayed)
		}
		if diff := gocmp.Diff(rejectedBills(want), rejectedBills(got)); diff != "" {
			t.Errorf("rejected (-per bill +batched):\n%s", diff)
		}
		if diff := gocmp.Diff(booksOf(t, one, streams), booksOf(t, grouped, streams)); diff != "" {
			t.Errorf("books (-per bill +batched):\n%s", diff)
		}
	})
}

// A batched run interrupted at a random point (its context cancelled as
// the input reaches some bill, or the store failing at some call) and run
// again with the same input leaves the books of one uninterrupted run, and
// its counts add up: each bill booked by one of the two runs, the rerun
// replaying what the first booked.
func TestRunBillsBatchIsExactlyOnceAfterAnInterruption(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed, jobs, streams := drawRun(t)
		workers := rapid.IntRange(1, 3).Draw(t, "workers")
		opt := ledger.RunOptions{Workers: workers, Batch: rapid.IntRange(1, 6).Draw(t, "batch")}
		whole := seeded(t, seed, streams)
		want, err := ledger.RunBills(context.Background(), whole, slices.Values(jobs), opt)
		if err != nil {
			t.Fatal(err)
		}
		f := &faultStore{MemoryStore: seeded(t, seed, streams)}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		input := slices.Values(jobs)
		if rapid.Bool().Draw(t, "kill") {
			kill := rapid.IntRange(0, len(jobs)).Draw(t, "at bill")
			input = func(yield func(ledger.BillJob) bool) {
				for i, job := range jobs {
					if i == kill {
						cancel()
					}
					if !yield(job) {
						return
					}
				}
			}
		} else {
			f.failAt = rapid.IntRange(1, 2*len(jobs)+2).Draw(t, "failing call")
		}
		first, err := ledger.RunBills(ctx, f, input, opt)
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, errStore) {
			t.Fatalf("interrupted run: %v", err)
		}
		second, err := ledger.RunBills(context.Background(), f.MemoryStore, slices.Values(jobs), opt)
		if err != nil {
			t.Fatal(err)
		}
		if first.Booked+second.Booked != want.Booked {
			t.Errorf("booked %d + %d, want %d in all", first.Booked, second.Booked, want.Booked)
		}
		if second.Replayed != first.Booked {
			t.Errorf("rerun replayed %d, want the %d the interrupted run booked", second.Replayed, first.Booked)
		}
		if diff := gocmp.Diff(rejectedBills(want), rejectedBills(second)); diff != "" {
			t.Errorf("rerun rejected (-uninterrupted +rerun):\n%s", diff)
		}
		if diff := gocmp.Diff(booksOf(t, whole, streams), booksOf(t, f.MemoryStore, streams)); diff != "" {
			t.Errorf("books after interruption and rerun (-uninterrupted +got):\n%s", diff)
		}
	})
}

// ExampleRunBills_progress books a month-end in batches (the MemoryStore
// is a BatchStore, as a database store is) and renders its progress
// reports as a bar. The clock is the host's: here one that moves a second
// each time it is read.
func ExampleRunBills_progress() {
	ctx := context.Background()
	var s ledger.MemoryStore
	at := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	wallet := allocation.Wallet{{ID: "gift", Kind: "gift", Currency: "USD"}}
	customers := []string{"ana", "ben", "cai", "dee", "eli", "fay"}
	for _, c := range customers {
		s.Append(ctx, c, 0, []ledger.Transaction{ledger.Grant("g", at.AddDate(0, -1, 0),
			ledger.Terms{Account: ledger.InstrumentAccount("gift", "USD"), Kind: "gift"}, decimal.RequireFromString("25"), "")})
	}
	jobs := func(yield func(ledger.BillJob) bool) {
		for _, c := range customers {
			bill := allocation.Bill{ID: c + "-2024-01", Currency: "USD", At: at,
				Lines: []allocation.Line{{ID: "vm", Product: "ecs", Amount: decimal.RequireFromString("10")}}}
			if !yield(ledger.BillJob{Stream: c, Bill: bill, Wallet: wallet}) {
				return
			}
		}
	}
	now := at
	clock := func() time.Time { now = now.Add(time.Second); return now }
	bar := func(p ledger.Progress) {
		n := p.Done + p.Failed
		fmt.Printf("[%-6s] %d/%d  %.1f bills/s  %s left\n", strings.Repeat("#", n), n, len(customers), p.Rate, p.Left)
	}
	r, err := ledger.RunBills(ctx, &s, jobs, ledger.RunOptions{Workers: 1, Batch: 4, Total: len(customers),
		Clock: clock, Every: 2, Progress: bar})
	fmt.Printf("booked %d, rejected %d, err %v\n", r.Booked, len(r.Rejected), err)
	// Output:
	// [##    ] 2/6  2.0 bills/s  2s left
	// [####  ] 4/6  2.0 bills/s  1s left
	// [######] 6/6  2.0 bills/s  0s left
	// [######] 6/6  1.5 bills/s  0s left
	// booked 6, rejected 0, err <nil>
}

// A slow input does not hold up bills already read: a group is closed as
// soon as the input has nothing ready, so the first bill is booked while
// the input waits (here: for that very booking) before giving the second.
func TestRunBillsBatchDoesNotWaitForASlowInput(t *testing.T) {
	var s ledger.MemoryStore
	seedRun(t, &s, 2)
	var all []ledger.BillJob
	for job := range runJobs(2, 1) {
		all = append(all, job)
	}
	first := all[0]
	waited := false
	jobs := func(yield func(ledger.BillJob) bool) {
		if !yield(first) {
			return
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			j, _ := s.Load(context.Background(), first.Stream)
			if _, ok := j.Transaction("spend:" + first.Bill.ID); ok {
				break
			}
			if time.Now().After(deadline) {
				waited = true
				break
			}
			time.Sleep(time.Millisecond)
		}
		for _, job := range all[1:] {
			if !yield(job) {
				return
			}
		}
	}
	r, err := ledger.RunBills(context.Background(), &s, jobs, ledger.RunOptions{Workers: 1, Batch: 64})
	if err != nil || r.Booked != len(all) {
		t.Fatalf("booked %d, %v; want all %d", r.Booked, err, len(all))
	}
	if waited {
		t.Error("the first bill was not booked while the input waited: its group waited for more bills")
	}
}
