package render

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/go-echarts/go-echarts/v2/opts"
)

// TestPointsJSON: points write exactly what encoding/json writes for the
// []opts.LineData they replace, so pages stay byte for byte the same.
func TestPointsJSON(t *testing.T) {
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 99.9999, 100, 14.4, 1e-6, 9.99e-7, 1.5e-7, 1e-10,
		1e20, 1e21, 1.5e21, 123456789012345678, -2.5e-8, math.MaxFloat64, math.SmallestNonzeroFloat64, math.NaN()}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		values = append(values, round(r.NormFloat64()*math.Pow(10, float64(r.IntN(30)-15)), r.IntN(6)))
	}
	var pts points
	var want []opts.LineData
	for i, v := range values {
		ms := int64(1794315900000 + i*300000)
		if i%7 == 3 {
			ms = -ms
		}
		var y any
		if !math.IsNaN(v) {
			y = v
		}
		if i%5 == 2 && !math.IsNaN(v) {
			// a burn rate drawn at the floor, its true value third
			pts = append(pts, point{ms: ms, y: 0.01, raw: v, hasRaw: true})
			want = append(want, opts.LineData{Value: []any{ms, 0.01, v}})
			continue
		}
		pts = append(pts, point{ms: ms, y: v})
		want = append(want, opts.LineData{Value: []any{ms, y}})
	}
	got, err := json.Marshal(pts)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(wantJSON) {
		for i := range min(len(got), len(wantJSON)) {
			if got[i] != wantJSON[i] {
				t.Fatalf("differs at byte %d:\n got …%s\nwant …%s", i, got[max(i-40, 0):min(i+40, len(got))], wantJSON[max(i-40, 0):min(i+40, len(wantJSON))])
			}
		}
		t.Fatalf("lengths differ: %d vs %d", len(got), len(wantJSON))
	}
	if empty, _ := json.Marshal(points{}); string(empty) != "[]" {
		t.Errorf("no points: %s", empty)
	}
}

// appendJSONFloat's short path for values rounded to a few decimals must
// write what encoding/json writes, for every such value and for the
// values near them that are not so rounded.
func TestAppendJSONFloatShort(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	values := []float64{0, math.Copysign(0, -1), 0.1, 0.2, 0.3, 0.7, 1e-4, 5e-5, 999999999.9999, 1e9, -1e9, 123456789.1234, 0.29, 14.4, 1.005}
	for range 200000 {
		d := r.IntN(7)
		mag := math.Pow(10, float64(r.IntN(14)-3))
		v := round(r.NormFloat64()*mag, d)
		values = append(values, v, math.Nextafter(v, math.Inf(1)), v*1.0000001)
	}
	for _, v := range values {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONFloat(nil, v); string(got) != string(want) {
			t.Fatalf("appendJSONFloat(%v) = %s, want %s", v, got, want)
		}
	}
}
