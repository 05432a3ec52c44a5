package allocation_test

import (
	"cmp"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/billfold/billfold/allocation"
)

func benchmarkAllocate(b *testing.B, nLines, nIns int, strategy allocation.Strategy) {
	bill, wallet, policy := allocation.BenchScenario(nLines, nIns)
	policy.Strategy = strategy
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := allocation.Allocate(bill, wallet, policy); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAllocate_5x20_InOrder(b *testing.B) { benchmarkAllocate(b, 5, 20, allocation.InOrder) }
func BenchmarkAllocate_100x1000_InOrder(b *testing.B) {
	benchmarkAllocate(b, 100, 1000, allocation.InOrder)
}
func BenchmarkAllocate_1000x10000_InOrder(b *testing.B) {
	benchmarkAllocate(b, 1000, 10000, allocation.InOrder)
}
func BenchmarkAllocate_5x20_MaxCoverage(b *testing.B) {
	benchmarkAllocate(b, 5, 20, allocation.MaxCoverage)
}
func BenchmarkAllocate_100x1000_MaxCoverage(b *testing.B) {
	benchmarkAllocate(b, 100, 1000, allocation.MaxCoverage)
}

// BenchmarkBareGreedy5x20 is the yardstick of DESIGN.md: the scaled-int64
// greedy loop a billing engineer would hand-write for the same 5 × 20
// scenario. It builds no result and explains nothing, and is handed the
// instruments already in the order the policy pays them, with their room
// (balance, plus overdraft for the credit lines) in cents. It does test,
// inline, what a hand-written loop must test to pay the same amounts:
// expiry and product scope. Setup checks that it pays every instrument
// exactly what Allocate does, so the ratio compares like with like.
func BenchmarkBareGreedy5x20(b *testing.B) {
	bill, wallet, policy := allocation.BenchScenario(5, 20)
	sp, err := allocation.Allocate(bill, wallet, policy)
	if err != nil {
		b.Fatal(err)
	}
	g := newBareGreedy(bill, wallet)
	used := make([]int64, len(g.room))
	g.run(used)
	for k, i := range g.order {
		want, _ := sp.Instrument(wallet[i].ID)
		if got := decimal.New(used[k], -2); !got.Equal(want.Used) {
			b.Fatalf("bare loop pays %s %s, Allocate %s", wallet[i].ID, got, want.Used)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		g.run(used)
	}
}

// bareGreedy is the data of BenchmarkBareGreedy5x20, laid out for the loop.
type bareGreedy struct {
	at       int64    // the bill's time, Unix seconds
	lines    []int64  // line amounts in cents
	products []string // line products
	order    []int    // wallet indices in the order the policy pays them
	room     []int64  // in that order: what each may pay, in cents
	until    []int64  // expiry, Unix seconds (0: none)
	scope    []string // the one product a scoped voucher may pay ("" = any)
	rem      []int64
}

// newBareGreedy lays the scenario out in the policy's order, as a
// hand-written loop would sort it: vouchers by expiry then balance (largest
// first), then gift, then credit lines, each by id.
func newBareGreedy(bill allocation.Bill, wallet allocation.Wallet) *bareGreedy {
	g := &bareGreedy{at: bill.At.Unix()}
	for _, l := range bill.Lines {
		g.lines = append(g.lines, l.Amount.Shift(2).IntPart())
		g.products = append(g.products, l.Product)
	}
	rank := map[string]int{"voucher": 0, "gift": 1, "credit_line": 2}
	for i := range wallet {
		g.order = append(g.order, i)
	}
	slices.SortFunc(g.order, func(a, b int) int {
		x, y := wallet[a], wallet[b]
		if c := cmp.Compare(rank[x.Kind], rank[y.Kind]); c != 0 || x.Kind != "voucher" {
			return cmp.Or(c, strings.Compare(x.ID, y.ID))
		}
		return cmp.Or(x.ValidUntil.Compare(y.ValidUntil), y.Balance.Cmp(x.Balance), strings.Compare(x.ID, y.ID))
	})
	for _, i := range g.order {
		in := wallet[i]
		g.room = append(g.room, in.Balance.Add(in.Overdraft).Shift(2).IntPart())
		var until int64
		if !in.ValidUntil.IsZero() {
			until = in.ValidUntil.Unix()
		}
		g.until = append(g.until, until)
		scope := ""
		if len(in.Scope.Products) > 0 {
			scope = in.Scope.Products[0]
		}
		g.scope = append(g.scope, scope)
	}
	g.rem = make([]int64, len(g.lines))
	return g
}

// run pays the lines greedily and writes what each instrument paid to used.
func (g *bareGreedy) run(used []int64) {
	copy(g.rem, g.lines)
	for k, room := range g.room {
		used[k] = 0
		if g.until[k] != 0 && g.at >= g.until[k] {
			continue
		}
		for l := range g.rem {
			if room == 0 {
				break
			}
			if g.scope[k] != "" && g.scope[k] != g.products[l] {
				continue
			}
			pay := min(room, g.rem[l])
			g.rem[l] -= pay
			room -= pay
			used[k] += pay
		}
	}
}

// BenchmarkSplitFloor5x20 measures what any implementation must spend to
// return this scenario's Split, with the answer already known: read every
// amount as validation must (through its big.Int), run the bare loop, and
// build the same Split (the same slices, the same reasons, and the same
// decimals: one for each amount that is not already an input amount).
// No validation messages, eligibility, ordering or rounding. Its ratio to
// BenchmarkBareGreedy5x20 is the floor under Allocate's.
func BenchmarkSplitFloor5x20(b *testing.B) {
	bill, wallet, policy := allocation.BenchScenario(5, 20)
	want, err := allocation.Allocate(bill, wallet, policy)
	if err != nil {
		b.Fatal(err)
	}
	g := newBareGreedy(bill, wallet)
	used := make([]int64, len(g.room))
	cents := func(d decimal.Decimal) int64 { return d.Shift(2).IntPart() }
	// Which amounts Allocate builds (the others reuse an input decimal).
	type built struct {
		fresh       bool
		used, after int64
	}
	ins := make([]built, len(want.Instruments))
	unused := 0
	for i, r := range want.Instruments {
		ins[i] = built{!r.Used.IsZero() && !r.BalanceAfter.IsZero(), cents(r.Used), cents(r.BalanceAfter)}
		if r.Used.IsZero() {
			unused++
		}
	}
	allocs := make([]built, len(want.Allocations))
	for k, a := range want.Allocations {
		r, _ := want.Instrument(a.Instrument)
		fresh := !a.Amount.Equal(r.Used)
		for _, l := range bill.Lines {
			if l.ID == a.Line && l.Amount.Equal(a.Amount) {
				fresh = false
			}
		}
		allocs[k] = built{fresh: fresh, used: cents(a.Amount)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var sum int64
		read := func(d decimal.Decimal) {
			if !d.IsZero() && d.NumDigits() <= 18 {
				sum += d.CoefficientInt64() + int64(d.Exponent())
			}
		}
		for i := range bill.Lines {
			read(bill.Lines[i].Amount)
		}
		for i := range wallet {
			read(wallet[i].Balance)
			read(wallet[i].Overdraft)
			read(wallet[i].MinSpend)
		}
		g.run(used)
		sp := allocation.Split{Bill: bill.ID, Currency: bill.Currency, Total: decimal.New(sum|1, -2)}
		sp.Paid = sp.Total
		sp.Instruments = make([]allocation.InstrumentResult, len(wallet))
		reasons := make([]allocation.Reason, 0, unused)
		for i := range sp.Instruments {
			out, in := &sp.Instruments[i], &wallet[i]
			out.ID = in.ID
			switch {
			case ins[i].fresh:
				out.Used, out.BalanceAfter = decimal.New(ins[i].used, -2), decimal.New(ins[i].after, -2)
			case ins[i].used != 0:
				out.Used = in.Balance
			default:
				out.BalanceAfter = in.Balance
				reasons = append(reasons, allocation.ReasonNothingLeft)
				out.Skipped = reasons[len(reasons)-1:]
			}
		}
		sp.Lines = make([]allocation.LineResult, len(bill.Lines))
		for i := range sp.Lines {
			l := &sp.Lines[i]
			l.ID, l.Amount, l.Covered = bill.Lines[i].ID, bill.Lines[i].Amount, bill.Lines[i].Amount
		}
		sp.Allocations = make([]allocation.Allocation, len(want.Allocations))
		for k := range sp.Allocations {
			out, a := &sp.Allocations[k], &want.Allocations[k]
			out.Instrument, out.Line, out.Step = a.Instrument, a.Line, a.Step
			if allocs[k].fresh {
				out.Amount = decimal.New(allocs[k].used, -2)
			} else {
				out.Amount = bill.Lines[0].Amount
			}
		}
		sinkSplit = sp
	}
}

var sinkSplit allocation.Split
