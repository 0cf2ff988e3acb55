package promtest

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"time"
)

// History is synthetic request-counter history for integration tests:
// for each service, http_requests_total{service=NAME,code="200"} and
// {code="500"}, sampled every Interval from Start to End inclusive. The
// counts are whole numbers, so stores that compute increase() exactly
// (VictoriaMetrics) and ones that extrapolate (Prometheus) can be compared
// with the expected figures. A counter that never increases is left out,
// as client libraries leave out labelled counters never incremented.
type History struct {
	Start, End time.Time
	Interval   time.Duration
	Services   []Service
}

// Service is one service's traffic.
type Service struct {
	Name           string
	Requests       int // requests per interval on average; it swings ±1/3 over the day
	ErrorsPerMille int // failed requests per 1,000, outside the burst
	// An error burst: from BurstStart (inclusive) to BurstEnd (exclusive),
	// BurstPerMille of the requests fail.
	BurstStart, BurstEnd time.Time
	BurstPerMille        int
}

// Metric is the counter's name; the OpenMetrics family is its name without
// _total.
const Metric = "http_requests_total"

// Samples is the number of samples per series.
func (h History) Samples() int { return int(h.End.Sub(h.Start)/h.Interval) + 1 }

// counts returns the requests and errors of the interval ending at τ.
func (s Service) counts(τ time.Time, interval time.Duration, errAcc *int) (n, e int) {
	day := float64(τ.Unix()%86400) / 86400
	n = s.Requests + int(math.Round(float64(s.Requests)/3*math.Sin(2*math.Pi*day)))
	perMille := s.ErrorsPerMille
	if !τ.Before(s.BurstStart) && τ.Before(s.BurstEnd) {
		perMille = s.BurstPerMille
	}
	*errAcc += n * perMille
	e = *errAcc / 1000
	*errAcc %= 1000
	return n, e
}

// each calls fn for every sample, series after series, in time order.
// Counters start at 0 at Start.
func (h History) each(fn func(labels string, ts time.Time, v int64) error) error {
	for _, s := range h.Services {
		for _, code := range []string{"200", "500"} {
			labels := fmt.Sprintf(`{code="%s",service="%s"}`, code, s.Name)
			if code == "500" && !h.anyErrors(s) {
				continue
			}
			var cum int64
			acc := 0
			for τ := h.Start; !τ.After(h.End); τ = τ.Add(h.Interval) {
				if τ.After(h.Start) {
					n, e := s.counts(τ, h.Interval, &acc)
					if code == "200" {
						cum += int64(n - e)
					} else {
						cum += int64(e)
					}
				}
				if err := fn(labels, τ, cum); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (h History) anyErrors(s Service) bool {
	return s.ErrorsPerMille > 0 || (s.BurstPerMille > 0 && s.BurstEnd.After(h.Start) && s.BurstStart.Before(h.End))
}

// Events returns the requests and failed requests of service in (from, to], as the
// counters count them: the exact answer increase() approximates.
func (h History) Events(service string, from, to time.Time) (total, failed int64) {
	for _, s := range h.Services {
		if s.Name != service {
			continue
		}
		acc := 0
		for τ := h.Start.Add(h.Interval); !τ.After(h.End); τ = τ.Add(h.Interval) {
			n, e := s.counts(τ, h.Interval, &acc)
			if τ.After(from) && !τ.After(to) {
				total += int64(n)
				failed += int64(e)
			}
		}
	}
	return total, failed
}

// WriteOpenMetrics writes the history in the OpenMetrics text format that
// promtool tsdb create-blocks-from openmetrics reads (Unix seconds).
func (h History) WriteOpenMetrics(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, "# TYPE %s counter\n", Metric[:len(Metric)-len("_total")])
	err := h.each(func(labels string, ts time.Time, v int64) error {
		_, err := fmt.Fprintf(bw, "%s%s %d %d\n", Metric, labels, v, ts.Unix())
		return err
	})
	if err != nil {
		return err
	}
	bw.WriteString("# EOF\n")
	return bw.Flush()
}

// WritePrometheusText writes the history in the Prometheus text format
// with millisecond timestamps, as VictoriaMetrics imports it.
func (h History) WritePrometheusText(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	err := h.each(func(labels string, ts time.Time, v int64) error {
		_, err := fmt.Fprintf(bw, "%s%s %d %d\n", Metric, labels, v, ts.UnixMilli())
		return err
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}
