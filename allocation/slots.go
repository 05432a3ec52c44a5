package allocation

import "github.com/shopspring/decimal"

// A call's amounts live in one table, in units of its working scale, by
// slot: line i's amount at slot i, then for wallet instrument k (in wallet
// order) its balance, overdraft and min_spend at instrumentSlot(lines, k)
// and the two slots after it. An uncapped coupon's balance is ignored and
// its slot stays 0.
const (
	slotBalance = iota
	slotOverdraft
	slotMinSpend
	slotsPerInstrument
)

// slots returns the size of the table for nLines lines and nInstruments
// instruments.
func slots(nLines, nInstruments int) int { return nLines + slotsPerInstrument*nInstruments }

// instrumentSlot returns the first slot of wallet instrument k.
func instrumentSlot(nLines, k int) int { return nLines + slotsPerInstrument*k }

// eachAmount calls f with the slot and value of every amount of the call,
// in slot order, skipping an uncapped coupon's balance; it stops, and
// reports false, as soon as f does.
func eachAmount(bill *Bill, wallet Wallet, f func(slot int, d decimal.Decimal) bool) bool {
	for i := range bill.Lines {
		if !f(i, bill.Lines[i].Amount) {
			return false
		}
	}
	for k := range wallet {
		in, s := &wallet[k], instrumentSlot(len(bill.Lines), k)
		if (!in.Percent.Valid || in.Capped) && !f(s+slotBalance, in.Balance) {
			return false
		}
		if !f(s+slotOverdraft, in.Overdraft) || !f(s+slotMinSpend, in.MinSpend) {
			return false
		}
	}
	return true
}
