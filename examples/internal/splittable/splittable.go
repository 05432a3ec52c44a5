// Package splittable prints an [allocation.Split] as aligned text tables,
// for the example programs.
package splittable

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/billfold/billfold/allocation"
	"github.com/shopspring/decimal"
)

// Write prints the split: a summary, the allocations, the lines and the
// instruments with the reasons the unused ones were skipped. Text columns
// are aligned left, amounts right.
func Write(w io.Writer, s allocation.Split) error {
	// Every amount at the split's places, or with its own decimals if it
	// has more (never rounded).
	num := func(d decimal.Decimal) string { return d.StringFixed(max(s.Places(), -d.Exponent())) }
	var b strings.Builder
	fmt.Fprintf(&b, "bill %s (%s)\n\n", s.Bill, s.Currency)
	table(&b, []string{"", "amount"}, [][]string{
		{"total", num(s.Total)},
		{"discounted", num(s.Discounted)},
		{"paid", num(s.Paid)},
		{"outstanding", num(s.Outstanding)},
		{"invoiceable", num(s.Invoiceable)},
	})
	rows := make([][]string, 0, len(s.Allocations))
	for _, a := range s.Allocations {
		rows = append(rows, []string{a.Step, a.Instrument, a.Line, num(a.Amount)})
	}
	table(&b, []string{"step", "instrument", "line", "amount"}, rows)
	rows = rows[:0]
	for _, l := range s.Lines {
		rows = append(rows, []string{l.ID, num(l.Amount), num(l.Discounted), num(l.Covered), num(l.Outstanding)})
	}
	table(&b, []string{"line", "amount", "discounted", "covered", "outstanding"}, rows)
	rows = rows[:0]
	for _, r := range s.Instruments {
		reasons := make([]string, len(r.Skipped))
		for i, x := range r.Skipped {
			reasons[i] = string(x)
		}
		rows = append(rows, []string{r.ID, num(r.Used), num(r.BalanceAfter), strings.Join(reasons, ", ")})
	}
	table(&b, []string{"instrument", "used", "balance after", "skipped because"}, rows)
	legend(&b, s)
	_, err := io.WriteString(w, b.String())
	return err
}

// table writes a header and rows; cells that parse as numbers are aligned
// right, others left. A blank line follows.
func table(b *strings.Builder, header []string, rows [][]string) {
	width := make([]int, len(header))
	right := make([]bool, len(header))
	for c, h := range header {
		width[c] = len(h)
	}
	for _, r := range rows {
		for c, cell := range r {
			width[c] = max(width[c], len([]rune(cell)))
			if _, err := decimal.NewFromString(cell); err == nil {
				right[c] = true
			}
		}
	}
	line := func(cells []string) {
		var l strings.Builder
		for c, cell := range cells {
			pad := strings.Repeat(" ", width[c]-len([]rune(cell)))
			if c > 0 {
				l.WriteString("  ")
			}
			if right[c] {
				l.WriteString(pad + cell)
			} else {
				l.WriteString(cell + pad)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
	b.WriteString("\n")
}

// legend explains invoiceable and, in vocabulary order, every reason the
// split gives, in the words of [allocation.Reason.Meaning], one term a
// line. A blank line follows.
func legend(b *strings.Builder, s allocation.Split) {
	terms := [][2]string{{"invoiceable", "the outstanding amount plus what instruments marked invoiceable paid; never discounts"}}
	for _, r := range allocation.Reasons() {
		for _, in := range s.Instruments {
			if slices.Contains(in.Skipped, r) {
				terms = append(terms, [2]string{string(r), r.Meaning()})
				break
			}
		}
	}
	width := 0
	for _, t := range terms {
		width = max(width, len(t[0]))
	}
	for _, t := range terms {
		fmt.Fprintf(b, "%-*s  %s\n", width, t[0], t[1])
	}
	b.WriteString("\n")
}
