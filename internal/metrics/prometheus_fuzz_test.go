package metrics

import (
	"context"
	"math"
	"net/http"
	"testing"
	"time"
)

// FuzzPrometheusResponse feeds arbitrary bodies to the source as query_range
// answers: whatever a store (or something posing as one) sends, Fetch must
// return a series or an error, never panic or return values relia would
// publish as negative or non-finite counts.
func FuzzPrometheusResponse(f *testing.F) {
	f.Add(200, []byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1762300860,"3"],[1762300920,"5"]]}]}}`))
	f.Add(200, []byte(`{"status":"success","data":{"resultType":"matrix","result":[]}}`))
	f.Add(200, []byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1762300861,"NaN"]]},{"metric":{"a":"b"},"values":[]}]}}`))
	f.Add(400, []byte(`{"status":"error","errorType":"bad_data","error":"parse error"}`))
	f.Add(200, []byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
	f.Add(200, []byte(`{"status":"succ`))
	f.Add(200, []byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"relia_series":"total"},"values":[[1762300860,"3"],[1762300920,"5"]]},{"metric":{"relia_series":"bad"},"values":[[1762300860,"1"]]}]}}`))
	f.Add(200, []byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"relia_series":"total"},"values":[[1762300860,"3",4]]}]}}`))
	f.Fuzz(func(t *testing.T, code int, body []byte) {
		if code < 200 || code > 599 || (code >= 500 && code != 503) {
			code = 200 // no retry loops in the fuzzer: one 5xx code stands for all
		}
		p := newTestProm(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Path == "/api/v1/query" {
				// The scrape probe: no series, so the chunks are asked for.
				_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
				return
			}
			w.WriteHeader(code)
			_, _ = w.Write(body)
		}), func(c *PrometheusConfig) {
			c.Retry = Retry{Attempts: 1, Base: time.Millisecond, Max: time.Millisecond, Budget: time.Second}
			c.Timeout = time.Second
		})
		from := time.Unix(1762300800, 0)
		q := Query{SLO: "web/availability", From: from, To: from.Add(5 * time.Minute), Step: time.Minute, Bad: "errors_total", Total: "requests_total"}
		s, err := p.Fetch(context.Background(), q)
		if err != nil {
			return
		}
		if s.Len() != q.Steps() {
			t.Fatalf("%d steps, want %d", s.Len(), q.Steps())
		}
		for i := range s.Len() {
			g, tot := s.Good[i], s.Total[i]
			if math.IsNaN(tot) != math.IsNaN(g) {
				t.Fatalf("step %d: good %v total %v: no data must be both", i, g, tot)
			}
			if !math.IsNaN(tot) && (math.IsInf(tot, 0) || math.IsInf(g, 0) || tot < 0 || g < 0 || g > tot) {
				t.Fatalf("step %d: good %v total %v", i, g, tot)
			}
		}
	})
}
