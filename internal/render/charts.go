package render

import (
	"fmt"
	"math"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/relia-dev/relia/internal/slo"
)

// MaxChartPoints bounds the points drawn per series. The figures on every
// page are computed on full-resolution data; only the drawing is thinned.
const MaxChartPoints = 1000

// Chart is a chart ready for a template: a container id and the echarts
// option. The option is handed to html/template as a value, never as
// pre-rendered script text, so that every string in it (SLO descriptions,
// incident titles) is escaped for the <script> context by html/template.
type Chart struct {
	ID     string
	Title  string
	Option map[string]any
}

// Mark is a shaded span on a time chart: an incident, a chaos run, an alert.
type Mark struct {
	Name       string
	Start, End time.Time
	Kind       string // MarkIncident (the default), MarkAdjustment, …: picks the shade
}

// Kinds of marks.
const (
	MarkIncident   = "incident"
	MarkAdjustment = "adjustment"
	MarkChaos      = "chaos"     // a chaos experiment run
	MarkChaosGap   = "chaos-gap" // a run that broke something and paged nobody
)

// markColors shade each kind of mark; unknown kinds use the incident shade.
var markColors = map[string]string{
	MarkIncident:   "rgba(240,173,78,0.25)",
	MarkAdjustment: "rgba(128,128,128,0.22)",
	MarkChaos:      "rgba(142,68,173,0.20)",
	MarkChaosGap:   "rgba(192,57,43,0.30)",
}

// SLIChart draws the window SLI (percent) over the timeline with the
// objective as a line and marks as shaded areas.
func SLIChart(id string, r *slo.Report, marks []Mark) Chart {
	tl := r.Timeline
	data := lineData(tl.FirstEnd, tl.Step, tl.SLI, pickMin, 100, 4)
	line := newTimeChart(id, "%", true)
	line.AddSeries("SLI ("+r.Spec.Window.String()+" window)", data,
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
		charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: fmt.Sprintf("objective %v%%", r.Spec.Objective), YAxis: r.Spec.Objective}),
		charts.WithMarkLineStyleOpts(thresholdStyle),
		markAreas(marks),
	)
	return Chart{ID: id, Title: "Compliance (SLI)", Option: finish(line)}
}

// BudgetChart draws the error budget remaining (percent) over the timeline.
func BudgetChart(id string, r *slo.Report, marks []Mark) Chart {
	tl := r.Timeline
	data := lineData(tl.FirstEnd, tl.Step, tl.BudgetRemaining, pickMin, 100, 2)
	line := newTimeChart(id, "%", false)
	line.AddSeries("budget remaining", data,
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
		charts.WithAreaStyleOpts(opts.AreaStyle{Opacity: opts.Float(0.15)}),
		charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: "exhausted", YAxis: 0}),
		charts.WithMarkLineStyleOpts(thresholdStyle),
		markAreas(marks),
	)
	return Chart{ID: id, Title: "Error budget remaining (burn-down)", Option: finish(line)}
}

// BurnChart draws burn rates with each alert rule's threshold as a line.
func BurnChart(id string, r *slo.Report, marks []Mark) Chart {
	tl := r.Timeline
	line := newTimeChart(id, "×", false)
	var thresholds []opts.MarkLineNameYAxisItem
	for _, rule := range r.Rules {
		thresholds = append(thresholds, opts.MarkLineNameYAxisItem{
			Name:  fmt.Sprintf("%s %s/%s", rule.Severity, rule.LongLabel, rule.ShortLabel),
			YAxis: round(rule.Threshold, 3),
		})
	}
	for i, b := range tl.Burn {
		series := []charts.SeriesOpts{charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)})}
		if i == 0 {
			series = append(series,
				charts.WithMarkLineNameYAxisItemOpts(thresholds...),
				charts.WithMarkLineStyleOpts(thresholdStyle),
				markAreas(marks))
		}
		line.AddSeries("burn rate "+b.Label, lineData(tl.FirstEnd, tl.Step, b.Values, pickMax, 1, 3), series...)
	}
	return Chart{ID: id, Title: "Burn rate", Option: finish(line)}
}

func newTimeChart(id, unit string, scale bool) *charts.Line {
	line := charts.NewLine()
	line.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id}),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "56", Right: "24", Top: "36", Bottom: "56"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "time"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Scale: opts.Bool(scale), Name: unit}),
		charts.WithDataZoomOpts(opts.DataZoom{Type: "inside"}, opts.DataZoom{Type: "slider"}),
	)
	return line
}

// finish turns the chart into its option map, dropping what go-echarts
// adds for its own page rendering.
func finish(line *charts.Line) map[string]any {
	line.Validate()
	option := line.JSON()
	return option
}

func markAreas(marks []Mark) charts.SeriesOpts {
	items := make([]opts.MarkAreaNameCoordItem, 0, len(marks))
	for _, m := range marks {
		color, ok := markColors[m.Kind]
		if !ok {
			color = markColors[MarkIncident]
		}
		items = append(items, opts.MarkAreaNameCoordItem{
			Name:        m.Name,
			Coordinate0: []any{m.Start.UnixMilli(), "min"},
			Coordinate1: []any{m.End.UnixMilli(), "max"},
			ItemStyle:   &opts.ItemStyle{Color: color},
		})
	}
	return func(s *charts.SingleSeries) {
		if len(items) == 0 {
			return
		}
		charts.WithMarkAreaNameCoordItemOpts(items...)(s)
	}
}

// thresholdStyle draws objective and alert lines dashed, labelled inside
// the plot so long labels are not cut at the edge.
var thresholdStyle = opts.MarkLineStyle{
	Symbol:    []string{"none", "none"},
	LineStyle: &opts.LineStyle{Type: "dashed", Color: "#d9534f"},
	Label:     &opts.Label{Show: opts.Bool(true), Position: "insideEndTop", Formatter: "{b}: {c}"},
}

type picker func(acc, v float64) float64

// pickMin keeps the worst compliance or budget in a bucket and pickMax the
// worst burn rate: thinning a chart must never hide a dip or a spike.
func pickMin(acc, v float64) float64 { return math.Min(acc, v) }
func pickMax(acc, v float64) float64 { return math.Max(acc, v) }

// lineData thins values to at most MaxChartPoints buckets, keeping in each
// the value pick prefers, scaled and rounded for the page. A bucket with no
// defined value draws as a gap (null).
func lineData(firstEnd time.Time, step time.Duration, values []float64, pick picker, scale float64, decimals int) []opts.LineData {
	n := len(values)
	bucket := (n + MaxChartPoints - 1) / MaxChartPoints
	if bucket < 1 {
		bucket = 1
	}
	out := make([]opts.LineData, 0, n/bucket+1)
	for start := 0; start < n; start += bucket {
		end := min(start+bucket, n)
		acc := math.NaN()
		for _, v := range values[start:end] {
			switch {
			case math.IsNaN(v) || math.IsInf(v, 0):
			case math.IsNaN(acc):
				acc = v
			default:
				acc = pick(acc, v)
			}
		}
		ts := firstEnd.Add(time.Duration(end-1) * step).UnixMilli()
		var y any
		if !math.IsNaN(acc) {
			y = round(acc*scale, decimals)
		}
		out = append(out, opts.LineData{Value: []any{ts, y}})
	}
	return out
}

func round(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}

// BlockChart draws a Markdown chart block from the SLO's report, limited to
// the block's time range. good and total are the SLO's per-step events on
// the timeline's grid, needed by the "events" kind only.
func BlockChart(b *ChartBlock, r *slo.Report, good, total []float64, marks []Mark) Chart {
	tl := r.Timeline
	lo, hi := stepRange(tl.FirstEnd, tl.Step, len(tl.SLI), b.From, b.To)
	part := *r
	part.Timeline = slo.Timeline{
		FirstEnd: tl.FirstEnd.Add(time.Duration(lo) * tl.Step), Step: tl.Step,
		SLI: tl.SLI[lo:hi], BudgetRemaining: tl.BudgetRemaining[lo:hi],
	}
	for _, s := range tl.Burn {
		part.Timeline.Burn = append(part.Timeline.Burn, slo.BurnSeries{Label: s.Label, Values: s.Values[lo:hi]})
	}
	var c Chart
	switch b.Kind {
	case "sli":
		c = SLIChart(b.ID, &part, marks)
	case "burn-down":
		c = BudgetChart(b.ID, &part, marks)
	case "burn-rate":
		c = BurnChart(b.ID, &part, marks)
	default: // "events"
		c = eventsChart(b.ID, part.Timeline.FirstEnd, tl.Step, good[lo:hi], total[lo:hi], marks)
	}
	if b.Title != "" {
		c.Title = b.Title
	}
	return c
}

// stepRange returns the indexes [lo, hi) of the steps ending in (from, to],
// clamped to the n steps that exist.
func stepRange(firstEnd time.Time, step time.Duration, n int, from, to time.Time) (int, int) {
	// last is the index of the last step ending at or before t.
	last := func(t time.Time) int {
		d := t.Sub(firstEnd)
		i := int(d / step)
		if d < 0 && d%step != 0 {
			i-- // floor, not truncation, before the first step
		}
		return i
	}
	lo := min(max(last(from)+1, 0), n)
	hi := min(max(last(to)+1, lo), n)
	return lo, hi
}

func eventsChart(id string, firstEnd time.Time, step time.Duration, good, total []float64, marks []Mark) Chart {
	bad := make([]float64, len(total))
	for i := range total {
		bad[i] = total[i] - good[i]
	}
	line := newTimeChart(id, "events", false)
	line.AddSeries("bad events per "+Duration(step), lineData(firstEnd, step, bad, pickMax, 1, 1),
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}), markAreas(marks))
	line.AddSeries("all events per "+Duration(step), lineData(firstEnd, step, total, pickMax, 1, 1),
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}))
	return Chart{ID: id, Title: "Events", Option: finish(line)}
}
