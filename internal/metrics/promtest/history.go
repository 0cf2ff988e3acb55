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
// {code="500"}, scraped every Interval from Start to End. The counts are
// whole numbers, so every step's events can be compared exactly with what
// relia reads back from a store. A counter that never increases is left
// out, as client libraries leave out labelled counters never incremented.
//
// It can be shaped as production scrapes are: at an Offset from the step
// grid (Prometheus spreads targets over the interval), with counter resets
// (a process restart) and with series churn (a pod replaced, its series
// ending and a new one, with a new pod label, starting from zero).
type History struct {
	Start, End time.Time
	Interval   time.Duration
	// Offset moves every scrape Offset after the grid: the samples are at
	// Start+Offset, Start+Offset+Interval, … up to End.
	Offset time.Duration
	// Churn, when set, replaces each service's pod every Churn (counted
	// from Start): the series carry a pod label, and a new pod's counters
	// start at zero just after the old pod's last scrape.
	Churn    time.Duration
	Services []Service
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
	// Resets are process restarts: the counters restart from zero just
	// after the last scrape before each, so the first scrape at or after
	// it shows only that interval's requests.
	Resets []time.Time
}

// Metric is the counter's name; the OpenMetrics family is its name without
// _total.
const Metric = "http_requests_total"

// Samples is the number of samples per service and code.
func (h History) Samples() int { return int(h.End.Sub(h.Start.Add(h.Offset))/h.Interval) + 1 }

// scrape is the time of sample k.
func (h History) scrape(k int) time.Time { return h.Start.Add(h.Offset + time.Duration(k)*h.Interval) }

// counts returns the requests and errors of the interval ending at τ.
func (s Service) counts(τ time.Time, errAcc *int) (n, e int) {
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

// sample is one scrape of one service: the requests and errors of the
// interval it ends, and whether its counters started afresh with it (a
// reset, or a new pod).
type sample struct {
	at           time.Time
	pod          int
	n, e         int
	fresh, isNew bool // fresh: counters restarted; isNew: a new series (new pod)
}

// samples calls fn for every scrape of s in time order.
func (h History) samples(s Service, fn func(sample) error) error {
	acc, reset := 0, 0
	prevPod := 0
	for k := 0; ; k++ {
		τ := h.scrape(k)
		if τ.After(h.End) {
			return nil
		}
		sm := sample{at: τ}
		if h.Churn > 0 {
			sm.pod = int(τ.Sub(h.Start) / h.Churn)
		}
		if k > 0 {
			sm.n, sm.e = s.counts(τ, &acc)
			for reset < len(s.Resets) && !s.Resets[reset].After(τ) {
				sm.fresh = true
				reset++
			}
			if sm.pod != prevPod {
				sm.fresh, sm.isNew = true, true
			}
		}
		prevPod = sm.pod
		if err := fn(sm); err != nil {
			return err
		}
	}
}

// each calls fn for every sample, series after series, in time order.
func (h History) each(fn func(labels string, ts time.Time, v int64) error) error {
	for _, s := range h.Services {
		for _, code := range []string{"200", "500"} {
			if code == "500" && !h.anyErrors(s) {
				continue
			}
			var cum int64
			err := h.samples(s, func(sm sample) error {
				inc := int64(sm.n - sm.e)
				if code == "500" {
					inc = int64(sm.e)
				}
				if sm.fresh {
					cum = 0
				}
				cum += inc
				labels := fmt.Sprintf(`{code="%s",service="%s"}`, code, s.Name)
				if h.Churn > 0 {
					labels = fmt.Sprintf(`{code="%s",pod="%s-%d",service="%s"}`, code, s.Name, sm.pod, s.Name)
				}
				return fn(labels, sm.at, cum)
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func (h History) anyErrors(s Service) bool {
	return s.ErrorsPerMille > 0 || (s.BurstPerMille > 0 && s.BurstEnd.After(h.Start) && s.BurstStart.Before(h.End))
}

// Events returns the requests and failed requests of service whose scrape
// falls in (from, to], as the counters count them: the exact answer.
func (h History) Events(service string, from, to time.Time) (total, failed int64) {
	return h.sum(service, from, to, func(sample) bool { return true })
}

// FirstScrapes returns the requests and failed requests that only the
// first scrape of a new series (a new pod) shows, in (from, to]: what no
// difference between two scrapes of one series can see.
func (h History) FirstScrapes(service string, from, to time.Time) (total, failed int64) {
	return h.sum(service, from, to, func(sm sample) bool { return sm.isNew })
}

func (h History) sum(service string, from, to time.Time, keep func(sample) bool) (total, failed int64) {
	for _, s := range h.Services {
		if s.Name != service {
			continue
		}
		h.samples(s, func(sm sample) error {
			if sm.at.After(from) && !sm.at.After(to) && keep(sm) {
				total += int64(sm.n)
				failed += int64(sm.e)
			}
			return nil
		})
	}
	return total, failed
}

// WriteOpenMetrics writes the history in the OpenMetrics text format that
// promtool tsdb create-blocks-from openmetrics reads (Unix seconds, with
// fractions where a scrape is off the second).
func (h History) WriteOpenMetrics(w io.Writer) error { return WriteOpenMetrics(w, h) }

// WriteOpenMetrics writes several histories (of different services) as
// one OpenMetrics family.
func WriteOpenMetrics(w io.Writer, hs ...History) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, "# TYPE %s counter\n", Metric[:len(Metric)-len("_total")])
	for _, h := range hs {
		if err := h.writeSamples(bw); err != nil {
			return err
		}
	}
	bw.WriteString("# EOF\n")
	return bw.Flush()
}

func (h History) writeSamples(bw *bufio.Writer) error {
	return h.each(func(labels string, ts time.Time, v int64) error {
		var err error
		if ms := ts.UnixMilli() % 1000; ms != 0 {
			_, err = fmt.Fprintf(bw, "%s%s %d %d.%03d\n", Metric, labels, v, ts.Unix(), ms)
		} else {
			_, err = fmt.Fprintf(bw, "%s%s %d %d\n", Metric, labels, v, ts.Unix())
		}
		return err
	})
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
