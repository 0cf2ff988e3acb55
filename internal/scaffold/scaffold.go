// Package scaffold writes a new relia site into an empty folder: a
// relia.toml reading a Prometheus source (or SLO specs brought along),
// first pages, a .gitignore and CI recipes for a weekly build. It writes
// only files that do not exist and never overwrites one.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"time"
)

//go:embed files
var files embed.FS

// Options of a new site.
type Options struct {
	Dir        string
	Title      string
	Timezone   string // IANA zone
	Prometheus string // base URL of the store
	From       string // a file or folder of Sloth, OpenSLO or Pyrra specs; empty for an example SLO
	Force      bool   // write into a non-empty folder (still never overwriting a file)
	Now        time.Time
	Module     string // for the go install lines of the CI recipes
	Version    string // relia's version for them; "latest" when unknown
}

// Result lists what was written and what was kept as it was.
type Result struct {
	Written []string // slash paths relative to Dir, sorted
	Kept    []string // existing files left alone (with Force)
}

// ErrNotEmpty is returned for a folder with files in it, without Force.
var ErrNotEmpty = errors.New("folder is not empty")

// maxSpecs bounds --from: specs are copied whole.
const (
	maxSpecs    = 500
	maxSpecSize = 4 << 20
)

// Init writes the site. The Prometheus URL must be http(s) without
// credentials: they belong in the environment.
func Init(opts Options) (*Result, error) {
	if opts.Title == "" {
		opts.Title = "Reliability"
	}
	if opts.Timezone == "" {
		opts.Timezone = "UTC"
	}
	loc, err := time.LoadLocation(opts.Timezone)
	if err != nil {
		return nil, fmt.Errorf("--timezone: expected an IANA zone such as Europe/Berlin, got %q", opts.Timezone)
	}
	u, err := url.Parse(opts.Prometheus)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--prometheus: expected the store's base URL, e.g. http://127.0.0.1:9090, got %q", opts.Prometheus)
	}
	if u.User != nil {
		return nil, fmt.Errorf("--prometheus: credentials in the URL are not allowed; set basic_auth_user and basic_auth_password_env in relia.toml")
	}
	if entries, err := os.ReadDir(opts.Dir); err == nil && len(entries) > 0 && !opts.Force {
		return nil, fmt.Errorf("init %s: %w; relia init writes a new site (use --force to add the missing files, never overwriting one)", opts.Dir, ErrNotEmpty)
	}

	out := map[string][]byte{} // slash path → content
	var sloFiles []string
	if opts.From != "" {
		specs, err := readSpecs(opts.From)
		if err != nil {
			return nil, err
		}
		for name, data := range specs {
			out["slos/"+name] = data
		}
		sloFiles = []string{"slos/*"}
	}
	if opts.Version == "" || opts.Version == "(devel)" {
		opts.Version = "latest"
	}
	now := opts.Now.In(loc)
	year, week := now.ISOWeek()
	data := map[string]any{
		"Title": opts.Title, "Timezone": opts.Timezone, "Prometheus": strings.TrimRight(opts.Prometheus, "/"),
		"SLOFiles": sloFiles, "Module": opts.Module, "Version": opts.Version,
		"GitHubCron": githubCron(loc),
		"Date":       now.Add(-24 * time.Hour).Truncate(time.Hour).Format(time.RFC3339),
		"Due":        now.AddDate(0, 0, 14).Format("2006-01-02"),
		"Service":    "web", "SLO": "web/availability",
	}
	for dst, src := range map[string]string{
		"relia.toml":        "relia.toml.tmpl",
		".gitignore":        "gitignore",
		"content/_index.md": "home.md",
		fmt.Sprintf("content/reviews/%04d-W%02d.md", year, week): "review.md",
		".github/workflows/relia.yml":                            "ci/github.yml",
		".gitlab-ci.yml":                                         "ci/gitlab.yml",
		"ci/cron.sh":                                             "ci/cron.sh",
		"ci/nginx.conf":                                          "ci/nginx.conf",
	} {
		b, err := render(src, data)
		if err != nil {
			return nil, err
		}
		out[dst] = b
	}
	// The example retrospective names an SLO: only the built-in example's
	// id is known before the specs are read, so with --from it goes
	// without one.
	if opts.From == "" {
		b, err := render("retro.md", data)
		if err != nil {
			return nil, err
		}
		out["content/retros/example.md"] = b
	}
	return write(opts.Dir, out)
}

func render(name string, data any) ([]byte, error) {
	text, err := files.ReadFile("files/" + name)
	if err != nil {
		return nil, err
	}
	t, err := template.New(name).Option("missingkey=error").Parse(string(text))
	if err != nil {
		return nil, fmt.Errorf("scaffold %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("scaffold %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// githubCron is the UTC cron lines that are Monday 06:00 in loc, in winter
// and in summer (one line when the zone keeps one offset).
func githubCron(loc *time.Location) []string {
	var lines []string
	for _, month := range []time.Month{time.January, time.July} {
		// A Monday in each: 2030-01-07 and 2030-07-01.
		day := 7
		if month == time.July {
			day = 1
		}
		t := time.Date(2030, month, day, 6, 0, 0, 0, loc).UTC()
		line := fmt.Sprintf("%d %d * * %d", t.Minute(), t.Hour(), int(t.Weekday()))
		if !slices.Contains(lines, line) {
			lines = append(lines, line)
		}
	}
	return lines
}

// readSpecs reads a spec file, or the YAML files of a folder (not
// recursive), by base name.
func readSpecs(from string) (map[string][]byte, error) {
	st, err := os.Stat(from)
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	paths := []string{from}
	if st.IsDir() {
		paths = nil
		entries, err := os.ReadDir(from)
		if err != nil {
			return nil, fmt.Errorf("--from: %w", err)
		}
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if e.Type().IsRegular() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
				paths = append(paths, filepath.Join(from, e.Name()))
			}
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("--from %s: no .yaml, .yml or .json spec in the folder", from)
		}
	}
	if len(paths) > maxSpecs {
		return nil, fmt.Errorf("--from %s: %d spec files, more than the %d relia init copies; point slo_files at them instead", from, len(paths), maxSpecs)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("--from: %w", err)
		}
		if st.Size() > maxSpecSize {
			return nil, fmt.Errorf("--from: %s is %d bytes, over the limit of %d", p, st.Size(), maxSpecSize)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("--from: %w", err)
		}
		out[filepath.Base(p)] = b
	}
	return out, nil
}

// write creates each file that does not exist yet; O_EXCL makes "never
// overwrite" hold even against a file that appears meanwhile.
func write(dir string, out map[string][]byte) (*Result, error) {
	res := &Result{}
	names := make([]string, 0, len(out))
	for k := range out {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return res, fmt.Errorf("init: %w", err)
		}
		mode := fs.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, fs.ErrExist) {
			res.Kept = append(res.Kept, name)
			continue
		}
		if err != nil {
			return res, fmt.Errorf("init: %w", err)
		}
		_, werr := f.Write(out[name])
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return res, fmt.Errorf("init: write %s: %w", p, werr)
		}
		res.Written = append(res.Written, name)
	}
	return res, nil
}
