package render

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/relia-dev/relia/internal/slo"
)

// MaxChartPoints bounds the points drawn per series. The figures on every
// page are computed on full-resolution data; only the drawing is thinned.
const MaxChartPoints = 1000

// Chart is a chart ready for a template: a container id and the echarts
// option, encoded once as script text (see encodeOption).
type Chart struct {
	ID     string
	Title  string
	Option template.JS

	// Marks are the spans the chart shades, in time order. The chart prints
	// no name over them (the names of runs an hour apart pile up into one
	// smear): the tooltip names the spans under the pointer, and the page
	// lists them in a key under the chart.
	Marks []Mark
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

// markStyle is how a kind of mark looks and is called.
type markStyle struct {
	shade string // on the chart and in the key's swatch
	edge  string // the shade at full strength: the swatch's edge, where the pale shade alone would look like an empty box
	kind  string // in the key
}

// markStyles style each kind of mark; unknown kinds look like incidents.
var markStyles = map[string]markStyle{
	MarkIncident:   {"rgba(240,173,78,0.25)", "rgb(240,173,78)", "incident"},
	MarkAdjustment: {"rgba(128,128,128,0.22)", "rgb(128,128,128)", "budget adjustment"},
	MarkChaos:      {"rgba(142,68,173,0.20)", "rgb(142,68,173)", "chaos run"},
	MarkChaosGap:   {"rgba(192,57,43,0.30)", "rgb(192,57,43)", "chaos run, detection gap"},
}

func (m Mark) style() markStyle {
	if st, ok := markStyles[m.Kind]; ok {
		return st
	}
	return markStyles[MarkIncident]
}

// SLIChart draws the window SLI (percent) over the timeline with the
// objective as a line and marks as shaded areas.
func SLIChart(id string, r *slo.Report, marks []Mark) Chart {
	tl := r.Timeline
	data := lineData(tl.FirstEnd, tl.Step, tl.SLI, pickMin, 100, 4)
	line := newTimeChart(id, "%", true)
	marks = marksOn(marks, tl.FirstEnd, tl.Step, len(tl.SLI))
	name := "SLI (" + r.Spec.Window.String() + " window)"
	addLine(line, name, data,
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
		charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: fmt.Sprintf("objective %v%%", r.Spec.Objective), YAxis: r.Spec.Objective}),
		charts.WithMarkLineStyleOpts(thresholdStyle),
		markAreas(marks),
	)
	return Chart{ID: id, Title: "Compliance (SLI)", Option: finishTime(line, "%", name), Marks: marks}
}

// BudgetChart draws the error budget remaining (percent) over the timeline.
func BudgetChart(id string, r *slo.Report, marks []Mark) Chart {
	tl := r.Timeline
	data := lineData(tl.FirstEnd, tl.Step, tl.BudgetRemaining, pickMin, 100, 2)
	line := newTimeChart(id, "%", false)
	marks = marksOn(marks, tl.FirstEnd, tl.Step, len(tl.SLI))
	addLine(line, "budget remaining", data,
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
		charts.WithAreaStyleOpts(opts.AreaStyle{Opacity: opts.Float(0.15)}),
		charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: "exhausted", YAxis: 0}),
		charts.WithMarkLineStyleOpts(thresholdStyle),
		markAreas(marks),
	)
	return Chart{ID: id, Title: "Error budget remaining (burn-down)", Option: finishTime(line, "%", "budget remaining"), Marks: marks}
}

// BurnChart draws burn rates on a log axis with each alert rule's
// threshold as a line. A log axis keeps a 120× spike and the 1–3× weeks
// that matter readable on one chart, and spaces the workbook's thresholds
// (14.4, 6, 3, 1: each about twice the next) evenly; rates below the
// axis' floor, which a log axis cannot show (0 above all), are drawn at
// the floor.
func BurnChart(id string, r *slo.Report, marks []Mark) Chart {
	tl := r.Timeline
	line := newTimeChart(id, "×", false)
	marks = marksOn(marks, tl.FirstEnd, tl.Step, len(tl.SLI))
	var all [][]float64
	for _, b := range tl.Burn {
		all = append(all, b.Values)
	}
	axis, floor := burnAxis(r.Rules, all...)
	var names []string
	for i, b := range tl.Burn {
		series := []charts.SeriesOpts{charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)})}
		if i == 0 {
			series = append(series, thresholdLines(r.Rules), markAreas(marks))
		}
		names = append(names, "burn rate "+b.Label)
		addLine(line, names[i], burnData(tl.FirstEnd, tl.Step, b.Values, floor), series...)
	}
	line.SetGlobalOptions(charts.WithYAxisOpts(axis))
	return Chart{ID: id, Title: "Burn rate", Option: finishTime(line, "×", names...), Marks: marks}
}

// BurnFloor is the lowest burn rate a burn-rate chart draws unless an
// alert threshold lies lower: a hundredth of the sustainable rate is
// nothing burning for any reader.
const BurnFloor = 0.01

// burnData is lineData for burn rates, with the points below floor raised
// to it; such a point carries its true value third, for the tooltip.
func burnData(firstEnd time.Time, step time.Duration, values []float64, floor float64) points {
	data := lineData(firstEnd, step, values, pickMax, 1, 3)
	for i, d := range data {
		if !math.IsNaN(d.y) && d.y < floor {
			data[i] = point{ms: d.ms, y: floor, raw: d.y, hasRaw: true}
		}
	}
	return data
}

// burnAxis is the log axis of a burn-rate chart and its floor, the lowest
// value it shows. It reaches from BurnFloor (or lower, to keep every
// threshold line well above the floor) to the highest rate drawn or the
// highest threshold, whichever is higher: how far below its thresholds an
// SLO stayed is what the reader looks for. Both ends are 1, 2 or 5 times a
// power of ten.
func burnAxis(rules []slo.Rule, series ...[]float64) (opts.YAxis, float64) {
	lo, hi := BurnFloor, BurnFloor*10
	for _, rule := range rules {
		lo = math.Min(lo, niceFloor(rule.Threshold/2))
		hi = math.Max(hi, rule.Threshold)
	}
	for _, values := range series {
		for _, v := range values {
			// A comparison, not math.Max: this loop sees every step of
			// four series, and math.Max's care for NaN and signed zeros
			// (which v > hi > 0 excludes anyway) was a tenth of the CPU
			// of a warm build of 200 SLOs at 1-minute steps.
			if v > hi && v <= math.MaxFloat64 {
				hi = v
			}
		}
	}
	axis := opts.YAxis{Type: "log", Min: lo, Max: niceCeil(hi), AxisLabel: &opts.AxisLabel{Formatter: "{value}×"}}
	if e := math.Log10(axis.Max.(float64)); math.Abs(e-math.Round(e)) > 1e-9 {
		// A top of 2 or 5 × 10ⁿ sits a few px above the 10ⁿ label: leave
		// the top edge unlabelled.
		axis.AxisLabel.ShowMaxLabel = opts.Bool(false)
	}
	return axis, lo
}

// niceSteps are the mantissas of the ends of a log axis.
var niceSteps = []float64{1, 2, 5, 10}

// niceCeil rounds v > 0 up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range niceSteps {
		// round(·) absorbs the error of Pow and Log10: 20 must stay 20.
		if c := round(m*p, 12); c >= round(v, 12) {
			return c
		}
	}
	return 10 * p
}

// niceFloor rounds v > 0 down to 1, 2 or 5 times a power of ten.
func niceFloor(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for i := len(niceSteps) - 1; i >= 0; i-- {
		if c := round(niceSteps[i]*p, 12); c <= round(v, 12) {
			return c
		}
	}
	return p / 2 // v just under p, which Pow and Log10 rounded up to it
}

// thresholdColors draw a paging rule's threshold red and a ticket's amber.
var thresholdColors = map[string]string{"page": "#d9534f", "ticket": "#e0a84a"}

// thresholdLine is an echarts markLine item with its own label and style,
// which go-echarts' items cannot carry.
type thresholdLine struct {
	Name      string          `json:"name"`
	YAxis     float64         `json:"yAxis"`
	Label     *opts.Label     `json:"label,omitempty"`
	LineStyle *opts.LineStyle `json:"lineStyle,omitempty"`
}

// thresholdLines draws each alert rule's threshold as a dashed line with
// its label inside the plot. Labels alternate between the right and the
// left end in threshold order, so two neighbouring lines never put their
// labels in one spot; rules with the same threshold share one line.
func thresholdLines(rules []slo.Rule) charts.SeriesOpts {
	var lines []thresholdLine
	for _, rule := range rules {
		name := fmt.Sprintf("%s %s/%s", rule.Severity, rule.LongLabel, rule.ShortLabel)
		y := round(rule.Threshold, 3)
		if i := slices.IndexFunc(lines, func(l thresholdLine) bool { return l.YAxis == y }); i >= 0 {
			lines[i].Name += ", " + name
			continue
		}
		color, ok := thresholdColors[rule.Severity]
		if !ok {
			color = thresholdColors["page"]
		}
		lines = append(lines, thresholdLine{Name: name, YAxis: y, LineStyle: &opts.LineStyle{Type: "dashed", Color: color}})
	}
	slices.SortStableFunc(lines, func(a, b thresholdLine) int { return cmp.Compare(b.YAxis, a.YAxis) })
	for i := range lines {
		pos := "insideEndTop"
		if i%2 == 1 {
			pos = "insideStartTop"
		}
		lines[i].Label = &opts.Label{Show: opts.Bool(true), Position: pos, Formatter: "{b}: {c}×", FontSize: 11}
	}
	return func(s *charts.SingleSeries) {
		if len(lines) == 0 {
			return
		}
		if s.MarkLines == nil {
			s.MarkLines = &opts.MarkLines{}
		}
		s.MarkLines.MarkLineStyle = thresholdStyle
		for _, l := range lines {
			s.MarkLines.Data = append(s.MarkLines.Data, l)
		}
	}
}

// newTimeChart is a line chart over time. unit follows each value on the
// y axis ("%", "×"); the axis carries no name, which a phone's legend
// would cover.
func newTimeChart(id, unit string, scale bool) *charts.Line {
	line := charts.NewLine()
	line.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id}),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "56", Right: "24", Top: "36", Bottom: "64"}),
		// A label under the first tick must clear the y axis' lowest label.
		charts.WithXAxisOpts(opts.XAxis{Type: "time", AxisLabel: &opts.AxisLabel{HideOverlap: opts.Bool(true), Margin: 12}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Scale: opts.Bool(scale), AxisLabel: &opts.AxisLabel{Formatter: types.FuncStr("{value}" + unit)}}),
	)
	return line
}

// finish turns the chart into its option map.
func finish(line *charts.Line) map[string]any {
	line.Validate()
	return line.JSON()
}

// encodeOption is the option of line's chart (option, finished from line)
// as the script text html/template writes for the option value in a
// <script>: encoding/json's text, whose default escaping of <, >, &,
// U+2028 and U+2029 is what makes user text (SLO descriptions, incident
// titles) safe there. Handing the template the map instead had it encode
// the option again and copy it rune by rune, on every page.
//
// The series' points, most of the text, are written straight into it:
// encoding/json would re-read the text of each json.Marshaler to compact
// it, the largest cost of a retrospective. While the rest is encoded, each
// series holds a slot, a JSON string of a 0xFF byte and its number; no
// other text can hold that byte, for encoding/json writes invalid UTF-8 as
// \ufffd. Should the slots not all come out once each, the option is
// encoded whole.
func encodeOption(line *charts.Line, option map[string]any) template.JS {
	var data []points
	for i := range line.MultiSeries {
		if p, ok := line.MultiSeries[i].Data.(points); ok {
			line.MultiSeries[i].Data = pointsSlot(len(data))
			data = append(data, p)
		}
	}
	b, err := json.Marshal(option)
	for i := range line.MultiSeries {
		if slot, ok := line.MultiSeries[i].Data.(pointsSlot); ok {
			line.MultiSeries[i].Data = data[slot]
		}
	}
	defer func() {
		// The text holds the points now: their buffers can draw the
		// next chart.
		for _, p := range data {
			p.release()
		}
	}()
	if err == nil && len(data) > 0 {
		if bytes.Count(b, []byte{slotByte}) == len(data) {
			return template.JS(splicePoints(b, data))
		}
		b, err = json.Marshal(option)
	}
	if err != nil {
		// A value JSON cannot hold, such as NaN, is a bug of relia's
		// charts: no chart, as html/template draws it, with the reason in
		// a comment a page's reader can find.
		return template.JS(" /* " + strings.ReplaceAll(err.Error(), "*/", "* /") + " */null ")
	}
	return template.JS(b)
}

// slotByte marks a series' slot in an encoded option: see encodeOption.
const slotByte = 0xFF

// pointsSlot stands for the points of a series while its option is
// encoded: "\xFF3" for the fourth.
type pointsSlot int

// MarshalJSON implements json.Marshaler.
func (s pointsSlot) MarshalJSON() ([]byte, error) {
	return append(strconv.AppendInt([]byte{'"', slotByte}, int64(s), 10), '"'), nil
}

// splicePoints writes the encoded option b with each slot replaced by the
// points it stands for.
func splicePoints(b []byte, data []points) string {
	n := len(b)
	for _, p := range data {
		n += len(p) * 36
	}
	var sb strings.Builder
	sb.Grow(n)
	var scratch [96]byte
	for len(b) > 0 {
		at := bytes.IndexByte(b, slotByte)
		if at < 0 {
			sb.Write(b)
			break
		}
		sb.Write(b[:at-1]) // up to the slot's opening quote
		end := at + 1
		for b[end] != '"' {
			end++
		}
		slot, _ := strconv.Atoi(string(b[at+1 : end]))
		sb.WriteByte('[')
		for i, pt := range data[slot] {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.Write(pt.appendJSON(scratch[:0]))
		}
		sb.WriteByte(']')
		b = b[end+1:]
	}
	return sb.String()
}

// narrowLegend is the width (px) a one-line legend has on the narrowest
// phone, 360 px wide.
const narrowLegend = 300

// NarrowWidth is the chart width (CSS px) below which a time chart takes
// its phone layout: smaller type, thinner margins, fewer time labels.
const NarrowWidth = 600

// finishTime is finish for a time chart: the option becomes an echarts
// media option with a phone layout, and carries under "relia" what the
// page's tooltip formatter needs (the unit of the values), which relia.js
// takes out before echarts sees the option. legend names the series, to
// leave room for a legend that wraps onto a second line on a phone.
func finishTime(line *charts.Line, unit string, legend ...string) template.JS {
	top := 36
	if legendWidth(legend, 11) > narrowLegend {
		top = 58
	}
	narrow := map[string]any{
		"grid":   map[string]any{"left": 48, "right": 14, "top": top, "bottom": 60},
		"legend": map[string]any{"itemGap": 8, "itemWidth": 18, "textStyle": map[string]any{"fontSize": 11}},
		"xAxis":  map[string]any{"splitNumber": 3, "axisLabel": map[string]any{"fontSize": 10}},
		"yAxis":  map[string]any{"axisLabel": map[string]any{"fontSize": 10}},
	}
	base := finish(line)
	// Zoom with the wheel or a pinch, and with a slider kept clear of the
	// time axis' labels (go-echarts cannot place it).
	base["dataZoom"] = []any{
		map[string]any{"type": "inside"},
		map[string]any{"type": "slider", "bottom": 6, "height": 22},
	}
	return encodeOption(line, map[string]any{
		"baseOption": base,
		"media":      []any{map[string]any{"query": map[string]any{"maxWidth": NarrowWidth}, "option": narrow}},
		"relia":      map[string]any{"unit": unit},
	})
}

// legendWidth estimates, in px, the width of a one-line legend of names
// at a font size: an icon, a gap and about 0.6 em a character each. It
// errs wide: a legend taken for two lines only costs a little plot height.
func legendWidth(names []string, fontSize float64) float64 {
	w := 0.0
	for _, n := range names {
		w += 18 + 5 + 8 + 0.6*fontSize*float64(utf8.RuneCountInString(n))
	}
	return w
}

// marksOn keeps the marks that overlap the n steps ending at firstEnd,
// firstEnd+step, …, in time order: the others are off the chart, and out
// of its key.
func marksOn(marks []Mark, firstEnd time.Time, step time.Duration, n int) []Mark {
	from, to := firstEnd.Add(-step), firstEnd.Add(time.Duration(n-1)*step)
	var out []Mark
	for _, m := range marks {
		if m.End.After(from) && m.Start.Before(to) {
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, func(a, b Mark) int { return a.Start.Compare(b.Start) })
	return out
}

// areaEdge is one edge of an echarts markArea item given by x alone, which
// spans the whole plot height; go-echarts has no such pair, and its
// "min"/"max" corners reach only from the lowest to the highest value.
type areaEdge struct {
	Name      string          `json:"name,omitempty"`
	XAxis     int64           `json:"xAxis"`
	ItemStyle *opts.ItemStyle `json:"itemStyle,omitempty"`
}

// markAreas shades the marks without a label: the names of close spans
// would print over each other, so the tooltip and the key under the chart
// name them instead.
func markAreas(marks []Mark) charts.SeriesOpts {
	return func(s *charts.SingleSeries) {
		if len(marks) == 0 {
			return
		}
		s.MarkAreas = &opts.MarkAreas{MarkAreaStyle: opts.MarkAreaStyle{Label: &opts.Label{Show: opts.Bool(false)}}}
		for _, m := range marks {
			s.MarkAreas.Data = append(s.MarkAreas.Data, []areaEdge{
				{Name: m.Name, XAxis: m.Start.UnixMilli(), ItemStyle: &opts.ItemStyle{Color: m.style().shade}},
				{XAxis: m.End.UnixMilli()},
			})
		}
	}
}

// thresholdStyle draws objective and alert lines dashed, labelled inside
// the plot so long labels are not cut at the edge.
var thresholdStyle = opts.MarkLineStyle{
	Symbol:    []string{"none", "none"},
	LineStyle: &opts.LineStyle{Type: "dashed", Color: "#d9534f"},
	Label:     &opts.Label{Show: opts.Bool(true), Position: "insideEndTop", Formatter: "{b}: {c}", FontSize: 11},
}

// picker chooses the value a thinned bucket keeps: pickMin the worst
// compliance or budget and pickMax the worst burn rate, since thinning a
// chart must never hide a dip or a spike.
type picker bool

const (
	pickMin picker = false
	pickMax picker = true
)

// better reports whether v replaces acc, as math.Max(acc, v) or
// math.Min(acc, v) would (+0 above −0), for values that are neither NaN
// nor infinite. A comparison inlined in lineData's loop, not a call of
// math.Min or math.Max through a function value per step: the loop sees
// every step of every charted series.
func (p picker) better(acc, v float64) bool {
	if p == pickMax {
		return v > acc || (v == 0 && acc == 0 && !math.Signbit(v))
	}
	return v < acc || (v == 0 && acc == 0 && math.Signbit(v))
}

// lineData thins values to at most MaxChartPoints buckets, keeping in each
// the value pick prefers, scaled and rounded for the page. A bucket with no
// defined value draws as a gap (null).
func lineData(firstEnd time.Time, step time.Duration, values []float64, pick picker, scale float64, decimals int) points {
	n := len(values)
	bucket := (n + MaxChartPoints - 1) / MaxChartPoints
	if bucket < 1 {
		bucket = 1
	}
	out := newPoints(n/bucket + 1)
	for start := 0; start < n; start += bucket {
		end := min(start+bucket, n)
		acc := math.NaN()
		for _, v := range values[start:end] {
			switch {
			case math.IsNaN(v) || math.IsInf(v, 0):
			case math.IsNaN(acc) || pick.better(acc, v):
				acc = v
			}
		}
		y := math.NaN()
		if !math.IsNaN(acc) {
			y = round(acc*scale, decimals)
		}
		out = append(out, point{ms: firstEnd.Add(time.Duration(end-1) * step).UnixMilli(), y: y})
	}
	return out
}

func round(v float64, decimals int) float64 {
	p := pow10(decimals)
	return math.Round(v*p) / p
}

// powers10 are 10⁰ … 10²², each exactly a float64 and each equal to
// math.Pow(10, n), which round called for every point drawn.
var powers10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

func pow10(n int) float64 {
	if n >= 0 && n < len(powers10) {
		return powers10[n]
	}
	return math.Pow(10, float64(n))
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
	line := newTimeChart(id, "", false)
	marks = marksOn(marks, firstEnd, step, len(total))
	badName, allName := "bad events per "+Duration(step), "all events per "+Duration(step)
	addLine(line, badName, lineData(firstEnd, step, bad, pickMax, 1, 1),
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}), markAreas(marks))
	addLine(line, allName, lineData(firstEnd, step, total, pickMax, 1, 1),
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}))
	return Chart{ID: id, Title: "Events", Option: finishTime(line, "", badName, allName), Marks: marks}
}
