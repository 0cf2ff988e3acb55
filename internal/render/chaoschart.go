package render

import (
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/relia-dev/relia/internal/slo"
)

// RunChart draws an SLO's burn rate around a chaos run, over the steps
// ending in (from, to]: the shortest lookback (5m, or the step), which
// shows each step the run hurt, and the 1h rate the fast page watches,
// with every alert rule's threshold and the marks shaded. The axis is the
// burn-rate chart's log axis, which always reaches the highest threshold:
// how far below it a run stayed is the point of a detection gap.
func RunChart(id string, r *slo.Report, from, to time.Time, marks []Mark) Chart {
	tl := r.Timeline
	lo, hi := stepRange(tl.FirstEnd, tl.Step, len(tl.Short.Values), from, to)
	first := tl.FirstEnd.Add(time.Duration(lo) * tl.Step)
	line := newTimeChart(id, "×", false)
	marks = marksOn(marks, first, tl.Step, hi-lo)
	short := "burn rate " + tl.Short.Label
	if len(r.BurnRates) > 0 && r.BurnRates[0].Lookback != 0 {
		short = "burn rate " + Duration(r.BurnRates[0].Lookback)
	}
	shortValues := tl.Short.Values[lo:hi]
	var long []float64
	if len(tl.Burn) > 0 {
		long = tl.Burn[0].Values[lo:hi]
	}
	axis, floor := burnAxis(r.Rules, shortValues, long)
	names := []string{short}
	addLine(line, short, burnData(first, tl.Step, shortValues, floor),
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
		thresholdLines(r.Rules),
		markAreas(marks))
	if len(tl.Burn) > 0 {
		names = append(names, "burn rate "+tl.Burn[0].Label)
		addLine(line, names[1], burnData(first, tl.Step, long, floor),
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}))
	}
	line.SetGlobalOptions(charts.WithYAxisOpts(axis))
	return Chart{ID: id, Title: r.Spec.ID + ": burn rate around the run", Option: finishTime(line, "×", names...), Marks: marks}
}
