package renewal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// Prices is a price list: the monthly price of each product, in one
// currency. A renewal for n months of a product costs exactly n times its
// monthly price.
//
// The zero Prices has no currency and no prices: every call that must charge
// with it fails with an [*InvalidError].
//
// In JSON it is {"currency": "CNY", "monthly": {"KEC": "100.00", …}}; prices
// are always encoded as quoted decimal strings.
type Prices struct {
	// Currency is the ISO 4217 code (three upper-case letters) of every
	// price, and of the bills renewals are paid with.
	Currency string `json:"currency"`
	// Monthly maps a product to its price for one month. Prices must not
	// be negative.
	Monthly map[string]decimal.Decimal `json:"monthly"`
}

// Price returns the price of months months of product, and whether the list
// has a price for product.
func (p Prices) Price(product string, months int) (decimal.Decimal, bool) {
	m, ok := p.Monthly[product]
	if !ok {
		return decimal.Decimal{}, false
	}
	return m.Mul(decimal.NewFromInt(int64(months))), true
}

// validate adds the problems of the list (in product order).
func (p Prices) validate(ps *problems) {
	if !allocation.ValidCurrency(p.Currency) {
		ps.addf("prices: currency %q is not three upper-case letters", p.Currency)
	}
	products := make([]string, 0, len(p.Monthly))
	for k := range p.Monthly {
		products = append(products, k)
	}
	slices.Sort(products)
	for _, k := range products {
		if p.Monthly[k].Sign() < 0 {
			ps.addf("prices: product %q: negative monthly price %s", k, p.Monthly[k])
		}
	}
}

// needPrice adds an [ErrNoPrice] problem unless the list prices in's product.
func (p Prices) needPrice(in Instance, ps *problems) {
	if _, ok := p.Monthly[in.Product]; !ok {
		ps.addf("instance %q: %w %q", in.ID, ErrNoPrice, in.Product)
	}
}

// pricesJSON is the wire form of Prices.
type pricesJSON struct {
	Currency string            `json:"currency"`
	Monthly  map[string]string `json:"monthly"`
}

// MarshalJSON encodes p with prices as decimal strings (products sorted, as
// encoding/json sorts map keys).
func (p Prices) MarshalJSON() ([]byte, error) {
	w := pricesJSON{Currency: p.Currency, Monthly: make(map[string]string, len(p.Monthly))}
	for k, v := range p.Monthly {
		w.Monthly[k] = v.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes p; prices may be decimal strings or JSON numbers.
// Unknown fields are rejected, so a misspelt "monthly" cannot silently
// leave the list empty.
func (p *Prices) UnmarshalJSON(b []byte) error {
	var w struct {
		Currency string                     `json:"currency"`
		Monthly  map[string]decimal.Decimal `json:"monthly"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("renewal: decoding prices: %w", err)
	}
	p.Currency, p.Monthly = w.Currency, w.Monthly
	return nil
}
