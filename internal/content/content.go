// Package content reads the site's Markdown pages: front matter, sections,
// drafts and slugs. It parses; it does not render and it does not compute
// figures. Sections are folders under content/: retros/ holds incident
// retrospectives and _index.md the home page's introduction.
package content

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/relia-dev/relia/internal/bounded"
	"github.com/relia-dev/relia/internal/confine"
	"github.com/relia-dev/relia/internal/diag"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"go.abhg.dev/goldmark/frontmatter"
	"go.yaml.in/yaml/v3"
	"golang.org/x/sync/errgroup"
)

// Page is one Markdown file.
type Page struct {
	File    string // path as shown in errors: relative to the site root
	Section string // "retros", or "" for the home introduction
	Slug    string // URL-safe name from the file name

	Meta Meta

	Source []byte   // the whole file; Doc's segments point into it
	Doc    ast.Node // parsed Markdown body
}

// Meta is the front matter relia understands. Keys it does not know are
// kept out of the way: authors may carry their own.
type Meta struct {
	Title    string    `toml:"title" yaml:"title"`
	Date     time.Time `toml:"date" yaml:"date"`
	Severity string    `toml:"severity" yaml:"severity"`
	Services []string  `toml:"services" yaml:"services"`
	SLOs     []string  `toml:"slos" yaml:"slos"`
	Draft    bool      `toml:"draft" yaml:"draft"`
	Summary  string    `toml:"summary" yaml:"summary"`
	Timeline Timeline  `toml:"timeline" yaml:"timeline"`
	Actions  []Action  `toml:"actions" yaml:"actions"`

	// Chaos Day write-ups (content/chaos/): the runs they report, by id,
	// or every run that started on Day (a date in the site's zone).
	Runs []string  `toml:"runs" yaml:"runs"`
	Day  time.Time `toml:"day" yaml:"day"`
}

// Timeline holds the instants of an incident; zero when not given.
type Timeline struct {
	Started      time.Time `toml:"started" yaml:"started"`
	Detected     time.Time `toml:"detected" yaml:"detected"`
	Acknowledged time.Time `toml:"acknowledged" yaml:"acknowledged"`
	Mitigated    time.Time `toml:"mitigated" yaml:"mitigated"`
	Resolved     time.Time `toml:"resolved" yaml:"resolved"`
}

// Action is a follow-up item of a retrospective.
type Action struct {
	Title  string    `toml:"title" yaml:"title"`
	Owner  string    `toml:"owner" yaml:"owner"`
	Due    time.Time `toml:"due" yaml:"due"`
	Status string    `toml:"status" yaml:"status"` // open | done | wontfix
	Link   string    `toml:"link" yaml:"link"`
	Closed time.Time `toml:"closed" yaml:"closed"` // when it was done or dropped; optional
}

// Action statuses.
var ActionStatuses = []string{"open", "done", "wontfix"}

// Site is every page of a content folder.
type Site struct {
	Home   *Page   // content/_index.md; nil when absent
	Retros []*Page // newest first
	// Reviews are the notes for weekly reviews, content/reviews/2026-W47.md,
	// keyed by that ISO week name.
	Reviews map[string]*Page
	Chaos   []*Page // Chaos Day write-ups, content/chaos/*.md, newest first
}

// Options control loading.
type Options struct {
	Drafts bool // include pages with draft = true
	// KnownSLOs are the SLO ids of the configuration; a retrospective
	// naming another is an error. Nil skips the check.
	KnownSLOs map[string]bool
	// KnownRuns are the ids of the chaos runs read; a write-up naming
	// another is an error. Nil skips the check.
	KnownRuns map[string]bool
	// Parsed, when set, is called with every page of a section (retros,
	// reviews, chaos) as soon as it is parsed, Section set, on the worker
	// that read it and before Load checks it: a caller can render a page
	// and let go of its Markdown tree while the others are read, instead
	// of holding every tree at once.
	Parsed func(*Page)
}

// Error is a problem at a place in a content file: see diag.Error.
type Error = diag.Error

// Load reads the content folder dir. Paths in errors are shown relative to
// root (the site root). All problems are collected and returned joined.
func Load(root, dir string, md goldmark.Markdown, opts Options) (*Site, error) {
	site := &Site{Reviews: map[string]*Page{}}
	var errs []error
	home := filepath.Join(dir, "_index.md")
	if _, err := os.Stat(home); err == nil {
		p, err := ReadPage(root, home, md)
		if err != nil {
			errs = append(errs, err)
		} else {
			site.Home = p
		}
	}
	retros, err := filepath.Glob(filepath.Join(dir, "retros", "*.md"))
	if err != nil {
		return nil, err
	}
	slugs := map[string]string{}
	retroPages, retroErrs := readPages(root, "retros", retros, md, opts.Parsed)
	for i, p := range retroPages {
		if err := retroErrs[i]; err != nil {
			errs = append(errs, err)
			continue
		}
		if p.Meta.Draft && !opts.Drafts {
			continue
		}
		if err := checkRetro(p, opts.KnownSLOs); err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := slugs[p.Slug]; dup {
			errs = append(errs, &Error{File: p.File, Msg: fmt.Sprintf("slug %q is also used by %s; rename one file", p.Slug, other)})
			continue
		}
		slugs[p.Slug] = p.File
		site.Retros = append(site.Retros, p)
	}
	reviews, err := filepath.Glob(filepath.Join(dir, "reviews", "*.md"))
	if err != nil {
		return nil, err
	}
	reviewPages, reviewErrs := readPages(root, "reviews", reviews, md, opts.Parsed)
	for i, f := range reviews {
		p := reviewPages[i]
		if err := reviewErrs[i]; err != nil {
			errs = append(errs, err)
			continue
		}
		if p.Meta.Draft && !opts.Drafts {
			continue
		}
		week := strings.TrimSuffix(filepath.Base(f), ".md")
		if !reviewNameRe.MatchString(week) {
			errs = append(errs, &Error{File: p.File, Msg: "review notes are named after their ISO week, such as 2026-W47.md"})
			continue
		}
		site.Reviews[week] = p
	}
	errs = append(errs, loadChaos(root, dir, md, opts, site)...)
	slices.SortStableFunc(site.Retros, func(a, b *Page) int {
		if c := b.Meta.Date.Compare(a.Meta.Date); c != 0 {
			return c
		}
		return strings.Compare(a.Slug, b.Slug)
	})
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return site, nil
}

// readPages reads and parses the files of a section on every core,
// keeping their order in what it returns: a page or the error that stopped
// it, for each file. A site of a thousand retrospectives spent a fifth of
// its build parsing them one after the other. parsed, when set, is called
// with each page read (Options.Parsed).
func readPages(root, section string, files []string, md goldmark.Markdown, parsed func(*Page)) ([]*Page, []error) {
	pages := make([]*Page, len(files))
	errs := make([]error, len(files))
	checker := confine.NewChecker(root)
	var g errgroup.Group
	g.SetLimit(runtime.NumCPU())
	for i, f := range files {
		g.Go(func() error {
			p, err := readPage(checker, root, f, md)
			if err == nil {
				p.Section = section
				if parsed != nil {
					parsed(p)
				}
			}
			pages[i], errs[i] = p, err
			return nil
		})
	}
	_ = g.Wait() // the errors are per file, in errs
	return pages, errs
}

// ReadPage reads and parses one Markdown file.
func ReadPage(root, path string, md goldmark.Markdown) (*Page, error) {
	return readPage(confine.NewChecker(root), root, path, md)
}

func readPage(checker *confine.Checker, root, path string, md goldmark.Markdown) (*Page, error) {
	rel, err := filepath.Rel(root, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = path
	}
	if err := checker.Check(path); err != nil {
		return nil, &Error{File: filepath.ToSlash(rel), Msg: err.Error()}
	}
	src, err := bounded.ReadFile(path, MaxPageBytes)
	if errors.Is(err, bounded.ErrTooLarge) {
		return nil, &Error{File: filepath.ToSlash(rel), Msg: fmt.Sprintf("larger than the limit of %s for a Markdown page (a fixed bound; split the page)", bounded.Size(MaxPageBytes))}
	}
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		err = pe.Err // the file is named already
	}
	if err != nil {
		return nil, &Error{File: filepath.ToSlash(rel), Msg: fmt.Sprintf("read page: %v", err)}
	}
	return ParsePage(filepath.ToSlash(rel), src, md)
}

// MaxPageBytes bounds a Markdown page. A long retrospective is 50 KB.
// goldmark's inline parser is quadratic on some inputs (thousands of
// unclosed links in one paragraph: 80 KB of "[a](" take 3 s), so the
// bound is what keeps a page's time in seconds rather than hours.
const MaxPageBytes = 1 << 20

// FrontMatter returns the goldmark extension that reads the TOML (+++) or
// YAML (---) front matter ParsePage decodes. YAML is read with the yaml
// module of relia's other readers, not the extension's own copy, so that
// frontMatterError recognises its *yaml.TypeError.
func FrontMatter() *frontmatter.Extender {
	return &frontmatter.Extender{Formats: []frontmatter.Format{
		frontmatter.TOML,
		{Name: "YAML", Delim: '-', Unmarshal: yaml.Unmarshal},
	}}
}

// ParsePage parses src as the Markdown file named file.
func ParsePage(file string, src []byte, md goldmark.Markdown) (*Page, error) {
	if fm, ok := tomlFrontMatter(src); ok {
		if line := bounded.TOMLDepth(fm, bounded.MaxTOMLDepth); line > 0 {
			return nil, &Error{File: file, Line: line + 1, Msg: fmt.Sprintf("front matter: values nested more than %d deep (arrays, inline tables, dotted keys), the limit (a fixed bound)", bounded.MaxTOMLDepth)}
		}
	}
	ctx := parser.NewContext()
	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(ctx))
	p := &Page{File: file, Slug: Slug(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))), Source: src, Doc: doc}
	if unclosedFrontMatter(src) {
		return nil, &Error{File: file, Line: 1, Msg: "front matter is not closed: expected a line with only +++ (TOML) or --- (YAML)"}
	}
	if fm := frontmatter.Get(ctx); fm != nil {
		if err := fm.Decode(&p.Meta); err != nil {
			return nil, frontMatterError(file, src, err)
		}
	}
	if p.Meta.Title == "" {
		p.Meta.Title = firstHeading(doc, src)
	}
	return p, nil
}

// tomlFrontMatter returns the TOML between a page's opening +++ line and
// the next, for the nesting check the TOML library needs before it reads.
func tomlFrontMatter(src []byte) ([]byte, bool) {
	first, rest, _ := bytes.Cut(src, []byte("\n"))
	if string(bytes.TrimSpace(first)) != "+++" {
		return nil, false
	}
	for off := 0; off < len(rest); {
		line, _, _ := bytes.Cut(rest[off:], []byte("\n"))
		if string(bytes.TrimSpace(line)) == "+++" {
			return rest[:off], true
		}
		off += len(line) + 1
	}
	return rest, true
}

// unclosedFrontMatter reports a file that opens front matter and never
// closes it: the whole page would silently become front matter.
func unclosedFrontMatter(src []byte) bool {
	// Line by line, without splitting the file into a slice of its lines
	// for every page read.
	first, rest, _ := bytes.Cut(src, []byte("\n"))
	open := bytes.TrimSpace(first)
	if string(open) != "+++" && string(open) != "---" {
		return false
	}
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		if bytes.Equal(bytes.TrimSpace(line), open) {
			return false
		}
	}
	return true
}

// frontMatterError places a decode error on the file's line: the front
// matter starts on line 2, after the opening delimiter.
func frontMatterError(file string, src []byte, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		if pe.LastKey != "" {
			return &Error{File: file, Line: pe.Position.Line + 1, Key: pe.LastKey, Msg: pe.Message}
		}
		return &Error{File: file, Line: pe.Position.Line + 1, Msg: "front matter: " + pe.Message}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		return &Error{File: file, Line: yamlLine(te.Errors[0]) + 1, Msg: "front matter: " + strings.Join(te.Errors, "; ")}
	}
	if l := yamlLine(err.Error()); l > 0 {
		return &Error{File: file, Line: l + 1, Msg: "front matter: " + err.Error()}
	}
	return &Error{File: file, Line: 1, Msg: "front matter: " + err.Error()}
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

func yamlLine(msg string) int {
	m := yamlLineRe.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n
}

func checkRetro(p *Page, known map[string]bool) error {
	var problems []string
	if known != nil {
		ids := make([]string, 0, len(known))
		for id := range known {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range p.Meta.SLOs {
			if !known[id] {
				problems = append(problems, fmt.Sprintf("slos: unknown SLO %q; expected one of %s", id, strings.Join(ids, ", ")))
			}
		}
	}
	if p.Meta.Title == "" {
		problems = append(problems, "title: missing; expected title = \"...\" in the front matter or a # heading")
	}
	if p.Meta.Date.IsZero() {
		problems = append(problems, "date: missing; expected a date such as date = 2026-11-10T13:00:00Z")
	}
	// The timeline must run forward.
	tl := p.Meta.Timeline
	var prev time.Time
	prevName := ""
	for _, ev := range []struct {
		name string
		at   time.Time
	}{{"started", tl.Started}, {"detected", tl.Detected}, {"acknowledged", tl.Acknowledged}, {"mitigated", tl.Mitigated}, {"resolved", tl.Resolved}} {
		if ev.at.IsZero() {
			continue
		}
		if !prev.IsZero() && ev.at.Before(prev) {
			problems = append(problems, fmt.Sprintf("%s: %s is before %s (%s); the timeline must run forward",
				ev.name, ev.at.UTC().Format(time.RFC3339), prevName, prev.UTC().Format(time.RFC3339)))
		}
		prev, prevName = ev.at, ev.name
	}
	for i, a := range p.Meta.Actions {
		if a.Status != "" && !slices.Contains(ActionStatuses, a.Status) {
			problems = append(problems, fmt.Sprintf("actions[%d].status: expected open, done or wontfix, got %q", i, a.Status))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	errs := make([]error, len(problems))
	for i, m := range problems {
		key, msg, _ := strings.Cut(m, ": ")
		errs[i] = &Error{File: p.File, Line: keyLine(p.Source, key), Key: key, Msg: msg}
	}
	return errors.Join(errs...)
}

// keyLine finds the front matter line that sets key ("actions[1].status"
// looks for the second "status" after the second [[actions]]), or 1.
func keyLine(src []byte, key string) int {
	lines := strings.Split(string(src), "\n")
	name, idx := key, -1
	if i := strings.Index(key, "["); i >= 0 {
		fmt.Sscanf(key[i:], "[%d]", &idx)
		name = key[strings.LastIndex(key, ".")+1:]
	}
	seen := -1
	for n, l := range lines {
		t := strings.TrimSpace(l)
		if n > 0 && (t == "+++" || t == "---") {
			break
		}
		if idx >= 0 && strings.HasPrefix(t, "[[") {
			seen++
			continue
		}
		if (idx < 0 || seen == idx) && (strings.HasPrefix(t, name+" ") || strings.HasPrefix(t, name+"=") || strings.HasPrefix(t, name+":")) {
			return n + 1
		}
	}
	return 1
}

func firstHeading(doc ast.Node, src []byte) string {
	var title string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering && h.Level == 1 {
			var b strings.Builder
			for c := h.FirstChild(); c != nil; c = c.NextSibling() {
				if t, ok := c.(*ast.Text); ok {
					b.Write(t.Segment.Value(src))
				}
			}
			title = b.String()
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return title
}

var slugUnsafe = regexp.MustCompile(`[^a-z0-9]+`)

var reviewNameRe = regexp.MustCompile(`^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$`)

// Slug makes a URL path segment from a name: lowercase ASCII letters, digits
// and single dashes. It never yields "." or "..", so no output path escapes
// the site folder.
func Slug(name string) string {
	s := strings.Trim(slugUnsafe.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if s == "" {
		return "page"
	}
	return s
}

// MaxSlug bounds slugs made from titles: file names and run ids stay far
// below the 255 bytes a file system allows, and readable in a URL.
const MaxSlug = 64

// ShortSlug is Slug cut to MaxSlug bytes, at a dash when one is near the
// end, for names made from titles of any length.
func ShortSlug(title string) string {
	s := Slug(title)
	if len(s) > MaxSlug {
		s = s[:MaxSlug]
		if i := strings.LastIndexByte(s, '-'); i > MaxSlug/2 {
			s = s[:i]
		}
		s = strings.Trim(s, "-")
	}
	return s
}

// Exists reports whether a content folder exists.
func Exists(dir string) bool {
	_, err := os.Stat(dir)
	return !errors.Is(err, fs.ErrNotExist)
}
