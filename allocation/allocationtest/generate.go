package allocationtest

import (
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// Knobs tune the generators. The zero Knobs exercises every rule of
// package allocation: every reason an instrument can be skipped for, every
// order key, draw and step scope, both strategies, percentage coupons
// (capped and not), overdrafts and overdrawn balances, scopes, modes,
// validity windows, minimum spends, restrictions and checkout exclusions.
//
// Every generated value is valid: Allocate accepts it (it returns no
// error) when the bill, wallet and policy come from the same Knobs.
type Knobs struct {
	// Currency is the bill's currency and that of most instruments. Empty
	// means [DefaultCurrency] for [Knobs.Bill], [Knobs.Wallet] and
	// [Knobs.Policy], and a currency drawn from CNY, EUR, JPY and KWD (2, 2,
	// 0 and 3 decimals) for [Knobs.Scenario].
	Currency string
	// MaxLines bounds the number of bill lines. Zero means up to 5, and
	// now and then up to 40 (the engine indexes bills of more than 16
	// lines). Bills may have no lines at all.
	MaxLines int
	// MaxInstruments bounds the number of instruments. Zero means up to 8,
	// and now and then up to 30. Wallets may be empty.
	MaxInstruments int
	// Kinds are the instrument kinds drawn, and that steps and
	// restrictions name. Empty means [DefaultKinds].
	Kinds []string
	// Strategy fixes the policy strategy; empty draws "" (the default),
	// in_order or max_coverage.
	Strategy allocation.Strategy
	// OrderKeys are the order keys steps draw from; empty means all six.
	OrderKeys []allocation.OrderKey
	// Draws are the draws steps use; empty means "", balance, all and
	// overdraft.
	Draws []allocation.Draw
	// Without lists features to leave out.
	Without Feature
}

// A Feature is a group of rules the generators exercise unless
// [Knobs].Without lists it. Features combine with |.
type Feature uint

const (
	// Percent: percentage coupons, capped and uncapped.
	Percent Feature = 1 << iota
	// Overdraft: overdrafts and already overdrawn (negative) balances.
	Overdraft
	// Expiry: valid_from and valid_until, including instruments that are
	// expired, not yet valid, or expire exactly at the bill's time.
	Expiry
	// Scopes: products and categories to include or exclude.
	Scopes
	// Modes: bill modes, and instrument scopes limited to or excluding
	// some modes.
	Modes
	// MinSpend: minimum spends.
	MinSpend
	// Statuses: statuses other than active.
	Statuses
	// Restrictions: policy restrictions reserving lines for some kinds.
	Restrictions
	// Exclusions: instruments and kinds the bill excludes at checkout.
	Exclusions
	// ForeignCurrency: instruments in another currency than the bill.
	ForeignCurrency
	// Rounding: explicit policy rounding (places, mode, strict) and
	// amounts written with one more decimal than the currency has.
	Rounding
	// Huge: now and then amounts or a working scale that do not fit
	// 64-bit integers (amounts scaled up by 10^14 to 10^24, or written
	// with 15 to 22 more decimals, or a rounding to 19 to 24 places), yet
	// stay within the default [allocation.Limits]; and scenarios whose
	// amounts are multiplied so that the bill's total is close to 2^63
	// units of the working scale, on either side.
	Huge
)

// DefaultKinds returns the instrument kinds drawn by default, those of the
// seed documents.
func DefaultKinds() []string {
	return []string{"voucher", "discount_voucher", "gift", "cash", "prepaid_card", "credit_line", "free_credit", "paid_credit", "prepayment", "coupon"}
}

// The vocabulary generated lines and scopes share, so that scopes and
// restrictions match some lines and miss others.
var (
	products = []string{"ecs", "ebs", "cdn", "sms", "dial", "image", "market"}
	// categoryOf is the usual category of each product.
	categoryOf = map[string]string{
		"ecs": "compute", "ebs": "storage", "cdn": "network", "sms": "sms",
		"dial": "dial_testing", "image": "os_image", "market": "marketplace",
	}
	categories = []string{"compute", "storage", "network", "sms", "dial_testing", "os_image", "marketplace"}
	modes      = []string{"payg", "subscription", "renewal", "trial"}
	statuses   = []string{"active", "used_up", "expired", "revoked", "recovered"}
	allKeys    = []allocation.OrderKey{allocation.ExpiresFirst, allocation.LargestFirst, allocation.SmallestFirst, allocation.PriorityOrder, allocation.OldestFirst, allocation.SpecificFirst}
	allDraws   = []allocation.Draw{"", allocation.DrawBalance, allocation.DrawAll, allocation.DrawOverdraft}
	currencies = []string{"CNY", "EUR", "JPY", "KWD"}
	percents   = []string{"0", "5", "10", "12.5", "15", "20", "33.333", "50", "99.99", "100"}
)

// Bill returns a generator of bills drawn with the zero [Knobs].
func Bill() *rapid.Generator[allocation.Bill] { return Knobs{}.Bill() }

// Wallet returns a generator of wallets drawn with the zero [Knobs].
func Wallet() *rapid.Generator[allocation.Wallet] { return Knobs{}.Wallet() }

// Policy returns a generator of policies drawn with the zero [Knobs].
func Policy() *rapid.Generator[allocation.Policy] { return Knobs{}.Policy() }

// Scenario returns a generator of scenarios drawn with the zero [Knobs].
func Scenario() *rapid.Generator[allocation.Scenario] { return Knobs{}.Scenario() }

// Bill returns a generator of valid bills in k.Currency (default
// [DefaultCurrency]) at [DefaultAt] (sometimes written in another time
// zone), with up to k.MaxLines lines whose products and categories the
// generated scopes and restrictions refer to. Checkout exclusions name
// kinds of k.Kinds and ids of the form the wallet generator uses ("i1",
// "i2", …).
func (k Knobs) Bill() *rapid.Generator[allocation.Bill] {
	return rapid.Custom(func(t *rapid.T) allocation.Bill {
		cur := k.currency()
		b := k.drawBill(t, cur, k.numbers(t, cur))
		k.drawExclusions(t, &b, nil)
		return b
	})
}

// Wallet returns a generator of valid wallets of up to k.MaxInstruments
// instruments with distinct ids "i1", "i2", … (in no particular order),
// mostly in k.Currency (default [DefaultCurrency]). Most instruments are
// usable on a bill from [Knobs.Bill]; about one in five has a fault that
// makes it unusable (inactive, expired, not yet valid, another currency,
// a mode or scope the bill misses, a minimum spend too high, no balance).
func (k Knobs) Wallet() *rapid.Generator[allocation.Wallet] {
	return rapid.Custom(func(t *rapid.T) allocation.Wallet {
		cur := k.currency()
		return k.drawWallet(t, walletFor{cur: cur, num: k.numbers(t, cur)})
	})
}

// Policy returns a generator of valid policies: zero to four steps drawing
// k.Kinds with every step scope, order key and draw allowed by k,
// restrictions, and rounding. A strict rounding always allows the decimals
// the other generators write in k.Currency.
func (k Knobs) Policy() *rapid.Generator[allocation.Policy] {
	return rapid.Custom(func(t *rapid.T) allocation.Policy {
		return k.drawPolicy(t, k.currency(), k.maxPlaces(k.currency()))
	})
}

// Scenario returns a generator of valid scenarios whose bill, wallet and
// policy fit together: one currency (drawn when k.Currency is empty),
// instruments mostly of kinds the policy draws and scoped to products and
// modes of the bill, checkout exclusions naming instruments of the wallet,
// and amounts that a strict policy rounding allows.
func (k Knobs) Scenario() *rapid.Generator[allocation.Scenario] {
	return rapid.Custom(func(t *rapid.T) allocation.Scenario {
		cur := k.Currency
		if cur == "" {
			cur = rapid.SampledFrom(currencies).Draw(t, "currency")
		}
		num := k.numbers(t, cur)
		policy := k.drawPolicy(t, cur, num.places)
		bill := k.drawBill(t, cur, num)
		wallet := k.drawWallet(t, walletFor{cur: cur, num: num, bill: &bill, kinds: policyKinds(policy)})
		k.drawExclusions(t, &bill, wallet)
		sc := allocation.Scenario{Policy: policy, Bill: bill, Wallet: wallet}
		if k.on(Huge) && chance(t, 2, "near_limit") {
			nearLimit(t, &sc, num)
		}
		return sc
	})
}

// policyKinds returns the kinds some step of p names, or nil if a step
// takes every kind.
func policyKinds(p allocation.Policy) []string {
	var kinds []string
	for _, s := range p.Steps {
		if len(s.Kinds) == 0 {
			return nil
		}
		for _, kind := range s.Kinds {
			if !slices.Contains(kinds, kind) {
				kinds = append(kinds, kind)
			}
		}
	}
	return kinds
}

func (k Knobs) on(f Feature) bool { return k.Without&f == 0 }

func (k Knobs) currency() string {
	if k.Currency == "" {
		return DefaultCurrency
	}
	return k.Currency
}

func (k Knobs) kinds() []string {
	if len(k.Kinds) == 0 {
		return DefaultKinds()
	}
	return k.Kinds
}

// numbers says how generated amounts are written: with places decimals,
// then scaled up by 10^mag.
type numbers struct {
	places int32
	mag    int32
}

// numbers draws how amounts are written: with the currency's decimals;
// with the Rounding feature sometimes one more; with the Huge feature
// sometimes far more, or scaled far up.
func (k Knobs) numbers(t *rapid.T, currency string) numbers {
	n := numbers{places: allocation.MinorUnits(currency)}
	if k.on(Rounding) && chance(t, 1, "extra_decimal") {
		n.places++
	}
	if k.on(Huge) && chance(t, 1, "huge") {
		if rapid.Bool().Draw(t, "huge_or_precise") {
			n.mag = int32(rapid.IntRange(14, 24).Draw(t, "magnitude"))
		} else {
			n.places += int32(rapid.IntRange(15, 22).Draw(t, "more_decimals"))
		}
	}
	return n
}

// maxPlaces is the most decimals the generators write amounts in
// currency with.
func (k Knobs) maxPlaces(currency string) int32 {
	p := allocation.MinorUnits(currency)
	if k.on(Rounding) {
		p++
	}
	if k.on(Huge) {
		p += 22
	}
	return p
}

// chance draws true with probability about n in 10 (a little more: rapid
// favours small numbers).
func chance(t *rapid.T, n int, label string) bool {
	return rapid.IntRange(0, 9).Draw(t, label) < n
}

// amount draws an amount from min to max whole units of the currency,
// written as num says: whole units drawn first, so that amounts of every
// size come up (rapid favours small numbers), then the fraction.
func amount(t *rapid.T, num numbers, min, max int64, label string) decimal.Decimal {
	d := decimal.New(rapid.Int64Range(min, max).Draw(t, label), 0)
	if num.places > 0 && d.LessThan(decimal.New(max, 0)) && !chance(t, 3, label+"_whole") {
		digits := min64(int64(num.places), 18)
		frac := rapid.Int64Range(0, pow10(digits)-1).Draw(t, label+"_fraction")
		d = d.Add(decimal.New(frac, -num.places))
	}
	d = d.Add(decimal.New(0, -num.places)) // written with places decimals
	return d.Shift(num.mag)
}

// nearLimit multiplies the line amounts of sc, and perhaps every amount of
// its wallet, by one whole factor chosen so that the bill's total comes
// close to the limits of 64-bit integers, in units of the working scale:
// around 2^61 (2.3e18) or 2^63 (9.2e18), or ten times more.
func nearLimit(t *rapid.T, sc *allocation.Scenario, num numbers) {
	scale := num.places
	if r := sc.Policy.Rounding; r.Places > scale {
		scale = r.Places
	}
	if m := allocation.MinorUnits(sc.Bill.Currency); m > scale {
		scale = m
	}
	total := decimal.Zero
	for _, l := range sc.Bill.Lines {
		total = total.Add(l.Amount)
	}
	units := total.Shift(scale).BigInt()
	if units.Sign() <= 0 {
		return
	}
	target, _ := new(big.Int).SetString(rapid.SampledFrom([]string{
		"2200000000000000000", "1500000000000000000", "2400000000000000000",
		"9200000000000000000", "9300000000000000000", "90000000000000000000",
	}).Draw(t, "near_limit_total"), 10)
	f := decimal.NewFromBigInt(new(big.Int).Quo(target, units), 0)
	if f.IsZero() {
		return
	}
	times := func(d *decimal.Decimal) { *d = d.Mul(f) }
	for i := range sc.Bill.Lines {
		times(&sc.Bill.Lines[i].Amount)
	}
	if !rapid.Bool().Draw(t, "near_limit_wallet") {
		return // a wallet small beside the bill
	}
	for i := range sc.Wallet {
		in := &sc.Wallet[i]
		times(&in.Balance)
		times(&in.Overdraft)
		times(&in.MinSpend)
	}
}

// zero returns 0 written as num says.
func zero(num numbers) decimal.Decimal { return decimal.New(0, num.mag-num.places) }

func min64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}

func pow10(n int64) int64 {
	p := int64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// subset draws up to max distinct elements of from, possibly none.
func subset[E comparable](t *rapid.T, from []E, max int, label string) []E {
	if len(from) == 0 {
		return nil
	}
	s := rapid.SliceOfNDistinct(rapid.SampledFrom(from), 0, max, rapid.ID[E]).Draw(t, label)
	if len(s) == 0 {
		return nil
	}
	return s
}

// nonEmptySubset draws 1 to max distinct elements of from.
func nonEmptySubset[E comparable](t *rapid.T, from []E, max int, label string) []E {
	return rapid.SliceOfNDistinct(rapid.SampledFrom(from), 1, max, rapid.ID[E]).Draw(t, label)
}

// other returns a currency different from cur.
func other(cur string) string {
	if cur == "USD" {
		return "EUR"
	}
	return "USD"
}

// zones are the locations bill times and validity times are written in;
// validity is judged on instants, whatever the zone.
var zones = []*time.Location{time.UTC, time.FixedZone("KST", 9*3600), time.FixedZone("PDT", -7*3600)}

func inZone(t *rapid.T, at time.Time, label string) time.Time {
	return at.In(rapid.SampledFrom(zones).Draw(t, label))
}

// count draws how many of something to generate: now and then 0,
// otherwise 1 to max; when max is 0, 1 to usual and now and then up to
// many.
func count(t *rapid.T, max, usual, many int, label string) int {
	if max < 0 || rapid.IntRange(0, 99).Draw(t, label+"_none") == 0 {
		return 0
	}
	if max == 0 {
		max = usual
		if chance(t, 1, label+"_many") {
			max = many
		}
	}
	return rapid.IntRange(1, max).Draw(t, label)
}

func (k Knobs) drawBill(t *rapid.T, cur string, num numbers) allocation.Bill {
	b := allocation.Bill{
		ID:       rapid.SampledFrom([]string{"B1", "bill-2024-06", "INV-7"}).Draw(t, "bill_id"),
		Currency: cur,
		At:       inZone(t, DefaultAt(), "bill_zone"),
		Mode:     "payg",
	}
	if k.on(Modes) {
		b.Mode = rapid.SampledFrom(append([]string{""}, modes...)).Draw(t, "bill_mode")
	}
	n := count(t, k.MaxLines, 5, 40, "lines")
	for i := 0; i < n; i++ {
		l := allocation.Line{ID: fmt.Sprintf("L%d", i+1)}
		l.Product = rapid.SampledFrom(products).Draw(t, "product")
		l.Category = categoryOf[l.Product]
		switch rapid.IntRange(0, 9).Draw(t, "line_shape") {
		case 0:
			l.Category = rapid.SampledFrom(categories).Draw(t, "category")
		case 1:
			l.Product = ""
		}
		if chance(t, 1, "line_zero") {
			l.Amount = zero(num)
		} else {
			l.Amount = amount(t, num, 0, 100, "line_amount")
		}
		b.Lines = append(b.Lines, l)
	}
	return b
}

// drawExclusions adds checkout exclusions to b: ids of wallet (or, without
// a wallet, ids of the form the wallet generator uses) and kinds.
func (k Knobs) drawExclusions(t *rapid.T, b *allocation.Bill, wallet allocation.Wallet) {
	if !k.on(Exclusions) {
		return
	}
	if chance(t, 1, "exclude_instruments") {
		ids := []string{"i1", "i2", "i3", "i4"}
		if wallet != nil {
			ids = nil
			for _, in := range wallet {
				ids = append(ids, in.ID)
			}
		}
		b.ExcludeInstruments = subset(t, ids, 2, "excluded_ids")
	}
	if chance(t, 1, "exclude_kinds") {
		b.ExcludeKinds = nonEmptySubset(t, k.kinds(), 1, "excluded_kinds")
	}
}

// walletFor is what the wallet is drawn for.
type walletFor struct {
	cur   string
	num   numbers
	bill  *allocation.Bill // nil if unknown
	kinds []string         // kinds the policy draws; nil if any
}

func (k Knobs) drawWallet(t *rapid.T, w walletFor) allocation.Wallet {
	n := count(t, k.MaxInstruments, 8, 30, "instruments")
	// Ids in a random order, so that id order (the final tie-break) and
	// wallet order both vary: "i10" sorts before "i9".
	nums := rapid.Permutation(seq(n+n/2)).Draw(t, "ids")[:n]
	wallet := make(allocation.Wallet, 0, n)
	for _, num := range nums {
		wallet = append(wallet, k.drawInstrument(t, fmt.Sprintf("i%d", num), w))
	}
	return wallet
}

// seq returns 1, 2, …, n.
func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i + 1
	}
	return s
}

// A fault makes an instrument unusable before any money moves.
type fault int

const (
	noFault fault = iota
	faultInactive
	faultExpired
	faultNotYetValid
	faultCurrency
	faultMode
	faultNotInPolicy
	faultMinSpend
	faultNoBalance
	faultOutOfScope
)

// faults returns the faults k's features allow.
func (k Knobs) faults() []fault {
	fs := []fault{faultNotInPolicy, faultNoBalance}
	for _, f := range []struct {
		feature Feature
		faults  []fault
	}{
		{Statuses, []fault{faultInactive}},
		{Expiry, []fault{faultExpired, faultNotYetValid}},
		{ForeignCurrency, []fault{faultCurrency}},
		{Modes, []fault{faultMode}},
		{MinSpend, []fault{faultMinSpend}},
		{Scopes, []fault{faultOutOfScope}},
	} {
		if k.on(f.feature) {
			fs = append(fs, f.faults...)
		}
	}
	return fs
}

// billProducts and billCategories return what the lines of b name, or the
// whole vocabulary if b is unknown or has no lines.
func billProducts(b *allocation.Bill) []string {
	var ps []string
	if b != nil {
		for _, l := range b.Lines {
			if l.Product != "" && !slices.Contains(ps, l.Product) {
				ps = append(ps, l.Product)
			}
		}
	}
	if len(ps) == 0 {
		return products
	}
	return ps
}

func billCategories(b *allocation.Bill) []string {
	var cs []string
	if b != nil {
		for _, l := range b.Lines {
			if !slices.Contains(cs, l.Category) {
				cs = append(cs, l.Category)
			}
		}
	}
	if len(cs) == 0 {
		return categories
	}
	return cs
}

// missing returns the elements of all not in have.
func missing(all, have []string) []string {
	var m []string
	for _, s := range all {
		if !slices.Contains(have, s) {
			m = append(m, s)
		}
	}
	return m
}

func (k Knobs) drawInstrument(t *rapid.T, id string, w walletFor) allocation.Instrument {
	at := DefaultAt()
	faults := map[fault]bool{}
	if chance(t, 1, "faulty") {
		all := k.faults()
		faults[rapid.SampledFrom(all).Draw(t, "fault")] = true
		if chance(t, 2, "second_fault") {
			faults[rapid.SampledFrom(all).Draw(t, "second_fault_kind")] = true
		}
	}

	kinds := k.kinds()
	if w.kinds != nil {
		if out := missing(kinds, w.kinds); faults[faultNotInPolicy] && len(out) > 0 {
			kinds = out
		} else if !faults[faultNotInPolicy] {
			kinds = w.kinds
		}
	}
	in := allocation.Instrument{
		ID:          id,
		Kind:        rapid.SampledFrom(kinds).Draw(t, "kind"),
		Currency:    w.cur,
		Priority:    rapid.IntRange(-1, 3).Draw(t, "priority"),
		Group:       rapid.SampledFrom([]string{"", "g1", "g2"}).Draw(t, "group"),
		Invoiceable: rapid.Bool().Draw(t, "invoiceable"),
	}
	if faults[faultCurrency] {
		in.Currency = other(w.cur)
	}
	if faults[faultInactive] {
		in.Status = rapid.SampledFrom(statuses[1:]).Draw(t, "status")
	} else if k.on(Statuses) && chance(t, 2, "status_active") {
		in.Status = "active"
	}

	if k.on(Percent) && chance(t, 3, "percent") {
		pct := Dec(rapid.SampledFrom(percents[1:]).Draw(t, "percent_value"))
		switch {
		case faults[faultNoBalance] && rapid.Bool().Draw(t, "zero_percent"):
			pct = decimal.Zero // uncapped: Capped false
		case faults[faultNoBalance]:
			in.Capped, in.Balance = true, zero(w.num) // an exhausted cap
		case chance(t, 5, "uncapped"):
			// Capped false, Balance zero: no cap.
		default:
			in.Capped, in.Balance = true, amount(t, w.num, 1, 60, "cap")
		}
		in.Percent = decimal.NewNullDecimal(pct)
	} else {
		in.Balance = amount(t, w.num, 1, 150, "balance")
		overdraft := k.on(Overdraft) && chance(t, 3, "overdraft")
		if overdraft {
			in.Overdraft = amount(t, w.num, 1, 100, "overdraft_amount")
		}
		switch {
		case faults[faultNoBalance]:
			in.Overdraft = decimal.Decimal{}
			in.Balance = amount(t, w.num, 0, 50, "overdrawn_by").Neg()
		case overdraft && chance(t, 3, "overdrawn"):
			// Already overdrawn, by less or more than the overdraft.
			in.Balance = amount(t, w.num, 0, 120, "overdrawn_by").Neg()
		}
	}

	if k.on(Expiry) {
		const day = 24 * time.Hour
		switch {
		case faults[faultExpired]:
			h := 0 // exactly at the bill's time: valid_until is exclusive
			if !chance(t, 3, "expires_at_bill") {
				h = -rapid.IntRange(1, 30*24).Draw(t, "expired_hours_ago")
			}
			in.ValidUntil = at.Add(time.Duration(h) * time.Hour)
		case chance(t, 4, "valid_until"):
			in.ValidUntil = at.Add(time.Duration(rapid.IntRange(1, 60*24).Draw(t, "valid_until_hours")) * time.Hour)
		}
		switch {
		case faults[faultNotYetValid]:
			in.ValidFrom = at.Add(time.Duration(rapid.IntRange(1, 30*24).Draw(t, "valid_from_hours")) * time.Hour)
			if !in.ValidUntil.IsZero() && !in.ValidUntil.After(in.ValidFrom) {
				in.ValidUntil = in.ValidFrom.Add(day)
			}
		case chance(t, 2, "valid_from"):
			// Valid since up to 90 days before the bill, or exactly from it.
			in.ValidFrom = at.Add(-time.Duration(rapid.IntRange(0, 90*24).Draw(t, "valid_from_hours_ago")) * time.Hour)
			if !in.ValidUntil.IsZero() && !in.ValidUntil.After(in.ValidFrom) {
				in.ValidFrom = in.ValidUntil.Add(-day)
			}
		}
		in.ValidUntil = inZone(t, in.ValidUntil, "valid_until_zone")
		in.ValidFrom = inZone(t, in.ValidFrom, "valid_from_zone")
	}
	if chance(t, 5, "issued") {
		in.IssuedAt = at.Add(-time.Duration(rapid.IntRange(0, 400).Draw(t, "issued_days_ago")) * 24 * time.Hour)
	}

	if faults[faultOutOfScope] {
		if out := missing(products, billProducts(w.bill)); len(out) > 0 {
			in.Scope.Products = nonEmptySubset(t, out, 2, "scope_products")
		} else {
			in.Scope.ExcludeProducts = billProducts(w.bill)
			in.Scope.ExcludeCategories = billCategories(w.bill)
		}
	} else if k.on(Scopes) {
		switch rapid.IntRange(0, 9).Draw(t, "scope_include") {
		case 0, 1:
			in.Scope.Products = nonEmptySubset(t, billProducts(w.bill), 2, "scope_products")
		case 2:
			in.Scope.Categories = nonEmptySubset(t, billCategories(w.bill), 2, "scope_categories")
		case 3:
			in.Scope.Products = nonEmptySubset(t, billProducts(w.bill), 1, "scope_products")
			in.Scope.Categories = nonEmptySubset(t, billCategories(w.bill), 1, "scope_categories")
		}
		// Exclusions, of something the scope does not include.
		if chance(t, 1, "scope_exclude") {
			if ps := missing(billProducts(w.bill), in.Scope.Products); len(ps) > 0 && rapid.Bool().Draw(t, "exclude_products") {
				in.Scope.ExcludeProducts = nonEmptySubset(t, ps, 1, "scope_exclude_products")
			} else if cs := missing(billCategories(w.bill), in.Scope.Categories); len(cs) > 0 {
				in.Scope.ExcludeCategories = nonEmptySubset(t, cs, 1, "scope_exclude_categories")
			}
		}
	}

	billMode := ""
	if w.bill != nil {
		billMode = w.bill.Mode
	}
	switch {
	case faults[faultMode] && w.bill != nil && rapid.Bool().Draw(t, "exclude_bill_mode"):
		in.Scope.ExcludeModes = []string{billMode}
	case faults[faultMode]:
		in.Scope.Modes = nonEmptySubset(t, missing(modes, []string{billMode}), 2, "modes")
	case k.on(Modes) && chance(t, 2, "scope_modes"):
		if rapid.Bool().Draw(t, "modes_or_exclude") {
			in.Scope.Modes = append(nonEmptySubset(t, modes, 1, "modes"), billMode)
			in.Scope.Modes = slices.Compact(in.Scope.Modes)
		} else {
			in.Scope.ExcludeModes = nonEmptySubset(t, missing(modes, []string{billMode}), 1, "exclude_modes")
		}
	}

	switch {
	case faults[faultMinSpend]:
		in.MinSpend = amount(t, w.num, 600, 900, "min_spend_amount")
	case k.on(MinSpend) && chance(t, 2, "min_spend"):
		in.MinSpend = amount(t, w.num, 0, 20, "min_spend_amount")
	}
	return in
}

// drawPolicy draws a policy for amounts in cur with at most maxPlaces
// decimals.
func (k Knobs) drawPolicy(t *rapid.T, cur string, maxPlaces int32) allocation.Policy {
	p := allocation.Policy{
		Name:     rapid.SampledFrom([]string{"", "test"}).Draw(t, "policy_name"),
		Strategy: k.Strategy,
	}
	if p.Strategy == "" {
		p.Strategy = rapid.SampledFrom([]allocation.Strategy{"", allocation.InOrder, allocation.MaxCoverage}).Draw(t, "strategy")
	}
	keys, draws := k.OrderKeys, k.Draws
	if len(keys) == 0 {
		keys = allKeys
	}
	if len(draws) == 0 {
		draws = allDraws
	}
	n := rapid.IntRange(0, 4).Draw(t, "steps")
	for i := 0; i < n; i++ {
		s := allocation.Step{
			Name:  fmt.Sprintf("step%d", i+1),
			Scope: rapid.SampledFrom([]allocation.StepScope{"", allocation.ScopeAny, allocation.ScopeGeneral, allocation.ScopeSpecific}).Draw(t, "step_scope"),
			Order: subset(t, keys, 3, "step_order"),
			Draw:  rapid.SampledFrom(draws).Draw(t, "step_draw"),
		}
		if !chance(t, 3, "step_all_kinds") {
			s.Kinds = nonEmptySubset(t, k.kinds(), 3, "step_kinds")
		}
		p.Steps = append(p.Steps, s)
	}
	if k.on(Restrictions) {
		nr := 0
		if chance(t, 3, "restricted") {
			nr = rapid.IntRange(1, 2).Draw(t, "restrictions")
		}
		for i := 0; i < nr; i++ {
			var r allocation.Restriction
			if rapid.Bool().Draw(t, "restrict_categories") {
				r.Categories = nonEmptySubset(t, categories, 2, "restricted_categories")
			} else {
				r.Products = nonEmptySubset(t, products, 2, "restricted_products")
			}
			r.AllowKinds = subset(t, k.kinds(), 2, "allow_kinds")
			p.Restrictions = append(p.Restrictions, r)
		}
	}
	if k.on(Rounding) && chance(t, 4, "rounding") {
		// Up to one decimal more than the currency; with Huge, now and
		// then beyond what 64-bit integers hold.
		places := rapid.IntRange(0, int(allocation.MinorUnits(cur))+1).Draw(t, "rounding_places")
		if k.on(Huge) && chance(t, 1, "huge_rounding") {
			places = rapid.IntRange(19, 24).Draw(t, "huge_rounding_places")
		}
		p.Rounding.Places = int32(places)
		if places == 0 {
			// 0 places: whole units (Places 0 is the currency's).
			p.Rounding.Places = allocation.WholeUnits
		}
		p.Rounding.Mode = rapid.SampledFrom([]allocation.RoundingMode{"", allocation.HalfEven, allocation.HalfUp, allocation.Down}).Draw(t, "rounding_mode")
		// Strict (no more decimals than the currency's minor unit) only
		// where every generated amount fits.
		p.Rounding.Strict = maxPlaces <= allocation.MinorUnits(cur) && rapid.Bool().Draw(t, "rounding_strict")
	}
	return p
}
