package render

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/relia-dev/relia/internal/bounded"
	"github.com/relia-dev/relia/internal/confine"
	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/templates"
)

// Pages are the page templates a theme provides; each is combined with
// base.html, which defines the layout and calls the page's "content".
var Pages = []string{"index.html", "slo.html", "retro.html", "retros.html", "404.html", "review.html", "reviews.html", "actions.html", "search.html", "summary.html", "chaos-index.html", "chaos-run.html", "chaos.html", "calendar.html", "month.html"}

// Theme is the parsed set of page templates.
type Theme struct {
	pages map[string]*template.Template
	loc   *time.Location
}

// MaxTemplateBytes bounds a template file of a site's templates/ folder;
// the largest of the default theme is under 20 KB.
const MaxTemplateBytes = 1 << 20

// LoadTheme parses the embedded theme. A file of the same name in
// overrideDir (the site's templates/ folder; may be empty or absent)
// replaces the embedded one. Times are shown in loc.
func LoadTheme(overrideDir string, loc *time.Location) (*Theme, error) {
	read := func(name string) (string, []byte, error) {
		if overrideDir != "" {
			p := filepath.Join(overrideDir, name)
			rel := filepath.ToSlash(filepath.Join(filepath.Base(overrideDir), name))
			// The templates are published: one linked from outside the
			// site could carry any file into it.
			if err := confine.Check(filepath.Dir(overrideDir), p); err != nil {
				return "", nil, &diag.Error{File: rel, Msg: err.Error()}
			}
			b, err := bounded.ReadFile(p, MaxTemplateBytes)
			if pe := (*fs.PathError)(nil); errors.As(err, &pe) && !errors.Is(err, fs.ErrNotExist) {
				err = pe.Err // named by rel
			}
			switch {
			case err == nil:
				return p, b, nil
			case errors.Is(err, bounded.ErrTooLarge):
				return "", nil, &diag.Error{File: rel, Key: "template", Msg: fmt.Sprintf("larger than the limit of %s for a template (a fixed bound)", bounded.Size(MaxTemplateBytes))}
			case !errors.Is(err, fs.ErrNotExist):
				return "", nil, &diag.Error{File: rel, Key: "template", Msg: fmt.Sprintf("read: %v", err)}
			}
		}
		b, err := fs.ReadFile(templates.FS, name)
		return "templates/" + name, b, err
	}
	baseName, base, err := read("base.html")
	if err != nil {
		return nil, readErr(err)
	}
	t := &Theme{pages: map[string]*template.Template{}, loc: loc}
	root, err := template.New("base").Funcs(t.funcs()).Parse(string(base))
	if err != nil {
		return nil, templateErr(baseName, err)
	}
	for _, name := range Pages {
		file, src, err := read(name)
		if err != nil {
			return nil, readErr(err)
		}
		clone := template.Must(root.Clone())
		if _, err := clone.New(name).Parse(string(src)); err != nil {
			return nil, templateErr(file, err)
		}
		t.pages[name] = clone
	}
	return t, nil
}

// readErr wraps a failure to read a template, unless it already says
// where it is.
func readErr(err error) error {
	if de, ok := err.(*diag.Error); ok {
		return de
	}
	return fmt.Errorf("read template: %w", err)
}

// parseErrRe reads text/template's parse errors, which carry their line
// only in their text: "template: NAME:LINE: MESSAGE". It is the one place
// relia reads a position out of text, at the library's boundary, so that
// a theme error is a diag.Error like every other.
var parseErrRe = regexp.MustCompile(`^template: [^:]*:(\d+): (?s)(.*)$`)

// templateErr is a theme file's parse error at its line.
func templateErr(file string, err error) *diag.Error {
	var te *template.Error
	if errors.As(err, &te) && te.Line > 0 {
		return &diag.Error{File: file, Line: te.Line, Key: "template", Msg: te.Description}
	}
	if m := parseErrRe.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &diag.Error{File: file, Line: line, Key: "template", Msg: m[2]}
	}
	return &diag.Error{File: file, Key: "template", Msg: strings.TrimPrefix(err.Error(), "template: ")}
}

// Execute renders page (one of Pages) with data into w.
func (t *Theme) Execute(w io.Writer, page string, data any) error {
	tmpl, ok := t.pages[page]
	if !ok {
		return fmt.Errorf("no template %q", page)
	}
	if err := tmpl.ExecuteTemplate(w, "base", data); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	return nil
}

// Assets lists the static files every site gets under assets/.
func Assets() (fs.FS, error) { return fs.Sub(templates.FS, "assets") }

func (t *Theme) funcs() template.FuncMap {
	return template.FuncMap{
		"pct":        Percent,
		"burn":       Burn,
		"count":      Count,
		"delta":      Delta,
		"deltaText":  DeltaText,
		"budgetBar":  BudgetBar,
		"sub":        func(a, b float64) float64 { return a - b },
		"addDays":    func(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) },
		"join":       strings.Join,
		"date":       func(v time.Time) string { return v.In(t.loc).Format("2 Jan 2006") },
		"day":        func(v time.Time) string { return v.Format("2006-01-02") },
		"datetime":   t.datetime,
		"duration":   func(a, b time.Time) string { return Duration(b.Sub(a)) },
		"duration0":  func(steps int, step time.Duration) string { return Duration(time.Duration(steps) * step) },
		"durationOf": Duration,
		"chartKey":   t.ChartKey,
	}
}

// keyTemplate lists a chart's shaded spans under it: a swatch of the
// shade, the name, the kind and when.
var keyTemplate = template.Must(template.New("key").Parse(`<ul class="chart-key">
{{- range .}}
<li><span class="swatch" style="background: {{.Color}}; border-color: {{.Edge}}"></span>{{.Name}} <span class="muted small">{{.Kind}} · {{.When}}</span></li>
{{- end}}
</ul>
`))

type keyRow struct {
	Name, Kind, When string
	// Color and Edge come from the fixed shades of the kinds of marks, not
	// from input: trusted CSS, which html/template would otherwise refuse
	// (it allows no parenthesis in a style value).
	Color, Edge template.CSS
	first, last Mark
	n           int
}

// ChartKey lists the marks of a chart (in time order) for a key under it,
// one row per kind and name: a weekly budget adjustment is one row with
// its count, first start and last end. Empty without marks.
func (t *Theme) ChartKey(marks []Mark) (template.HTML, error) {
	var rows []*keyRow
	byName := map[[2]string]*keyRow{}
	for _, m := range marks {
		k := [2]string{m.Kind, m.Name}
		if r, ok := byName[k]; ok {
			r.last = m
			r.n++
			continue
		}
		r := &keyRow{Name: m.Name, Kind: m.style().kind, Color: template.CSS(m.style().shade), Edge: template.CSS(m.style().edge), first: m, last: m, n: 1}
		byName[k] = r
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return "", nil
	}
	for _, r := range rows {
		if r.n == 1 {
			r.When = t.datetime(r.first.Start) + ", " + Duration(r.first.End.Sub(r.first.Start))
		} else {
			r.When = fmt.Sprintf("%d times, %s to %s", r.n, t.datetime(r.first.Start), t.datetime(r.last.End))
		}
	}
	var b strings.Builder
	if err := keyTemplate.Execute(&b, rows); err != nil {
		return "", fmt.Errorf("chart key: %w", err)
	}
	return template.HTML(b.String()), nil
}

func (t *Theme) datetime(v time.Time) string { return v.In(t.loc).Format("2006-01-02 15:04 MST") }

// Percent formats a fraction as a percentage; "—" when undefined.
func Percent(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return fmt.Sprintf("%.*f%%", decimals, v*100)
}

// Burn formats a burn rate; "—" when undefined.
func Burn(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return fmt.Sprintf("%.2f×", v)
}

// Count formats an event count with thin separators; "—" when undefined.
func Count(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	s := fmt.Sprintf("%.0f", math.Abs(v))
	if v != math.Trunc(v) && math.Abs(v) < 1000 {
		s = fmt.Sprintf("%.1f", math.Abs(v))
	}
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(",")
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	if v < 0 {
		return "-" + b.String()
	}
	return b.String()
}

// Delta formats a change in compliance in percentage points with an arrow:
// up is better.
func Delta(v float64) template.HTML {
	switch {
	case math.IsNaN(v):
		return "—"
	case v > 0.000005:
		return template.HTML(fmt.Sprintf(`<span class="up">▲ %+.3f pp</span>`, v*100))
	case v < -0.000005:
		return template.HTML(fmt.Sprintf(`<span class="down">▼ %+.3f pp</span>`, v*100))
	default:
		return "± 0"
	}
}

// DeltaText is Delta without markup, for the compact rows of large pages.
func DeltaText(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case v > 0.000005:
		return fmt.Sprintf("▲ %.3f pp", v*100) // the arrow carries the sign: "+" escapes to 5 bytes
	case v < -0.000005:
		return fmt.Sprintf("▼ %.3f pp", -v*100)
	}
	return "± 0"
}

// BudgetBar draws budget remaining as a small bar coloured by the SLO's
// status, and a percentage.
func BudgetBar(remaining float64, status string) template.HTML {
	if math.IsNaN(remaining) {
		return "—"
	}
	w := math.Max(0, math.Min(1, remaining)) * 100
	class := template.HTMLEscapeString(status)
	return template.HTML(fmt.Sprintf(`<span class="bar %s"><span style="width:%.0f%%"></span></span>%s`, class, w, template.HTMLEscapeString(Percent(remaining, 1))))
}

// Duration formats a span compactly: "3h 05m", "2d 4h", "45m".
func Duration(d time.Duration) string {
	if d < time.Hour {
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	if d < 48*time.Hour {
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return model.Duration(d.Truncate(time.Hour)).String()
}
