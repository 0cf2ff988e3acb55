package main

import (
	"math/rand/v2"
	"time"
)

// The demo's Chaos Day, 12 November 2026 (content/chaos/): the bad events
// each experiment caused, as an extra share of each step's events. The
// extra events are drawn from streams of their own, so every other number
// of the snapshot (the incidents, the slow burn) stays as it was.
var chaosEffects = []struct {
	slo      string
	from, to time.Time // the steps ending in (from, to]
	share    float64   // extra probability that an event is bad
}{
	// Chaos Toolkit: losing a database replica; the failover fails a few requests.
	{"checkout/availability", utc(2026, 11, 12, 9, 5), utc(2026, 11, 12, 9, 15), 0.004},
	// Chaos Toolkit: the ranking service slows down; search slows with it
	// for a quarter of an hour and the latency SLO pages.
	{"search/latency", utc(2026, 11, 12, 10, 10), utc(2026, 11, 12, 10, 25), 0.03},
	// LitmusChaos pod-delete of a checkout-api pod.
	{"checkout/availability", utc(2026, 11, 12, 11, 35), utc(2026, 11, 12, 11, 40), 0.015},
	// Chaos Toolkit: one Elasticsearch node down. Five percent of queries
	// fail for an hour, a burn rate of 10 against a page threshold of 14.4:
	// the detection gap of the day.
	{"search/availability", utc(2026, 11, 12, 13, 5), utc(2026, 11, 12, 14, 0), 0.05},
	// LitmusChaos network latency on the payments gateway: card
	// authorisations time out and the fast-burn page fires.
	{"payments/availability", utc(2026, 11, 12, 15, 5), utc(2026, 11, 12, 15, 20), 0.03},
}

// chaosStream is the first PCG stream of the Chaos Day's extra events;
// each SLO draws from chaosStream + its own stream.
const chaosStream = 200

// chaosShare is the extra bad share of the SLO's step ending at τ.
func chaosShare(id string, τ time.Time) float64 {
	for _, e := range chaosEffects {
		if e.slo == id && in(τ, e.from, e.to) {
			return e.share
		}
	}
	return 0
}

// chaosBad adds the Chaos Day's bad events to a step's bad events.
func chaosBad(rc *rand.Rand, id string, τ time.Time, total, bad float64) float64 {
	if p := chaosShare(id, τ); p > 0 {
		return min(total, bad+poisson(rc, total*p))
	}
	return bad
}
