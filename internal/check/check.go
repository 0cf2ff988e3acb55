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
	"regexp"
	"slices"
	"strconv"
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

// Severities of a Problem.
const (
	SeverityError   = "error"   // the build fails, or the site is broken
	SeverityWarning = "warning" // the site builds, but something needs a look
)

// Problem is one finding of relia check, at a place in the site's inputs.
type Problem struct {
	File     string `json:"file"`           // relative to the working folder, as in build errors; "" when unknown
	Line     int    `json:"line,omitempty"` // 0 when unknown
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// String is "file:line: message", with "warning: " before the message of a
// warning: the shape editors and CI annotate.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	}
	if p.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Report is what relia check found.
type Report struct {
	Problems []Problem // sorted by file and line
	SLOs     int       // SLOs computed (0 when the inputs did not load)
	Pages    int       // pages the site would have
}

// Errors and Warnings count the problems of each severity.
func (r *Report) Errors() int   { return r.count(SeverityError) }
func (r *Report) Warnings() int { return r.count(SeverityWarning) }

func (r *Report) count(sev string) int {
	n := 0
	for _, p := range r.Problems {
		if p.Severity == sev {
			n++
		}
	}
	return n
}

var (
	templateRe = regexp.MustCompile(`^parse (\S+): template: [^:]+:(\d+): (?s)(.*)$`)
	positionRe = regexp.MustCompile(`^([^\s:][^:\n]*?):(\d+)(?::\d+)?: (?s)(.*)$`)
	fileRe     = regexp.MustCompile(`^([^\s:]+\.(?:toml|md|ya?ml|json|gz|csv|html)): (?s)(.*)$`)
	warningRe  = regexp.MustCompile(`(?m)^warning: (.+)$`)
)

// ProblemOf reads "file:line: message" (or "file: message") into a Problem.
func ProblemOf(text, severity string) Problem {
	text = strings.TrimSpace(text)
	if m := templateRe.FindStringSubmatch(text); m != nil {
		line, _ := strconv.Atoi(m[2])
		return Problem{File: m[1], Line: line, Severity: severity, Message: "template: " + m[3]}
	}
	if m := positionRe.FindStringSubmatch(text); m != nil {
		line, _ := strconv.Atoi(m[2])
		return Problem{File: m[1], Line: line, Severity: severity, Message: m[3]}
	}
	if m := fileRe.FindStringSubmatch(text); m != nil {
		return Problem{File: m[1], Severity: severity, Message: m[2]}
	}
	return Problem{Severity: severity, Message: text}
}

// AddWarnings adds the build's positioned warnings, and returns their
// printed form, which AddLog then skips.
func (r *Report) AddWarnings(warnings []*diag.Error) map[string]bool {
	printed := map[string]bool{}
	for _, w := range warnings {
		msg := w.Msg
		if w.Key != "" {
			msg = w.Key + ": " + msg
		}
		r.Problems = append(r.Problems, Problem{File: w.File, Line: w.Line, Severity: w.Severity(), Message: msg})
		printed[w.Error()] = true
	}
	return printed
}

// AddLog turns the build's other printed warnings into problems.
func (r *Report) AddLog(log string, skip map[string]bool) {
	for _, m := range warningRe.FindAllStringSubmatch(log, -1) {
		if !skip[m[1]] {
			r.Problems = append(r.Problems, ProblemOf(m[1], SeverityWarning))
		}
	}
}

// Sort orders the problems by file, line and message, without repeats.
func (r *Report) Sort() {
	slices.SortStableFunc(r.Problems, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), strings.Compare(a.Message, b.Message))
	})
	r.Problems = slices.Compact(r.Problems)
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
func Links(pages []Page, files map[string]bool) []Problem {
	var out []Problem
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
			if sev, msg := judgeLink(e.Dir, dest, files); msg != "" {
				out = append(out, Problem{File: p.File, Line: linkLine(p.Source, n, dest), Severity: sev, Message: msg})
			}
			return ast.WalkContinue, nil
		})
	}
	return out
}

// judgeLink judges one link destination written on the page published in
// dir; it returns "" when the link is fine or leaves the site.
func judgeLink(dir, dest string, files map[string]bool) (severity, msg string) {
	if dest == "" || strings.HasPrefix(dest, "#") {
		return "", ""
	}
	u, err := url.Parse(dest)
	if err != nil {
		return SeverityError, fmt.Sprintf("link %q: %v", dest, err)
	}
	if scriptURL(u) {
		return SeverityError, fmt.Sprintf("link %q runs a script: relia renders it as a dead link; remove it", dest)
	}
	if u.Scheme != "" || u.Host != "" {
		return "", "" // leaves the site: the author's business
	}
	if strings.HasPrefix(u.Path, "/") {
		rel := relativeTo(dir, strings.TrimPrefix(u.Path, "/"))
		return SeverityError, fmt.Sprintf("link %q is absolute: it breaks when the site is published under a sub-path or opened from file://; write it relative to this page: %q", dest, rel)
	}
	target := path.Join(dir, u.Path)
	if target == ".." || strings.HasPrefix(target, "../") {
		return SeverityError, fmt.Sprintf("link %q climbs out of the site", dest)
	}
	switch {
	case files[target]:
		return "", ""
	case files[strings.TrimSuffix(target, "/")+"/index.html"] || (target == "." && files["index.html"]):
		return SeverityWarning, fmt.Sprintf("link %q names a folder: it works on a web server but not from file://; link %q", dest, strings.TrimSuffix(u.Path, "/")+"/index.html")
	case strings.HasSuffix(u.Path, ".md"):
		return SeverityError, fmt.Sprintf("link %q points at a Markdown file; link the page relia makes of it (such as ../SLUG/index.html for a retrospective)", dest)
	}
	return SeverityError, fmt.Sprintf("broken link %q: the site has no %s", dest, target)
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
func Actions(pages []*content.Page, now time.Time, loc *time.Location) []Problem {
	var out []Problem
	for _, p := range pages {
		if p.Section == "retros" && len(p.Meta.Actions) == 0 {
			out = append(out, Problem{File: p.File, Line: 1, Severity: SeverityWarning,
				Message: "retrospective has no action items; add [[actions]] (an item with status = \"wontfix\" records a decision not to act)"})
		}
		if tl := p.Meta.Timeline; !tl.Started.IsZero() && tl.Started.Equal(tl.Resolved) {
			out = append(out, Problem{File: p.File, Line: p.KeyLine("resolved"), Severity: SeverityWarning,
				Message: "timeline: started and resolved are the same instant; replace the placeholders with when things happened"})
		}
		for i, a := range p.Meta.Actions {
			if u, err := url.Parse(strings.TrimSpace(a.Link)); err == nil && scriptURL(u) {
				out = append(out, Problem{File: p.File, Line: actionLine(p.Source, i), Severity: SeverityError,
					Message: fmt.Sprintf("actions[%d]: link %q runs a script: relia renders it as a dead link; link the ticket instead", i, a.Link)})
			}
			if strings.TrimSpace(a.Title) == "" {
				out = append(out, Problem{File: p.File, Line: actionLine(p.Source, i), Severity: SeverityWarning,
					Message: fmt.Sprintf("actions[%d]: no title; say what will be done, or remove the item", i)})
			}
			if (a.Status == "open" || a.Status == "") && !a.Due.IsZero() && a.Due.Before(now) {
				who := ""
				if a.Owner != "" {
					who = " (" + a.Owner + ")"
				}
				out = append(out, Problem{File: p.File, Line: actionLine(p.Source, i), Severity: SeverityWarning,
					Message: fmt.Sprintf("actions[%d]: %q%s was due %s and is still open", i, a.Title, who, a.Due.In(loc).Format("2006-01-02"))})
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
func SLOs(slos []SLO, loc *time.Location) []Problem {
	var out []Problem
	for _, res := range slos {
		s, r := res.SLO, res.Report
		at := Problem{File: res.File, Line: s.Line, Severity: SeverityWarning}
		if r.Status == "no-data" {
			p := at
			p.Message = fmt.Sprintf("slos[%s]: no data: %.0f%% of the window's steps have data", s.ID(), r.Coverage*100)
			if why := res.NoData; why != "" {
				p.Message += ": " + why
			} else {
				p.Message += "; check the selectors and the source"
			}
			out = append(out, p)
		}
		if res.Policy.LowTraffic != "" {
			p := at
			p.Message = fmt.Sprintf("slos[%s]: %s", s.ID(), sentence(res.Policy.LowTraffic))
			out = append(out, p)
		}
		for _, e := range res.Policy.Episodes {
			if !e.NeedsRetro {
				continue
			}
			p := at
			p.Message = fmt.Sprintf("slos[%s]: the burn episode %s – %s spent %.0f%% of the budget and no retrospective covers it; write one with relia new retro \"TITLE\" and list %q in its slos",
				s.ID(), e.Start.In(loc).Format("2006-01-02 15:04"), e.End.In(loc).Format("2006-01-02 15:04 MST"), e.BudgetShare*100, s.ID())
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
