package render

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/slo"
)

func TestNiceEnds(t *testing.T) {
	for _, c := range []struct{ v, ceil, floor float64 }{
		{120, 200, 100},
		{13.44, 20, 10},
		{20, 20, 20},
		{0.93, 1, 0.5},
		{0.465, 0.5, 0.2},
		{1, 1, 1},
		{5.6, 10, 5},
		{0.0015, 0.002, 0.001},
		{0.1, 0.1, 0.1},
	} {
		if got := niceCeil(c.v); got != c.ceil {
			t.Errorf("niceCeil(%v) = %v, want %v", c.v, got, c.ceil)
		}
		if got := niceFloor(c.v); got != c.floor {
			t.Errorf("niceFloor(%v) = %v, want %v", c.v, got, c.floor)
		}
	}
}

// workbook are the four default rules of a 30-day window.
var workbook = []slo.Rule{
	{Severity: "page", LongLabel: "1h", ShortLabel: "5m", Threshold: 14.4},
	{Severity: "page", LongLabel: "6h", ShortLabel: "30m", Threshold: 6},
	{Severity: "ticket", LongLabel: "1d", ShortLabel: "2h", Threshold: 3},
	{Severity: "ticket", LongLabel: "3d", ShortLabel: "6h", Threshold: 1},
}

func TestBurnAxis(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name          string
		rules         []slo.Rule
		series        [][]float64
		min, max      float64
		hideTopLabels bool
	}{
		// The spike sets the top: 120 → 200, whose label would sit on 100's.
		{"spike", workbook, [][]float64{{0, 0.5, 120, nan}}, 0.01, 200, true},
		// Quiet: the page threshold 14.4 still shows, under a top of 20.
		{"quiet", workbook, [][]float64{{0, 0.2}, {0.1}}, 0.01, 20, true},
		// A top that is a power of ten keeps its label.
		{"power of ten", workbook, [][]float64{{100}}, 0.01, 100, false},
		// A 2-hour window's thresholds lie below 0.01: the floor goes down
		// to half the lowest (0.003 / 2 → 0.001), so every line shows.
		{"low thresholds", []slo.Rule{{Threshold: 0.04}, {Threshold: 0.003}}, [][]float64{{0, 0}}, 0.001, 0.1, false},
		// No rule and no burn: one decade above the floor.
		{"empty", nil, [][]float64{{nan, math.Inf(1)}}, 0.01, 0.1, false},
	} {
		axis, floor := burnAxis(c.rules, c.series...)
		if axis.Type != "log" || axis.Min != c.min || floor != c.min || axis.Max != c.max {
			t.Errorf("%s: axis %s [%v, %v], want log [%v, %v]", c.name, axis.Type, axis.Min, axis.Max, c.min, c.max)
		}
		hidden := axis.AxisLabel.ShowMaxLabel != nil && !*axis.AxisLabel.ShowMaxLabel
		if hidden != c.hideTopLabels {
			t.Errorf("%s: top label hidden = %v, want %v", c.name, hidden, c.hideTopLabels)
		}
	}
}

// Points below the floor are drawn at the floor and keep their true value
// for the tooltip; gaps stay gaps.
func TestBurnData(t *testing.T) {
	t0 := time.Unix(0, 0)
	got := burnData(t0, time.Minute, []float64{0, 0.004, 0.01, 2.5, math.NaN()}, 0.01)
	// As echarts reads them: [ms, drawn, true value] below the floor.
	want := `[{"value":[0,0.01,0]},{"value":[60000,0.01,0.004]},{"value":[120000,0.01]},{"value":[180000,2.5]},{"value":[240000,null]}]`
	js, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if string(js) != want {
		t.Errorf("burnData:\n got %s\nwant %s", js, want)
	}
}

// seriesJSON is the first series of a time chart's option, as the page's
// script receives it.
func seriesJSON(t *testing.T, c Chart) map[string]any {
	t.Helper()
	b := []byte(c.Option)
	var o struct {
		BaseOption struct {
			Series []map[string]any
		}
	}
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	if len(o.BaseOption.Series) == 0 {
		t.Fatalf("no series in %s", b)
	}
	return o.BaseOption.Series[0]
}

// Threshold labels alternate ends from the highest line down, so the
// labels of neighbouring lines never share a spot; equal thresholds share
// one line and one label; page lines are red, ticket lines amber.
func TestThresholdLines(t *testing.T) {
	rules := append([]slo.Rule{{Severity: "ticket", LongLabel: "2h", ShortLabel: "10m", Threshold: 6}}, workbook...)
	r := &slo.Report{Rules: rules, Timeline: slo.Timeline{FirstEnd: time.Unix(600, 0), Step: time.Minute,
		SLI: []float64{1, 1}, Burn: []slo.BurnSeries{{Label: "1h", Values: []float64{0, 1}}}}}
	s := seriesJSON(t, BurnChart("b", r, nil))
	var got []string
	for _, d := range s["markLine"].(map[string]any)["data"].([]any) {
		m := d.(map[string]any)
		label := m["label"].(map[string]any)
		got = append(got, m["name"].(string)+" @"+label["position"].(string)+" "+m["lineStyle"].(map[string]any)["color"].(string))
	}
	want := []string{
		"page 1h/5m @insideEndTop #d9534f",
		"ticket 2h/10m, page 6h/30m @insideStartTop #e0a84a",
		"ticket 1d/2h @insideEndTop #e0a84a",
		"ticket 3d/6h @insideStartTop #e0a84a",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("threshold lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Marks are shaded over the whole plot height without a label, and only
// those on the chart are drawn and listed, in time order.
func TestMarksOnChart(t *testing.T) {
	t0 := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	r := &slo.Report{Spec: slo.Spec{Objective: 99.9, Window: slo.Window{Rolling: time.Hour}},
		Timeline: slo.Timeline{FirstEnd: t0, Step: time.Minute, SLI: make([]float64, 61), BudgetRemaining: make([]float64, 61)}}
	marks := []Mark{
		{Name: "late run", Start: t0.Add(50 * time.Minute), End: t0.Add(70 * time.Minute), Kind: MarkChaos},
		{Name: "before", Start: t0.Add(-3 * time.Hour), End: t0.Add(-2 * time.Hour)},
		{Name: "first step", Start: t0.Add(-90 * time.Second), End: t0.Add(-30 * time.Second), Kind: MarkAdjustment},
		{Name: "after", Start: t0.Add(61 * time.Minute), End: t0.Add(2 * time.Hour)},
	}
	c := SLIChart("s", r, marks)
	var names []string
	for _, m := range c.Marks {
		names = append(names, m.Name)
	}
	if got := strings.Join(names, ", "); got != "first step, late run" {
		t.Errorf("marks on the chart: %s", got)
	}
	area := seriesJSON(t, c)["markArea"].(map[string]any)
	if show := area["label"].(map[string]any)["show"]; show != false {
		t.Errorf("mark area labels shown: %v", show)
	}
	first := area["data"].([]any)[0].([]any)
	from, to := first[0].(map[string]any), first[1].(map[string]any)
	if from["name"] != "first step" || from["xAxis"] != float64(t0.Add(-90*time.Second).UnixMilli()) || to["xAxis"] != float64(t0.Add(-30*time.Second).UnixMilli()) {
		t.Errorf("first area %v – %v", from, to)
	}
	if _, ok := from["yAxis"]; ok {
		t.Errorf("an area bounded in y does not span the plot: %v", from)
	}
	if from["itemStyle"].(map[string]any)["color"] != markStyles[MarkAdjustment].shade {
		t.Errorf("adjustment shade %v", from["itemStyle"])
	}
}

// The key lists each kind and name once, in time order, with its times in
// the site's zone; a recurring span says how often; names are escaped.
func TestChartKey(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	theme, err := LoadTheme("", berlin)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	key, err := theme.ChartKey([]Mark{
		{Name: "reindex", Start: day, End: day.Add(2 * time.Hour), Kind: MarkAdjustment},
		{Name: "<b>run</b>", Start: day.Add(30 * time.Hour), End: day.Add(30*time.Hour + 14*time.Minute), Kind: MarkChaosGap},
		{Name: "reindex", Start: day.Add(week), End: day.Add(week + 2*time.Hour), Kind: MarkAdjustment},
		{Name: "reindex", Start: day.Add(2 * week), End: day.Add(2*week + 2*time.Hour), Kind: MarkAdjustment},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `<ul class="chart-key">
<li><span class="swatch" style="background: rgba(128,128,128,0.22); border-color: rgb(128,128,128)"></span>reindex <span class="muted small">budget adjustment · 3 times, 2026-11-01 03:00 CET to 2026-11-15 05:00 CET</span></li>
<li><span class="swatch" style="background: rgba(192,57,43,0.30); border-color: rgb(192,57,43)"></span>&lt;b&gt;run&lt;/b&gt; <span class="muted small">chaos run, detection gap · 2026-11-02 09:00 CET, 14m</span></li>
</ul>
`
	if string(key) != want {
		t.Errorf("key:\n%s\nwant:\n%s", key, want)
	}
	if key, err := theme.ChartKey(nil); key != "" || err != nil {
		t.Errorf("no marks: %q, %v", key, err)
	}
}

// A time chart comes as an echarts media option whose phone layout leaves
// room for a legend on two lines when its names are long, with the unit
// for the page's tooltip beside it.
func TestTimeChartPhoneLayout(t *testing.T) {
	r := &slo.Report{Spec: slo.Spec{Objective: 99.9, Window: slo.Window{Rolling: time.Hour}}, Rules: workbook,
		Timeline: slo.Timeline{FirstEnd: time.Unix(600, 0), Step: time.Minute, SLI: []float64{1, 1}, BudgetRemaining: []float64{1, 1}}}
	for _, l := range []string{"1h", "6h", "1d", "3d"} {
		r.Timeline.Burn = append(r.Timeline.Burn, slo.BurnSeries{Label: l, Values: []float64{0, 1}})
	}
	for _, c := range []struct {
		chart Chart
		unit  string
		top   int
	}{
		{SLIChart("s", r, nil), "%", 36},
		{BudgetChart("b", r, nil), "%", 36},
		{BurnChart("r", r, nil), "×", 58}, // four "burn rate …" names: two lines at 360 px
		{RunChart("c", r, time.Unix(0, 0), time.Unix(720, 0), nil), "×", 36},
	} {
		b := []byte(c.chart.Option)
		var o struct {
			BaseOption map[string]any
			Media      []struct {
				Query  struct{ MaxWidth int }
				Option struct{ Grid struct{ Top int } }
			}
			Relia struct{ Unit string }
		}
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatal(err)
		}
		if o.BaseOption["series"] == nil || len(o.Media) != 1 || o.Media[0].Query.MaxWidth != NarrowWidth {
			t.Errorf("%s: not a media option: %s", c.chart.ID, b)
			continue
		}
		if o.Media[0].Option.Grid.Top != c.top || o.Relia.Unit != c.unit {
			t.Errorf("%s: phone grid top %d, unit %q; want %d, %q", c.chart.ID, o.Media[0].Option.Grid.Top, o.Relia.Unit, c.top, c.unit)
		}
	}
}

// round's table of powers of ten must be the values math.Pow gives, or
// every chart point could move by one in its last digit.
func TestPow10(t *testing.T) {
	for n := -3; n <= 25; n++ {
		if got, want := pow10(n), math.Pow(10, float64(n)); got != want {
			t.Errorf("pow10(%d) = %v, want %v", n, got, want)
		}
	}
}
