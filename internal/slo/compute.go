package slo

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
)

// ErrSeries marks a series that does not fit the report: a step that differs
// from the configured one, Now off the series' grid, or a series that ends
// before Now. It is an error in the inputs (or in the source), not in the
// SLO definition.
var ErrSeries = errors.New("series does not fit the report")

// Burn-rate lookbacks, as configured, in the order of Report.BurnRates.
var lookbacks = [...]struct {
	label string
	d     time.Duration
}{
	{"5m", 5 * time.Minute},
	{"30m", 30 * time.Minute},
	{"1h", time.Hour},
	{"2h", 2 * time.Hour},
	{"6h", 6 * time.Hour},
	{"1d", day},
	{"3d", 3 * day},
}

// Indexes into lookbacks.
const (
	lb5m = iota
	lb30m
	lb1h
	lb2h
	lb6h
	lb1d
	lb3d
	numLookbacks
)

// timelineBurn are the lookbacks drawn in Timeline.Burn, in that order.
var timelineBurn = [...]int{lb1h, lb6h, lb1d, lb3d}

// alertRules are the multiwindow, multi-burn-rate rules of the SRE
// Workbook, chapter 5, with their long and short windows as lookbacks. Their
// long windows are the lookbacks of timelineBurn, which replay computes at
// every step anyway.
var alertRules = [...]struct {
	severity    string
	share       float64
	long, short int
}{
	{"page", 0.02, lb1h, lb5m},
	{"page", 0.05, lb6h, lb30m},
	{"ticket", 0.10, lb1d, lb2h},
	{"ticket", 0.10, lb3d, lb6h},
}

// Range returns the exclusive start of the series Compute needs: the caller
// fetches the steps ending in (from, opts.Now] on the grid of opts.Step.
// That span holds
//
//   - the window before the start of the history span (Now − History − W for
//     a rolling window; for a calendar one, the start of the period that
//     contains the first history step), so the first timeline point has a
//     whole window;
//   - the longest burn lookback (3d, raised to whole steps) before the
//     history start, so the first replayed alert step has every rate;
//   - the opts.Weeks ISO weeks of the weekly table and the opts.Months
//     calendar months.
//
// History counts in whole steps, as in Compute. The result is aligned down
// to the step grid through Now. opts.Step must be set; with Step ≤ 0 nothing
// is rounded or aligned. A series that starts
// later than Range asks is still accepted by Compute: the missing steps are
// no data.
func Range(spec Spec, opts Options) time.Time {
	return need(spec, opts, opts.Step)
}

// need is Range for a given step. Compute indexes its prefix sums from this
// instant, so anything it reads lies inside (need, Now].
func need(spec Spec, opts Options, step time.Duration) time.Time {
	loc := location(opts)
	now := opts.Now
	hist := max(opts.History, 0)
	if step > 0 {
		hist = hist / step * step // the whole steps in (Now − History, Now]
	}
	start := now.Add(-hist) // history start: the first history step ends after it
	from := start.Add(-max(raise(lookbacks[lb3d].d, step), longestRule(spec, step)))
	switch {
	case spec.Window.Rolling > 0:
		from = earliest(from, start.Add(-spec.Window.Rolling))
	case spec.Window.validate() == nil:
		first := now
		if hist > 0 {
			first = start.Add(max(step, 0))
		}
		from = earliest(from, periodStart(spec.Window.Calendar, first, loc))
	}
	if opts.QuarterToDate {
		from = earliest(from, periodStart(CalendarQuarter, now, loc))
	}
	if opts.Weeks > 0 {
		last := periodStart(CalendarWeek, now, loc)
		from = earliest(from, periodShift(CalendarWeek, last, -(opts.Weeks-1), loc))
	}
	if opts.Months > 0 {
		last := periodStart(CalendarMonth, now, loc)
		from = earliest(from, periodShift(CalendarMonth, last, -(opts.Months-1), loc))
	}
	if step > 0 {
		n := ceilDiv(now.Sub(from), step)
		from = now.Add(-time.Duration(n) * step)
	}
	return from
}

// Compute computes the report of one SLO at opts.Now from a series of good
// and total events per step.
//
// The grid: series index i covers (τ_i − step, τ_i] with τ_i = FirstEnd +
// i·step. A step has data when its Total is not NaN; a step without data
// counts as neither good nor bad and lowers the coverage. Steps the series
// does not hold (it may start later than Range asks) are no data too; steps
// before Range's start and after Now are never read.
//
// Budgeting methods are reduced to per-step units (gu, tu) and everything
// else runs on the same prefix sums of those units:
//
//   - occurrences: (g, t) for a data step;
//   - timeslices: for a data step with t > 0, tu = 1 and gu = 1 when
//     g/t ≥ SliceThreshold/100, else 0;
//   - ratio_timeslices (OpenSLO RatioTimeslices): for a data step with
//     t > 0, tu = 1 and gu = g/t;
//
// and (0, 0) otherwise. Report.Good, Total and Bad are therefore events for
// occurrences and slices for the two time-slice methods.
//
// Windows: a rolling window W ending at τ holds the W/step steps in
// (τ−W, τ]; W must be a whole number of steps, at least one. A calendar
// window ending at τ holds the steps ending in (p.start, τ] where p is the
// period with p.start < τ ≤ p.end, periods starting at 00:00 in
// opts.Location (ISO weeks on Monday, months on the 1st, quarters in
// January, April, July and October): at exactly Monday 00:00 a week window
// is the whole previous week. A step that straddles a period start belongs
// to the period it ends in.
//
// Over the window, G, T and B = T − G give SLI = G/T, allowed
// A = (1 − objective/100)·T, consumed B/A and remaining 1 − B/A, all NaN
// when T = 0; coverage is the share of the window's steps that have data.
// The burn rate over a lookback L is (B_L/T_L)/(1 − objective/100), NaN when
// T_L = 0; a lookback that is not a whole number of steps is raised to the
// next one (so at least one step), and the report notes it.
//
// Alert replay: a rule (share p, long L, short S) has the threshold
// p·Nominal(W)/L with L effective, and fires at a step when both its long
// and its short burn rates are strictly above it (NaN never fires). Every
// step in (Now − History, Now] is replayed; consecutive firing steps merge
// into one Alert from the first firing step to the first step after it that
// does not fire, or to Now (Active) when it still fires then. An alert
// already firing at the first history step starts there.
//
// Status: no-data when T = 0 or coverage < 50 %; exhausted when remaining
// ≤ 0; at-risk when remaining·100 < AtRiskBelow; healthy otherwise.
//
// The history span is the whole steps in (Now − History, Now]. The Timeline
// holds, at each of them, the SLI and budget remaining of the window ending
// there (rolling or calendar) and the 1h, 6h, 1d and 3d burn rates. Weeks
// holds opts.Weeks ISO weeks in opts.Location, oldest first, the last being
// the week (Start, End] that contains Now, counted up to Now; Months holds
// opts.Months calendar months likewise. Each period is O(1) from the same
// prefix sums.
//
// Every quantity at every step is O(1) from prefix sums, so Compute is
// O(steps); its scratch space is pooled, and the Timeline slices are its only
// per-step output. Compute is safe for concurrent use.
func Compute(spec Spec, s *metrics.Series, opts Options) (*Report, error) {
	r, err := compute(spec, s, opts)
	if err != nil {
		return nil, fmt.Errorf("compute slo %s: %w", spec.ID, err)
	}
	return r, nil
}

// cum holds prefix sums of total and bad units. Bad rather than good units
// are summed so that B over a window is a difference of small numbers: with
// P_g it would be the difference of two differences of large totals, and a
// window without bad events could show a tiny non-zero burn rate.
type cum struct{ t, b float64 }

// scratch is the per-call working memory of Compute, pooled across calls.
type scratch struct {
	cum  []cum     // P_t, P_b; index k holds the sums over grid steps 1..k
	data []float64 // P_data: steps with data
	excl []float64 // P_excluded: steps inside a budget adjustment
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func compute(spec Spec, s *metrics.Series, opts Options) (*Report, error) {
	if err := validate(spec, s, opts); err != nil {
		return nil, err
	}
	step := s.Step
	loc := location(opts)
	now := opts.Now

	// The grid: step k = 1..K ends at base + k·step; k = K ends at Now.
	base := need(spec, opts, step)
	K := int(now.Sub(base) / step)
	off := int(base.Sub(s.FirstEnd) / step) // series index of grid step k is k + off
	h := int(max(opts.History, 0) / step)   // history steps: k = K−h+1..K

	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	c, data, excl := sc.prefixes(K + 1)
	if k, err := fill(c, data, off, s, spec); err != nil {
		return nil, fmt.Errorf("step ending %s: %w", s.End(k+off).UTC().Format(time.RFC3339), err)
	}
	exclude(c, data, excl, base, step, spec.Excluded)

	allowed := badFraction(spec.Objective)
	r := &Report{Spec: spec, WindowEnd: now}
	lsteps, notes := lookbackSteps(step)
	r.Rules, r.Notes = rules(spec, step, notes)

	// The window ending at Now.
	var lo int
	if w := spec.Window.Rolling; w > 0 {
		lo = K - int(w/step)
		r.WindowStart = now.Add(-w)
	} else {
		r.WindowStart = periodStart(spec.Window.Calendar, now, loc)
		lo = floorDiv(r.WindowStart.Sub(base), step)
	}
	r.windowTotals(c, data, excl, lo, K, allowed)
	r.Status = status(r.Total, r.Coverage, r.Budget.Remaining, spec.AtRiskBelow)
	if r.Status == StatusExhausted {
		r.RecoveryAt = recovery(spec, c, base, step, K, lo, allowed, burn(c[K], c[K-lsteps[lb1d]], allowed), loc)
	}

	r.BurnRates = make([]BurnRate, numLookbacks)
	for j, lb := range lookbacks {
		r.BurnRates[j] = BurnRate{
			Label:    lb.label,
			Lookback: time.Duration(lsteps[j]) * step,
			Rate:     burn(c[K], c[K-lsteps[j]], allowed),
		}
	}

	r.Timeline, r.Alerts, r.Episodes = replay(spec, c, base, step, K, h, &lsteps, r.Rules, allowed, loc, opts.StepDetail)
	g := grid{c: c, data: data, excl: excl, base: base, step: step, K: K, allowed: allowed}
	r.Weeks = weeks(opts.Weeks, spec.Window, g, now, loc)
	r.Months = months(opts.Months, g, now, loc)
	r.Quarter = Quarter{Start: periodStart(CalendarQuarter, now, loc), SLI: math.NaN()}
	if qlo := max(floorDiv(r.Quarter.Start.Sub(base), step), 0); opts.QuarterToDate && qlo < K {
		qT, qB := c[K].t-c[qlo].t, c[K].b-c[qlo].b
		r.Quarter.Good, r.Quarter.Total = qT-qB, qT
		if qT > 0 {
			r.Quarter.SLI = (qT - qB) / qT
		}
	}
	return r, nil
}

// prefixes returns the scratch prefix sums for n grid indices, grown when
// too short. Their contents are stale: fill and exclude write every index.
func (sc *scratch) prefixes(n int) ([]cum, []float64, []float64) {
	if cap(sc.cum) < n {
		sc.cum = make([]cum, n)
		sc.data = make([]float64, n)
		sc.excl = make([]float64, n)
	}
	return sc.cum[:n], sc.data[:n], sc.excl[:n]
}

// lookbackSteps returns the burn-rate lookbacks in whole steps, with a
// note for each that the step raised.
func lookbackSteps(step time.Duration) ([numLookbacks]int, []string) {
	var lsteps [numLookbacks]int
	var notes []string
	for j, lb := range lookbacks {
		eff := raise(lb.d, step)
		lsteps[j] = int(eff / step)
		if eff != lb.d {
			notes = append(notes, fmt.Sprintf("burn-rate lookback %s raised to %s", lb.label, raisedTo(eff, step)))
		}
	}
	return lsteps, notes
}

// windowTotals sets the counts, SLI, budget, excluded steps and coverage
// of the window of grid steps lo+1..K.
func (r *Report) windowTotals(c []cum, data, excl []float64, lo, K int, allowed float64) {
	T, B := c[K].t-c[lo].t, c[K].b-c[lo].b
	r.Good, r.Total, r.Bad = T-B, T, B
	r.SLI, r.Budget = math.NaN(), Budget{math.NaN(), math.NaN(), math.NaN()}
	if T != 0 {
		r.SLI = (T - B) / T
		a := allowed * T
		r.Budget = Budget{Allowed: a, Consumed: B / a, Remaining: 1 - B/a}
	}
	r.ExcludedSteps = int(excl[K] - excl[lo])
	r.Coverage = coverage(data[K]-data[lo], K-lo-r.ExcludedSteps)
}

// rules resolves the SLO's alert rules at the step: windows raised to whole
// steps, thresholds from the share (or the factor), a note per raised
// window.
func rules(spec Spec, step time.Duration, notes []string) ([]Rule, []string) {
	specs := spec.EffectiveRules()
	out := make([]Rule, len(specs))
	nominal := float64(spec.Window.Nominal())
	for j, rs := range specs {
		long, short := formatDuration(rs.Long), formatDuration(rs.Short)
		rule := Rule{
			Severity:   rs.Severity,
			Share:      rs.Share,
			Long:       raise(rs.Long, step),
			Short:      raise(rs.Short, step),
			LongLabel:  long,
			ShortLabel: short,
			Name:       rs.Name,
		}
		if rs.Factor > 0 {
			rule.Threshold, rule.Factor = rs.Factor, true
			// The share of the window's budget the rule lets burn within
			// its long window, for readers who think in shares.
			rule.Share = rs.Factor * float64(rule.Long) / nominal
		} else {
			rule.Threshold = rule.Share * nominal / float64(rule.Long)
		}
		out[j] = rule
		var raised []string
		if rule.Long != rs.Long {
			raised = append(raised, "long window "+long+" raised to "+raisedTo(rule.Long, step))
		}
		if rule.Short != rs.Short {
			raised = append(raised, "short window "+short+" raised to "+raisedTo(rule.Short, step))
		}
		if len(raised) > 0 {
			note := fmt.Sprintf("alert rule %s %s/%s: %s", rule.Severity, long, short, raised[0])
			if len(raised) > 1 {
				note += ", " + raised[1]
			}
			notes = append(notes, note)
		}
	}
	return out, notes
}

// longestRule is the longest long window of the SLO's rules, raised to
// whole steps: replay reads that far back before the history start.
func longestRule(spec Spec, step time.Duration) time.Duration {
	var d time.Duration
	for _, rs := range spec.EffectiveRules() {
		d = max(d, raise(rs.Long, step), raise(rs.Short, step))
	}
	return d
}

// validate checks the spec, the options and the series' grid.
func validate(spec Spec, s *metrics.Series, opts Options) error {
	if !(spec.Objective > 0 && spec.Objective < 100) {
		return fmt.Errorf("objective %v is not between 0 and 100 percent", spec.Objective)
	}
	switch spec.Budgeting {
	case Occurrences, RatioTimeslices:
	case Timeslices:
		if !(spec.SliceThreshold > 0 && spec.SliceThreshold <= 100) {
			return fmt.Errorf("slice threshold %v is not between 0 and 100 percent", spec.SliceThreshold)
		}
	default:
		return fmt.Errorf("budgeting %q is not occurrences, timeslices or ratio_timeslices", spec.Budgeting)
	}
	if err := spec.Window.validate(); err != nil {
		return err
	}
	if opts.History < 0 {
		return fmt.Errorf("history %s is negative", formatDuration(opts.History))
	}
	if opts.Weeks < 0 {
		return fmt.Errorf("weeks %d is negative", opts.Weeks)
	}
	if opts.Months < 0 {
		return fmt.Errorf("months %d is negative", opts.Months)
	}
	if s == nil {
		return fmt.Errorf("%w: no series", ErrSeries)
	}
	step := s.Step
	if step <= 0 {
		return fmt.Errorf("%w: step %s is not positive", ErrSeries, formatDuration(step))
	}
	if opts.Step != 0 && opts.Step != step {
		return fmt.Errorf("%w: series step %s differs from the configured step %s", ErrSeries, formatDuration(step), formatDuration(opts.Step))
	}
	if len(s.Good) != len(s.Total) {
		return fmt.Errorf("%w: %d good values but %d total values", ErrSeries, len(s.Good), len(s.Total))
	}
	if w := spec.Window.Rolling; w > 0 {
		if w < step {
			return fmt.Errorf("window %s is shorter than the %s step", formatDuration(w), formatDuration(step))
		}
		if w%step != 0 {
			return fmt.Errorf("window %s is not a whole number of %s steps", formatDuration(w), formatDuration(step))
		}
	}
	if s.Len() == 0 {
		return fmt.Errorf("%w: the series is empty", ErrSeries)
	}
	d := opts.Now.Sub(s.FirstEnd)
	if d%step != 0 {
		return fmt.Errorf("%w: now %s is not on the series grid (first step ends %s, step %s)", ErrSeries,
			opts.Now.UTC().Format(time.RFC3339), s.FirstEnd.UTC().Format(time.RFC3339), formatDuration(step))
	}
	if d < 0 || int(d/step) >= s.Len() {
		return fmt.Errorf("%w: the series covers steps ending %s to %s, not now %s", ErrSeries,
			s.FirstEnd.UTC().Format(time.RFC3339), s.End(s.Len()-1).UTC().Format(time.RFC3339), opts.Now.UTC().Format(time.RFC3339))
	}
	return nil
}

// fill writes the prefix sums P_t, P_b and P_data of the grid steps 1..K
// (len(c) = K+1). Grid step k is series index k+off; steps before the series
// are no data. It returns the grid step of a value it cannot use: a good
// count missing beside a total, or an infinite or huge count.
func fill(c []cum, data []float64, off int, s *metrics.Series, spec Spec) (int, error) {
	K := len(c) - 1
	c[0], data[0] = cum{}, 0
	first := min(max(1, -off), K+1)
	for k := 1; k < first; k++ {
		c[k], data[k] = cum{}, 0
	}
	if first > K {
		return 0, nil
	}
	good, total := s.Good[first+off:K+off+1], s.Total[first+off:K+off+1]
	c, data = c[first:K+1], data[first:K+1]
	var ct, cb, cd float64
	thr := spec.SliceThreshold / 100
	method := spec.Budgeting
	for i, t := range total {
		if t != t { // NaN: no data
			c[i], data[i] = cum{ct, cb}, cd
			continue
		}
		g := good[i]
		if t-t != 0 || g-g != 0 {
			return first + i, fmt.Errorf("good %v and total %v are not both finite", g, t)
		}
		if t > metrics.MaxCount || g > metrics.MaxCount {
			// Finite, but a window's sum could overflow to +Inf and
			// its ratios to NaN.
			return first + i, fmt.Errorf("good %v and total %v: a count above %d (2^53) cannot be counted exactly", g, t, int64(metrics.MaxCount))
		}
		cd++
		switch method {
		case Occurrences:
			ct += t
			cb += t - g
		case Timeslices:
			if t > 0 {
				ct++
				if !(g/t >= thr) {
					cb++
				}
			}
		default: // RatioTimeslices
			if t > 0 {
				ct++
				cb += 1 - g/t
			}
		}
		c[i], data[i] = cum{ct, cb}, cd
	}
	return 0, nil
}

// replay walks the history steps K−h+1..K once: the window SLI and budget
// remaining, the burn series and the alert rules at each.
func replay(spec Spec, c []cum, base time.Time, step time.Duration, K, h int,
	lsteps *[numLookbacks]int, rules []Rule, allowed float64, loc *time.Location, detail bool) (Timeline, []Alert, []Episode) {
	k0 := K - h + 1 // first history step
	tl := newTimeline(base.Add(time.Duration(k0)*step), step, h, detail)
	if h == 0 {
		return tl, nil, nil
	}
	win := newWindowStart(spec.Window, tl.FirstEnd, base, step, loc)
	al := newAlerting(rules, step, lsteps)
	eps := burnEpisodes{c: c, base: base, step: step, n1h: lsteps[lb1h], from: -1, last: -1}
	n1h, n6h, n1d, n3d := lsteps[lb1h], lsteps[lb6h], lsteps[lb1d], lsteps[lb3d]
	b1h, b6h, b1d, b3d := tl.Burn[0].Values, tl.Burn[1].Values, tl.Burn[2].Values, tl.Burn[3].Values
	sli, rem := tl.SLI[:h], tl.BudgetRemaining[:h]
	b1h, b6h, b1d, b3d = b1h[:h], b6h[:h], b1d[:h], b3d[:h]
	nan := math.NaN()
	var long [len(timelineBurn)]float64
	for i := range h {
		k := k0 + i
		ck := c[k]
		lo := win.at(k)
		T, B := ck.t-c[lo].t, ck.b-c[lo].b
		if T == 0 {
			sli[i], rem[i] = nan, nan
		} else {
			sli[i] = (T - B) / T
			rem[i] = 1 - B/(allowed*T)
		}
		long[0] = burn(ck, c[k-n1h], allowed)
		long[1] = burn(ck, c[k-n6h], allowed)
		long[2] = burn(ck, c[k-n1d], allowed)
		long[3] = burn(ck, c[k-n3d], allowed)
		b1h[i], b6h[i], b1d[i], b3d[i] = long[0], long[1], long[2], long[3]
		if detail {
			tl.Bad[i], tl.Total[i], tl.Allowed[i] = ck.b-c[k-1].b, ck.t-c[k-1].t, allowed*T
			tl.Short.Values[i] = burn(ck, c[k-lsteps[lb5m]], allowed)
		}
		if long[0] > 1 {
			eps.burning(k, allowed*T)
		}
		al.check(c, k, &long, allowed, base, step)
	}
	return tl, al.close(base.Add(time.Duration(K) * step)), eps.close(K)
}

// newTimeline allocates the history series of h steps, the first ending at
// firstEnd; detail adds the per-step counts and the short burn rate.
func newTimeline(firstEnd time.Time, step time.Duration, h int, detail bool) Timeline {
	tl := Timeline{
		FirstEnd:        firstEnd,
		Step:            step,
		SLI:             make([]float64, h),
		BudgetRemaining: make([]float64, h),
		Burn:            make([]BurnSeries, len(timelineBurn)),
	}
	for j, lb := range timelineBurn {
		tl.Burn[j] = BurnSeries{Label: lookbacks[lb].label, Values: make([]float64, h)}
	}
	if detail {
		tl.Bad, tl.Total, tl.Allowed = make([]float64, h), make([]float64, h), make([]float64, h)
		tl.Short = BurnSeries{Label: lookbacks[lb5m].label, Values: make([]float64, h)}
	}
	return tl
}

// windowStart finds where the window ending at a step starts: a rolling
// window w steps back; a calendar one at psIdx, moved on when a step ends
// after the period's end (peIdx). Steps are asked in increasing order.
type windowStart struct {
	w            int // the rolling window in steps; 0 for a calendar window
	cal          string
	pe           time.Time
	psIdx, peIdx int
	base         time.Time
	step         time.Duration
	loc          *time.Location
}

// newWindowStart prepares the window starts from the step ending at
// firstEnd on.
func newWindowStart(window Window, firstEnd, base time.Time, step time.Duration, loc *time.Location) windowStart {
	ws := windowStart{w: int(window.Rolling / step), cal: window.Calendar, base: base, step: step, loc: loc}
	if ws.w == 0 {
		ps := periodStart(ws.cal, firstEnd, loc)
		ws.pe = periodShift(ws.cal, ps, 1, loc)
		ws.psIdx, ws.peIdx = floorDiv(ps.Sub(base), step), floorDiv(ws.pe.Sub(base), step)
	}
	return ws
}

// at returns the grid index the window ending at step k starts from.
func (ws *windowStart) at(k int) int {
	if ws.w != 0 {
		return k - ws.w
	}
	for k > ws.peIdx {
		ws.pe = periodShift(ws.cal, ws.pe, 1, ws.loc)
		ws.psIdx, ws.peIdx = ws.peIdx, floorDiv(ws.pe.Sub(ws.base), ws.step)
	}
	return ws.psIdx
}

// burnEpisodes collects the burn episodes as replay walks the steps: the
// open one's first and latest burning steps (-1: none open) and the
// window's allowed bad units at the latest.
type burnEpisodes struct {
	c          []cum
	base       time.Time
	step       time.Duration
	n1h        int
	from, last int
	allowed    float64
	done       []Episode
}

// burning records that the 1h burn rate at step k is above 1; allowed is
// the window's allowed bad units there.
func (e *burnEpisodes) burning(k int, allowed float64) {
	// Burning again within an hour of the last burning step continues the
	// episode: a slow burn whose 1h rate hovers around 1 is one episode,
	// not hundreds.
	if e.from >= 0 && k-e.last > e.n1h {
		e.done = append(e.done, episode(e.c, e.base, e.step, e.from, e.last, e.n1h, e.allowed, false))
		e.from = -1
	}
	if e.from < 0 {
		e.from = k
	}
	e.last, e.allowed = k, allowed
}

// close ends the walk at step K and returns the episodes; one still
// burning at K is active.
func (e *burnEpisodes) close(K int) []Episode {
	if e.from >= 0 {
		e.done = append(e.done, episode(e.c, e.base, e.step, e.from, e.last, e.n1h, e.allowed, e.last == K))
	}
	return e.done
}

// ruleRun is one alert rule as replay walks the steps: its threshold, long
// and short lookbacks in steps, where its long rate lies among the burn
// series computed at every step (-1: a window of its own, computed at each
// step), and the index of its open alert (-1: none).
type ruleRun struct {
	thr                   float64
	longAt, longN, shortN int
	open                  int
}

// alerting replays the alert rules. The rules are in one slice so that the
// step loop stays tight.
type alerting struct {
	rules  []Rule
	run    []ruleRun
	alerts []Alert
}

// newAlerting prepares the rules; lsteps are the lookbacks in steps.
func newAlerting(rules []Rule, step time.Duration, lsteps *[numLookbacks]int) alerting {
	a := alerting{rules: rules, run: make([]ruleRun, len(rules))}
	for j, rule := range rules {
		r := ruleRun{thr: rule.Threshold, longN: int(rule.Long / step), shortN: int(rule.Short / step), longAt: -1, open: -1}
		for t, lb := range timelineBurn {
			if lsteps[lb] == r.longN {
				r.longAt = t
				break
			}
		}
		a.run[j] = r
	}
	return a
}

// check fires or resolves each rule at step k; long holds the burn rates
// of the timeline's lookbacks there.
func (a *alerting) check(c []cum, k int, long *[len(timelineBurn)]float64, allowed float64, base time.Time, step time.Duration) {
	ck := c[k]
	for j := range a.run {
		r := &a.run[j]
		var lr float64
		if r.longAt >= 0 {
			lr = long[r.longAt]
		} else {
			lr = burn(ck, c[k-r.longN], allowed)
		}
		// The short rate matters only when the long one is above the
		// threshold, which is rare: compute it then.
		fire := lr > r.thr && burn(ck, c[k-r.shortN], allowed) > r.thr
		switch {
		case fire && r.open < 0:
			r.open = len(a.alerts)
			a.alerts = append(a.alerts, Alert{Rule: a.rules[j], Start: base.Add(time.Duration(k) * step)})
		case !fire && r.open >= 0:
			a.alerts[r.open].End = base.Add(time.Duration(k) * step)
			r.open = -1
		}
	}
}

// close ends the walk at now and returns the alerts; those still firing
// are active.
func (a *alerting) close(now time.Time) []Alert {
	for _, r := range a.run {
		if r.open >= 0 {
			a.alerts[r.open].End, a.alerts[r.open].Active = now, true
		}
	}
	return a.alerts
}

// episode describes a burn episode whose 1h burn rate was above 1 from
// step from to step last, with pauses of at most an hour. Its bad units are
// those of every step that fed a burning 1h window: steps (from − n1h,
// last]. windowAllowed is the window's allowed bad units at last.
func episode(c []cum, base time.Time, step time.Duration, from, last, n1h int, windowAllowed float64, active bool) Episode {
	first := max(from-n1h, 0)
	e := Episode{
		Start:       base.Add(time.Duration(first) * step),
		End:         base.Add(time.Duration(last) * step),
		Bad:         c[last].b - c[first].b,
		Active:      active,
		BudgetShare: math.NaN(),
	}
	if windowAllowed > 0 {
		e.BudgetShare = e.Bad / windowAllowed
	}
	return e
}

// exclude applies budget adjustments: a grid step k (ending at τ_k =
// base + k·step) inside an interval (Start < τ_k ≤ End) counts as neither
// good nor bad, like a step without data, but is counted apart in the
// P_excluded prefix (excl) rather than as missing data. intervals must be
// sorted by Start; overlaps are fine. O(steps + intervals).
func exclude(c []cum, data, excl []float64, base time.Time, step time.Duration, intervals []Interval) {
	excl[0] = 0
	if len(intervals) == 0 {
		clear(excl)
		return
	}
	var dt, db, dd, dx float64 // what the excluded steps so far took away
	j := 0
	prev := c[0]
	prevData := data[0]
	for k := 1; k < len(c); k++ {
		tau := base.Add(time.Duration(k) * step)
		for j < len(intervals) && intervals[j].End.Before(tau) {
			j++ // ended before this step: no later step is inside it either
		}
		inside := false
		for i := j; i < len(intervals) && intervals[i].Start.Before(tau); i++ {
			if !tau.After(intervals[i].End) {
				inside = true
				break
			}
		}
		cur, curData := c[k], data[k]
		if inside {
			dt += cur.t - prev.t
			db += cur.b - prev.b
			dd += curData - prevData
			dx++
		}
		prev, prevData = cur, curData
		c[k] = cum{cur.t - dt, cur.b - db}
		data[k] = curData - dd
		excl[k] = dx
	}
}

func coverage(dataSteps float64, steps int) float64 {
	if steps <= 0 {
		return 0
	}
	return dataSteps / float64(steps)
}

// recovery projects when an exhausted budget turns positive again if the
// burn continues at rate (the current 1d burn rate; no traffic counts as no
// burn). A rolling window recovers as old bad units leave it: after k more
// steps the window has lost steps lo+1..lo+k and gained k steps burning at
// rate, whose traffic is taken to equal that of the steps they replace.
// A calendar window recovers when the next period starts. The zero time
// means it does not recover within one window at this rate.
func recovery(spec Spec, c []cum, base time.Time, step time.Duration, K, lo int, allowed, rate float64, loc *time.Location) time.Time {
	if rate != rate { // NaN: no traffic in the last day
		rate = 0
	}
	if spec.Window.Rolling == 0 {
		now := base.Add(time.Duration(K) * step)
		return periodShift(spec.Window.Calendar, periodStart(spec.Window.Calendar, now, loc), 1, loc)
	}
	T := c[K].t - c[lo].t
	budget := allowed * T
	for k := 1; lo+k <= K; k++ {
		kept := c[K].b - c[lo+k].b
		future := rate * allowed * (c[lo+k].t - c[lo].t)
		if kept+future < budget {
			return base.Add(time.Duration(K+k) * step)
		}
	}
	return time.Time{}
}

// grid is the prefix sums of one Compute, for the calendar periods: grid
// step k = 1..K ends at base + k·step, and K at Now.
type grid struct {
	c       []cum
	data    []float64
	excl    []float64
	base    time.Time
	step    time.Duration
	K       int
	allowed float64
}

// period sums the steps ending in (start, end], cut at Now; it returns the
// grid indexes lo and hi of the steps (lo, hi] it holds. Range reaches back
// to the oldest period asked for, so start is never before base.
func (g grid) period(start, end time.Time) (p Period, lo, hi int) {
	lo = floorDiv(start.Sub(g.base), g.step)
	hi = min(floorDiv(end.Sub(g.base), g.step), g.K)
	T, B := g.c[hi].t-g.c[lo].t, g.c[hi].b-g.c[lo].b
	p = Period{Start: start, End: end, Good: T - B, Total: T, Bad: B, SLI: math.NaN(), Burned: math.NaN()}
	if T != 0 {
		p.SLI = (T - B) / T
		p.Burned = B / (g.allowed * T)
	}
	p.ExcludedSteps = int(g.excl[hi] - g.excl[lo])
	p.Coverage = coverage(g.data[hi]-g.data[lo], hi-lo-p.ExcludedSteps)
	return p, lo, hi
}

// weeks computes the weekly table: n ISO weeks, the last one containing now.
func weeks(n int, window Window, g grid, now time.Time, loc *time.Location) []Week {
	if n == 0 {
		return nil
	}
	out := make([]Week, n)
	last := periodStart(CalendarWeek, now, loc)
	for j := range out {
		start := periodShift(CalendarWeek, last, j-(n-1), loc)
		p, lo, hi := g.period(start, periodShift(CalendarWeek, start, 1, loc))
		wk := Week{Period: p}
		wk.Year, wk.Number = start.ISOWeek()
		// The window ending with the week: w steps back, or its period.
		var wlo int
		if window.Rolling > 0 {
			wlo = max(hi-int(window.Rolling/g.step), 0)
		} else {
			end := g.base.Add(time.Duration(hi) * g.step)
			wlo = max(floorDiv(periodStart(window.Calendar, end, loc).Sub(g.base), g.step), 0)
		}
		wk.BudgetBurned = math.NaN()
		if wT := g.c[hi].t - g.c[wlo].t; wT > 0 && hi > lo {
			wk.BudgetBurned = p.Bad / (g.allowed * wT)
		}
		out[j] = wk
	}
	return out
}

// months computes n calendar months, the last one containing now.
func months(n int, g grid, now time.Time, loc *time.Location) []Month {
	if n == 0 {
		return nil
	}
	out := make([]Month, n)
	last := periodStart(CalendarMonth, now, loc)
	for j := range out {
		start := periodShift(CalendarMonth, last, j-(n-1), loc)
		p, _, _ := g.period(start, periodShift(CalendarMonth, start, 1, loc))
		local := start.In(loc)
		out[j] = Month{Year: local.Year(), Month: local.Month(), Period: p}
	}
	return out
}

// badFraction is 1 − objective as a fraction. Objectives are written in
// decimal (99.9), and 1 − 99.9/100 in binary floating point is
// 0.0010000000000000009: the result is rounded to 12 decimals so that the
// allowed bad events of 100,000 requests print as 100, not 100.00000000000009.
func badFraction(objective float64) float64 {
	return math.Round((100-objective)*1e10) / 1e12
}

// burn is the burn rate between two prefix sums, (B/T)/allowed computed
// with one division as B/(T·allowed); NaN without traffic.
func burn(hi, lo cum, allowed float64) float64 {
	t := hi.t - lo.t
	if t == 0 {
		return math.NaN()
	}
	return (hi.b - lo.b) / (t * allowed)
}

// status applies the status rules of docs/numbers.md ("Status") in order
// of precedence.
func status(total, coverage, remaining, atRiskBelow float64) string {
	switch {
	case total == 0 || coverage < MinCoverage:
		return StatusNoData
	case remaining <= 0:
		return StatusExhausted
	case remaining*100 < atRiskBelow:
		return StatusAtRisk
	}
	return StatusHealthy
}

// raise rounds d up to a whole number of steps, at least one.
func raise(d, step time.Duration) time.Duration {
	if step <= 0 {
		return d
	}
	return time.Duration(max(ceilDiv(d, step), 1)) * step
}

// raisedTo describes a raised lookback for a note.
func raisedTo(eff, step time.Duration) string {
	if eff == step {
		return "the " + formatDuration(step) + " step"
	}
	return formatDuration(eff) + ", a whole number of " + formatDuration(step) + " steps"
}

func location(opts Options) *time.Location {
	if opts.Location == nil {
		return time.UTC
	}
	return opts.Location
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func ceilDiv(a, b time.Duration) int {
	q := a / b
	if a%b > 0 {
		q++
	}
	return int(q)
}

func floorDiv(a, b time.Duration) int {
	q := a / b
	if a%b < 0 {
		q--
	}
	return int(q)
}
