package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"time"

	"github.com/billfold/billfold/forecast"
	"github.com/billfold/billfold/ledger"
	"github.com/shopspring/decimal"
)

// The chart's geometry, in SVG user units (pixels at 100 %).
const (
	width, height  = 900, 500
	left, right    = 70.0, 740.0 // plot area, x
	top, bottom    = 60.0, 430.0 // plot area, y
	legendX        = 760.0
	failureColor   = "#d62728"
	expiryColor    = "#ff7f0e"
	gridColor      = "#e0e0e0"
	axisColor      = "#444444"
	fontAttributes = `font-family="DejaVu Sans, Arial, sans-serif" font-size="11"`
)

// palette colours the instruments, in wallet order (red and orange are kept
// for failures and expiries).
var palette = [...]string{"#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#7f7f7f", "#bcbd22", "#e377c2"}

// chart draws the balance of each instrument of in's wallet over the
// horizon as a step line (balances change only at events), with a red
// dashed line and label for each failure and an orange triangle for each
// expiry, where the forfeited value left the line. It is plain SVG 1.1
// text, the same bytes for the same forecast. Coordinates are rounded to
// one decimal; amounts are only drawn, never computed, from floats.
func chart(in forecast.Input, f forecast.Forecast) []byte {
	ids := instruments(in)
	days := float64(f.Runs)
	start := in.Start
	dayOf := func(t time.Time) float64 { return math.Round(t.Sub(start).Hours() / 24) }
	x := func(d float64) float64 { return left + (right-left)*d/days }

	// Each instrument's balance over time: the opening balance, then the
	// balance after each event that changed it.
	type point struct {
		day float64
		bal decimal.Decimal
	}
	series := make([][]point, len(ids))
	lo, hi := decimal.Zero, decimal.Zero
	for k, id := range ids {
		b := in.Journal.Balance(ledger.InstrumentAccount(id, in.Prices.Currency))
		series[k] = []point{{0, b}}
		lo, hi = decimal.Min(lo, b), decimal.Max(hi, b)
	}
	for _, e := range f.Events {
		for k, id := range ids {
			b := balanceOf(e.Balances, id)
			if last := series[k][len(series[k])-1]; !b.Equal(last.bal) {
				series[k] = append(series[k], point{dayOf(e.At), b})
				lo, hi = decimal.Min(lo, b), decimal.Max(hi, b)
			}
		}
	}
	step := niceStep(hi.Sub(lo).InexactFloat64())
	ymin := math.Floor(lo.InexactFloat64()/step) * step
	ymax := math.Ceil(hi.InexactFloat64()/step) * step
	if ymax == ymin {
		ymax = ymin + step
	}
	y := func(v float64) float64 { return bottom - (bottom-top)*(v-ymin)/(ymax-ymin) }

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" %s>`+"\n",
		width, height, width, height, fontAttributes)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%s" y="24" font-size="15" font-weight="bold">Balance per instrument, %s, %s to %s</text>`+"\n",
		num(left), in.Prices.Currency, start.Format("2006-01-02"), start.AddDate(0, 0, f.Runs-1).Format("2006-01-02"))
	fmt.Fprintf(&b, `<text x="%s" y="42" fill="%s">daily renewal run at %s; red: failed renewal, orange: expiry (value forfeited)</text>`+"\n",
		num(left), axisColor, start.Format("15:04"))

	// Grid and axes.
	for v := ymin; v <= ymax+step/2; v += step {
		colour := gridColor
		if v == 0 {
			colour = axisColor
		}
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`+"\n", num(left), num(y(v)), num(right), num(y(v)), colour)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end">%s</text>`+"\n", num(left-6), num(y(v)+4), num(v))
	}
	for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, start.Location()); ; m = m.AddDate(0, 1, 0) {
		d := dayOf(m)
		if d > days {
			break
		}
		if d < 0 {
			continue
		}
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`+"\n", num(x(d)), num(top), num(x(d)), num(bottom), gridColor)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", num(x(d)), num(bottom+16), m.Format("Jan 2"))
	}
	fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="%s"/>`+"\n",
		num(left), num(top), num(right-left), num(bottom-top), axisColor)

	// Failures: a dashed red line on the day, labelled with the instance
	// and what was missing.
	for k, e := range f.Failures() {
		xf := x(dayOf(e.At))
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5" stroke-dasharray="5,3"/>`+"\n",
			num(xf), num(top), num(xf), num(bottom), failureColor)
		// Labels hang from the top, one row each, on the side of the
		// line that has room.
		lx, anchor := xf+4, "start"
		if xf > (left+right)/2 {
			lx, anchor = xf-4, "end"
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" fill="%s" text-anchor="%s" stroke="#ffffff" stroke-width="3" paint-order="stroke">%s fails %s, missing %s</text>`+"\n",
			num(lx), num(top+14+14*float64(k%12)), failureColor, anchor, esc(e.Instance), e.At.Format("Jan 2"), e.Missing.StringFixed(2))
	}

	// The balances.
	for k, id := range ids {
		var path bytes.Buffer
		for n, p := range series[k] {
			if n == 0 {
				fmt.Fprintf(&path, "M%s %s", num(x(p.day)), num(y(p.bal.InexactFloat64())))
				continue
			}
			fmt.Fprintf(&path, "H%s V%s", num(x(p.day)), num(y(p.bal.InexactFloat64())))
		}
		fmt.Fprintf(&path, "H%s", num(right))
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2"><title>%s</title></path>`+"\n",
			path.String(), palette[k%len(palette)], esc(id))
	}

	// Expiries: an orange triangle where the forfeited value left the
	// line, labelled with the amount.
	for _, e := range f.Events {
		if e.Kind != forecast.Expired {
			continue
		}
		xe, ye := x(dayOf(e.At)), y(balanceOf(e.Balances, e.Instrument).Add(e.Amount).InexactFloat64())
		fmt.Fprintf(&b, `<path d="M%s %s l-6 -10 h12 z" fill="%s"><title>%s expires</title></path>`+"\n",
			num(xe), num(ye), expiryColor, esc(e.Instrument))
		fmt.Fprintf(&b, `<text x="%s" y="%s" fill="%s" stroke="#ffffff" stroke-width="3" paint-order="stroke">%s −%s</text>`+"\n",
			num(xe+8), num(ye-4), expiryColor, esc(e.Instrument), e.Amount.StringFixed(2))
	}

	// Legend.
	for k, id := range ids {
		ly := top + 10 + 20*float64(k)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="3"/>`+"\n",
			num(legendX), num(ly), num(legendX+24), num(ly), palette[k%len(palette)])
		fmt.Fprintf(&b, `<text x="%s" y="%s">%s</text>`+"\n", num(legendX+30), num(ly+4), esc(id))
	}
	ly := top + 10 + 20*float64(len(ids)) + 10
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5" stroke-dasharray="5,3"/>`+"\n",
		num(legendX), num(ly), num(legendX+24), num(ly), failureColor)
	fmt.Fprintf(&b, `<text x="%s" y="%s">failed renewal</text>`+"\n", num(legendX+30), num(ly+4))
	fmt.Fprintf(&b, `<path d="M%s %s l-6 -10 h12 z" fill="%s"/>`+"\n", num(legendX+12), num(ly+25), expiryColor)
	fmt.Fprintf(&b, `<text x="%s" y="%s">expiry</text>`+"\n", num(legendX+30), num(ly+24))
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// niceStep returns a grid step of 1, 2 or 5 times a power of ten that
// divides span into at most 8 steps.
func niceStep(span float64) float64 {
	if span <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(span/8)))
	for _, m := range []float64{1, 2, 5, 10} {
		if span/(m*p) <= 8 {
			return m * p
		}
	}
	return 10 * p
}

// num writes a coordinate with at most one decimal.
func num(v float64) string {
	s := fmt.Sprintf("%.1f", v)
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		s = s[:len(s)-2]
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// esc escapes text for SVG.
func esc(s string) string { return html.EscapeString(s) }
