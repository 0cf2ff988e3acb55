package site

import (
	"path/filepath"
	"strings"
	"testing"
)

// handRetro is an incident over handSite's burst: started 5 minutes before
// the first bad step (901), detected at 905, resolved at 920.
const handRetro = `+++
title = "The burst"
date = 2026-11-02T14:55:00Z
slos = ["web/availability"]
[timeline]
started      = 2026-11-02T14:55:00Z
detected     = 2026-11-02T15:05:00Z
acknowledged = 2026-11-02T15:07:00Z
mitigated    = 2026-11-02T15:15:00Z
resolved     = 2026-11-02T15:20:00Z
+++
What happened.
`

// TestRetroFigures checks the figures added to a retrospective against
// hand-computed values.
func TestRetroFigures(t *testing.T) {
	dir, now := handSite(t)
	write(t, filepath.Join(dir, "content/retros/burst.md"), handRetro)
	out := filepath.Join(dir, "public")
	buildAt(t, dir, now, out)
	page := mustRead(t, filepath.Join(out, "retros/burst/index.html"))
	// Durations from started (14:55 = step 895): detect 10m, acknowledge
	// 12m, mitigate 20m, resolve 25m.
	// The incident covers steps ending in (895, 920]: 25 steps of 100
	// events, the 10 burst steps with 50 bad each: 500 of 2,500.
	// Budget: the 2h window at step 920 (steps 801–920) allows 1 % of
	// 12,000 = 120 → 500/120 = 416.7 %.
	// Peak burn over 5 minutes: 5 burst steps, 250 of 500 bad, /0.01 = 50.
	// The page rule 1h/5m first fires at step 901: 6 minutes after started.
	for _, want := range []string{
		`Time to detect</div><div class="value">10m`,
		`Time to acknowledge</div><div class="value">12m`,
		`Time to mitigate</div><div class="value">20m`,
		`Time to resolve</div><div class="value">25m`,
		`<td class="num">500 of 2,500</td><td class="num">416.7%</td><td class="num">50.00×</td>`,
		`yes, 6m after the start`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("retro page lacks %q", want)
		}
	}
}
