package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestPrometheusAnswerTooLarge checks that an answer streaming without end
// stops at max_response_bytes, as an input error that is not retried, with
// and without a Content-Length.
func TestPrometheusAnswerTooLarge(t *testing.T) {
	for _, declared := range []bool{false, true} {
		var mu sync.Mutex
		asked := map[string]int{}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			mu.Lock()
			asked[r.Form.Encode()]++
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			if declared {
				w.Header().Set("Content-Length", "1000000000")
			}
			w.Write([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[`))
			chunk := []byte(strings.Repeat(`[1,"1"],`, 512))
			for range 1 << 12 { // up to 16 MiB: far past the limit, stops when the client hangs up
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		})
		p := newTestProm(t, h, func(c *PrometheusConfig) { c.MaxResponseBytes = 64 << 10 })
		_, err := p.Fetch(context.Background(), promQuery(10))
		var qe *QueryError
		if !errors.As(err, &qe) || !strings.Contains(err.Error(), "larger than the limit of 65536 bytes (raise it with max_response_bytes in [limits])") {
			t.Errorf("declared %v: err = %v, want a QueryError naming the limit", declared, err)
		}
		// Each question asked once: a retry (3 tries here) would ask the
		// same question for the same answer.
		mu.Lock()
		for q, n := range asked {
			if n > 1 {
				t.Errorf("declared %v: asked %d times: %s", declared, n, q)
			}
		}
		mu.Unlock()
	}
}

// TestPrometheusSeriesChurn: relia asks for sum(...), one series; a store
// (or proxy) that answers a selector's 100,000 series of pod churn
// instead is refused by the count, within the size limit (an answer of
// more series than fit in max_response_bytes stops there first).
func TestPrometheusSeriesChurn(t *testing.T) {
	for _, c := range []struct {
		series int
		want   string
	}{
		{100_000, "query_range answered 100000 series; sum() gives one"},
		{400_000, "larger than the limit of 8388608 bytes (raise it with max_response_bytes in [limits])"},
	} {
		// The answer is built once, not per request: built in the
		// handler, under -race, it outlasted the client's timeout.
		var b strings.Builder
		b.WriteString(`{"status":"success","data":{"resultType":"matrix","result":[`)
		for i := range c.series {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"metric":{"pod":"p%d"},"values":[[%d,"1"]]}`, i, promT0.Add(38*time.Minute).Unix())
		}
		b.WriteString(`]}}`)
		body := []byte(b.String())
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Path == "/api/v1/query" {
				w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
				return
			}
			w.Write(body)
		})
		// A timeout that a loaded machine under -race cannot reach: the
		// test is about the answer's size and count, not its time.
		p := newTestProm(t, h, func(cfg *PrometheusConfig) { cfg.Timeout = time.Minute })
		_, err := p.Fetch(context.Background(), promQuery(10))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%d series: err = %v, want %s", c.series, err, c.want)
		}
	}
}
