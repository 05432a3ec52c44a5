package changes

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWrite(t *testing.T) {
	var b strings.Builder
	before := [][]string{
		{"v1", "voucher", "active", "100.00"},
		{"gift", "gift", "-", "20.00"},
	}
	after := [][]string{
		{"v1", "voucher", "used_up", "0.00"},
		{"gift", "gift", "-", "20.00"},
		{"cash", "cash", "-", "5.00"},
	}
	if err := Write(&b, []string{"instrument", "kind", "status", "balance"}, before, after); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"instrument  kind     status            balance\n" +
		"v1          voucher  active → used_up  100.00 → 0.00\n" +
		"gift        gift     -                 20.00\n" +
		"cash        cash     -                 5.00\n" +
		"\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
	if before[0][2] != "active" || after[0][2] != "used_up" {
		t.Errorf("Write changed its arguments: %q %q", before, after)
	}
}

func TestWriteShortBefore(t *testing.T) {
	var b strings.Builder
	if err := Write(&b, []string{"a", "b"}, [][]string{{"x"}}, [][]string{{"y", "z"}}); err != nil {
		t.Fatal(err)
	}
	if want := "a      b\nx → y  z\n\n"; b.String() != want {
		t.Errorf("table %q, want %q", b.String(), want)
	}
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	if err := Write(failing{}, []string{"a"}, nil, [][]string{{"x"}}); err == nil {
		t.Error("a failing writer: no error")
	}
}
