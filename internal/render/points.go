package render

import (
	"math"
	"strconv"
	"sync"

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

// pointBufs recycles the buffers of points once a chart's option is
// encoded: a chart block of a few days draws about a thousand points,
// 28 KB, and a site draws one for every retrospective.
var pointBufs sync.Pool

// newPoints is an empty points with room for n.
func newPoints(n int) points {
	if p, ok := pointBufs.Get().(*points); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make(points, 0, n)
}

// release hands the buffer of p to newPoints: p must not be used after.
func (p points) release() {
	p = p[:0]
	pointBufs.Put(&p)
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
	if d, k, ok := shortDecimal(f); ok {
		return appendDecimal(b, k, d, math.Signbit(f))
	}
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

// shortDecimal finds, for a value drawn on a chart (rounded to at most
// four decimals by lineData), the integer k with f = k / 10^d: then k
// with its point d digits from the right is the shortest text that reads
// back as f, the one strconv would find with more work. It reads back as
// f because k / 10^d, both exact, is rounded once, as parsing rounds the
// decimal; and no shorter text does, for every other decimal of as many
// digits or fewer lies at least 10^-d away, more than f's spacing to its
// neighbours below 10^9. Other values are not ok.
func shortDecimal(f float64) (d int, k int64, ok bool) {
	if !(math.Abs(f) < 1e9) {
		return 0, 0, false
	}
	for d, p := range shortScales {
		if s := f * p; s == math.Trunc(s) && s/p == f {
			return d, int64(math.Abs(s)), true
		}
	}
	return 0, 0, false
}

var shortScales = [...]float64{1, 10, 100, 1000, 10000}

// appendDecimal writes k / 10^d (k ≥ 0, negative when neg) without
// trailing zeros after the point.
func appendDecimal(b []byte, k int64, d int, neg bool) []byte {
	if neg {
		b = append(b, '-')
	}
	start := len(b)
	b = strconv.AppendInt(b, k, 10)
	if d == 0 {
		return b
	}
	if n := len(b) - start; n <= d {
		// 0.0…: pad the digits to d behind "0."
		b = append(b, make([]byte, d-n+2)...)
		copy(b[start+d-n+2:], b[start:start+n])
		b[start], b[start+1] = '0', '.'
		for i := start + 2; i < start+d-n+2; i++ {
			b[i] = '0'
		}
	} else {
		b = append(b, 0)
		point := len(b) - 1 - d
		copy(b[point+1:], b[point:len(b)-1])
		b[point] = '.'
	}
	for b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	return b
}
