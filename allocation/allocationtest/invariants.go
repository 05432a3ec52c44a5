package allocationtest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// TB is the part of *testing.T (and of *rapid.T) that [CheckInvariants]
// uses.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// maxReported bounds how many violations one failure lists.
const maxReported = 12

// CheckInvariants reports through t.Errorf every way split breaks the
// invariants of the design for the valid input bill, wallet and policy. It
// checks, with decimal arithmetic and the rules restated by [Eligibility]:
//
//   - shape: the bill's id and currency; one line result per bill line, in
//     bill order, with the bill's amounts; one result per wallet instrument,
//     sorted by id; allocations naming known instruments, lines and steps,
//     with positive amounts, discounts before payments and steps in policy
//     order; a percentage instrument applied in one step only.
//   - conservation: Total = Discounted + Paid + Outstanding, for the bill
//     and for every line (none of them negative); line and bill amounts are
//     the sums of the allocations; every instrument's Used is the sum of its
//     allocations and BalanceAfter = Balance − Used (zero for an uncapped
//     percentage instrument); Invoiceable = Outstanding + what invoiceable
//     instruments paid.
//   - bounds: no instrument discounts or pays a line it is not eligible for
//     (status, validity, currency, checkout exclusion, mode, policy
//     membership, minimum spend, balance, scope, restriction); a step
//     drawing the balance never takes it below zero, and no step below
//     −Overdraft; a percentage instrument gives at most its cap; an
//     instrument with room left under its widest draw leaves none of its
//     lines outstanding.
//   - reasons: a used instrument has none; an unused one has exactly the
//     reasons that apply before money moves, or "nothing_left".
//   - policy order, under in_order: each instrument pays its lines in bill
//     order, skipping only lines already settled, in one run per step; and
//     an instrument of a later step pays a line only if every eligible
//     instrument of an earlier step has no room left.
//
// Use it in host tests on Splits from Allocate, or on Splits a host has
// transformed, to assert they still conserve money.
func CheckInvariants(t TB, bill allocation.Bill, wallet allocation.Wallet, policy allocation.Policy, split allocation.Split) {
	t.Helper()
	problems := violations(bill, wallet, policy, split)
	if len(problems) == 0 {
		return
	}
	more := ""
	if len(problems) > maxReported {
		more = fmt.Sprintf("\n\t… and %d more", len(problems)-maxReported)
		problems = problems[:maxReported]
	}
	sc, err := json.Marshal(allocation.Scenario{Policy: policy, Bill: bill, Wallet: wallet})
	if err != nil {
		sc = []byte(fmt.Sprintf("%+v", allocation.Scenario{Policy: policy, Bill: bill, Wallet: wallet}))
	}
	got, err := json.Marshal(split)
	if err != nil {
		got = []byte(fmt.Sprintf("%+v", split))
	}
	t.Errorf("allocationtest: split of bill %q breaks invariants:\n\t%s%s\nscenario: %s\nsplit: %s",
		bill.ID, strings.Join(problems, "\n\t"), more, sc, got)
}

// checker accumulates the violations of one split.
type checker struct {
	bill     allocation.Bill
	policy   allocation.Policy
	split    allocation.Split
	steps    []allocation.Step
	problems []string

	lineIndex map[string]int
	ins       map[string]*insFacts
	wallet    []*insFacts // in wallet order, for reports in a stable order
}

// insFacts is what the checker knows about one wallet instrument.
type insFacts struct {
	in          allocation.Instrument
	lines       []int // eligible line indices
	reasons     []allocation.Reason
	mayOverdraw bool
	result      *allocation.InstrumentResult
	used        decimal.Decimal // sum of its allocations
	step        int             // step of a percentage instrument's discount, or -1
}

func (c *checker) failf(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func (f *insFacts) eligible(line int) bool {
	return len(f.reasons) == 0 && slices.Contains(f.lines, line)
}

// room is what f may still pay under a step that overdraws or not.
func (f *insFacts) room(overdraw bool) decimal.Decimal {
	r := f.in.Balance.Sub(f.result.Used)
	if overdraw {
		r = r.Add(f.in.Overdraft)
	}
	return r
}

// violations lists every invariant split breaks; none means it holds.
func violations(bill allocation.Bill, wallet allocation.Wallet, policy allocation.Policy, split allocation.Split) []string {
	c := &checker{
		bill: bill, policy: policy, split: split, steps: steps(policy),
		lineIndex: make(map[string]int, len(bill.Lines)),
		ins:       make(map[string]*insFacts, len(wallet)),
	}
	if !c.shape(wallet) {
		return c.problems
	}
	discounted, covered := c.allocations()
	c.conservation(discounted, covered)
	c.instruments()
	if policy.Strategy == "" || policy.Strategy == allocation.InOrder {
		c.inOrder()
	}
	return c.problems
}

// shape checks ids, order and lengths, and indexes lines and instruments.
// It reports false when the split is too malformed to check further.
func (c *checker) shape(wallet allocation.Wallet) bool {
	sp := &c.split
	if sp.Bill != c.bill.ID {
		c.failf("split bill %q, want the bill's id %q", sp.Bill, c.bill.ID)
	}
	if sp.Currency != c.bill.Currency {
		c.failf("split currency %q, want the bill's %q", sp.Currency, c.bill.Currency)
	}
	ok := true
	if len(sp.Lines) != len(c.bill.Lines) {
		c.failf("%d line results for %d bill lines", len(sp.Lines), len(c.bill.Lines))
		ok = false
	}
	for i, l := range c.bill.Lines {
		c.lineIndex[l.ID] = i
		if i >= len(sp.Lines) {
			continue
		}
		r := sp.Lines[i]
		if r.ID != l.ID {
			c.failf("line result #%d is %q, want %q (lines in bill order)", i+1, r.ID, l.ID)
			ok = false
		}
		if !r.Amount.Equal(l.Amount) {
			c.failf("line %q: amount %s, want the bill's %s", l.ID, r.Amount, l.Amount)
		}
	}
	for i := range wallet {
		in := wallet[i]
		lines, reasons := Eligibility(c.bill, c.policy, in)
		f := &insFacts{in: in, lines: lines, reasons: reasons, step: -1}
		for _, s := range c.steps {
			f.mayOverdraw = f.mayOverdraw || (Takes(s, in) && overdraws(s))
		}
		c.ins[in.ID] = f
		c.wallet = append(c.wallet, f)
	}
	if len(sp.Instruments) != len(wallet) {
		c.failf("%d instrument results for %d wallet instruments", len(sp.Instruments), len(wallet))
		ok = false
	}
	for i := range sp.Instruments {
		r := &sp.Instruments[i]
		if i > 0 && sp.Instruments[i-1].ID >= r.ID {
			c.failf("instrument results not sorted by id: %q before %q", sp.Instruments[i-1].ID, r.ID)
		}
		f := c.ins[r.ID]
		switch {
		case f == nil:
			c.failf("instrument result %q is not in the wallet", r.ID)
			ok = false
		case f.result != nil:
			c.failf("instrument %q has more than one result", r.ID)
			ok = false
		default:
			f.result = r
		}
	}
	for _, f := range c.wallet {
		if f.result == nil {
			c.failf("wallet instrument %q has no result", f.in.ID)
			ok = false
		}
	}
	return ok
}

// allocations checks each allocation and returns the discounts and
// payments per line.
func (c *checker) allocations() (discounted, covered []decimal.Decimal) {
	discounted = make([]decimal.Decimal, len(c.bill.Lines))
	covered = make([]decimal.Decimal, len(c.bill.Lines))
	lastStep := [2]int{} // per phase: discounts, payments
	paying := false      // a payment has been seen
	prev := ""
	for k, a := range c.split.Allocations {
		f := c.ins[a.Instrument]
		li, known := c.lineIndex[a.Line]
		if f == nil || !known {
			c.failf("allocation #%d names unknown instrument %q or line %q", k+1, a.Instrument, a.Line)
			continue
		}
		if !a.Amount.IsPositive() {
			c.failf("allocation #%d (%s on %s): amount %s is not positive", k+1, a.Instrument, a.Line, a.Amount)
		}
		if !f.eligible(li) {
			c.failf("allocation #%d: %s pays line %s it is not eligible for (reasons %v, eligible lines %v)", k+1, a.Instrument, a.Line, f.reasons, f.lines)
		}
		percent := f.in.IsPercent()
		phase := 1
		if percent {
			phase = 0
			if paying {
				c.failf("allocation #%d: discount by %s after a payment (discounts come first)", k+1, a.Instrument)
			}
		} else {
			paying = true
		}
		st := c.stepOf(a, f, lastStep[phase])
		switch {
		case st < 0:
			c.failf("allocation #%d: step %q does not draw %s, or comes before step #%d", k+1, a.Step, a.Instrument, lastStep[phase]+1)
		default:
			lastStep[phase] = st
		}
		f.used = f.used.Add(a.Amount)
		if percent {
			if f.step >= 0 && (f.step != st || prev != a.Instrument) {
				c.failf("allocation #%d: percentage instrument %s applied more than once", k+1, a.Instrument)
			}
			f.step = st
			discounted[li] = discounted[li].Add(a.Amount)
		} else {
			covered[li] = covered[li].Add(a.Amount)
			if st >= 0 {
				limit := f.in.Balance
				if overdraws(c.steps[st]) {
					limit = limit.Add(f.in.Overdraft)
				}
				if f.used.GreaterThan(limit) {
					c.failf("allocation #%d: %s has paid %s by step %q, beyond what it may draw there (%s)", k+1, a.Instrument, f.used, a.Step, limit)
				}
			}
		}
		prev = a.Instrument
	}
	return discounted, covered
}

// stepOf returns the index of the first step at or after from named
// a.Step that draws f's instrument, or -1.
func (c *checker) stepOf(a allocation.Allocation, f *insFacts, from int) int {
	for j := from; j < len(c.steps); j++ {
		if c.steps[j].Name == a.Step && Takes(c.steps[j], f.in) {
			return j
		}
	}
	return -1
}

// conservation checks that money adds up, per line and for the bill.
func (c *checker) conservation(discounted, covered []decimal.Decimal) {
	sp := &c.split
	var total, disc, paid, out decimal.Decimal
	for i, l := range c.bill.Lines {
		total = total.Add(l.Amount)
		r := sp.Lines[i]
		if r.Discounted.IsNegative() || r.Covered.IsNegative() || r.Outstanding.IsNegative() {
			c.failf("line %q: negative part (discounted %s, covered %s, outstanding %s)", l.ID, r.Discounted, r.Covered, r.Outstanding)
		}
		if !r.Discounted.Equal(discounted[i]) {
			c.failf("line %q: discounted %s, but its discounts add up to %s", l.ID, r.Discounted, discounted[i])
		}
		if !r.Covered.Equal(covered[i]) {
			c.failf("line %q: covered %s, but its payments add up to %s", l.ID, r.Covered, covered[i])
		}
		if sum := r.Discounted.Add(r.Covered).Add(r.Outstanding); !sum.Equal(l.Amount) {
			c.failf("line %q: discounted + covered + outstanding = %s, want the amount %s", l.ID, sum, l.Amount)
		}
		disc, paid, out = disc.Add(r.Discounted), paid.Add(r.Covered), out.Add(r.Outstanding)
	}
	if !sp.Total.Equal(total) {
		c.failf("total %s, want the sum of the lines %s", sp.Total, total)
	}
	if !sp.Discounted.Equal(disc) || !sp.Paid.Equal(paid) || !sp.Outstanding.Equal(out) {
		c.failf("discounted/paid/outstanding %s/%s/%s, want the sums over lines %s/%s/%s", sp.Discounted, sp.Paid, sp.Outstanding, disc, paid, out)
	}
	if sum := sp.Discounted.Add(sp.Paid).Add(sp.Outstanding); !sum.Equal(sp.Total) {
		c.failf("discounted + paid + outstanding = %s, want the total %s", sum, sp.Total)
	}
	invoiceable := sp.Outstanding
	for _, a := range sp.Allocations {
		if f := c.ins[a.Instrument]; f != nil && !f.in.IsPercent() && f.in.Invoiceable {
			invoiceable = invoiceable.Add(a.Amount)
		}
	}
	if !sp.Invoiceable.Equal(invoiceable) {
		c.failf("invoiceable %s, want outstanding plus what invoiceable instruments paid: %s", sp.Invoiceable, invoiceable)
	}
}

// instruments checks each instrument's result: used, balance after, caps,
// reasons, and that no usable instrument idles next to an unpaid line.
func (c *checker) instruments() {
	for _, r := range c.split.Instruments {
		f := c.ins[r.ID]
		in := f.in
		if !r.Used.Equal(f.used) {
			c.failf("instrument %q: used %s, but its allocations add up to %s", r.ID, r.Used, f.used)
		}
		if r.Used.IsNegative() {
			c.failf("instrument %q: used %s is negative", r.ID, r.Used)
		}
		wantAfter := in.Balance.Sub(r.Used)
		if in.IsPercent() && !in.Capped {
			wantAfter = decimal.Zero
		}
		if !r.BalanceAfter.Equal(wantAfter) {
			c.failf("instrument %q: balance_after %s, want %s", r.ID, r.BalanceAfter, wantAfter)
		}
		if in.IsPercent() && in.Capped && r.Used.GreaterThan(in.Balance) {
			c.failf("instrument %q: discounted %s, beyond its cap %s", r.ID, r.Used, in.Balance)
		}

		switch {
		case r.Used.IsPositive():
			if len(r.Skipped) > 0 {
				c.failf("instrument %q: used %s but skipped for %v", r.ID, r.Used, r.Skipped)
			}
		default:
			want := f.reasons
			if len(want) == 0 {
				want = []allocation.Reason{allocation.ReasonNothingLeft}
			}
			if !slices.Equal(r.Skipped, want) {
				c.failf("instrument %q: unused, skipped for %v, want %v", r.ID, r.Skipped, want)
			}
		}

		if len(f.reasons) == 0 && !in.IsPercent() && f.room(f.mayOverdraw).IsPositive() {
			for _, li := range f.lines {
				if o := c.split.Lines[li].Outstanding; o.IsPositive() {
					c.failf("instrument %q has %s left to pay but its line %q is outstanding %s", r.ID, f.room(f.mayOverdraw), c.bill.Lines[li].ID, o)
				}
			}
		}
	}
}

// inOrder checks what InOrder promises: each instrument covers its lines
// in bill order, and a later step only pays what earlier ones could not.
func (c *checker) inOrder() {
	type run struct {
		ins   string
		step  string
		lines []int
	}
	var runs []run
	for _, a := range c.split.Allocations {
		f := c.ins[a.Instrument]
		li, known := c.lineIndex[a.Line]
		if f == nil || !known || f.in.IsPercent() {
			continue
		}
		if n := len(runs); n > 0 && runs[n-1].ins == a.Instrument && runs[n-1].step == a.Step {
			runs[n-1].lines = append(runs[n-1].lines, li)
		} else {
			runs = append(runs, run{ins: a.Instrument, step: a.Step, lines: []int{li}})
		}
	}
	seen := make(map[[2]string]bool)
	for _, r := range runs {
		key := [2]string{r.ins, r.step}
		if seen[key] {
			c.failf("in_order: %s pays in step %q in more than one run", r.ins, r.step)
		}
		seen[key] = true
		if !slices.IsSorted(r.lines) || len(slices.Compact(slices.Clone(r.lines))) != len(r.lines) {
			c.failf("in_order: %s pays lines %v in step %q, not in bill order", r.ins, r.lines, r.step)
			continue
		}
		last := r.lines[len(r.lines)-1]
		for _, li := range c.ins[r.ins].lines {
			if li < last && c.split.Lines[li].Outstanding.IsPositive() {
				c.failf("in_order: %s paid line %q in step %q but left its earlier line %q outstanding", r.ins, c.bill.Lines[last].ID, r.step, c.bill.Lines[li].ID)
			}
		}
	}

	// Policy order (design invariant 4).
	for k, a := range c.split.Allocations {
		x := c.ins[a.Instrument]
		li, known := c.lineIndex[a.Line]
		if x == nil || !known || x.in.IsPercent() {
			continue
		}
		st := c.stepOf(a, x, 0)
		for _, y := range c.wallet {
			if y == x || y.in.IsPercent() || !y.eligible(li) {
				continue
			}
			for j := 0; j < st; j++ {
				if Takes(c.steps[j], y.in) && y.room(overdraws(c.steps[j])).IsPositive() {
					c.failf("in_order: allocation #%d: %s pays line %q in step %q while %s of earlier step %q still has %s",
						k+1, a.Instrument, a.Line, a.Step, y.in.ID, c.steps[j].Name, y.room(overdraws(c.steps[j])))
				}
			}
		}
	}
}
