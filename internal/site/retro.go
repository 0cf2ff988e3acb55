package site

import (
	"math"
	"runtime"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/relia-dev/relia/internal/content"
	"github.com/relia-dev/relia/internal/policy"
	"github.com/relia-dev/relia/internal/render"
	"github.com/relia-dev/relia/internal/slo"
)

// retroFigures are the numbers relia adds to a retrospective: the times to
// detect, acknowledge, mitigate and resolve, and what the incident cost
// each SLO it lists.
type retroFigures struct {
	Durations []retroDuration
	SLOs      []retroSLO
}

type retroDuration struct {
	Name  string // "Time to detect"
	Value string
}

type retroSLO struct {
	ID, Path string
	Impact   slo.Impact
	// Paged is whether a page rule of the replay fired during the incident
	// (from started to resolved); PagedAfter is how long after started it
	// first fired (0 when a page was already firing).
	Paged      bool
	PagedAfter time.Duration
	// NoPageRule: the SLO has no page rule (alerts off, or only tickets),
	// so "no" is not a missed page but a page nobody set up.
	NoPageRule bool
}

// keepRetroSLOs keeps the per-step data of the SLOs that retrospectives
// inside the history list: their figures need it.
func (b *build) keepRetroSLOs() {
	histStart := b.now.Add(-b.cfg.History)
	for _, p := range b.content.Retros {
		from, to := policy.IncidentSpan(p)
		if !to.After(histStart) || from.After(b.now) {
			continue
		}
		for _, id := range p.Meta.SLOs {
			b.charted[id] = true
		}
	}
}

// retroFiguresOf derives a retrospective's figures from its timeline and
// the kept SLO data. An SLO without data for the incident shows none.
func (b *build) retroFiguresOf(p *content.Page) retroFigures {
	var f retroFigures
	tl := p.Meta.Timeline
	if !tl.Started.IsZero() {
		for _, d := range []struct {
			name string
			at   time.Time
		}{{"Time to detect", tl.Detected}, {"Time to acknowledge", tl.Acknowledged}, {"Time to mitigate", tl.Mitigated}, {"Time to resolve", tl.Resolved}} {
			if !d.at.IsZero() {
				f.Durations = append(f.Durations, retroDuration{Name: d.name, Value: render.Duration(d.at.Sub(tl.Started))})
			}
		}
	}
	from, to := policy.IncidentSpan(p)
	for _, id := range p.Meta.SLOs {
		row := retroSLO{ID: id, Impact: slo.Impact{SLO: id, NoData: true, BudgetConsumed: math.NaN(), PeakBurnRate: math.NaN()}}
		for _, s := range b.cfg.SLOs {
			if s.ID() == id {
				row.Path = sloPath(s)
				row.NoPageRule = !slices.ContainsFunc(s.Alerting.Effective(), func(r slo.RuleSpec) bool { return r.Severity == "page" })
			}
		}
		if k, ok := b.kept[id]; ok {
			// Alerts count from the start to the resolution: a page after
			// the incident was over detected nothing.
			row.Impact = slo.Measure(k.report, k.steps, from, to, 0)
			for _, a := range row.Impact.Alerts {
				if a.Rule.Severity != "page" {
					continue
				}
				if after := max(a.Start.Sub(from), 0); !row.Paged || after < row.PagedAfter {
					row.Paged, row.PagedAfter = true, after
				}
			}
		}
		f.SLOs = append(f.SLOs, row)
	}
	return f
}

// renderedRetro is a retrospective's Markdown rendered ahead of its page,
// with what the search index and the feed take from its text.
type renderedRetro struct {
	html          string // chart keys left out: see render.ChartBlock.KeyLater
	text, summary string
}

// renderRetros renders every retrospective's Markdown, on every core,
// before the SLOs are computed, and then lets go of its Markdown tree
// (unless keepDocs): the trees of a thousand retrospectives were half the
// memory a build held while it computed and wrote, which the collector
// scanned again and again and the heap grew twice as large to hold. The
// keys under chart blocks need the computed site: each block remembers
// where its key goes, and writeRetro puts it there.
func (b *build) renderRetros() error {
	rendered := make([]renderedRetro, len(b.content.Retros))
	errs := make([]error, len(b.content.Retros))
	g := new(errgroup.Group)
	g.SetLimit(runtime.NumCPU())
	for i, p := range b.content.Retros {
		g.Go(func() error {
			for _, cb := range b.blocks[p] {
				cb.KeyLater = true
			}
			html, err := b.markdown(p)
			if err != nil {
				errs[i] = err
				return nil
			}
			rendered[i] = renderedRetro{html: string(html), text: plainText(p), summary: summaryOf(p)}
			if !b.keepDocs {
				p.Doc = nil
			}
			return nil
		})
	}
	_ = g.Wait() // the errors are per page, in errs
	b.retros = make(map[*content.Page]renderedRetro, len(rendered))
	for i, p := range b.content.Retros {
		if errs[i] != nil {
			return errs[i]
		}
		b.retros[p] = rendered[i]
	}
	return nil
}
