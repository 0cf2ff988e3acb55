package render

import (
	"math"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
)

// points are a line's data as echarts takes it: [{"value":[ms,y]},…],
// with y null where the line has a gap. They write their own JSON, the
// same text encoding/json writes for the []opts.LineData go-echarts
// takes: reflection over an opts.LineData and its []any per point was most
// of what a chart cost, and a large site draws thousands of charts of up
// to MaxChartPoints points.
type points []point

type point struct {
	ms     int64   // Unix milliseconds
	y      float64 // NaN: a gap (null)
	raw    float64 // with hasRaw, a third value: the true value of a point drawn at a floor
	hasRaw bool
}

// MarshalJSON implements json.Marshaler.
func (p points) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(p)*36)
	b = append(b, '[')
	for i, pt := range p {
		if i > 0 {
			b = append(b, ',')
		}
		b = pt.appendJSON(b)
	}
	return append(b, ']'), nil
}

// appendJSON appends the point as {"value":[ms,y]} or {"value":[ms,y,raw]}.
func (pt point) appendJSON(b []byte) []byte {
	b = append(b, `{"value":[`...)
	b = strconv.AppendInt(b, pt.ms, 10)
	b = append(b, ',')
	if math.IsNaN(pt.y) {
		b = append(b, "null"...)
	} else {
		b = appendJSONFloat(b, pt.y)
	}
	if pt.hasRaw {
		b = append(b, ',')
		b = appendJSONFloat(b, pt.raw)
	}
	return append(b, "]}"...)
}

// appendJSONFloat writes a finite f as encoding/json does: the shortest
// text that reads back as f, in exponent form only below 1e-6 or from
// 1e21 on, with the exponent's leading zero dropped.
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-07 → e-7, as encoding/json.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// addLine adds a series drawn from data: AddSeries with the data swapped
// for points, which go-echarts keeps as an opaque value.
func addLine(line *charts.Line, name string, data points, options ...charts.SeriesOpts) {
	line.AddSeries(name, nil, options...)
	line.MultiSeries[len(line.MultiSeries)-1].Data = data
}
