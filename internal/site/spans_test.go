package site

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/relia-dev/relia/internal/chaos"
	"github.com/relia-dev/relia/internal/policy"
	"github.com/relia-dev/relia/internal/slo"
)

// TestKeptSpans checks what the demo build keeps of each SLO that chaos
// runs, retrospectives and chart blocks read after it is computed: a small
// part of its timeline, from which every reader gets what it would get
// from the whole timeline.
func TestKeptSpans(t *testing.T) {
	b, err := load(context.Background(), Options{ConfigPath: "../../relia.toml"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	same := func(what string, got, want any) {
		t.Helper()
		if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
			t.Errorf("%s: from the kept spans\n%s\nfrom the whole timeline\n%s", what, g, w)
		}
	}
	readers := 0
	for _, s := range b.cfg.SLOs {
		id := s.ID()
		r, err := b.computeSLO(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		k, ok := b.kept[id]
		if ok != b.charted[id] {
			t.Fatalf("%s: kept %v, read later %v", id, ok, b.charted[id])
		}
		if !ok {
			continue
		}
		// r still holds the whole timeline: run empties it once the
		// SLO's page is written.
		whole := r.Timeline.Whole()
		if k.steps.Kept() == 0 || k.steps.Kept()*10 > whole.Len {
			t.Errorf("%s: kept %d of %d steps", id, k.steps.Kept(), whole.Len)
		}
		for _, run := range b.chaos.runs {
			if run.TimeUnknown || !slices.Contains(run.Services, s.Service) {
				continue
			}
			readers++
			same(id+" "+run.ID, chaos.Measure(run, k.report, k.steps), chaos.Measure(run, r, whole))
			from, to := runChartSpan(run)
			same(id+" "+run.ID+" chart", k.within(from, to).Timeline, whole.Within(from, to))
		}
		for _, p := range b.content.Retros {
			if !slices.Contains(p.Meta.SLOs, id) {
				continue
			}
			readers++
			from, to := policy.IncidentSpan(p)
			same(id+" "+p.File, slo.Measure(k.report, k.steps, from, to, 0), slo.Measure(r, whole, from, to, 0))
		}
		for _, blocks := range b.blocks {
			for _, cb := range blocks {
				if cb.SLO != id {
					continue
				}
				readers++
				same(fmt.Sprintf("%s chart block line %d", id, cb.Line), k.within(cb.From, cb.To).Timeline, whole.Within(cb.From, cb.To))
			}
		}
	}
	if readers < 20 {
		t.Fatalf("only %d readers of kept spans in the demo", readers)
	}
}
