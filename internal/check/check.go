// Package check judges a site the way relia check reports it: the
// problems a build lets pass (links that lead nowhere, overdue or empty
// action items, SLOs without data or with noisy low traffic, burn episodes
// no retrospective covers) and why an SLO has no data. The pipeline
// (internal/site) runs the build into a scratch folder and hands the
// results here. It reads the built files it is pointed at; it writes
// nothing.
package check

import (
	"bytes"
	"cmp"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/yuin/goldmark/ast"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/content"
	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/internal/policy"
	"github.com/relia-dev/relia/internal/render"
	"github.com/relia-dev/relia/internal/slo"
)

// Report is what relia check found.
type Report struct {
	Problems []diag.Error // sorted by file, line, key and message
	SLOs     int          // SLOs computed (0 when the inputs did not load)
	Pages    int          // pages the site would have
}

// Errors and Warnings count the problems of each severity.
func (r *Report) Errors() int   { return r.count(false) }
func (r *Report) Warnings() int { return r.count(true) }

func (r *Report) count(warning bool) int {
	n := 0
	for _, p := range r.Problems {
		if p.Warning == warning {
			n++
		}
	}
	return n
}

// Add adds problems as the readers reported them.
func (r *Report) Add(problems ...*diag.Error) {
	for _, p := range problems {
		r.Problems = append(r.Problems, *p)
	}
}

// Sort orders the problems by file, line, key and message, without repeats
// (a problem both warned about and failed on under --strict is one).
func (r *Report) Sort() {
	slices.SortStableFunc(r.Problems, func(a, b diag.Error) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), strings.Compare(a.Key, b.Key),
			strings.Compare(a.Msg, b.Msg), compareBool(a.Warning, b.Warning))
	})
	r.Problems = slices.Compact(r.Problems)
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// ConfigLoads reports whether the configuration at path loads.
func ConfigLoads(path string) bool {
	_, err := config.Load(path)
	return err == nil
}

// ContentOnly parses the Markdown beside a broken configuration, without
// the checks that need it (SLO ids, chaos runs).
func ContentOnly(configPath string, drafts bool) error {
	dir := filepath.Dir(configPath)
	md := render.NewMarkdown(false)
	_, err := content.Load(dir, filepath.Join(dir, "content"), md, content.Options{Drafts: drafts})
	return err
}

// SiteFiles lists every file of a built site, slash-separated.
func SiteFiles(root string) (map[string]bool, error) {
	files := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = true
		return nil
	})
	return files, err
}

// Page is a Markdown page of the site and the folder it is published in.
type Page struct {
	Page *content.Page
	Dir  string
}

// Links follows every relative link and image of the Markdown pages
// to a file of the built site.
func Links(pages []Page, files map[string]bool) []diag.Error {
	var out []diag.Error
	for _, e := range pages {
		p := e.Page
		_ = ast.Walk(p.Doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			var dest string
			switch l := n.(type) {
			case *ast.Link:
				dest = string(l.Destination)
			case *ast.Image:
				dest = string(l.Destination)
			default:
				return ast.WalkContinue, nil
			}
			if warning, msg := judgeLink(e.Dir, dest, files); msg != "" {
				out = append(out, diag.Error{File: p.File, Line: linkLine(p.Source, n, dest), Msg: msg, Warning: warning})
			}
			return ast.WalkContinue, nil
		})
	}
	return out
}

// judgeLink judges one link destination written on the page published in
// dir; it returns "" when the link is fine or leaves the site, and whether
// the problem is only a warning.
func judgeLink(dir, dest string, files map[string]bool) (warning bool, msg string) {
	if dest == "" || strings.HasPrefix(dest, "#") {
		return false, ""
	}
	u, err := url.Parse(dest)
	if err != nil {
		return false, fmt.Sprintf("link %q: %v", dest, err)
	}
	if scriptURL(u) {
		return false, fmt.Sprintf("link %q runs a script: relia renders it as a dead link; remove it", dest)
	}
	if u.Scheme != "" || u.Host != "" {
		return false, "" // leaves the site: the author's business
	}
	if strings.HasPrefix(u.Path, "/") {
		rel := relativeTo(dir, strings.TrimPrefix(u.Path, "/"))
		return false, fmt.Sprintf("link %q is absolute: it breaks when the site is published under a sub-path or opened from file://; write it relative to this page: %q", dest, rel)
	}
	target := path.Join(dir, u.Path)
	if target == ".." || strings.HasPrefix(target, "../") {
		return false, fmt.Sprintf("link %q climbs out of the site", dest)
	}
	switch {
	case files[target]:
		return false, ""
	case files[strings.TrimSuffix(target, "/")+"/index.html"] || (target == "." && files["index.html"]):
		return true, fmt.Sprintf("link %q names a folder: it works on a web server but not from file://; link %q", dest, strings.TrimSuffix(u.Path, "/")+"/index.html")
	case strings.HasSuffix(u.Path, ".md"):
		return false, fmt.Sprintf("link %q points at a Markdown file; link the page relia makes of it (such as ../SLUG/index.html for a retrospective)", dest)
	}
	return false, fmt.Sprintf("broken link %q: the site has no %s", dest, target)
}

// scriptURL reports whether a URL makes a link run code: html/template
// and goldmark neutralise such links, so on the page they lead nowhere.
// Images inlined as data:image/… stay fine.
func scriptURL(u *url.URL) bool {
	switch strings.ToLower(u.Scheme) {
	case "javascript", "vbscript":
		return true
	case "data":
		return !strings.HasPrefix(strings.ToLower(u.Opaque), "image/")
	}
	return false
}

// relativeTo rewrites a site path as seen from the page folder dir.
func relativeTo(dir, target string) string {
	up := strings.Count(dir, "/")
	return strings.Repeat("../", up) + target
}

// linkLine finds the line of a link: the line of dest within the block
// that holds it, or the block's first line.
func linkLine(src []byte, n ast.Node, dest string) int {
	for b := n; b != nil; b = b.Parent() {
		if b.Type() != ast.TypeBlock || b.Lines().Len() == 0 {
			continue
		}
		lines := b.Lines()
		start, stop := lines.At(0).Start, lines.At(lines.Len()-1).Stop
		pos := start
		if i := bytes.Index(src[start:stop], []byte(dest)); i >= 0 {
			pos = start + i
		}
		return bytes.Count(src[:pos], []byte("\n")) + 1
	}
	return 0
}

// Actions warns about action items of pages (retrospectives and Chaos
// Day write-ups) without a title or open past their due date at now,
// retrospectives without any action, and timelines still holding the
// placeholders of relia new. Dates are shown in loc.
func Actions(pages []*content.Page, now time.Time, loc *time.Location) []diag.Error {
	var out []diag.Error
	for _, p := range pages {
		if p.Section == "retros" && len(p.Meta.Actions) == 0 {
			out = append(out, diag.Error{File: p.File, Line: 1, Warning: true,
				Msg: "retrospective has no action items; add [[actions]] (an item with status = \"wontfix\" records a decision not to act)"})
		}
		if tl := p.Meta.Timeline; !tl.Started.IsZero() && tl.Started.Equal(tl.Resolved) {
			out = append(out, diag.Error{File: p.File, Line: p.KeyLine("resolved"), Key: "timeline", Warning: true,
				Msg: "started and resolved are the same instant; replace the placeholders with when things happened"})
		}
		for i, a := range p.Meta.Actions {
			at := diag.Error{File: p.File, Line: actionLine(p.Source, i), Key: fmt.Sprintf("actions[%d]", i)}
			if u, err := url.Parse(strings.TrimSpace(a.Link)); err == nil && scriptURL(u) {
				e := at
				e.Msg = fmt.Sprintf("link %q runs a script: relia renders it as a dead link; link the ticket instead", a.Link)
				out = append(out, e)
			}
			if strings.TrimSpace(a.Title) == "" {
				e := at
				e.Msg, e.Warning = "no title; say what will be done, or remove the item", true
				out = append(out, e)
			}
			if (a.Status == "open" || a.Status == "") && !a.Due.IsZero() && a.Due.Before(now) {
				who := ""
				if a.Owner != "" {
					who = " (" + a.Owner + ")"
				}
				e := at
				e.Msg, e.Warning = fmt.Sprintf("%q%s was due %s and is still open", a.Title, who, a.Due.In(loc).Format("2006-01-02")), true
				out = append(out, e)
			}
		}
	}
	return out
}

// actionLine is the line of the i-th action in the front matter: its
// [[actions]] header (TOML) or list item (YAML), or 1.
func actionLine(src []byte, i int) int {
	lines := strings.Split(string(src), "\n")
	seen, inYAML, indent := -1, false, -1
	for n, l := range lines {
		t := strings.TrimSpace(l)
		if n > 0 && (t == "+++" || t == "---") {
			break
		}
		switch {
		case t == "[[actions]]":
			seen++
		case strings.HasPrefix(l, "actions:"):
			inYAML = true
			continue
		case inYAML && strings.HasPrefix(t, "- "):
			ind := len(l) - len(strings.TrimLeft(l, " "))
			if indent < 0 {
				indent = ind
			}
			if ind == indent {
				seen++
			}
		case inYAML && t != "" && !strings.HasPrefix(l, " "):
			inYAML = false
		}
		if seen == i {
			return n + 1
		}
	}
	return 1
}

// SLO is a computed SLO as check judges it.
type SLO struct {
	SLO    config.SLO
	File   string // where the SLO is written: relia.toml or its spec file
	Report *slo.Report
	Policy policy.Policy
	NoData string // why it has no data (WhyNoData), or ""
}

// SLOs warns about SLOs without data, with noisy low traffic, and with
// burn episodes that need a retrospective. Times are shown in loc.
func SLOs(slos []SLO, loc *time.Location) []diag.Error {
	var out []diag.Error
	for _, res := range slos {
		s, r := res.SLO, res.Report
		at := diag.Error{File: res.File, Line: s.Line, Key: fmt.Sprintf("slos[%s]", s.ID()), Warning: true}
		if r.Status == "no-data" {
			p := at
			p.Msg = fmt.Sprintf("no data: %.0f%% of the window's steps have data", r.Coverage*100)
			if why := res.NoData; why != "" {
				p.Msg += ": " + why
			} else {
				p.Msg += "; check the selectors and the source"
			}
			out = append(out, p)
		}
		if res.Policy.LowTraffic != "" {
			p := at
			p.Msg = sentence(res.Policy.LowTraffic)
			out = append(out, p)
		}
		for _, e := range res.Policy.Episodes {
			if !e.NeedsRetro {
				continue
			}
			p := at
			p.Msg = fmt.Sprintf("the burn episode %s – %s spent %.0f%% of the budget and no retrospective covers it; write one with relia new retro \"TITLE\" and list %q in its slos",
				e.Start.In(loc).Format("2006-01-02 15:04"), e.End.In(loc).Format("2006-01-02 15:04 MST"), e.BudgetShare*100, s.ID())
			out = append(out, p)
		}
	}
	return out
}

// sentence turns a page's note into an error-message clause: lowercase
// first letter, no final period.
func sentence(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
