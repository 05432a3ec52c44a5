package ledger

import (
	"cmp"
	"fmt"
	"github.com/billfold/billfold/allocation"
	"strings"
)

// A System names one of the ledger's own accounts: the counterparties of
// value that enters instruments, leaves them, or is owed. A journal has one
// account of each System per currency.
//
// Signs follow the customer: an amount posted to an account adds to it, so
// instrument accounts and Revenue, Expired and Refunded normally carry
// positive balances, while Issued (the source of all value put on
// instruments) and Receivable (what the customer owes outside any
// instrument) carry negative ones. Every currency's balances add up to zero.
type System string

const (
	// Issued is where value put on instruments comes from: grants,
	// deposits and top-ups. Its balance is minus everything issued.
	Issued System = "issued"
	// Revenue receives what bills are paid with. Reversals take from it.
	Revenue System = "revenue"
	// Expired receives what was left on instruments when they expired.
	Expired System = "expired"
	// Refunded receives what was paid back to the customer (Alibaba 001:
	// refund of the remaining prepayment balance).
	Refunded System = "refunded"
	// Receivable is what the customer owes outside any instrument: bill
	// amounts booked as owed. Like an overdrawn instrument it is negative
	// by what is owed; [TopUp] repays it first.
	Receivable System = "receivable"
)

// systems lists the System accounts in their documented order.
var systems = [...]System{Issued, Revenue, Expired, Refunded, Receivable}

// known reports whether s is one of the System constants.
func (s System) known() bool {
	for _, k := range systems {
		if s == k {
			return true
		}
	}
	return false
}

// An Account is where entries are booked: either the account of one payment
// instrument in one currency, or a [System] account of one currency. Build
// it with [InstrumentAccount] or [SystemAccount].
//
// An Account is a small immutable value: comparable with ==, usable as a map
// key, and encoded as text by [Account.String] (parsed back by
// [ParseAccount]). The zero Account is not valid; a transaction that posts to
// it is rejected.
type Account struct {
	sys      System // empty for an instrument or held account
	id       string // instrument id; empty for a system account
	hold     string // hold id of a held account; empty otherwise
	currency string
}

// InstrumentAccount returns the account of instrument id in currency: the
// account whose balance is what [allocation.Instrument].Balance says.
func InstrumentAccount(id, currency string) Account {
	return Account{id: id, currency: currency}
}

// SystemAccount returns the account of system s in currency.
func SystemAccount(s System, currency string) Account {
	return Account{sys: s, currency: currency}
}

// IsInstrument reports whether a is an instrument account (as opposed to a
// held account, a system account or the zero Account).
func (a Account) IsInstrument() bool { return a.sys == "" && a.id != "" && a.hold == "" }

// Instrument returns the instrument id of an instrument account or of a
// held account (the instrument whose value it holds), or "".
func (a Account) Instrument() string { return a.id }

// System returns the system of a system account, or "".
func (a Account) System() System { return a.sys }

// Currency returns the account's currency code.
func (a Account) Currency() string { return a.currency }

// Equal reports whether a and b are the same account, as a == b does.
// go-cmp uses this method (the fields are unexported).
func (a Account) Equal(b Account) bool { return a == b }

// IsZero reports whether a is the zero Account.
func (a Account) IsZero() bool { return a == Account{} }

// String returns the text form of a: "instrument:CUR:ID" for an instrument
// account (the id last, so it may contain colons), "held:CUR:HOLD:ID" for a
// held account (the hold id with "%" and ":" written as "%25" and "%3A") and
// "SYSTEM:CUR" for a system account, for example "instrument:USD:gift-1",
// "held:USD:hold%3Aorder-7:gift-1" and "revenue:USD". The zero Account is "".
func (a Account) String() string {
	switch {
	case a.IsZero():
		return ""
	case a.hold != "":
		return "held:" + a.currency + ":" + escapeHold(a.hold) + ":" + a.id
	case a.sys == "":
		return "instrument:" + a.currency + ":" + a.id
	default:
		return string(a.sys) + ":" + a.currency
	}
}

// ParseAccount parses the text form written by [Account.String]. It accepts
// only valid accounts: a known system or a non-empty instrument id, and a
// currency of three upper-case letters.
func ParseAccount(s string) (Account, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		return Account{}, fmt.Errorf("ledger: account %q: want \"instrument:CUR:ID\" or \"SYSTEM:CUR\"", s)
	}
	var a Account
	switch kind {
	case "instrument":
		cur, id, _ := strings.Cut(rest, ":")
		a = InstrumentAccount(id, cur)
	case "held":
		cur, rest, _ := strings.Cut(rest, ":")
		hold, id, _ := strings.Cut(rest, ":")
		h, ok := unescapeHold(hold)
		if !ok || h == "" {
			return Account{}, fmt.Errorf("ledger: account %q: want \"held:CUR:HOLD:ID\" with a non-empty, %%-escaped hold id", s)
		}
		a = HeldAccount(h, id, cur)
	default:
		a = SystemAccount(System(kind), rest)
	}
	if p := a.problem(); p != "" {
		return Account{}, fmt.Errorf("ledger: account %q: %s", s, p)
	}
	return a, nil
}

// MarshalText encodes a as [Account.String] does.
func (a Account) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText decodes the text form of [Account.String]; the empty text
// decodes to the zero Account (which transactions reject).
func (a *Account) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*a = Account{}
		return nil
	}
	p, err := ParseAccount(string(text))
	if err != nil {
		return err
	}
	*a = p
	return nil
}

// Compare orders accounts by currency, then instrument accounts (by id),
// then held accounts (by instrument id, then hold id), then system accounts
// (in the order of the [System] constants). It returns -1, 0 or +1, and 0
// only for equal accounts.
func (a Account) Compare(b Account) int {
	if c := strings.Compare(a.currency, b.currency); c != 0 {
		return c
	}
	if c := cmp.Compare(a.sysRank(), b.sysRank()); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.sys), string(b.sys)); c != 0 {
		return c // only for unknown systems, which share a rank
	}
	if c := strings.Compare(a.id, b.id); c != 0 {
		return c
	}
	return strings.Compare(a.hold, b.hold)
}

// sysRank is 0 for an instrument account, 1 for a held account, 2+i for
// systems[i], and len(systems)+2 for an unknown system.
func (a Account) sysRank() int {
	if a.sys == "" {
		if a.hold != "" {
			return 1
		}
		return 0
	}
	for i, s := range systems {
		if a.sys == s {
			return i + 2
		}
	}
	return len(systems) + 2
}

// problem describes what makes a invalid, or returns "".
func (a Account) problem() string {
	switch {
	case a.IsZero():
		return "missing account"
	case a.sys == "" && a.id == "" && a.hold == "":
		return "instrument account without an instrument id"
	case a.hold != "" && (a.sys != "" || a.id == ""):
		return "held account without an instrument id"
	case a.sys == "" && idProblem("instrument id", a.id) != "":
		return idProblem("instrument id", a.id)
	case a.hold != "" && idProblem("hold id", a.hold) != "":
		return idProblem("hold id", a.hold)
	case a.hold != "" && len(escapeHold(a.hold))+len(a.id) > MaxIDBytes:
		return fmt.Sprintf("held account: hold id (escaped, %d bytes) and instrument id (%d bytes) are together longer than %d bytes",
			len(escapeHold(a.hold)), len(a.id), MaxIDBytes)
	case a.sys != "" && !a.sys.known():
		return fmt.Sprintf("unknown system account %q", a.sys)
	case !allocation.ValidCurrency(a.currency):
		return fmt.Sprintf("account %s: currency %q is not three upper-case letters", a, a.currency)
	}
	return ""
}
