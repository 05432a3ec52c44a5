// Package policies holds the ready-made allocation policies for the seed
// scenarios as JSON files, embedded so that programs and tests use the very
// files a host would copy into its configuration:
//
//	kingsoft-account-assets    vouchers → gift balance → available credit
//	                           (down to −credit line) → online payment
//	                           (000_f04d44448bd9d2a1.txt)
//	kingsoft-renewal-vouchers  vouchers soonest expiry first, ties largest
//	                           deduction first → account balance
//	                           (004_436d555c5a6b9a35.txt)
//	guance-billing-center      regular vouchers → discount vouchers →
//	                           prepaid cards → cash → prepaid card overdraft;
//	                           SMS and dial testing only cash and prepaid
//	                           cards (002_974120889ed2e661.txt)
//	guance-cloud-account       the same up to prepaid cards, then the cloud
//	                           account cash balance (002_974120889ed2e661.txt)
//	kakao-credits              free credit earliest expiry → free credit for
//	                           specific services → paid credit earliest
//	                           expiry, under max_coverage, so that free
//	                           credits pay all they can before paid credit
//	                           pays (003_b4fbba3f981e0ca6.txt)
//	alibaba-prepayment         prepayment balance (001_d1525b524f7b874c.txt)
//
// The instrument kinds they name are those of the voucher, credit and
// prepaid packages, plus "cash" (Guance cash balance) and "cloud_account"
// (the cloud account's cash balance), which hosts build as plain
// instruments. Bill lines of SMS and dial testing carry the categories
// "sms" and "dial_testing"; trials have the bill mode "trial".
package policies

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/billfold/billfold/allocation"
)

//go:embed *.json
var files embed.FS // read-only data, not state

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

// Load decodes the policy file name (without ".json") into an
// [allocation.Policy]. Decoding is strict: an unknown field is an error.
func Load(name string) (allocation.Policy, error) {
	b, err := JSON(name)
	if err != nil {
		return allocation.Policy{}, err
	}
	var p allocation.Policy
	if err := json.Unmarshal(b, &p); err != nil {
		return allocation.Policy{}, fmt.Errorf("policies: %s: %w", name, err)
	}
	return p, nil
}

// MustLoad is like [Load] but panics on error; it is meant for example
// programs and tests, whose policies are embedded and tested.
func MustLoad(name string) allocation.Policy {
	p, err := Load(name)
	if err != nil {
		panic(err)
	}
	return p
}
