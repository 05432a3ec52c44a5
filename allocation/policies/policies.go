// Package policies holds ready-made allocation policies for the billing
// rules billfold is built from, as JSON files embedded in the package, so
// that a host can use them as they are, or copy one into its configuration
// and load it with [allocation.ParsePolicy]:
//
//	kingsoft-account-assets    vouchers → gift balance → available credit
//	                           (down to −credit line) → online payment
//	                           (Kingsoft Cloud account assets, 000)
//	kingsoft-renewal-vouchers  vouchers soonest expiry first, ties largest
//	                           deduction first → account balance
//	                           (Kingsoft Cloud renewal management, 004)
//	guance-billing-center      regular vouchers → discount vouchers →
//	                           prepaid cards → cash → prepaid card overdraft;
//	                           SMS and dial testing only cash and prepaid
//	                           cards (Guance billing center wallet, 002)
//	guance-cloud-account       the same up to prepaid cards, then the cloud
//	                           account cash balance (Guance billing center
//	                           wallet, 002)
//	kakao-credits              free credit earliest expiry → free credit for
//	                           specific services → paid credit earliest
//	                           expiry, under max_coverage, so that free
//	                           credits pay all they can before paid credit
//	                           pays (KakaoCloud credits, 003)
//	alibaba-prepayment         prepayment balance (Alibaba Cloud prepayment
//	                           balance, 001)
//
// The instrument kinds they name, [Kinds], are those of the voucher, credit
// and prepaid packages, plus "cash" (Guance cash balance) and
// "cloud_account" (the cloud account's cash balance), which hosts build as
// plain instruments. Bill lines of SMS and dial testing carry the categories
// "sms" and "dial_testing"; trials have the bill mode "trial".
package policies

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/billfold/billfold/allocation"
)

//go:embed *.json
var files embed.FS // read-only data, not state

// Kinds returns the instrument kinds the policies draw, sorted: every
// kind a step or restriction names is one of them (the package's tests
// check it), and [Load] rejects a policy naming another.
func Kinds() []string {
	return []string{
		"cash", "cloud_account", "coupon", "credit_line", "discount_voucher",
		"free_credit", "gift", "paid_credit", "prepaid_card", "prepayment", "voucher",
	}
}

// Names returns the names of the embedded policies (file names without
// ".json"), sorted.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".") // cannot fail on an embed.FS root
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// JSON returns the bytes of the policy file name (without ".json"), or an
// error if there is no such policy.
func JSON(name string) ([]byte, error) {
	b, err := files.ReadFile(name + ".json")
	if err != nil {
		return nil, fmt.Errorf("policies: no policy %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return b, nil
}

// Load returns the policy name (without ".json"), parsed and checked by
// [allocation.ParsePolicy] against [Kinds]. The error, for a name that is
// not one of [Names], says which names there are.
func Load(name string) (allocation.Policy, error) {
	b, err := JSON(name)
	if err != nil {
		return allocation.Policy{}, err
	}
	p, err := allocation.ParsePolicy(b, Kinds()...)
	if err != nil {
		return allocation.Policy{}, fmt.Errorf("policies: %s: %w", name, err)
	}
	return p, nil
}

// MustLoad is like [Load] but panics on error, like regexp.MustCompile: it
// is meant for a name fixed in the program, since every embedded policy is
// tested to load.
func MustLoad(name string) allocation.Policy {
	p, err := Load(name)
	if err != nil {
		panic(err)
	}
	return p
}
