package check

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/metrics"
)

// SeriesCounter is a store that can say how many series match a
// selector: *metrics.Prometheus.
type SeriesCounter interface {
	CountSeries(ctx context.Context, selector string, from, to time.Time) (int, error)
}

// WhyNoData explains SLO s without data in series at the report time now,
// for relia check: no series match its selector, or the store holds
// samples but not in the window starting at windowStart (a gap, or history
// that ends early). store, when not nil, is asked which. A selector scraped
// too sparsely for the step never gets here: the fetch fails at the step
// setting. Times are shown in loc.
func WhyNoData(ctx context.Context, store SeriesCounter, s config.SLO, series *metrics.Series, windowStart, now time.Time, loc *time.Location) string {
	fmtTime := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04 MST") }
	if store != nil && !hasData(series, series.FirstEnd.Add(-series.Step)) {
		from := series.FirstEnd.Add(-series.Step)
		n, err := store.CountSeries(ctx, s.Total, from, now)
		switch {
		case err != nil:
			return fmt.Sprintf("could not ask the store why: %v", err)
		case n == 0:
			return fmt.Sprintf("no series match total = %s in the store between %s and %s; check the selector, its labels and the source's url", s.Total, fmtTime(from), fmtTime(now))
		}
		return fmt.Sprintf("%d series match total = %s, but the store answered no samples in %s – %s", n, s.Total, fmtTime(from), fmtTime(now))
	}
	if !hasData(series, series.FirstEnd.Add(-series.Step)) {
		return fmt.Sprintf("source %q holds no history for it between %s and %s", s.Source, fmtTime(series.FirstEnd.Add(-series.Step)), fmtTime(now))
	}
	from, to := longestGap(series, windowStart)
	switch {
	case to.IsZero():
		return ""
	case !to.Before(series.End(series.Len() - 1)):
		last := from
		for i := series.Len() - 1; i >= 0; i-- {
			if !math.IsNaN(series.Total[i]) {
				last = series.End(i)
				break
			}
		}
		return fmt.Sprintf("the latest samples are from %s and the store holds none since (scrapes stopped, or the series were renamed)", fmtTime(last))
	case !from.After(windowStart):
		return fmt.Sprintf("the store's samples begin only at %s", fmtTime(to))
	}
	return fmt.Sprintf("the store has no samples from %s to %s (a gap in the store)", fmtTime(from), fmtTime(to))
}

// hasData says whether any step ending after from has data.
func hasData(s *metrics.Series, from time.Time) bool {
	for i, t := range s.Total {
		if s.End(i).After(from) && !math.IsNaN(t) {
			return true
		}
	}
	return false
}

// longestGap is the longest run of steps without data ending after from,
// as the span (start of its first step, end of its last]; zero when there
// is none.
func longestGap(s *metrics.Series, from time.Time) (start, end time.Time) {
	bestLen, runStart := 0, -1
	for i := 0; i <= s.Len(); i++ {
		missing := i < s.Len() && s.End(i).After(from) && math.IsNaN(s.Total[i])
		switch {
		case missing && runStart < 0:
			runStart = i
		case !missing && runStart >= 0:
			if n := i - runStart; n > bestLen {
				bestLen = n
				start, end = s.End(runStart).Add(-s.Step), s.End(i-1)
			}
			runStart = -1
		}
	}
	return start, end
}
