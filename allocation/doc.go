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
// kept in configuration files and scenarios replayed from files.
package allocation
