// Package credit models account credits: KakaoCloud free and paid credits
// held per billing group, Kingsoft Cloud gift balance, and Kingsoft Cloud
// available credit with a credit line.
//
// Every type is an immutable value: constructors check the rules and
// methods return the updated value, leaving the receiver unchanged. Each
// projects to an [allocation.Instrument] and takes back what an
// [allocation.Split] used with Apply. Nothing here reads the clock: every
// instant is an argument. What counts calendar months ([NewPaid]'s five
// years, [List]'s three months) takes the customer's time zone as an
// argument and depends on instants only, never on the Location a
// [time.Time] carries.
//
// # Credits (KakaoCloud, 003_b4fbba3f981e0ca6.txt)
//
// A [Credit] is free ([NewFree]: promotions, events, rewards) or paid
// ([NewPaid]: purchased, valid 5 years). It belongs to one billing group of
// one domain. Free credits never pay marketplace or OS image charges: their
// scope excludes the categories [CategoryMarketplace] and [CategoryOSImage]
// (bill lines must carry those category names). A free credit limited to
// some services has a specific scope, so a policy step with scope
// "specific" draws it after the general ones (see
// examples/policies/kakao-credits.json).
//
// Statuses and transitions:
//
//	available ──Apply/Transfer (remaining reaches 0)──▶ used_up
//	available ──Expire (usage period over)──▶ expired
//	available ──Recover (free only)──▶ recovered
//	available ──Refund (paid only)──▶ refunded
//
// All but available are final and have a remaining amount of zero. Every
// change is recorded in the credit's [Entry] history (accumulation, use,
// transfer accumulation and deduction, expiry, recovery, refund). [List]
// returns what the console shows at an instant: a credit whose remaining
// amount reached zero stays listed for three months from then.
//
// # Storing credits
//
// [Credit], [Gift] and [Line] have versioned JSON forms (MarshalJSON,
// UnmarshalJSON; version 1) that a host keeps between requests. They hold
// the definition (type, group, usage period, scope, limit) and the
// lifecycle (status, instants, a credit's whole history); reading one back
// gives a value Equal to the one stored, and a damaged or hand-edited
// document is refused whole with every problem named. Money is the
// journal's: the wallet of the next bill is built from the stored values'
// instruments ([Wallet], [Gift.Instrument], [Line.Instrument]) with
// ledger.WithBalances(journal, wallet), which takes each balance from the
// journal and makes a used-up credit that the journal holds value for
// usable again until its usage period ends.
//
// # Gift balance (Kingsoft, 000_f04d44448bd9d2a1.txt)
//
// A [Gift] never expires, cannot pay product trials (its scope excludes the
// billing mode [ModeTrial]), is not invoiceable and cannot be cashed
// ([Gift.Refund] always refuses).
//
// # Available credit and credit line (Kingsoft, 000_f04d44448bd9d2a1.txt)
//
// A [Line] is an account's available credit together with the credit line
// granted to it: available credit may go negative down to −limit, and a
// negative value is what the customer owes. It projects to an instrument
// with Overdraft = limit, so a policy step drawing "all" may use the line.
// [Line.TopUp] first repays what is owed.
package credit
