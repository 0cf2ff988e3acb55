package render

import (
	"fmt"
	"math"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/relia-dev/relia/internal/slo"
)

// RunChart draws an SLO's burn rate around a chaos run, over the steps
// ending in (from, to]: the shortest lookback (5m, or the step), which
// shows each step the run hurt, and the 1h rate the fast page watches,
// with every alert rule's threshold and the marks shaded.
func RunChart(id string, r *slo.Report, from, to time.Time, marks []Mark) Chart {
	tl := r.Timeline
	lo, hi := stepRange(tl.FirstEnd, tl.Step, len(tl.Short.Values), from, to)
	first := tl.FirstEnd.Add(time.Duration(lo) * tl.Step)
	line := newTimeChart(id, "×", false)
	var thresholds []opts.MarkLineNameYAxisItem
	for _, rule := range r.Rules {
		thresholds = append(thresholds, opts.MarkLineNameYAxisItem{
			Name:  fmt.Sprintf("%s %s/%s", rule.Severity, rule.LongLabel, rule.ShortLabel),
			YAxis: round(rule.Threshold, 3),
		})
	}
	short := "burn rate " + tl.Short.Label
	if len(r.BurnRates) > 0 && r.BurnRates[0].Lookback != 0 {
		short = "burn rate " + Duration(r.BurnRates[0].Lookback)
	}
	line.AddSeries(short, lineData(first, tl.Step, tl.Short.Values[lo:hi], pickMax, 1, 3),
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
		charts.WithMarkLineNameYAxisItemOpts(thresholds...),
		charts.WithMarkLineStyleOpts(thresholdStyle),
		markAreas(marks))
	// Keep the fast page's threshold in sight: how far below it a run
	// stayed is the point of a detection gap.
	top := 0.0
	for _, v := range tl.Short.Values[lo:hi] {
		if v > top {
			top = v
		}
	}
	if len(r.Rules) > 0 && top < r.Rules[0].Threshold {
		line.SetGlobalOptions(charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "×", Max: math.Ceil(r.Rules[0].Threshold * 1.1)}))
	}
	if len(tl.Burn) > 0 {
		b := tl.Burn[0]
		line.AddSeries("burn rate "+b.Label, lineData(first, tl.Step, b.Values[lo:hi], pickMax, 1, 3),
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}))
	}
	return Chart{ID: id, Title: r.Spec.ID + ": burn rate around the run", Option: finish(line)}
}
