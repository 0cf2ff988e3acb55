package metrics

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"testing"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// TestDecodeAnswer: relia reads query_range answers itself, and must sort
// failures as client_golang's API does, since classify relies on it.
func TestDecodeAnswer(t *testing.T) {
	for _, c := range []struct {
		name    string
		code    int
		body    string
		errType v1.ErrorType // "" for success
		series  int
	}{
		{"matrix", 200, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"relia_series":"total"},"values":[[1.5,"3"],[2,"NaN"]]}]},"warnings":["w"]}`, "", 1},
		{"empty", 200, `{"status":"success","data":{"resultType":"matrix","result":[]}}`, "", 0},
		{"error in a 200", 200, `{"status":"error","errorType":"execution","error":"boom"}`, v1.ErrExec, 0},
		{"truncated", 200, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"val`, v1.ErrBadResponse, 0},
		{"not a number", 200, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}}`, v1.ErrBadResponse, 0},
		{"bad_data", 400, `{"status":"error","errorType":"bad_data","error":"parse error"}`, v1.ErrBadData, 0},
		{"422 without JSON", 422, `oops`, v1.ErrClient, 0},
		{"400 claiming success", 400, `{"status":"success"}`, v1.ErrBadResponse, 0},
		{"503 page", 503, `Service Unavailable`, v1.ErrServer, 0},
		{"401", 401, `{"status":"error","errorType":"bad_data","error":"x"}`, v1.ErrClient, 0},
		{"HTML proxy page", 200, `<html>`, v1.ErrBadResponse, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := decodeAnswer(c.code, []byte(c.body))
			var ae *v1.Error
			switch {
			case c.errType == "" && err != nil:
				t.Fatalf("error %v", err)
			case c.errType != "" && (!errors.As(err, &ae) || ae.Type != c.errType):
				t.Fatalf("error %v, want type %s", err, c.errType)
			case c.errType == "" && len(a.series) != c.series:
				t.Fatalf("%d series, want %d", len(a.series), c.series)
			}
		})
	}
	a, _ := decodeAnswer(200, []byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"relia_series":"bad","x":"y"},"values":[[1762300860.25,"3"],[1762300920,"+Inf"]]}]},"warnings":["w"],"infos":["i"]}`))
	s := a.series[0]
	if len(s.ts) != 2 || s.ts[0] != 1762300860250 || s.vals[0] != 3 || len(a.warnings) != 1 || len(a.infos) != 1 || a.resultType != "matrix" {
		t.Errorf("decoded %+v", a)
	}
}

// BenchmarkDecodeAnswer decodes one query_range answer of 11,000 points,
// the most one request asks for: a cold build decodes thousands.
func BenchmarkDecodeAnswer(b *testing.B) {
	var body []byte
	body = append(body, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[`...)
	for i := range 11000 {
		if i > 0 {
			body = append(body, ',')
		}
		body = fmt.Appendf(body, `[%d,"%d"]`, 1787612580+60*i, 100+(i*7919)%900)
	}
	body = append(body, `]}]}}`...)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeAnswer(200, body); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseValue: the digits-only fast path gives exactly what strconv
// gives, and everything else goes to strconv.
func TestParseValue(t *testing.T) {
	for _, in := range []string{"0", "7", "007", "146", "999999999999999", "1000000000000000", "9007199254740993",
		"12345678901234567890", "NaN", "+Inf", "-Inf", "-3", "1e3", "1.5", "0.1", "1_000", "", "abc", "1 ", "0x10"} {
		got, err := parseValue([]byte(in))
		want, werr := strconv.ParseFloat(in, 64)
		if (err != nil) != (werr != nil) {
			t.Errorf("%q: err %v, strconv %v", in, err, werr)
			continue
		}
		if err == nil && math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("%q: %v, strconv %v", in, got, want)
		}
	}
}
