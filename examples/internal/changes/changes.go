// Package changes prints, for the example programs, how applying a split
// back changed the instruments: one row per instrument, every changed cell
// written "before → after".
package changes

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// Write prints header and the rows of after as columns aligned with
// text/tabwriter, two spaces apart, and then a blank line. A cell that
// differs from the same cell of the same row of before reads
// "before → after"; cells and rows that before lacks are printed as they
// are. Row i of before and of after must describe the same instrument.
func Write(w io.Writer, header []string, before, after [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for i, row := range after {
		cells := slices.Clone(row)
		for c, cell := range cells {
			if i < len(before) && c < len(before[i]) && before[i][c] != cell {
				cells[c] = before[i][c] + " → " + cell
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	fmt.Fprintln(tw)
	return tw.Flush()
}
