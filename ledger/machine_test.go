package ledger_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// The state machine below drives a Journal with random grants, spends
// (through FromSplit), retries, conflicting reuses of ids, reversals,
// expiries, top-ups, transfers, deposits, refunds, malformed transactions
// and applies to old snapshots, and after every step compares it with a
// model that keeps balances as int64 cents and works out every expected
// outcome on its own.

// spec is one instrument of the machine's customer.
type spec struct {
	id, cur, kind, group string
	overdraft            int64         // cents
	expires              time.Duration // after t0; 0: never
	transferable         bool
	percent              bool // an uncapped percentage coupon: never booked
}

var (
	t0    = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	specs = []spec{
		{id: "voucher", cur: "USD", kind: "voucher", expires: 10 * time.Hour},
		{id: "cash", cur: "USD", kind: "cash"},
		{id: "card", cur: "USD", kind: "prepaid_card", overdraft: 5000},
		{id: "credit", cur: "USD", kind: "credit_line", overdraft: 20000},
		{id: "free", cur: "USD", kind: "free_credit", group: "a", expires: 30 * time.Hour, transferable: true},
		{id: "paid", cur: "USD", kind: "paid_credit", group: "a"},
		{id: "won", cur: "KRW", kind: "cash"},
		{id: "pct", cur: "USD", kind: "discount_voucher", percent: true},
	}
	products = []string{"ecs", "rds", "sms", ""}
)

func cents(c int64) decimal.Decimal { return decimal.New(c, -2) }

// toCents converts an amount the machine produced (two decimals at most).
func toCents(t *rapid.T, d decimal.Decimal) int64 {
	c := d.Shift(2)
	if !c.IsInteger() {
		t.Fatalf("amount %s has more than two decimals", d)
	}
	return c.IntPart()
}

func (s spec) account() ledger.Account { return ledger.InstrumentAccount(s.id, s.cur) }

func (s spec) terms() ledger.Terms {
	t := ledger.Terms{Account: s.account(), Kind: s.kind, Group: s.group,
		Overdraft: cents(s.overdraft), Transferable: s.transferable}
	if s.expires > 0 {
		t.Expires = t0.Add(s.expires)
	}
	return t
}

func wallet() allocation.Wallet {
	var w allocation.Wallet
	for _, s := range specs {
		in := allocation.Instrument{ID: s.id, Kind: s.kind, Currency: s.cur, Group: s.group, Overdraft: cents(s.overdraft)}
		if s.percent {
			in.Percent = decimal.NewNullDecimal(decimal.NewFromInt(10))
			// Capped false: no cap.
		}
		w = append(w, in)
	}
	return w
}

// model is the machine's independent idea of the journal.
type model struct {
	bal   map[ledger.Account]int64
	terms map[ledger.Account]spec // what the terms in force say
	txs   []ledger.Transaction
	// back[id][i] is how much of posting i of transaction id reversals
	// gave back.
	back map[string][]int64
	// repaid[id][i] is what top-ups repaid of receivable posting i of
	// transaction id (oldest debt first), less what reversals paid back.
	repaid map[string][]int64
	// redo rebuilds transaction id with the request that built it, or
	// with that request changed (variant).
	redo map[string]func(j ledger.Journal, variant bool) (ledger.Transaction, error)
	// holds are the holds applied, by id; holdIDs in the order applied.
	holds   map[string]*mhold
	holdIDs []string
}

// mhold is the model of one hold: what it did with each instrument.
type mhold struct {
	id, bill, note string
	at, until      time.Time
	parts          []mpart  // in the order the split first paid each instrument
	allocs         []malloc // the split's allocations, in order
	state          ledger.HoldState
}

type mpart struct {
	acct                             ledger.Account
	held, captured, released, lapsed int64
}

func (p mpart) left() int64 { return p.held - p.captured - p.released - p.lapsed }

type malloc struct {
	part          int
	amount        int64
	line, product string
}

func (h *mhold) left() int64 {
	var n int64
	for _, p := range h.parts {
		n += p.left()
	}
	return n
}

func (h *mhold) clone() *mhold {
	c := *h
	c.parts = slices.Clone(h.parts)
	return &c
}

// heldOf is what open holds reserve of instrument account a.
func (m *model) heldOf(a ledger.Account) int64 {
	var n int64
	for _, h := range m.holds {
		for _, p := range h.parts {
			if p.acct == a {
				n += p.left()
			}
		}
	}
	return n
}

// settle marks hold h settled in state st: once only.
func (m *model) settle(t *rapid.T, h *mhold, st ledger.HoldState) {
	if h.state != ledger.HoldOpen {
		t.Fatalf("model: hold %s settled twice (%s, then %s)", h.id, h.state, st)
	}
	h.state = st
}

func newModel() *model {
	return &model{bal: map[ledger.Account]int64{}, terms: map[ledger.Account]spec{},
		back: map[string][]int64{}, repaid: map[string][]int64{}, redo: map[string]func(ledger.Journal, bool) (ledger.Transaction, error){},
		holds: map[string]*mhold{}}
}

func (m *model) clone() *model {
	c := &model{bal: maps.Clone(m.bal), terms: maps.Clone(m.terms), txs: slices.Clone(m.txs),
		back: map[string][]int64{}, repaid: map[string][]int64{}, redo: maps.Clone(m.redo), holds: map[string]*mhold{}, holdIDs: slices.Clone(m.holdIDs)}
	for k, v := range m.back {
		c.back[k] = slices.Clone(v)
	}
	for k, v := range m.repaid {
		c.repaid[k] = slices.Clone(v)
	}
	for k, h := range m.holds {
		c.holds[k] = h.clone()
	}
	return c
}

// overdraws returns the instrument accounts the postings would take below
// their floor, given the terms in force.
func (m *model) overdraws(t *rapid.T, ps []ledger.Posting) []ledger.Account {
	net := map[ledger.Account]int64{}
	var order []ledger.Account
	for _, p := range ps {
		if _, ok := net[p.Account]; !ok {
			order = append(order, p.Account)
		}
		net[p.Account] += toCents(t, p.Amount)
	}
	var out []ledger.Account
	for _, a := range order {
		if a.IsInstrument() && net[a] < 0 && m.bal[a]+net[a] < -m.terms[a].overdraft {
			out = append(out, a)
		}
	}
	return out
}

// refusal is the error Apply must return for the postings of an otherwise
// valid transaction: ErrInsufficient if one overdraws, else nil.
func (m *model) refusal(t *rapid.T, ps []ledger.Posting) error {
	if len(m.overdraws(t, ps)) > 0 {
		return ledger.ErrInsufficient
	}
	return nil
}

// book records an applied transaction.
func (m *model) book(t *rapid.T, tx ledger.Transaction, redo func(ledger.Journal, bool) (ledger.Transaction, error)) {
	for _, p := range tx.Postings {
		m.bal[p.Account] += toCents(t, p.Amount)
	}
	for _, tm := range tx.Terms {
		s := spec{id: tm.Account.Instrument(), cur: tm.Account.Currency(), kind: tm.Kind, group: tm.Group,
			overdraft: toCents(t, tm.Overdraft), transferable: tm.Transferable}
		if !tm.Expires.IsZero() {
			s.expires = tm.Expires.Sub(t0)
		}
		m.terms[tm.Account] = s
	}
	m.txs = append(m.txs, tx)
	m.back[tx.ID] = make([]int64, len(tx.Postings))
	m.repaid[tx.ID] = make([]int64, len(tx.Postings))
	m.redo[tx.ID] = redo
}

func (m *model) tx(id string) (ledger.Transaction, bool) {
	for _, tx := range m.txs {
		if tx.ID == id {
			return tx, true
		}
	}
	return ledger.Transaction{}, false
}

type machine struct {
	j    ledger.Journal
	m    *model
	now  time.Time
	n    int // for fresh ids
	snap struct {
		j ledger.Journal
		m *model
	}
}

func (s *machine) id(prefix string) string {
	s.n++
	return fmt.Sprintf("%s%d", prefix, s.n)
}

func (s *machine) tick(t *rapid.T) {
	s.now = s.now.Add(time.Duration(rapid.IntRange(0, 3).Draw(t, "hours")) * time.Hour)
}

// apply applies tx, expecting the error matching want (nil: success), and
// books it in the model on success.
func (s *machine) apply(t *rapid.T, tx ledger.Transaction, want error, redo func(ledger.Journal, bool) (ledger.Transaction, error)) {
	before := s.j
	j, r, err := s.j.Apply(tx)
	if want != nil {
		if !errors.Is(err, want) {
			t.Fatalf("Apply(%s): got error %v, want %v", tx.ID, err, want)
		}
		if j != before {
			t.Fatalf("Apply(%s) rejected but returned another journal", tx.ID)
		}
		return
	}
	if err != nil {
		t.Fatalf("Apply(%s): %v", tx.ID, err)
	}
	if r.Replayed || r.Seq != before.Len() || j.Len() != before.Len()+1 {
		t.Fatalf("Apply(%s) = %+v, len %d → %d", tx.ID, r, before.Len(), j.Len())
	}
	s.j = j
	s.m.book(t, tx, redo)
}

// pure wraps a builder that does not read the journal as a redo function.
func pure(build func(variant bool) ledger.Transaction) func(ledger.Journal, bool) (ledger.Transaction, error) {
	return func(_ ledger.Journal, variant bool) (ledger.Transaction, error) { return build(variant), nil }
}

func variantNote(note string, variant bool) string {
	if variant {
		return note + " (changed)"
	}
	return note
}

func (s *machine) grant(t *rapid.T) {
	sp := rapid.SampledFrom(specs[:len(specs)-1]).Draw(t, "spec")
	amount := rapid.Int64Range(0, 20000).Draw(t, "amount")
	id, at := s.id("grant"), s.now
	build := func(variant bool) ledger.Transaction {
		return ledger.Grant(id, at, sp.terms(), cents(amount), variantNote("grant", variant))
	}
	s.apply(t, build(false), nil, pure(build))
}

func (s *machine) deposit(t *rapid.T) {
	amount := rapid.Int64Range(1, 20000).Draw(t, "amount")
	id, at, prod := s.id("dep"), s.now, rapid.SampledFrom(products).Draw(t, "product")
	build := func(variant bool) ledger.Transaction {
		return ledger.Deposit(id, at, ledger.InstrumentAccount("prepay", "USD"), cents(amount), prod, variantNote("by bank transfer", variant))
	}
	s.apply(t, build(false), nil, pure(build))
}

func (s *machine) refund(t *rapid.T) {
	a := ledger.InstrumentAccount("prepay", "USD")
	amount := rapid.Int64Range(1, max(s.m.bal[a]+100, 1)).Draw(t, "amount")
	id, at := s.id("refund"), s.now
	build := func(variant bool) ledger.Transaction {
		return ledger.Refund(id, at, a, cents(amount), variantNote("remaining balance", variant))
	}
	tx := build(false)
	s.apply(t, tx, s.m.refusal(t, tx.Postings), pure(build))
}

// spend books a random split through FromSplit.
func (s *machine) spend(t *rapid.T) {
	bill := allocation.Bill{ID: s.id("bill"), Currency: "USD", At: s.now}
	if rapid.IntRange(0, 9).Draw(t, "backdate") == 0 {
		bill.At = s.now.Add(-2 * time.Hour) // times need not increase
	}
	split := allocation.Split{Bill: bill.ID, Currency: "USD"}
	for i := range rapid.IntRange(1, 3).Draw(t, "lines") {
		l := allocation.Line{ID: fmt.Sprintf("l%d", i), Product: rapid.SampledFrom(products).Draw(t, "product")}
		bill.Lines = append(bill.Lines, l)
		split.Lines = append(split.Lines, allocation.LineResult{ID: l.ID,
			Outstanding: cents(rapid.Int64Range(0, 3000).Draw(t, "outstanding"))})
	}
	var usd []spec
	for _, sp := range specs {
		if sp.cur == "USD" {
			usd = append(usd, sp)
		}
	}
	for range rapid.IntRange(0, 4).Draw(t, "allocations") {
		split.Allocations = append(split.Allocations, allocation.Allocation{
			Instrument: rapid.SampledFrom(usd).Draw(t, "instrument").id,
			Line:       rapid.SampledFrom(bill.Lines).Draw(t, "line").ID,
			Amount:     cents(rapid.Int64Range(0, 8000).Draw(t, "amount")),
		})
	}
	opt := ledger.SpendOptions{Note: "n", Receivable: rapid.Bool().Draw(t, "receivable")}
	build := func(_ ledger.Journal, variant bool) (ledger.Transaction, error) {
		o := opt
		o.Note = variantNote(o.Note, variant)
		return ledger.FromSplit(bill, wallet(), split, o)
	}
	tx, err := build(s.j, false)
	if err != nil {
		t.Fatal(err)
	}
	// What the model expects FromSplit to book.
	var want []ledger.Posting
	product := map[string]string{}
	for _, l := range bill.Lines {
		product[l.ID] = l.Product
	}
	for _, a := range split.Allocations {
		if a.Amount.IsZero() || a.Instrument == "pct" {
			continue
		}
		want = append(want,
			ledger.Posting{Account: ledger.InstrumentAccount(a.Instrument, "USD"), Amount: a.Amount.Neg(), Line: a.Line, Product: product[a.Line]},
			ledger.Posting{Account: ledger.SystemAccount(ledger.Revenue, "USD"), Amount: a.Amount, Line: a.Line, Product: product[a.Line]})
	}
	if opt.Receivable {
		for _, l := range split.Lines {
			if l.Outstanding.IsPositive() {
				want = append(want,
					ledger.Posting{Account: ledger.SystemAccount(ledger.Receivable, "USD"), Amount: l.Outstanding.Neg(), Line: l.ID, Product: product[l.ID]},
					ledger.Posting{Account: ledger.SystemAccount(ledger.Revenue, "USD"), Amount: l.Outstanding, Line: l.ID, Product: product[l.ID]})
			}
		}
	}
	expect := ledger.Transaction{ID: "spend:" + bill.ID, Time: bill.At, Kind: ledger.KindSpend, Bill: bill.ID, Note: "n", Postings: want}
	if !tx.Equal(expect) {
		t.Fatalf("FromSplit:\n got %+v\nwant %+v", tx, expect)
	}
	s.apply(t, tx, s.m.refusal(t, tx.Postings), build)
}

// allocate pays a random bill with allocation.Allocate over the wallet as
// the journal has it, and books the split: Allocate respects balances and
// floors, so the spend is always accepted, and leaves every instrument at
// the balance the split says.
func (s *machine) allocate(t *rapid.T) {
	bill := allocation.Bill{ID: s.id("abill"), Currency: "USD", At: s.now, Mode: "payg"}
	for i := range rapid.IntRange(1, 3).Draw(t, "lines") {
		bill.Lines = append(bill.Lines, allocation.Line{ID: fmt.Sprintf("l%d", i),
			Product: rapid.SampledFrom(products).Draw(t, "product"),
			Amount:  cents(rapid.Int64Range(0, 20000).Draw(t, "amount"))})
	}
	w := ledger.WithBalances(s.j, wallet())
	policy := allocation.Policy{Steps: []allocation.Step{
		{Name: "balance", Order: []allocation.OrderKey{allocation.ExpiresFirst}},
		{Name: "overdraft", Draw: allocation.DrawOverdraft},
	}}
	split, err := allocation.Allocate(bill, w, policy)
	if err != nil {
		t.Fatalf("Allocate: %v", err)
	}
	tx, err := ledger.FromSplit(bill, w, split, ledger.SpendOptions{})
	if err != nil {
		t.Fatalf("FromSplit: %v", err)
	}
	if bad := s.m.overdraws(t, tx.Postings); len(bad) > 0 {
		t.Fatalf("Allocate overdraws %v", bad)
	}
	s.apply(t, tx, nil, func(_ ledger.Journal, variant bool) (ledger.Transaction, error) {
		o := ledger.SpendOptions{Note: variantNote("", variant)}
		return ledger.FromSplit(bill, w, split, o)
	})
	for _, r := range split.Instruments {
		in := w[slices.IndexFunc(w, func(in allocation.Instrument) bool { return in.ID == r.ID })]
		if in.Currency != "USD" || in.IsPercent() && !in.Capped {
			continue
		}
		if got := s.j.Balance(ledger.InstrumentAccount(r.ID, "USD")); !got.Equal(r.BalanceAfter) {
			t.Fatalf("after %s, %s holds %s, the split says %s", bill.ID, r.ID, got, r.BalanceAfter)
		}
	}
}

// retry rebuilds an applied transaction with the same request: Apply must
// report a replay and change nothing. Amounts are re-expressed at another
// scale, which is still the same content.
func (s *machine) retry(t *rapid.T) {
	if len(s.m.txs) == 0 {
		t.Skip("nothing applied yet")
	}
	orig := rapid.SampledFrom(s.m.txs).Draw(t, "tx")
	tx, err := s.m.redo[orig.ID](s.j, false)
	if err != nil {
		t.Fatalf("retrying %s: %v", orig.ID, err)
	}
	if rapid.Bool().Draw(t, "rescale") {
		for i := range tx.Postings {
			tx.Postings[i].Amount = tx.Postings[i].Amount.Mul(decimal.New(1000, -3))
		}
	}
	j, r, err := s.j.Apply(tx)
	if err != nil || !r.Replayed || j != s.j || r.Seq != slices.IndexFunc(s.m.txs, func(x ledger.Transaction) bool { return x.ID == orig.ID }) {
		t.Fatalf("replay of %s: result %+v, error %v, journal changed %v", orig.ID, r, err, j != s.j)
	}
}

// reuse builds another request under an applied id: a conflict, reported
// by the helper that reads the journal or by Apply.
func (s *machine) reuse(t *rapid.T) {
	if len(s.m.txs) == 0 {
		t.Skip("nothing applied yet")
	}
	orig := rapid.SampledFrom(s.m.txs).Draw(t, "tx")
	tx, err := s.m.redo[orig.ID](s.j, true)
	if err == nil {
		_, _, err = s.j.Apply(tx)
	}
	if !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("reusing %s: got %v, want a conflict", orig.ID, err)
	}
}

// reversal is the model's view of what can be given back of a
// transaction: its negative postings with what is left of each, and the
// one account it paid into.
func (m *model) reversal(t *rapid.T, id string) (dest ledger.Account, left []int64, ok bool) {
	tx, _ := m.tx(id)
	posts := reversible(tx)
	if tx.Kind == ledger.KindReverse || slices.ContainsFunc(posts, func(p ledger.Posting) bool { return p.Account.IsHeld() }) {
		return dest, nil, false
	}
	sign := map[ledger.Account]int{}
	var dests []ledger.Account
	for _, p := range posts {
		sg := p.Amount.Sign()
		if prev, seen := sign[p.Account]; seen && prev != sg {
			return dest, nil, false
		}
		if _, seen := sign[p.Account]; !seen && sg > 0 {
			dests = append(dests, p.Account)
		}
		sign[p.Account] = sg
	}
	if len(dests) != 1 {
		return dest, nil, false
	}
	left = make([]int64, len(posts))
	for i, p := range posts {
		if p.Amount.IsNegative() {
			left[i] = -toCents(t, p.Amount) - m.back[id][i]
		}
	}
	return dests[0], left, true
}

func (s *machine) reverse(t *rapid.T) {
	if len(s.m.txs) == 0 {
		t.Skip("nothing applied yet")
	}
	orig := rapid.SampledFrom(s.m.txs).Draw(t, "tx")
	dest, left, ok := s.m.reversal(t, orig.ID)
	var total int64
	for _, l := range left {
		total += l
	}
	if got := toCents(t, s.j.Reversible(orig.ID)); got != total {
		t.Fatalf("Reversible(%s) = %d, model %d", orig.ID, got, total)
	}
	amount := rapid.Int64Range(1, total+2).Draw(t, "amount")
	if rapid.Bool().Draw(t, "void") && total > 0 {
		amount = total
	}
	id, at := s.id("rev"), s.now
	build := func(j ledger.Journal, variant bool) (ledger.Transaction, error) {
		a := amount
		if variant {
			a++
		}
		return ledger.Reverse(j, id, at, orig.ID, cents(a), "refund")
	}
	tx, err := build(s.j, false)
	if !ok || amount > total {
		if !errors.Is(err, ledger.ErrInvalid) {
			t.Fatalf("Reverse(%s, %d) of %d: got %v, want ErrInvalid", orig.ID, amount, total, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Reverse(%s, %d): %v", orig.ID, amount, err)
	}
	var want []ledger.Posting
	takes := make([]int64, len(left))
	rest := amount
	for i := len(left) - 1; i >= 0 && rest > 0; i-- {
		take := min(left[i], rest)
		if take == 0 {
			continue
		}
		takes[i], rest = take, rest-take
		p := reversible(orig)[i]
		want = append(want,
			ledger.Posting{Account: p.Account, Amount: cents(take), Line: p.Line, Product: p.Product},
			ledger.Posting{Account: dest, Amount: cents(-take), Line: p.Line, Product: p.Product})
		// What is still owed is cancelled first; what was repaid is paid back.
		unpaid := -toCents(t, p.Amount) - s.m.back[orig.ID][i] - s.m.repaid[orig.ID][i]
		if repaid := take - max(unpaid, 0); p.Account.System() == ledger.Receivable && repaid > 0 {
			want = append(want,
				ledger.Posting{Account: p.Account, Amount: cents(-repaid), Line: p.Line, Product: p.Product},
				ledger.Posting{Account: ledger.SystemAccount(ledger.Refunded, "USD"), Amount: cents(repaid), Line: p.Line, Product: p.Product})
		}
	}
	expect := ledger.Transaction{ID: id, Time: at, Kind: ledger.KindReverse, Bill: orig.Bill, Ref: orig.ID, Note: "refund", Postings: want}
	if !tx.Equal(expect) {
		t.Fatalf("Reverse:\n got %+v\nwant %+v", tx, expect)
	}
	wantErr := s.m.refusal(t, tx.Postings)
	s.apply(t, tx, wantErr, build)
	if wantErr == nil {
		for i, take := range takes {
			unpaid := -toCents(t, orig.Postings[i].Amount) - s.m.back[orig.ID][i] - s.m.repaid[orig.ID][i]
			if orig.Postings[i].Account.System() == ledger.Receivable {
				s.m.repaid[orig.ID][i] -= take - min(take, max(unpaid, 0))
			}
			s.m.back[orig.ID][i] += take
		}
	}
}

// overReverse hand-builds a reverse that gives back one cent more than is
// left, or moves an account the same way as the original: Apply refuses.
func (s *machine) overReverse(t *rapid.T) {
	if len(s.m.txs) == 0 {
		t.Skip("nothing applied yet")
	}
	orig := rapid.SampledFrom(s.m.txs).Draw(t, "tx")
	dest, left, ok := s.m.reversal(t, orig.ID)
	if !ok {
		t.Skip("not reversible")
	}
	var total int64
	var src ledger.Account
	posts := reversible(orig)
	for i, l := range left {
		if posts[i].Amount.IsNegative() {
			src = posts[i].Account
		}
		total += l
	}
	if rapid.Bool().Draw(t, "sameWay") {
		total = -1 // dest +1, src −1: the way the original went
	} else {
		// All left on every source account plus one cent on the last.
		var onSrc int64
		for i, l := range left {
			if posts[i].Account == src {
				onSrc += l
			}
		}
		total = onSrc + 1
	}
	tx := ledger.Transaction{ID: s.id("badrev"), Time: s.now, Kind: ledger.KindReverse, Ref: orig.ID, Postings: []ledger.Posting{
		{Account: src, Amount: cents(total)}, {Account: dest, Amount: cents(-total)}}}
	s.apply(t, tx, ledger.ErrInvalid, nil)
}

func (s *machine) expire(t *rapid.T) {
	s.tick(t)
	at := s.now
	tx, ok := ledger.Expire(s.j, at)
	var want []ledger.Posting
	var accts []ledger.Account
	for a := range s.m.bal {
		accts = append(accts, a)
	}
	slices.SortFunc(accts, ledger.Account.Compare)
	// First open holds past their Until lapse, held account by held
	// account; then expired instruments give up what they have, lapses
	// included.
	back := map[ledger.Account]int64{}
	for _, a := range accts {
		if b := s.m.bal[a]; a.IsHeld() && b > 0 && !at.Before(s.m.holds[a.Hold()].until) {
			want = append(want,
				ledger.Posting{Account: a, Amount: cents(-b)},
				ledger.Posting{Account: ledger.InstrumentAccount(a.Instrument(), a.Currency()), Amount: cents(b)})
			back[ledger.InstrumentAccount(a.Instrument(), a.Currency())] += b
		}
	}
	for _, a := range accts {
		sp, has := s.m.terms[a]
		if b := s.m.bal[a] + back[a]; a.IsInstrument() && has && sp.expires > 0 && !at.Before(t0.Add(sp.expires)) && b > 0 {
			want = append(want,
				ledger.Posting{Account: a, Amount: cents(-b)},
				ledger.Posting{Account: ledger.SystemAccount(ledger.Expired, a.Currency()), Amount: cents(b)})
		}
	}
	if _, done := s.m.tx(tx.ID); done && ok {
		// Expire ran at this instant before: the same transaction again.
		if _, r, err := s.j.Apply(tx); err != nil || !r.Replayed {
			t.Fatalf("Expire again at %v: %+v %v", at, r, err)
		}
		return
	}
	if ok != (len(want) > 0) {
		t.Fatalf("Expire(%v) ok = %v with %d postings expected", at, ok, len(want))
	}
	if !ok {
		return
	}
	expect := ledger.Transaction{ID: "expire:" + at.Format(time.RFC3339Nano), Time: at, Kind: ledger.KindExpire, Postings: want}
	if !tx.Equal(expect) {
		t.Fatalf("Expire:\n got %+v\nwant %+v", tx, expect)
	}
	s.apply(t, tx, nil, func(j ledger.Journal, variant bool) (ledger.Transaction, error) {
		if variant {
			tx := tx
			tx.Note = "changed"
			return tx, nil
		}
		tx, _ := ledger.Expire(j, at)
		return tx, nil
	})
	for _, id := range s.m.holdIDs {
		if h := s.m.holds[id]; h.state == ledger.HoldOpen && !at.Before(h.until) {
			for i := range h.parts {
				h.parts[i].lapsed += h.parts[i].left()
			}
			s.m.settle(t, h, ledger.HoldLapsed)
		}
	}
}

func (s *machine) topUp(t *rapid.T) {
	target := rapid.SampledFrom(specs[:len(specs)-1]).Draw(t, "target")
	amount := rapid.Int64Range(1, 30000).Draw(t, "amount")
	to := target.account()
	id, at := s.id("top"), s.now
	build := func(j ledger.Journal, variant bool) (ledger.Transaction, error) {
		return ledger.TopUp(j, id, at, to, cents(amount), variantNote("alipay", variant))
	}
	tx, err := build(s.j, false)
	if err != nil {
		t.Fatal(err)
	}
	// The model: the receivable, then overdrawn instruments of to's
	// currency and group by id, then to.
	want := []ledger.Posting{{Account: ledger.SystemAccount(ledger.Issued, to.Currency()), Amount: cents(-amount)}}
	rest := amount
	pay := func(a ledger.Account, debt int64) {
		if debt > 0 && rest > 0 {
			p := min(debt, rest)
			rest -= p
			want = append(want, ledger.Posting{Account: a, Amount: cents(p)})
		}
	}
	pay(ledger.SystemAccount(ledger.Receivable, to.Currency()), -s.m.bal[ledger.SystemAccount(ledger.Receivable, to.Currency())])
	var debtors []ledger.Account
	for a, b := range s.m.bal {
		if a.IsInstrument() && a.Currency() == to.Currency() && b+s.m.heldOf(a) < 0 && s.m.terms[a].group == s.m.terms[to].group {
			debtors = append(debtors, a)
		}
	}
	slices.SortFunc(debtors, func(a, b ledger.Account) int { return strings.Compare(a.Instrument(), b.Instrument()) })
	for _, a := range debtors {
		pay(a, -s.m.bal[a]-s.m.heldOf(a)) // a hold is not a debt
	}
	if rest > 0 {
		if i := slices.IndexFunc(want, func(p ledger.Posting) bool { return p.Account == to }); i >= 0 {
			want[i].Amount = want[i].Amount.Add(cents(rest))
		} else {
			want = append(want, ledger.Posting{Account: to, Amount: cents(rest)})
		}
	}
	expect := ledger.Transaction{ID: id, Time: at, Kind: ledger.KindTopUp, Note: "alipay", Postings: want}
	if !tx.Equal(expect) {
		t.Fatalf("TopUp:\n got %+v\nwant %+v", tx, expect)
	}
	s.apply(t, tx, nil, build)
	s.m.repay(t, toCents(t, want[1].Amount), want[1].Account)
}

// repay attributes what a top-up paid to the receivable to the debts,
// oldest first: receivable postings that book an amount as owed (all
// negative ones but those a reversal of a spend passes on).
func (m *model) repay(t *rapid.T, amount int64, a ledger.Account) {
	if a.System() != ledger.Receivable {
		return
	}
	for _, tx := range m.txs {
		if ref, ok := m.tx(tx.Ref); tx.Kind == ledger.KindReverse && ok &&
			slices.ContainsFunc(ref.Postings, func(p ledger.Posting) bool { return p.Account == a && p.Amount.IsNegative() }) {
			continue
		}
		for i, p := range tx.Postings {
			if p.Account == a && p.Amount.IsNegative() && amount > 0 {
				pay := min(amount, max(-toCents(t, p.Amount)-m.back[tx.ID][i]-m.repaid[tx.ID][i], 0))
				m.repaid[tx.ID][i] += pay
				amount -= pay
			}
		}
	}
}

func (s *machine) transfer(t *rapid.T) {
	var from []ledger.Account
	for a := range s.m.terms {
		if a.IsInstrument() {
			from = append(from, a)
		}
	}
	if len(from) == 0 {
		t.Skip("no instrument has terms yet")
	}
	slices.SortFunc(from, ledger.Account.Compare)
	src := rapid.SampledFrom(from).Draw(t, "from")
	sp := s.m.terms[src]
	to := ledger.InstrumentAccount(s.id("xfer"), src.Currency())
	group := sp.group + "+"
	amount := rapid.Int64Range(1, max(s.m.bal[src]+100, 1)).Draw(t, "amount")
	id, at := s.id("tr"), s.now
	build := func(j ledger.Journal, variant bool) (ledger.Transaction, error) {
		return ledger.Transfer(j, id, at, src, to, group, cents(amount), variantNote("to "+group, variant))
	}
	tx, err := build(s.j, false)
	switch {
	case !sp.transferable:
		var nt *ledger.NotTransferableError
		if !errors.As(err, &nt) || nt.Account != src || nt.Kind != sp.kind {
			t.Fatalf("Transfer from %s (%s): got %v, want NotTransferableError", src, sp.kind, err)
		}
		// Built by hand, Apply refuses it too.
		bad := ledger.Transaction{ID: id, Time: at, Kind: ledger.KindTransfer, Postings: []ledger.Posting{
			{Account: src, Amount: cents(-1)}, {Account: to, Amount: cents(1)}}}
		s.apply(t, bad, ledger.ErrNotTransferable, nil)
		return
	case sp.expires > 0 && !at.Before(t0.Add(sp.expires)):
		if !errors.Is(err, ledger.ErrInvalid) || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("Transfer from %s, expired at %s: got %v, want ErrInvalid", src, t0.Add(sp.expires), err)
		}
		return
	case s.m.bal[src]-amount < -sp.overdraft:
		if !errors.Is(err, ledger.ErrInsufficient) {
			t.Fatalf("Transfer of %d from %s holding %d: got %v, want ErrInsufficient", amount, src, s.m.bal[src], err)
		}
		return
	case err != nil:
		t.Fatalf("Transfer: %v", err)
	}
	dest := sp.terms()
	dest.Account, dest.Group, dest.Overdraft = to, group, decimal.Decimal{}
	expect := ledger.Transaction{ID: id, Time: at, Kind: ledger.KindTransfer, Note: "to " + group,
		Postings: []ledger.Posting{{Account: src, Amount: cents(-amount)}, {Account: to, Amount: cents(amount)}},
		Terms:    []ledger.Terms{dest}}
	if !tx.Equal(expect) {
		t.Fatalf("Transfer:\n got %+v\nwant %+v", tx, expect)
	}
	s.apply(t, tx, nil, build)
}

// invalid applies a malformed transaction: Apply lists the problem and
// changes nothing.
func (s *machine) invalid(t *rapid.T) {
	cash := ledger.InstrumentAccount("cash", "USD")
	rev := ledger.SystemAccount(ledger.Revenue, "USD")
	ok := func() ledger.Transaction {
		return ledger.Transaction{ID: s.id("bad"), Time: s.now, Kind: ledger.KindSpend,
			Postings: []ledger.Posting{{Account: cash, Amount: cents(-1)}, {Account: rev, Amount: cents(1)}}}
	}
	tx := ok()
	switch rapid.IntRange(0, 8).Draw(t, "defect") {
	case 0:
		tx.Postings[1].Amount = cents(2)
	case 1:
		tx.ID = ""
	case 2:
		tx.Time = time.Time{}
	case 3:
		tx.Kind = "bonus"
	case 4:
		tx.Kind = ledger.KindReverse
	case 5:
		tx.Postings = append(tx.Postings, ledger.Posting{Account: cash})
	case 6:
		tx.Kind = ledger.KindTransfer
	case 7:
		tx.Terms = []ledger.Terms{{Account: cash, Overdraft: cents(-1)}}
	case 8:
		tx.Postings[0].Account = ledger.InstrumentAccount("cash", "US")
		tx.Postings[1].Account = ledger.SystemAccount(ledger.Revenue, "US")
	}
	s.apply(t, tx, ledger.ErrInvalid, nil)
}

// fork applies a grant to an older snapshot: the snapshot and the current
// journal must both stay as they were, and the new branch must be the
// snapshot plus the grant.
func (s *machine) fork(t *rapid.T) {
	if s.snap.m == nil || rapid.IntRange(0, 3).Draw(t, "resnap") == 0 {
		s.snap.j, s.snap.m = s.j, s.m.clone()
		return
	}
	tx := ledger.Grant(s.id("forkgrant"), s.now, ledger.Terms{Account: ledger.InstrumentAccount("cash", "USD"),
		Kind: "cash"}, cents(rapid.Int64Range(1, 100).Draw(t, "amount")), "")
	j, _, err := s.snap.j.Apply(tx)
	if err != nil {
		t.Fatal(err)
	}
	branch := s.snap.m.clone()
	branch.book(t, tx, nil)
	check(t, s.snap.j, s.snap.m)
	check(t, j, branch)
}

func (s *machine) check(t *rapid.T) { check(t, s.j, s.m) }

// check compares j with m: lengths, transactions, every balance, zero sum
// per currency, floors, and each account's history.
func check(t *rapid.T, j ledger.Journal, m *model) {
	if j.Len() != len(m.txs) {
		t.Fatalf("journal has %d transactions, model %d", j.Len(), len(m.txs))
	}
	for i, tx := range j.Transactions() {
		if !tx.Equal(m.txs[i]) {
			t.Fatalf("transaction %d:\n got %+v\nwant %+v", i, tx, m.txs[i])
		}
		if err := tx.Validate(); err != nil {
			t.Fatalf("transaction %d does not balance: %v", i, err)
		}
	}
	accts := j.Accounts()
	sum := map[string]int64{}
	for _, a := range accts {
		got := toCents(t, j.Balance(a))
		if got != m.bal[a] {
			t.Fatalf("balance of %s = %d, model %d", a, got, m.bal[a])
		}
		sum[a.Currency()] += got
		if sp, ok := m.terms[a]; ok && got < -sp.overdraft {
			t.Fatalf("%s at %d is below its floor -%d", a, got, sp.overdraft)
		}
		h := j.History(a, ledger.Filter{})
		var hs int64
		for _, e := range h {
			hs += toCents(t, e.Amount)
			if toCents(t, e.Balance) != hs {
				t.Fatalf("history of %s: running balance %s, sum %d", a, e.Balance, hs)
			}
		}
		if hs != got {
			t.Fatalf("history of %s adds up to %d, balance %d", a, hs, got)
		}
	}
	for a, b := range m.bal {
		if b != 0 && !slices.Contains(accts, a) {
			t.Fatalf("account %s missing from Accounts", a)
		}
	}
	for cur, s := range sum {
		if s != 0 {
			t.Fatalf("balances in %s add up to %d", cur, s)
		}
	}
	checkHolds(t, j, m)
}

// checkHolds compares every hold of j with the model: its state and, per
// instrument, held = captured + released + lapsed + left; what each
// instrument has held; and which holds are open, in order.
func checkHolds(t *rapid.T, j ledger.Journal, m *model) {
	held := map[ledger.Account]int64{}
	var open []*mhold
	for _, id := range m.holdIDs {
		h := m.holds[id]
		st, ok := j.HoldStatus(id)
		if !ok || st.State != h.state || !st.Until.Equal(h.until) || st.Bill != h.bill || len(st.Parts) != len(h.parts) {
			t.Fatalf("hold %s: %+v, model %+v", id, st, *h)
		}
		var sum [5]int64
		for i, p := range st.Parts {
			mp := h.parts[i]
			got := [5]int64{toCents(t, p.Held), toCents(t, p.Captured), toCents(t, p.Released), toCents(t, p.Lapsed), toCents(t, p.Left)}
			if p.Account != mp.acct || got != [5]int64{mp.held, mp.captured, mp.released, mp.lapsed, mp.left()} {
				t.Fatalf("hold %s part %d: %v %v, model %+v", id, i, p.Account, got, mp)
			}
			if got[0] != got[1]+got[2]+got[3]+got[4] {
				t.Fatalf("hold %s part %d: held %d ≠ captured + released + lapsed + left %v", id, i, got[0], got)
			}
			if b := toCents(t, j.Balance(ledger.HeldAccount(id, p.Account.Instrument(), p.Account.Currency()))); b != got[4] {
				t.Fatalf("hold %s: held account of %s at %d, %d left", id, p.Account, b, got[4])
			}
			for k := range got {
				sum[k] += got[k]
			}
			held[p.Account] += got[4]
		}
		if sum != [5]int64{toCents(t, st.Held), toCents(t, st.Captured), toCents(t, st.Released), toCents(t, st.Lapsed), toCents(t, st.Left)} {
			t.Fatalf("hold %s: totals %+v, parts add up to %v", id, st, sum)
		}
		if (h.state == ledger.HoldOpen) != (sum[4] > 0) {
			t.Fatalf("hold %s is %s with %d left", id, h.state, sum[4])
		}
		if h.state == ledger.HoldOpen {
			open = append(open, h)
		}
	}
	for a, n := range held {
		if got := toCents(t, j.Held(a)); got != n {
			t.Fatalf("Held(%s) = %d, model %d", a, got, n)
		}
	}
	slices.SortStableFunc(open, func(a, b *mhold) int {
		if c := a.until.Compare(b.until); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	got := j.OpenHolds()
	if len(got) != len(open) {
		t.Fatalf("%d open holds, model %d", len(got), len(open))
	}
	for i, h := range open {
		if got[i].ID != h.id {
			t.Fatalf("open hold %d is %s, model %s", i, got[i].ID, h.id)
		}
	}
}

func TestMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := &machine{m: newModel(), now: t0}
		t.Repeat(map[string]func(*rapid.T){
			"grant":       s.grant,
			"deposit":     s.deposit,
			"refund":      s.refund,
			"spend":       s.spend,
			"allocate":    s.allocate,
			"retry":       s.retry,
			"reuse":       s.reuse,
			"reverse":     s.reverse,
			"overReverse": s.overReverse,
			"expire":      s.expire,
			"topUp":       s.topUp,
			"transfer":    s.transfer,
			"invalid":     s.invalid,
			"fork":        s.fork,
			// Holds and their settling are drawn three times as often as
			// other actions: a capture needs an open hold, which needs
			// money available.
			"hold":     s.hold,
			"hold2":    s.hold,
			"hold3":    s.hold,
			"capture2": s.capture,
			"capture3": s.capture,
			"wait":     s.tick, // time passes without an Expire: holds past Until stay open
			"capture":  s.capture,
			"release":  s.release,
			"":         s.check,
		})
	})
}

// hold reserves a random split until a random instant: refused with
// ErrInsufficient when an instrument has not that much available (open
// holds count), with ErrInvalid when it takes nothing.
func (s *machine) hold(t *rapid.T) {
	bill := allocation.Bill{ID: s.id("order"), Currency: "USD", At: s.now}
	split := allocation.Split{Bill: bill.ID, Currency: "USD"}
	for i := range rapid.IntRange(1, 3).Draw(t, "lines") {
		bill.Lines = append(bill.Lines, allocation.Line{ID: fmt.Sprintf("l%d", i), Product: rapid.SampledFrom(products).Draw(t, "product")})
	}
	var usd []spec
	for _, sp := range specs {
		if sp.cur == "USD" {
			usd = append(usd, sp)
		}
	}
	fits := rapid.Bool().Draw(t, "fits")
	if fits {
		// Allocated over the wallet the journal gives: always accepted.
		for i := range bill.Lines {
			bill.Lines[i].Amount = cents(rapid.Int64Range(0, 20000).Draw(t, "amount"))
		}
		var err error
		split, err = allocation.Allocate(bill, ledger.WithBalances(s.j, wallet()), allocation.Policy{Steps: []allocation.Step{
			{Name: "balance", Order: []allocation.OrderKey{allocation.ExpiresFirst}},
			{Name: "overdraft", Draw: allocation.DrawOverdraft},
		}})
		if err != nil {
			t.Fatalf("Allocate: %v", err)
		}
	} else {
		for range rapid.IntRange(0, 4).Draw(t, "allocations") {
			split.Allocations = append(split.Allocations, allocation.Allocation{
				Instrument: rapid.SampledFrom(usd).Draw(t, "instrument").id,
				Line:       rapid.SampledFrom(bill.Lines).Draw(t, "line").ID,
				Amount:     cents(rapid.Int64Range(0, 8000).Draw(t, "amount")),
			})
		}
	}
	until := s.now.Add(time.Duration(rapid.IntRange(1, 8).Draw(t, "lasts")) * time.Hour)
	build := func(_ ledger.Journal, variant bool) (ledger.Transaction, error) {
		return ledger.Hold(bill, wallet(), split, until, variantNote("order", variant))
	}
	tx, err := build(s.j, false)
	id := "hold:" + bill.ID
	h := &mhold{id: id, bill: bill.ID, note: "order", at: s.now, until: until, state: ledger.HoldOpen}
	expect := ledger.Transaction{ID: id, Time: s.now, Kind: ledger.KindHold, Bill: bill.ID, Note: "order"}
	for _, a := range split.Allocations {
		if a.Amount.IsZero() || a.Instrument == "pct" {
			continue
		}
		in := ledger.InstrumentAccount(a.Instrument, "USD")
		ha := ledger.HeldAccount(id, a.Instrument, "USD")
		k := slices.IndexFunc(h.parts, func(p mpart) bool { return p.acct == in })
		if k < 0 {
			k = len(h.parts)
			h.parts = append(h.parts, mpart{acct: in})
			expect.Terms = append(expect.Terms, ledger.Terms{Account: ha, Expires: until})
		}
		c := toCents(t, a.Amount)
		h.parts[k].held += c
		var prod string
		for _, l := range bill.Lines {
			if l.ID == a.Line {
				prod = l.Product
			}
		}
		h.allocs = append(h.allocs, malloc{part: k, amount: c, line: a.Line, product: prod})
		expect.Postings = append(expect.Postings,
			ledger.Posting{Account: in, Amount: a.Amount.Neg(), Line: a.Line, Product: prod},
			ledger.Posting{Account: ha, Amount: a.Amount, Line: a.Line, Product: prod})
	}
	if len(expect.Postings) == 0 {
		if !errors.Is(err, ledger.ErrInvalid) {
			t.Fatalf("Hold of nothing: got %v, want ErrInvalid", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Hold: %v", err)
	}
	if !tx.Equal(expect) {
		t.Fatalf("Hold:\n got %+v\nwant %+v", tx, expect)
	}
	want := s.m.refusal(t, tx.Postings)
	if fits && want != nil {
		t.Fatalf("a hold of a split allocated over WithBalances overdraws: %v", s.m.overdraws(t, tx.Postings))
	}
	s.apply(t, tx, want, build)
	if want == nil {
		s.m.holds[id] = h
		s.m.holdIDs = append(s.m.holdIDs, id)
	}
}

// reversible is the model of what Reverse gives back of tx: a capture's
// captured amounts as if taken from the instruments (pairs held → revenue
// become instrument → revenue; its release pairs stay out), any other
// transaction's postings as they are.
func reversible(tx ledger.Transaction) []ledger.Posting {
	if tx.Kind != ledger.KindCapture {
		return tx.Postings
	}
	var out []ledger.Posting
	for i := 0; i+1 < len(tx.Postings); i += 2 {
		p, q := tx.Postings[i], tx.Postings[i+1]
		if q.Account.System() == ledger.Revenue {
			p.Account = ledger.InstrumentAccount(p.Account.Instrument(), p.Account.Currency())
			out = append(out, p, q)
		}
	}
	return out
}

// pickHold draws a hold of the model, in any state, or (rarely) an id that
// is none.
func (s *machine) pickHold(t *rapid.T) (string, *mhold) {
	if len(s.m.holdIDs) == 0 || rapid.IntRange(0, 9).Draw(t, "nohold") == 0 {
		return "hold:nothing", nil
	}
	id := rapid.SampledFrom(s.m.holdIDs).Draw(t, "hold")
	return id, s.m.holds[id]
}

// holdRefusal is the sentinel a capture or release of h at at must fail
// with, or nil.
func holdRefusal(h *mhold, at time.Time) error {
	switch {
	case h == nil:
		return ledger.ErrInvalid
	case h.state == ledger.HoldCaptured || h.state == ledger.HoldReleased:
		return ledger.ErrHoldSettled
	case h.state == ledger.HoldLapsed || !at.Before(h.until):
		return ledger.ErrHoldExpired
	}
	return nil
}

// capture settles a random amount of a random hold, sometimes finally.
func (s *machine) capture(t *rapid.T) {
	hid, h := s.pickHold(t)
	var left int64
	if h != nil {
		left = h.left()
	}
	amount := rapid.Int64Range(1, left+2).Draw(t, "amount")
	final := rapid.Bool().Draw(t, "final")
	id, at := s.id("cap"), s.now
	build := func(j ledger.Journal, variant bool) (ledger.Transaction, error) {
		return ledger.Capture(j, id, at, hid, cents(amount), final, variantNote("delivered", variant))
	}
	tx, err := build(s.j, false)
	want := holdRefusal(h, at)
	if want == nil && amount > left {
		want = ledger.ErrHoldExceeded
	}
	if want != nil {
		if !errors.Is(err, want) {
			t.Fatalf("Capture(%s, %d) of %d left: got %v, want %v", hid, amount, left, err, want)
		}
		// Built by hand, Apply refuses it too.
		held := ledger.HeldAccount(hid, "cash", "USD")
		over := int64(1)
		if h != nil {
			held = ledger.HeldAccount(hid, h.parts[0].acct.Instrument(), "USD")
			over = h.parts[0].left() + 1
		}
		if want != ledger.ErrHoldExceeded {
			over = 1
		}
		bad := ledger.Transaction{ID: id, Time: at, Kind: ledger.KindCapture, Ref: hid, Postings: []ledger.Posting{
			{Account: held, Amount: cents(-over)}, {Account: ledger.SystemAccount(ledger.Revenue, "USD"), Amount: cents(over)}}}
		s.apply(t, bad, want, nil)
		return
	}
	if err != nil {
		t.Fatalf("Capture: %v", err)
	}
	expect := ledger.Transaction{ID: id, Time: at, Kind: ledger.KindCapture, Bill: h.bill, Ref: hid, Note: "delivered"}
	consumed := make([]int64, len(h.parts))
	for i, p := range h.parts {
		consumed[i] = p.captured
	}
	took := make([]int64, len(h.parts))
	rest := amount
	for _, a := range h.allocs {
		skip := min(consumed[a.part], a.amount)
		consumed[a.part] -= skip
		take := min(a.amount-skip, rest)
		if take <= 0 {
			continue
		}
		rest -= take
		took[a.part] += take
		expect.Postings = append(expect.Postings,
			ledger.Posting{Account: ledger.HeldAccount(hid, h.parts[a.part].acct.Instrument(), "USD"), Amount: cents(-take), Line: a.line, Product: a.product},
			ledger.Posting{Account: ledger.SystemAccount(ledger.Revenue, "USD"), Amount: cents(take), Line: a.line, Product: a.product})
		if rest == 0 {
			break
		}
	}
	gave := make([]int64, len(h.parts))
	if final {
		for i, p := range h.parts {
			if r := p.left() - took[i]; r > 0 {
				gave[i] = r
				expect.Postings = append(expect.Postings,
					ledger.Posting{Account: ledger.HeldAccount(hid, p.acct.Instrument(), "USD"), Amount: cents(-r)},
					ledger.Posting{Account: p.acct, Amount: cents(r)})
			}
		}
	}
	if !tx.Equal(expect) {
		t.Fatalf("Capture:\n got %+v\nwant %+v", tx, expect)
	}
	s.apply(t, tx, nil, build)
	for i := range h.parts {
		h.parts[i].captured += took[i]
		h.parts[i].released += gave[i]
	}
	if h.left() == 0 {
		s.m.settle(t, h, ledger.HoldCaptured)
	}
}

// release gives back all a random hold has left.
func (s *machine) release(t *rapid.T) {
	hid, h := s.pickHold(t)
	id, at := s.id("rel"), s.now
	build := func(j ledger.Journal, variant bool) (ledger.Transaction, error) {
		return ledger.Release(j, id, at, hid, variantNote("abandoned", variant))
	}
	tx, err := build(s.j, false)
	if want := holdRefusal(h, at); want != nil {
		if !errors.Is(err, want) {
			t.Fatalf("Release(%s): got %v, want %v", hid, err, want)
		}
		return
	}
	if err != nil {
		t.Fatalf("Release: %v", err)
	}
	expect := ledger.Transaction{ID: id, Time: at, Kind: ledger.KindRelease, Bill: h.bill, Ref: hid, Note: "abandoned"}
	for _, p := range h.parts {
		if r := p.left(); r > 0 {
			expect.Postings = append(expect.Postings,
				ledger.Posting{Account: ledger.HeldAccount(hid, p.acct.Instrument(), "USD"), Amount: cents(-r)},
				ledger.Posting{Account: p.acct, Amount: cents(r)})
		}
	}
	if !tx.Equal(expect) {
		t.Fatalf("Release:\n got %+v\nwant %+v", tx, expect)
	}
	s.apply(t, tx, nil, build)
	for i := range h.parts {
		h.parts[i].released += h.parts[i].left()
	}
	s.m.settle(t, h, ledger.HoldReleased)
}
