package ledger_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/billfold/billfold/ledger"
)

// A checkpoint decodes strictly: what a store kept is read back as it was,
// and anything else is refused with ErrInvalid naming every problem.
func TestCheckpointJSONIsStrict(t *testing.T) {
	good := `{"len":3,"time":"2024-01-01T00:00:00Z","sorted":true,` +
		`"accounts":[{"account":"instrument:USD:cash","balance":"70","terms":{"account":"instrument:USD:cash","kind":"cash"}},{"account":"issued:USD","balance":"-100"},{"account":"revenue:USD","balance":"30"}],` +
		`"holds":[],"debts":[]}`
	var cp ledger.Checkpoint
	if err := json.Unmarshal([]byte(good), &cp); err != nil {
		t.Fatal(err)
	}
	j, err := ledger.Resume(cp, nil)
	if err != nil || j.Len() != 3 || j.Balance(ledger.InstrumentAccount("cash", "USD")).String() != "70" {
		t.Fatalf("resumed: %d, %v", j.Len(), err)
	}
	again, err := json.Marshal(j.Checkpoint())
	if err != nil || string(again) != good {
		t.Fatalf("encoded again:\n%s\nwant\n%s (%v)", again, good, err)
	}
	for name, c := range map[string]struct{ json, problem string }{
		"unknown field": {strings.Replace(good, `"sorted"`, `"sortd"`, 1), "unknown field"},
		"negative len":  {strings.Replace(good, `"len":3`, `"len":-1`, 1), "negative"},
		"repeated account": {strings.Replace(good, `{"account":"issued:USD","balance":"-100"}`, `{"account":"revenue:USD","balance":"-100"}`, 1),
			"out of order or repeated"},
		"terms of another account": {strings.Replace(good, `"terms":{"account":"instrument:USD:cash"`, `"terms":{"account":"instrument:USD:gift"`, 1), "terms of"},
		"a held account its holds do not explain": {strings.Replace(good, `{"account":"issued:USD"`, `{"account":"held:USD:hold%3Ax:cash","balance":"5"},{"account":"issued:USD"`, 1),
			"holds' transactions add up to"},
		"a debt on no receivable": {strings.Replace(good, `"debts":[]`, `"debts":[{"id":"s","post":0,"currency":"USD","line":"l","owed":"1","repaid":"0","given":"0","passed":"0"}]`, 1), "no receivable"},
		"trailing data":           {good + `{}`, "after the checkpoint"},
	} {
		var got ledger.Checkpoint
		err := got.UnmarshalJSON([]byte(c.json))
		if !errors.Is(err, ledger.ErrInvalid) || !strings.Contains(err.Error(), c.problem) {
			t.Errorf("%s: %v, want ErrInvalid saying %q", name, err, c.problem)
		}
	}
}
