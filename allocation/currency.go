package allocation

// ValidCurrency reports whether code has the form of an ISO 4217 code:
// three upper-case ASCII letters. The list of codes in use changes over
// time, so any such code is accepted. It is the check [Allocate] applies.
func ValidCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}

// MinorUnits returns the number of decimal places of the currency's minor
// unit per ISO 4217: 0 for currencies without a minor unit in use (JPY,
// KRW, …), 3 for the dinars and rials that use thousandths, 4 for the
// accounting units CLF and UYW, and 2 for every other code. It is what the
// zero [Rounding] rounds to.
func MinorUnits(code string) int32 {
	switch code {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
		"RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	case "CLF", "UYW":
		return 4
	}
	return 2
}
