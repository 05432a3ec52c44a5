package allocation

// A Policy says which instruments may pay, in which order, and how money is
// rounded. It is a plain value that encodes to JSON, so hosts can keep
// policies in configuration files; decoding rejects unknown fields, so a typo
// cannot silently change who pays.
//
// The zero Policy is usable: strategy [InOrder], the currency's minor units
// with [HalfEven] rounding, no restrictions, and, having no steps, a single
// implicit step named "default" that draws every kind, any scope, ordered
// [ExpiresFirst], down to zero balance (never into overdraft).
type Policy struct {
	// Name is for people; Allocate does not interpret it.
	Name string `json:"name,omitempty"`
	// Strategy is [InOrder] (the default when empty) or [MaxCoverage].
	Strategy Strategy `json:"strategy,omitempty"`
	// Rounding is applied where money is divided (percentage discounts).
	Rounding Rounding `json:"rounding"`
	// Steps are tried in order. An instrument may take part in several
	// steps (for example a prepaid card's balance, then its overdraft).
	Steps []Step `json:"steps,omitempty"`
	// Restrictions limit which kinds may pay or discount some lines.
	Restrictions []Restriction `json:"restrictions,omitempty"`
	// Limits bound the input Allocate accepts (the zero Limits are the
	// documented defaults).
	Limits Limits `json:"limits"`
}

// Strategy chooses how instruments are assigned to lines.
type Strategy string

const (
	// InOrder lets each instrument, in policy order, cover its eligible
	// lines in bill order, as far as its balance goes.
	InOrder Strategy = "in_order"
	// MaxCoverage chooses the assignment that covers the most of the bill
	// and, among those, prefers instruments earlier in policy order.
	MaxCoverage Strategy = "max_coverage"
)

// A Step draws one group of instruments.
type Step struct {
	// Name labels the allocations the step makes. An unnamed step is
	// labelled by its 1-based position: "step 2". Labels must be unique
	// within a policy, so a Split always says which step paid.
	Name string `json:"name"`
	// Kinds lists the instrument kinds the step draws; empty means every
	// kind.
	Kinds []string `json:"kinds,omitempty"`
	// Scope selects instruments by specificity ([ScopeAny] when empty).
	Scope StepScope `json:"scope,omitempty"`
	// Order lists the keys instruments are sorted by, most significant
	// first. The instrument id always breaks remaining ties.
	Order []OrderKey `json:"order,omitempty"`
	// Draw says how far the step may take a balance ([DrawBalance] when
	// empty).
	Draw Draw `json:"draw,omitempty"`
}

// StepScope selects instruments of a step by the specificity of their
// [Scope].
type StepScope string

const (
	// ScopeAny takes general and specific instruments alike.
	ScopeAny StepScope = "any"
	// ScopeGeneral takes only instruments whose scope includes no
	// particular products or categories.
	ScopeGeneral StepScope = "general"
	// ScopeSpecific takes only instruments whose scope lists products or
	// categories to include (KakaoCloud "credit applied to specific
	// services only").
	ScopeSpecific StepScope = "specific"
)

// An OrderKey sorts the instruments of a step.
type OrderKey string

const (
	// ExpiresFirst puts the soonest ValidUntil first; no expiry sorts last.
	ExpiresFirst OrderKey = "expires_first"
	// LargestFirst puts first the instrument that could deduct the most at
	// the start of the step: the smaller of what it may draw and what
	// remains of its eligible lines (for a percentage instrument, the
	// discount it would give). Under [MaxCoverage], once earlier steps have
	// paid, it is what the instrument could add alone on top of their
	// totals, which they may pay on other lines to make room.
	LargestFirst OrderKey = "largest_first"
	// SmallestFirst is the reverse of LargestFirst.
	SmallestFirst OrderKey = "smallest_first"
	// PriorityOrder puts the lowest Priority first.
	PriorityOrder OrderKey = "priority"
	// OldestFirst puts the earliest IssuedAt first; no issue time sorts
	// last.
	OldestFirst OrderKey = "oldest_first"
	// SpecificFirst puts instruments with a specific scope before general
	// ones.
	SpecificFirst OrderKey = "specific_first"
)

// Draw says how far a step may take an instrument's balance.
type Draw string

const (
	// DrawBalance draws down to zero (the default).
	DrawBalance Draw = "balance"
	// DrawAll draws down to −Overdraft.
	DrawAll Draw = "all"
	// DrawOverdraft has the same floor as DrawAll; it names a step placed
	// after the balance step (Guance "prepaid card balance, negative for
	// overdue"). A balance is never skipped: whatever is still positive is
	// drawn first.
	DrawOverdraft Draw = "overdraft"
)

// A Restriction reserves lines for some kinds: lines whose category is in
// Categories or whose product is in Products may only be paid, or
// discounted, by instruments whose kind is in AllowKinds. (Guance: SMS and
// dial testing only by cash and prepaid cards.) An empty AllowKinds leaves
// those lines to be collected outside the wallet.
type Restriction struct {
	Categories []string `json:"categories,omitempty"`
	Products   []string `json:"products,omitempty"`
	AllowKinds []string `json:"allow_kinds"`
}

// Rounding says how divided money is rounded: to Places decimal places with
// Mode ([HalfEven] when empty).
//
// One rule, in Go as in JSON: a rounding that does not say how many places
// rounds to the bill currency's minor units (2 for most currencies, 0 for
// JPY or KRW, 3 for KWD, …; see [MinorUnits]). In Go that is Places 0, the
// zero value, whatever the Mode: Rounding{Mode: HalfUp} rounds CNY to
// cents. In JSON it is a rounding without "places". To round to whole
// units in a currency that has minor units, set Places to [WholeUnits]
// (in JSON, "places": 0). [CurrencyPlaces] is another name for Places 0.
//
// With Strict, an input amount with more significant decimals than the
// currency's minor unit allows (10.50 in JPY; 10.000 in CNY is fine) is an
// error instead of being carried exactly.
type Rounding struct {
	Places int32        `json:"places"`
	Mode   RoundingMode `json:"mode,omitempty"`
	Strict bool         `json:"strict,omitempty"`
}

const (
	// CurrencyPlaces as [Rounding].Places stands for the currency's minor
	// units, as 0 does.
	CurrencyPlaces int32 = -1
	// WholeUnits as [Rounding].Places rounds to whole units of the
	// currency (no decimals); JSON writes it "places": 0.
	WholeUnits int32 = -2
)

// RoundingMode names a rounding rule.
type RoundingMode string

const (
	// HalfEven rounds to nearest, ties to even (banker's rounding).
	HalfEven RoundingMode = "half_even"
	// HalfUp rounds to nearest, ties away from zero.
	HalfUp RoundingMode = "half_up"
	// Down truncates toward zero.
	Down RoundingMode = "down"
)
