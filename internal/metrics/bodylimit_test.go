package metrics

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
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
