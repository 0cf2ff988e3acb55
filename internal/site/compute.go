package site

import (
	"context"
	"runtime"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/relia-dev/relia/internal/api"
	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/policy"
	"github.com/relia-dev/relia/internal/slo"
)

// Computed is every SLO of a site at the report time, without pages.
type Computed struct {
	Now  time.Time
	SLOs []SLOStatus // in the order of the configuration
	// API is the site's api/v1/slos.json document, the figures of SLOs
	// and chaos runs a build would publish.
	API api.Doc
}

// SLOStatus is one computed SLO and what the error-budget policy says
// about it.
type SLOStatus struct {
	SLO    config.SLO
	Report *slo.Report // the window's figures; its per-step Timeline is empty
	// LowTraffic is the low-traffic warning shown on the SLO's page, or "".
	LowTraffic string
	// NeedsRetro are the burn episodes that spent more than the policy's
	// share of the budget with no retrospective covering them.
	NeedsRetro []slo.Episode
}

// Compute runs load → compute: every SLO's report at the report time, as a
// build would compute it, without assembling or writing pages. It is what
// `relia status` shows.
func Compute(ctx context.Context, opts Options) (*Computed, error) {
	b, err := load(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer b.close()
	out := &Computed{Now: b.now, SLOs: make([]SLOStatus, len(b.cfg.SLOs))}
	results := make([]sloResult, len(b.cfg.SLOs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.NumCPU())
	errs := make(sloErrors, len(b.cfg.SLOs))
	for i, s := range b.cfg.SLOs {
		g.Go(func() error {
			r, err := b.computeSLO(gctx, s)
			if err != nil {
				return errs.keep(i, err)
			}
			pol := b.policyFor(s, r)
			out.SLOs[i] = b.status(s, r, pol)
			results[i] = sloResult{cfg: s, report: r, policy: pol}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := errs.join(); err != nil {
		return nil, err
	}
	b.measureChaos()
	out.API = b.apiDoc(results)
	return out, nil
}

func (b *build) status(s config.SLO, r *slo.Report, pol policy.Policy) SLOStatus {
	st := SLOStatus{SLO: s, Report: r, LowTraffic: pol.LowTraffic}
	r.Timeline = slo.Timeline{}
	for _, e := range pol.Episodes {
		if e.NeedsRetro {
			st.NeedsRetro = append(st.NeedsRetro, e.Episode)
		}
	}
	return st
}
