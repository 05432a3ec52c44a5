// Package prepaid models money paid in advance: Guance prepaid cards and
// Alibaba Cloud prepayment balance.
//
// Every type is an immutable value: constructors check the rules and
// methods return the updated value, leaving the receiver unchanged. Each
// projects to an [allocation.Instrument] and takes back what an
// [allocation.Split] used with Apply. Nothing here reads the clock: every
// instant is an argument. A card's validity in months is counted on the
// calendar of the time zone given to [Rules.Purchase], from the purchase
// instant only, never from the Location a [time.Time] carries.
//
// # Prepaid cards (Guance, 002_974120889ed2e661.txt)
//
// [Rules] say which denominations may be bought in a currency (multiples of
// 100, at least 100, for CNY in [GuanceRules]), how long cards stay valid,
// and which discount-voucher bonus a purchase earns ([Tier]: 10,000 → 1,000;
// 30,000 → 5,000; 100,000 → 20,000; the highest tier reached applies).
// [Rules.Purchase] returns the [Card], the bonus and the invoiceable amount:
// the purchase is invoiced for what was actually paid, so what the card
// pays later is not invoiceable again. Build the bonus voucher with
// voucher.New and type voucher.Discount; this package does not depend on
// the voucher package.
//
// A card is bound to the buying account ([Wallet] takes only that account's
// cards; [Card.Transfer] refuses), cannot be refunded or cashed
// ([Card.Refund] refuses), pays within its validity window and is void once
// expired, keeping any remaining balance usable until then. It may run into
// overdraft ("prepaid card balance, negative for overdue") down to its
// overdraft limit when a policy step draws "overdraft"; a cash top-up first
// offsets what cards owe ([OffsetOverdue]). Whether a card pays a
// subscription order is the customer's choice at checkout: put
// [KindCard] in the bill's ExcludeKinds to leave it out; pay-as-you-go bills
// draw it automatically.
//
// Card statuses and transitions:
//
//	active ──Apply (nothing more may be drawn)──▶ used_up
//	used_up ──Repay/OffsetOverdue/WithOverdraft (room to draw again)──▶ active
//	active, used_up ──Expire (validity over)──▶ expired
//
// expired is final: a positive balance is void ([Card.Forfeited]); a
// negative one is still owed and may be repaid.
//
// # Storing cards and balances
//
// [Card] and [Prepayment] have versioned JSON forms (MarshalJSON,
// UnmarshalJSON; version 1) that a host keeps between requests. They hold
// the definition (account, face value, overdraft limit, validity) and the
// lifecycle (status, instants, a balance's deposit and spending records);
// reading one back gives a value Equal to the one stored, and a damaged or
// hand-edited document is refused whole with every problem named. Money
// is the journal's: the wallet of the next bill is built from the stored
// values' instruments ([Wallet], [Prepayment.Instrument]) with
// ledger.WithBalances(journal, wallet), which takes each balance from the
// journal and makes a used-up card that the journal holds value for usable
// again until its validity ends.
//
// # Prepayment balance (Alibaba Cloud, 001_d1525b524f7b874c.txt)
//
// A [Prepayment] receives deposits (for example bank transfers) that name
// the product they are intended for and a note; the spending record may
// name another product and note ([Prepayment.ApplyFor]). It pays
// subscription orders and pay-as-you-go bills alike, is invoiceable, and,
// unlike a prepaid card, its remaining balance can be refunded.
package prepaid
