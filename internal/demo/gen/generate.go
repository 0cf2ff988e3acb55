package main

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
)

const step = 5 * time.Minute

// berlin is the demo site's timezone: traffic follows the European day.
var berlin = mustLoad("Europe/Berlin")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded: this cannot fail
	}
	return loc
}

// service is one demo service's traffic: requests per five minutes between
// lo (night trough) and hi (weekday afternoon peak).
type service struct {
	name   string
	lo, hi float64
}

var (
	checkout = service{"checkout", 800, 4000}
	search   = service{"search", 2400, 12000}
	payments = service{"payments", 200, 1000}
)

// slo is one SLO of relia.toml as the generator models it: which service's
// traffic it counts, the share of bad events at a step, and occasional
// short blips (a bad deploy, a GC storm) that make the charts look real
// without spending much budget.
type slo struct {
	id      string
	svc     service
	stream  uint64                                  // PCG stream: each SLO draws its own numbers
	bad     func(τ time.Time, load float64) float64 // probability that an event is bad
	blipP   float64                                 // chance per step that a blip starts
	blipLen int                                     // longest blip, in steps
	blipLo  float64                                 // bad share during a blip, drawn in [blipLo, blipHi]
	blipHi  float64

	// For the summary only: the SLO as relia.toml configures it.
	objective  float64 // percent
	window     string  // "28d" or "month"
	timeslices bool    // budgeting = "timeslices" with slice_threshold = 99
}

var (
	// Incident 1 (content/retros/2026-11-10-checkout-5xx.md).
	inc1Start     = utc(2026, 11, 10, 13, 5)
	inc1Detected  = utc(2026, 11, 10, 13, 20)
	inc1Worst     = utc(2026, 11, 10, 13, 50)
	inc1Mitigated = utc(2026, 11, 10, 15, 10)
	inc1Resolved  = utc(2026, 11, 10, 16, 0)

	// Incident 2 (content/retros/2026-10-21-search-outage.md).
	inc2Start     = utc(2026, 10, 21, 8, 40)
	inc2Full      = utc(2026, 10, 21, 8, 45)
	inc2Mitigated = utc(2026, 10, 21, 9, 25)
	inc2Resolved  = utc(2026, 10, 21, 9, 35)

	// The payments slow burn (content/retros/2026-11-18-payments-latency-draft.md):
	// the card processor's new EU endpoint times out a little more often.
	burnStart = utc(2026, 11, 10, 21, 0)

	// A scrape outage: no data at all.
	gapStart = utc(2026, 9, 14, 2, 0)
	gapEnd   = utc(2026, 9, 14, 4, 0)
)

// Incident 1's 5xx share: about 4 % from 13:05, growing as client retries
// pile onto the exhausted connection pool until the worst point, flat until
// mitigation, then 0.5 % until resolved.
const (
	inc1Initial  = 0.04
	inc1Peak     = 0.115
	inc1Residual = 0.005
)

// Payments' error share during the slow burn grows from burnLo to burnHi.
const (
	burnLo = 0.00074
	burnHi = 0.00094
)

var slos = []slo{
	{
		id: "checkout/availability", svc: checkout, stream: 1,
		bad: func(τ time.Time, load float64) float64 {
			switch {
			case in(τ, inc1Start, inc1Detected):
				return inc1Initial
			case in(τ, inc1Detected, inc1Worst):
				f := float64(τ.Sub(inc1Detected)) / float64(inc1Worst.Sub(inc1Detected))
				return inc1Initial + f*(inc1Peak-inc1Initial)
			case in(τ, inc1Worst, inc1Mitigated):
				return inc1Peak
			case in(τ, inc1Mitigated, inc1Resolved):
				return inc1Residual
			}
			return 0.00012 + 0.00008*load
		},
		blipP: 1.0 / (288 * 4), blipLen: 3, blipLo: 0.002, blipHi: 0.01,
		objective: 99.9, window: "28d",
	},
	{
		id: "checkout/latency", svc: checkout, stream: 2,
		bad: func(τ time.Time, load float64) float64 {
			switch {
			case in(τ, inc1Start, inc1Mitigated):
				return 0.14
			case in(τ, inc1Mitigated, inc1Resolved):
				return 0.03
			}
			return 0.0015 + 0.003*load // slower under load
		},
		blipP: 1.0 / (288 * 3), blipLen: 3, blipLo: 0.02, blipHi: 0.06,
		objective: 99, window: "28d",
	},
	{
		id: "search/availability", svc: search, stream: 3,
		bad: func(τ time.Time, load float64) float64 {
			switch {
			case in(τ, inc2Start, inc2Full):
				return 0.08
			case in(τ, inc2Full, inc2Mitigated):
				return 0.30
			case in(τ, inc2Mitigated, inc2Resolved):
				return 0.02
			}
			return 0.0008 + 0.0004*load
		},
		blipP: 1.0 / (288 * 5), blipLen: 2, blipLo: 0.005, blipHi: 0.02,
		objective: 99.5, window: "month",
	},
	{
		id: "search/latency", svc: search, stream: 4,
		bad: func(τ time.Time, load float64) float64 {
			if in(τ, inc2Start, inc2Resolved) {
				return 0.25
			}
			return 0.0012 + 0.0018*load
		},
		blipP: 1.0 / (288 * 3), blipLen: 2, blipLo: 0.012, blipHi: 0.04,
		objective: 99, window: "28d", timeslices: true,
	},
	{
		id: "payments/availability", svc: payments, stream: 5,
		bad: func(τ time.Time, load float64) float64 {
			if !τ.Before(burnStart) {
				f := min(1, float64(τ.Sub(burnStart))/float64(12*24*time.Hour))
				return burnLo + f*(burnHi-burnLo)
			}
			return 0.0001 + 0.00006*load
		},
		blipP: 1.0 / (288 * 7), blipLen: 2, blipLo: 0.001, blipHi: 0.005,
		objective: 99.95, window: "28d",
	},
}

// seed is the fixed PCG seed: change it and every number changes.
const seed = 0x72656c6961 // "relia"

// generate returns the good and total events of every SLO for the days
// ending at end, one step every five minutes.
func generate(end time.Time, days int) map[string]*metrics.Series {
	n := days * int(24*time.Hour/step)
	first := end.Add(-time.Duration(n-1) * step)
	out := map[string]*metrics.Series{}

	totals := map[string][]float64{}
	for k, svc := range []service{checkout, search, payments} {
		totals[svc.name] = traffic(svc, first, n, rand.New(rand.NewPCG(seed, uint64(100+k))))
	}
	for _, s := range slos {
		r := rand.New(rand.NewPCG(seed, s.stream))
		rc := rand.New(rand.NewPCG(seed, chaosStream+s.stream)) // Chaos Day only
		total := totals[s.svc.name]
		ser := &metrics.Series{FirstEnd: first, Step: step, Good: make([]float64, n), Total: make([]float64, n)}
		blip, blipRate := 0, 0.0
		for i := range n {
			τ := first.Add(time.Duration(i) * step)
			p := s.bad(τ, load(τ))
			if blip == 0 && r.Float64() < s.blipP {
				blip = 1 + r.IntN(s.blipLen)
				blipRate = s.blipLo + r.Float64()*(s.blipHi-s.blipLo)
			}
			if blip > 0 {
				p = max(p, blipRate)
				blip--
			}
			t := total[i]
			bad := min(t, poisson(r, t*p))
			bad = chaosBad(rc, s.id, τ, t, bad)
			ser.Good[i], ser.Total[i] = t-bad, t
			if in(τ, gapStart, gapEnd) {
				ser.Good[i], ser.Total[i] = math.NaN(), math.NaN()
			}
		}
		out[s.id] = ser
	}
	return out
}

// traffic draws a service's requests per step: the daily load curve, a
// little growth over the months, a random level per day and slow
// minute-to-minute wander, then Poisson noise on top.
func traffic(svc service, first time.Time, n int, r *rand.Rand) []float64 {
	total := make([]float64, n)
	day, dayLevel, wander := -1, 1.0, 0.0
	for i := range n {
		τ := first.Add(time.Duration(i) * step)
		if d := τ.In(berlin).YearDay(); d != day {
			day, dayLevel = d, 1+0.04*r.NormFloat64()
		}
		wander = 0.9*wander + 0.015*r.NormFloat64()
		growth := 1 + 0.08*float64(i)/float64(n)
		rate := (svc.lo + (svc.hi-svc.lo)*load(τ)) * weekday(τ) * growth * dayLevel * (1 + wander)
		total[i] = poisson(r, max(rate, 0))
	}
	return total
}

// load is the daily curve in 0..1 at the middle of the step ending at τ:
// trough around 03:30 in Berlin, peak in the afternoon around 15:30.
func load(τ time.Time) float64 {
	local := τ.Add(-step / 2).In(berlin)
	h := float64(local.Hour()) + float64(local.Minute())/60
	return math.Pow(0.5-0.5*math.Cos(2*math.Pi*(h-3.5)/24), 1.2)
}

// weekday scales traffic down on weekends.
func weekday(τ time.Time) float64 {
	switch τ.Add(-step / 2).In(berlin).Weekday() {
	case time.Saturday:
		return 0.72
	case time.Sunday:
		return 0.65
	}
	return 1
}

// poisson draws a Poisson count with mean λ: exactly for small means (error
// counts are often below one per step), by the normal approximation for
// large ones.
func poisson(r *rand.Rand, λ float64) float64 {
	if λ <= 0 {
		return 0
	}
	if λ < 30 {
		limit, k, p := math.Exp(-λ), 0.0, r.Float64()
		for p > limit {
			p *= r.Float64()
			k++
		}
		return k
	}
	return max(0, math.Round(λ+math.Sqrt(λ)*r.NormFloat64()))
}

// in reports whether the step ending at τ lies in the span (from, to]:
// the steps that together cover it.
func in(τ, from, to time.Time) bool { return τ.After(from) && !τ.After(to) }

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}
