// Package allocation decides which of a customer's payment instruments pays
// which part of a bill.
//
// [Allocate] takes a [Bill], a [Wallet] of [Instrument] values and a [Policy]
// and returns a [Split]: every amount each instrument discounts or pays on
// each bill line, what is left outstanding for the host to collect another
// way, and for every instrument that was not used, the reasons why.
//
// The package is pure. It does no I/O, reads no clock (validity is judged at
// [Bill].At), keeps no global state and never changes its arguments. Equal
// inputs give byte-for-byte equal results, whatever the order of the wallet.
//
// Money is [decimal.Decimal] at the API. Internally amounts are exact scaled
// integers at the working scale of a call (the policy's rounding places, or
// more if an input amount carries more decimals); money is rounded only where
// it is divided (percentage discounts), once, with the policy's [Rounding].
//
// Every type here encodes to and decodes from JSON with snake_case field
// names, amounts as decimal strings and times in RFC 3339, so policies can be
// kept in configuration files and scenarios replayed from files. Decoding is
// strict, with encoding/json as with [ParseScenario] and [ParsePolicy]: an
// unknown (misspelt) field or a value of the wrong type or outside its
// vocabulary is an error, never ignored, and the error, an [*InvalidError]
// wrapping [ErrInvalid], lists every problem with its JSON path and the
// element's id, what was found and what was expected:
//
//	bill.lines[0] (id "sms-1").amount: "12,50" is not a decimal amount; write 12.50 (a point, not a comma)
//
// A field left at its Go zero value means what the same field left out of
// the JSON means (see [Rounding] and [Instrument].Capped). Load policies with
// [ParsePolicy], giving it the instrument kinds the host has, so that a bad
// policy fails at start-up; [Policy.Validate] checks one built in Go.
// Ready-made policies for the seed billing rules are in package
// allocation/policies.
package allocation
