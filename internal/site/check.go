package site

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/relia-dev/relia/internal/check"
	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/internal/metrics"
	"github.com/relia-dev/relia/internal/publish"
)

// Check validates a site without publishing it: everything a build checks
// (config, imported SLO specs, content, chart blocks, chaos logs, templates,
// snapshots: it runs the whole pipeline into a temporary folder that it
// removes), and then what a build lets pass: internal links in Markdown
// that lead nowhere, overdue action items, retrospectives without actions,
// SLOs without data or with so little traffic that their alerts are noise,
// and burn episodes no retrospective covers.
//
// Problems in the inputs are returned in the report, not as an error. The
// error is for what stops the check itself: a metric source that cannot be
// reached (wrapping metrics.ErrUnreachable), or a cancelled context.
func Check(ctx context.Context, opts Options) (*check.Report, error) {
	opts.Log = nil
	opts.Progress = false
	// Warnings come from the sink, whichever stage the pipeline stops at.
	opts.Warnings = &diag.List{}
	// Locked while it lives: a check killed before its cleanup leaves a
	// folder the next check removes.
	scratch, err := publish.NewScratch(os.TempDir(), "relia-check-")
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	defer scratch.Remove()
	pub, err := publish.NewPublisher(filepath.Join(scratch.Dir, "site"))
	if err != nil {
		return nil, err
	}
	defer pub.Abort()

	rep := &check.Report{}
	opts.renderAhead, opts.keepDocs = true, true // check.Links follows the links of the Markdown trees
	b, err := load(ctx, opts)
	if err == nil {
		defer b.close()
		var res *Result
		if res, err = b.run(ctx, pub); err == nil {
			rep.SLOs, rep.Pages = res.SLOs, res.Pages
		}
	}
	rep.Add(opts.Warnings.All()...)
	if err != nil {
		if err := addErr(rep, err); err != nil {
			return nil, err
		}
		if b == nil && !check.ConfigLoads(opts.ConfigPath) {
			// The configuration is broken: the Markdown can still be
			// checked on its own, so that one run shows every problem.
			addErr(rep, check.ContentOnly(opts.ConfigPath, opts.Drafts))
		}
		rep.Sort()
		return rep, nil
	}
	files, err := check.SiteFiles(pub.Dir())
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	rep.Problems = append(rep.Problems, check.Links(b.markdownPages(), files)...)
	rep.Problems = append(rep.Problems, check.Actions(append(slices.Clone(b.content.Retros), b.content.Chaos...), b.now, b.cfg.Location)...)
	rep.Problems = append(rep.Problems, check.SLOs(b.checkedSLOs(), b.cfg.Location)...)
	rep.Sort()
	return rep, nil
}

// addErr adds the problems an error of the pipeline holds, each as its
// reader reported it. It returns the error itself when it is not about the
// inputs.
func addErr(r *check.Report, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, metrics.ErrUnreachable) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	r.Add(diag.Flatten(err)...)
	return nil
}

// markdownPages are the Markdown pages of the site with the folder each is
// published in.
func (b *build) markdownPages() []check.Page {
	var out []check.Page
	if b.content.Home != nil {
		out = append(out, check.Page{Page: b.content.Home, Dir: ""})
	}
	for _, p := range b.content.Retros {
		out = append(out, check.Page{Page: p, Dir: retroPath(p)})
	}
	weeks := make([]string, 0, len(b.content.Reviews))
	for w := range b.content.Reviews {
		weeks = append(weeks, w)
	}
	slices.Sort(weeks)
	for _, w := range weeks {
		out = append(out, check.Page{Page: b.content.Reviews[w], Dir: reviewPath(w)})
	}
	for _, p := range b.content.Chaos {
		out = append(out, check.Page{Page: p, Dir: writeUpPath(p)})
	}
	return out
}

// checkedSLOs are the computed SLOs as check judges them.
func (b *build) checkedSLOs() []check.SLO {
	out := make([]check.SLO, len(b.results))
	for i, res := range b.results {
		out[i] = check.SLO{SLO: res.cfg, File: sloFile(b.cfg, res.cfg), Report: res.report, Policy: res.policy, NoData: b.noData[res.cfg.ID()]}
	}
	return out
}
