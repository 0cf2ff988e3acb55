package main

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
)

// summarize prints, per SLO, the events generated and the error budget left
// at end. It is a plain loop over the steps, a check on the tuning that is
// independent of relia's own SLO code.
func summarize(w io.Writer, end time.Time, series map[string]*metrics.Series) {
	for _, s := range slos {
		ser := series[s.id]
		from := end.Add(-28 * 24 * time.Hour)
		if s.window == "month" {
			local := end.Add(-time.Nanosecond).In(berlin)
			from = time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, berlin)
		}
		var events, good, total, goodSlices, slices float64
		for i := range ser.Len() {
			g, t := ser.Good[i], ser.Total[i]
			if math.IsNaN(t) {
				continue
			}
			events += t
			if τ := ser.End(i); !in(τ, from, end) || t == 0 {
				continue
			}
			good += g
			total += t
			slices++
			if g/t >= 0.99 {
				goodSlices++
			}
		}
		bad, allowed, unit := total-good, (1-s.objective/100)*total, "events"
		if s.timeslices {
			bad, allowed, unit = slices-goodSlices, (1-s.objective/100)*slices, "slices"
		}
		window := s.window
		if s.window == "month" {
			window = from.Format("Jan 2006")
		}
		fmt.Fprintf(w, "%-22s %12.0f events; %s: %.0f bad %s of %.0f allowed, budget remaining %5.1f %%\n",
			s.id, events, window, bad, unit, allowed, 100*(1-bad/allowed))
	}
	if ser := series["checkout/availability"]; ser != nil {
		printShare(w, ser, end, "incident 1 (checkout 5xx)", inc1Start, inc1Resolved, 0.999)
	}
}

// printShare prints the share of the 28-day budget at end that the steps
// in (from, to] consumed, when that span is inside the window.
func printShare(w io.Writer, ser *metrics.Series, end time.Time, what string, from, to time.Time, objective float64) {
	start := end.Add(-28 * 24 * time.Hour)
	if !from.After(start) || to.After(end) {
		return
	}
	var total, bad float64
	for i := range ser.Len() {
		τ := ser.End(i)
		if math.IsNaN(ser.Total[i]) || !in(τ, start, end) {
			continue
		}
		total += ser.Total[i]
		if in(τ, from, to) {
			bad += ser.Total[i] - ser.Good[i]
		}
	}
	fmt.Fprintf(w, "%s: %.0f bad events, %.1f %% of the 28-day budget\n", what, bad, 100*bad/((1-objective)*total))
}
