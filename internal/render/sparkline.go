package render

import (
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/relia-dev/relia/internal/slo"
)

// WeeklySparkline is a small chart of weekly compliance (percent) against
// the objective, for the executive summary: no legend, no zoom, no
// animation, so it prints as drawn.
func WeeklySparkline(id string, weeks []slo.Week, objective float64) Chart {
	line := charts.NewLine()
	line.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id}),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "4", Right: "4", Top: "6", Bottom: "4"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "time", Show: opts.Bool(false)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Scale: opts.Bool(true), Show: opts.Bool(false)}),
	)
	data := make([]opts.LineData, 0, len(weeks))
	for _, w := range weeks {
		var y any
		if !math.IsNaN(w.SLI) {
			y = round(w.SLI*100, 4)
		}
		data = append(data, opts.LineData{Value: []any{w.Start.UnixMilli(), y}})
	}
	line.AddSeries("weekly compliance", data,
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true), SymbolSize: 3}),
		charts.WithAreaStyleOpts(opts.AreaStyle{Opacity: opts.Float(0.15)}),
		charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: "objective", YAxis: objective}),
		charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"}, LineStyle: &opts.LineStyle{Type: "dashed", Color: "#d9534f"},
			Label: &opts.Label{Show: opts.Bool(false)}}),
	)
	return Chart{ID: id, Title: "Weekly compliance", Option: encodeOption(line, finish(line))}
}
