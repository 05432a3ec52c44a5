package ledger_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/billfold/billfold/ledger"
)

// A bill run's store applies the spend the worker applied to the same
// journal value: Apply shares it without judging it again. Only a
// transaction written exactly alike is shared so: one equal in value but
// written so that Validate refuses it (more decimal places than a store
// keeps, a time zone offset beyond a day) is still refused, as it is on a
// journal that never saw it.
func TestApplySharesOnlyWhatValidateAccepts(t *testing.T) {
	j0 := apply(t, ledger.Journal{}, ledger.Grant("g", t0, ledger.Terms{Account: acct("gift"), Kind: "gift"}, dec("10"), ""))
	tx := spendTx("spend:b1", t0, acct("gift"), "1.5")
	if _, _, err := j0.Apply(tx); err != nil {
		t.Fatal(err)
	}
	j, r, err := j0.Apply(tx)
	if err != nil || r.Seq != 1 || r.Replayed || j.Len() != 2 {
		t.Fatalf("the same spend on the same journal value: %v, %+v, len %d; want it shared at 1", err, r, j.Len())
	}
	places := spendTx("spend:b1", t0, acct("gift"), "1.5"+strings.Repeat("0", ledger.MaxAmountPlaces))
	far := spendTx("spend:b1", t0.In(time.FixedZone("far", 25*3600)), acct("gift"), "1.5")
	for name, u := range map[string]ledger.Transaction{"places": places, "zone": far} {
		if !u.Equal(tx) {
			t.Fatalf("%s: not equal in value", name)
		}
		if _, _, err := j0.Apply(u); !errors.Is(err, ledger.ErrInvalid) {
			t.Errorf("%s: Apply on the shared value = %v, want ErrInvalid", name, err)
		}
	}
}
