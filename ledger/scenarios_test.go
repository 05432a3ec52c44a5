package ledger_test

import (
	"testing"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

const (
	alibaba  = "001_d1525b524f7b874c.txt"
	guance   = "002_974120889ed2e661.txt"
	kingsoft = "000_f04d44448bd9d2a1.txt"
	kakao    = "003_b4fbba3f981e0ca6.txt"
)

// build is a step running a helper.
func build(f func(j ledger.Journal) (ledger.Transaction, error)) step { return step{build: f} }

// grant is a step granting amount on terms.
func grant(id string, terms ledger.Terms, amount string) step {
	return tx(ledger.Grant(id, t0, terms, dec(amount), ""))
}

// billOf returns a one-line USD bill and a split of it paid by the given
// instrument/amount pairs, in order.
func billOf(id, product, total string, paid ...string) (allocation.Bill, allocation.Wallet, allocation.Split) {
	bill := allocation.Bill{ID: id, Currency: "USD", At: at(1), Lines: []allocation.Line{{ID: "l1", Product: product, Amount: dec(total)}}}
	split := allocation.Split{Bill: id, Currency: "USD"}
	var w allocation.Wallet
	sum := decimal.Decimal{}
	for i := 0; i < len(paid); i += 2 {
		w = append(w, allocation.Instrument{ID: paid[i], Currency: "USD"})
		split.Allocations = append(split.Allocations, allocation.Allocation{Instrument: paid[i], Line: "l1", Amount: dec(paid[i+1])})
		sum = sum.Add(dec(paid[i+1]))
	}
	split.Lines = []allocation.LineResult{{ID: "l1", Amount: dec(total), Covered: sum, Outstanding: dec(total).Sub(sum)}}
	return bill, w, split
}

// spendOf is a step booking billOf through FromSplit.
func spendOf(opt ledger.SpendOptions, id, product, total string, paid ...string) step {
	return build(func(ledger.Journal) (ledger.Transaction, error) {
		bill, w, split := billOf(id, product, total, paid...)
		return ledger.FromSplit(bill, w, split, opt)
	})
}

func reverse(id, ref, amount string) step {
	return build(func(j ledger.Journal) (ledger.Transaction, error) {
		return ledger.Reverse(j, id, at(2), ref, dec(amount), "")
	})
}

func void(id, ref string) step {
	return build(func(j ledger.Journal) (ledger.Transaction, error) {
		return ledger.Reverse(j, id, at(2), ref, j.Reversible(ref), "void")
	})
}

func topUp(id string, to ledger.Account, amount string) step {
	return build(func(j ledger.Journal) (ledger.Transaction, error) {
		return ledger.TopUp(j, id, at(3), to, dec(amount), "")
	})
}

func transfer(id string, from, to ledger.Account, group, amount string) step {
	return build(func(j ledger.Journal) (ledger.Transaction, error) {
		return ledger.Transfer(j, id, at(3), from, to, group, dec(amount), "")
	})
}

func expire(h int) step {
	return build(func(j ledger.Journal) (ledger.Transaction, error) {
		tx, _ := ledger.Expire(j, at(h))
		return tx, nil
	})
}

func TestScenarios(t *testing.T) {
	var (
		prepay = acct("prepay")
		cash   = acct("cash")
		card   = acct("card")
		credit = acct("credit")
		gift   = acct("gift")
		free   = acct("free")
		paid   = acct("paid")
		moved  = acct("free@ops")
	)
	cardTerms := ledger.Terms{Account: card, Kind: "prepaid_card", Overdraft: dec("200")}
	freeTerms := ledger.Terms{Account: free, Kind: "free_credit", Group: "dev", Transferable: true, Expires: at(24)}
	paidTerms := ledger.Terms{Account: paid, Kind: "paid_credit", Group: "dev"}
	run(t, []scenario{{
		name:   "prepayment_deposit_spend_refund",
		reason: alibaba + ": deposit by bank transfer, pay a subscription order and a pay-as-you-go bill, refund the remaining balance",
		steps: []step{
			tx(ledger.Deposit("dep-1", at(0), prepay, dec("1000"), "ecs", "bank transfer: for ECS")),
			spendOf(ledger.SpendOptions{Note: "used for RDS instead"}, "order-1", "rds", "300", "prepay", "300"),
			spendOf(ledger.SpendOptions{}, "payg-1", "ecs", "120", "prepay", "120"),
			build(func(j ledger.Journal) (ledger.Transaction, error) {
				return ledger.Refund("refund-1", at(5), prepay, j.Balance(prepay), "remaining balance"), nil
			}),
		},
		want: map[ledger.Account]string{prepay: "0", sys(ledger.Revenue): "420", sys(ledger.Refunded): "580", sys(ledger.Issued): "-1000"},
	}, {
		name:   "refund_more_than_the_balance",
		reason: alibaba + ": only the remaining amount can be refunded",
		steps: []step{
			tx(ledger.Deposit("dep-1", at(0), prepay, dec("100"), "", "")),
			tx(ledger.Refund("refund-1", at(1), prepay, dec("100.01"), "")).fails(ledger.ErrInsufficient),
		},
		want: map[ledger.Account]string{prepay: "100", sys(ledger.Refunded): "0"},
	}, {
		name:   "prepaid_card_overdraft_floor",
		reason: guance + ": the prepaid card balance may go negative for overdue payment, as far as its overdraft",
		steps: []step{
			grant("card", cardTerms, "100"),
			tx(spendTx("s1", at(1), card, "250")),
			tx(spendTx("s2", at(1), card, "50.01")).fails(ledger.ErrInsufficient),
			tx(spendTx("s3", at(1), card, "50")),
		},
		want: map[ledger.Account]string{card: "-200", sys(ledger.Revenue): "300"},
	}, {
		name:   "cash_top_up_offsets_overdue_card",
		reason: guance + ": recharging cash first offsets the overdue (negative) prepaid card balance",
		steps: []step{
			grant("card", cardTerms, "0"),
			tx(spendTx("s1", at(1), card, "150")),
			topUp("top-1", cash, "400"),
		},
		want: map[ledger.Account]string{card: "0", cash: "250", sys(ledger.Issued): "-400"},
	}, {
		name:   "top_up_smaller_than_the_debt",
		reason: guance + ": an overdue balance is offset before cash is credited",
		steps: []step{
			grant("card", cardTerms, "0"),
			tx(spendTx("s1", at(1), card, "150")),
			topUp("top-1", cash, "100"),
		},
		want: map[ledger.Account]string{card: "-50", cash: "0"},
	}, {
		name:   "top_up_repays_receivable_first",
		reason: kingsoft + ": what could not be paid is owed; money paid in settles it before it can be spent",
		steps: []step{
			grant("card", cardTerms, "0"),
			tx(spendTx("s1", at(1), card, "50")),
			spendOf(ledger.SpendOptions{Receivable: true}, "b1", "ecs", "100", "cash", "0"),
			topUp("top-1", cash, "120"),
		},
		want: map[ledger.Account]string{sys(ledger.Receivable): "0", card: "-30", cash: "0", sys(ledger.Revenue): "150"},
	}, {
		name:   "prepaid_card_not_transferable",
		reason: guance + ": prepaid cards are bound to the purchasing account and not transferable",
		steps: []step{
			grant("card", cardTerms, "100"),
			transfer("t1", card, acct("card2"), "other", "10").fails(ledger.ErrNotTransferable),
		},
		want: map[ledger.Account]string{card: "100"},
	}, {
		name:   "expired_voucher_moves_to_expired",
		reason: guance + ": vouchers must be used within their validity period; once expired they cannot be used",
		steps: []step{
			grant("v1", ledger.Terms{Account: acct("v1"), Kind: "voucher", Expires: at(10)}, "30"),
			grant("card", cardTerms, "0"),
			tx(spendTx("s1", at(1), card, "20")),
			expire(10),
			expire(10).replays(),
		},
		want: map[ledger.Account]string{acct("v1"): "0", sys(ledger.Expired): "30", card: "-20"},
	}, {
		name:   "credit_line_negative_available_credit",
		reason: kingsoft + ": available credit may go negative, up to the credit line granted",
		steps: []step{
			grant("credit", ledger.Terms{Account: credit, Kind: "credit_line", Overdraft: dec("1000")}, "0"),
			tx(spendTx("s1", at(1), credit, "800")),
			tx(spendTx("s2", at(1), credit, "300")).fails(ledger.ErrInsufficient),
			topUp("top-1", credit, "1000"),
		},
		want: map[ledger.Account]string{credit: "200"},
	}, {
		name:   "gift_balance_never_expires",
		reason: kingsoft + ": gift balance does not expire",
		steps: []step{
			grant("gift", ledger.Terms{Account: gift, Kind: "gift"}, "50"),
			expire(1000),
		},
		want: map[ledger.Account]string{gift: "50", sys(ledger.Expired): "0"},
	}, {
		name:   "free_credit_transfers_between_groups",
		reason: kakao + ": free credits can be transferred to other billing groups within the same domain",
		steps: []step{
			grant("free", freeTerms, "10000"),
			transfer("t1", free, moved, "ops", "4000"),
			transfer("t1", free, moved, "ops", "4000").replays(),
			transfer("t1", free, moved, "ops", "4001").fails(ledger.ErrConflict),
		},
		want: map[ledger.Account]string{free: "6000", moved: "4000"},
	}, {
		name:   "paid_credit_refuses_transfer",
		reason: kakao + ": paid credits cannot be transferred between billing groups, even within the same domain",
		steps: []step{
			grant("paid", paidTerms, "10000"),
			transfer("t1", paid, acct("paid@ops"), "ops", "1").fails(ledger.ErrNotTransferable),
			// Built by hand, the journal refuses it all the same.
			tx(ledger.Transaction{ID: "t2", Time: at(1), Kind: ledger.KindTransfer, Postings: []ledger.Posting{
				{Account: paid, Amount: dec("-1")}, {Account: acct("paid@ops"), Amount: dec("1")}}}).fails(ledger.ErrNotTransferable),
		},
		want: map[ledger.Account]string{paid: "10000"},
	}, {
		name:   "transfer_checks",
		reason: kakao + ": a transfer moves available free credit to another billing group",
		steps: []step{
			grant("free", freeTerms, "100"),
			transfer("t1", free, moved, "ops", "100.01").fails(ledger.ErrInsufficient),
			transfer("t2", free, moved, "dev", "1").fails(ledger.ErrInvalid),
			transfer("t3", free, free, "ops", "1").fails(ledger.ErrInvalid),
			transfer("t4", free, ledger.InstrumentAccount("x", "KRW"), "ops", "1").fails(ledger.ErrInvalid),
			transfer("t5", free, sys(ledger.Revenue), "ops", "1").fails(ledger.ErrInvalid),
			transfer("t6", free, moved, "ops", "0").fails(ledger.ErrInvalid),
			transfer("t7", free, moved, "ops", "60"),
			transfer("t8", free, moved, "ops", "10").fails(ledger.ErrInvalid), // moved is in use now
		},
		want: map[ledger.Account]string{free: "40", moved: "60"},
	}, {
		name:   "expired_free_credit_does_not_move",
		reason: kakao + ": the remaining balance cannot be used after the usage period, so it cannot move either",
		steps: []step{
			grant("free", func() ledger.Terms { t := freeTerms; t.Expires = at(3); return t }(), "100"),
			transfer("t1", free, moved, "ops", "1").fails(ledger.ErrInvalid), // at(3): Expires is exclusive
		},
		want: map[ledger.Account]string{free: "100"},
	}, {
		name:   "transferred_free_credit_keeps_its_expiry",
		reason: kakao + ": the remaining balance cannot be used after the usage period",
		steps: []step{
			grant("free", freeTerms, "100"),
			transfer("t1", free, moved, "ops", "30"),
			expire(24),
		},
		want: map[ledger.Account]string{free: "0", moved: "0", sys(ledger.Expired): "100"},
	}, {
		name:   "spend_replay_and_conflict",
		reason: "a retried booking of one bill is a no-op; another split of the same bill is a conflict",
		steps: []step{
			grant("cash", ledger.Terms{Account: cash}, "100"),
			spendOf(ledger.SpendOptions{}, "b1", "ecs", "70", "cash", "70"),
			spendOf(ledger.SpendOptions{}, "b1", "ecs", "70", "cash", "70").replays(),
			spendOf(ledger.SpendOptions{}, "b1", "ecs", "70", "cash", "70.00").replays(),
			spendOf(ledger.SpendOptions{}, "b1", "ecs", "70", "cash", "60").fails(ledger.ErrConflict),
		},
		want: map[ledger.Account]string{cash: "30", sys(ledger.Revenue): "70"},
	}, {
		name:   "partial_then_full_reversal",
		reason: "a refund returns value to the instruments that paid, the most recent allocation first; a void returns the rest",
		steps: []step{
			grant("v", ledger.Terms{Account: acct("v")}, "50"),
			grant("cash", ledger.Terms{Account: cash}, "100"),
			spendOf(ledger.SpendOptions{}, "b1", "ecs", "90", "v", "50", "cash", "40"),
			reverse("r1", "spend:b1", "45"), // cash 40, then voucher 5
			reverse("r1", "spend:b1", "45").replays(),
			reverse("r1", "spend:b1", "46").fails(ledger.ErrConflict),
			reverse("r2", "spend:b1", "45.01").fails(ledger.ErrInvalid),
			void("r3", "spend:b1"),
			reverse("r4", "spend:b1", "0.01").fails(ledger.ErrInvalid),
			reverse("r5", "r1", "1").fails(ledger.ErrInvalid),
			reverse("r6", "nope", "1").fails(ledger.ErrInvalid),
		},
		want: map[ledger.Account]string{acct("v"): "50", cash: "100", sys(ledger.Revenue): "0"},
	}, {
		name:   "reversal_cancels_debt_first",
		reason: "a bill booked as owed is reversed by cancelling what is still owed before returning value",
		steps: []step{
			grant("cash", ledger.Terms{Account: cash}, "100"),
			spendOf(ledger.SpendOptions{Receivable: true}, "b1", "ecs", "150", "cash", "100"),
			reverse("r1", "spend:b1", "60"),
		},
		want: map[ledger.Account]string{cash: "10", sys(ledger.Receivable): "0", sys(ledger.Revenue): "90"},
	}, {
		name:   "void_of_a_spent_grant",
		reason: "voiding a grant cannot take back value that was already spent",
		steps: []step{
			grant("v", ledger.Terms{Account: acct("v")}, "50"),
			tx(spendTx("s1", at(1), acct("v"), "20")),
			void("r1", "v").fails(ledger.ErrInsufficient),
			reverse("r2", "v", "30"),
		},
		want: map[ledger.Account]string{acct("v"): "0", sys(ledger.Issued): "-20"},
	}, {
		name:   "top_up_is_not_reversible",
		reason: "a top-up that repaid debts paid into several accounts: there is no single destination to take it back from",
		steps: []step{
			grant("card", cardTerms, "0"),
			tx(spendTx("s1", at(1), card, "10")),
			topUp("top-1", cash, "30"),
			void("r1", "top-1").fails(ledger.ErrInvalid),
			topUp("top-1", cash, "30").replays(),
			topUp("top-1", cash, "31").fails(ledger.ErrConflict),
			topUp("top-2", cash, "0").fails(ledger.ErrInvalid),
			topUp("top-3", sys(ledger.Revenue), "1").fails(ledger.ErrInvalid),
		},
		want: map[ledger.Account]string{card: "0", cash: "20"},
	}})
}
