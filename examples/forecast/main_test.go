package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/billfold/billfold/examples/internal/golden"
	"github.com/billfold/billfold/forecast"
)

// story runs the forecast of the example account.
func story(t *testing.T) (forecast.Input, forecast.Forecast) {
	t.Helper()
	in, err := account()
	if err != nil {
		t.Fatal(err)
	}
	f, err := forecast.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	return in, f
}

// TestOutput checks the table against testdata/output.txt (rewrite it with
// go test ./examples/forecast -update, then review it) and that two runs
// print the same.
func TestOutput(t *testing.T) {
	got := golden.Output(t, func(w io.Writer) error {
		in, f := story(t)
		return table(w, in, f)
	})
	golden.Check(t, "output.txt", got)
	// The story's beats (004_436d555c5a6b9a35.txt, 000_f04d44448bd9d2a1.txt),
	// whatever the layout.
	for _, beat := range []string{
		"expired  v-new-year   50.00",                                           // expires before any renewal
		"renewed        db-1  300.00                               v-db 300.00", // a scoped voucher
		"expired        v-db  200.00",                                           // what the database voucher left
		"v-spring 54.50, gift 120.00, cash 125.50",                              // vouchers, then gift, then cash
		"failed        db-1  300.00                            missing 216.50",  // the credit line runs out
		"Top up the cash balance by 1453.00 today",
		"With 1452.99, web-2 fails on 2024-06-30, missing 0.01.",
	} {
		if !strings.Contains(string(got), beat) {
			t.Errorf("output lacks %q", beat)
		}
	}
	if bytes.Contains(got, []byte(" \n")) {
		t.Error("trailing spaces")
	}
}

// TestChart checks the SVG against testdata/chart.svg, and that it is
// well-formed XML with one line per instrument and one marker per failure
// and expiry.
func TestChart(t *testing.T) {
	got := golden.Output(t, func(w io.Writer) error {
		in, f := story(t)
		_, err := w.Write(chart(in, f))
		return err
	})
	golden.Check(t, "chart.svg", got)
	dec := xml.NewDecoder(bytes.NewReader(got))
	counts := map[string]int{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("chart is not well-formed XML: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok {
			for _, a := range el.Attr {
				if a.Name.Local == "stroke-dasharray" {
					counts["failure"]++
				}
			}
		}
	}
	_, f := story(t)
	if want := len(f.Failures()) + 1; counts["failure"] != want { // + the legend's
		t.Errorf("%d dashed failure lines, want %d", counts["failure"], want)
	}
	for _, s := range []string{"<title>cash</title>", "<title>v-db expires</title>", "<title>v-new-year expires</title>", "db-1 fails Apr 12, missing 216.50"} {
		if !bytes.Contains(got, []byte(s)) {
			t.Errorf("chart lacks %q", s)
		}
	}
}

// TestChartRenders screenshots the chart with headless Chromium, where it is
// installed (Debian's chromium package; not in CI), and checks that a PNG
// came out. To look at it: go test ./examples/forecast -run ChartRenders -v
// prints where it is.
func TestChartRenders(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed")
	}
	dir := t.TempDir()
	in, f := story(t)
	svg, png := filepath.Join(dir, "chart.svg"), filepath.Join(dir, "chart.png")
	if err := os.WriteFile(svg, chart(in, f), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--screenshot="+png, "--window-size=900,500", svg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	b, err := os.ReadFile(png)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x89PNG")) || len(b) < 10000 {
		t.Fatalf("screenshot is not a PNG of a chart (%d bytes)", len(b))
	}
	t.Logf("rendered %s (%d bytes)", png, len(b))
}
