package content

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/yuin/goldmark"
)

// loadChaos reads the Chaos Day write-ups, content/chaos/*.md, into
// site.Chaos, newest first. A write-up names its runs (runs = [ids]) or
// its day (day = 2026-11-12: every run that started then), or both.
func loadChaos(root, dir string, md goldmark.Markdown, opts Options, site *Site) []error {
	files, err := filepath.Glob(filepath.Join(dir, "chaos", "*.md"))
	if err != nil {
		return []error{err}
	}
	var errs []error
	slugs := map[string]string{}
	pages, readErrs := readPages(root, "chaos", files, md, opts.Parsed)
	for i, p := range pages {
		if err := readErrs[i]; err != nil {
			errs = append(errs, err)
			continue
		}
		if p.Meta.Draft && !opts.Drafts {
			continue
		}
		if p.Meta.Date.IsZero() {
			p.Meta.Date = p.Meta.Day
		}
		if err := checkChaos(p, opts.KnownRuns); err != nil {
			errs = append(errs, err...)
			continue
		}
		if other, dup := slugs[p.Slug]; dup {
			errs = append(errs, &Error{File: p.File, Msg: fmt.Sprintf("slug %q is also used by %s; rename one file", p.Slug, other)})
			continue
		}
		slugs[p.Slug] = p.File
		site.Chaos = append(site.Chaos, p)
	}
	slices.SortStableFunc(site.Chaos, func(a, b *Page) int {
		if c := b.Meta.Date.Compare(a.Meta.Date); c != 0 {
			return c
		}
		return strings.Compare(a.Slug, b.Slug)
	})
	return errs
}

func checkChaos(p *Page, known map[string]bool) []error {
	var errs []error
	fail := func(key, format string, args ...any) {
		errs = append(errs, &Error{File: p.File, Line: keyLine(p.Source, key), Msg: key + ": " + fmt.Sprintf(format, args...)})
	}
	if p.Slug == "runs" {
		errs = append(errs, &Error{File: p.File, Msg: `a write-up cannot be named "runs": chaos/runs/ holds the pages of the runs; rename the file`})
	}
	if p.Meta.Title == "" {
		fail("title", "missing; expected title = \"...\" in the front matter or a # heading")
	}
	if len(p.Meta.Runs) == 0 && p.Meta.Day.IsZero() {
		fail("runs", "missing; a Chaos Day write-up lists its runs: runs = [\"run-id\", ...], or day = 2026-11-12 for every run that started that day")
	}
	if known != nil {
		for _, id := range p.Meta.Runs {
			if !known[id] {
				fail("runs", "unknown chaos run %q; run ids are listed on the chaos page and in api/v1/slos.json", id)
			}
		}
	}
	return errs
}

// KeyLine is the line of the front matter that sets key, or 1.
func (p *Page) KeyLine(key string) int { return keyLine(p.Source, key) }
