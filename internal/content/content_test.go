package content

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

func newMD() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(extension.GFM, FrontMatter()))
}

func TestLoad(t *testing.T) {
	root := "testdata/site"
	site, err := Load(root, filepath.Join(root, "content"), newMD(), Options{KnownSLOs: map[string]bool{"web/availability": true}})
	if err != nil {
		t.Fatal(err)
	}
	if site.Home == nil || site.Home.Meta.Title != "Home" {
		t.Fatalf("home: %+v", site.Home)
	}
	if len(site.Retros) != 2 {
		t.Fatalf("want 2 retros (draft skipped), got %d", len(site.Retros))
	}
	a, b := site.Retros[0], site.Retros[1] // newest first
	if a.Slug != "a-toml" || b.Slug != "b-yaml" {
		t.Errorf("slugs %q %q", a.Slug, b.Slug)
	}
	if a.File != "content/retros/a-toml.md" {
		t.Errorf("file %q", a.File)
	}
	if got := a.Meta.Timeline.Resolved.Sub(a.Meta.Timeline.Started); got != time.Hour {
		t.Errorf("timeline span %v", got)
	}
	if len(a.Meta.Actions) != 1 || a.Meta.Actions[0].Owner != "ana" || a.Meta.Actions[0].Due.Format("2006-01-02") != "2026-11-30" {
		t.Errorf("actions %+v", a.Meta.Actions)
	}
	if b.Meta.Title != "YAML retro" || b.Meta.Services[0] != "search" {
		t.Errorf("yaml meta %+v", b.Meta)
	}
	drafts, err := Load(root, filepath.Join(root, "content"), newMD(), Options{Drafts: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(drafts.Retros) != 3 {
		t.Errorf("with drafts: %d retros", len(drafts.Retros))
	}
}

// Parsed sees every page of a section once, as parsed, its section set
// and its tree whole, drafts too: they are left out after it.
func TestLoadParsed(t *testing.T) {
	root := "testdata/site"
	var mu sync.Mutex
	seen := map[string]string{}
	_, err := Load(root, filepath.Join(root, "content"), newMD(), Options{Parsed: func(p *Page) {
		mu.Lock()
		defer mu.Unlock()
		if p.Doc == nil || p.Doc.FirstChild() == nil {
			t.Errorf("%s: no Markdown tree", p.File)
		}
		if _, again := seen[p.File]; again {
			t.Errorf("%s: twice", p.File)
		}
		seen[p.File] = p.Section
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"content/retros/a-toml.md": "retros", "content/retros/B_yaml.md": "retros", "content/retros/draft.md": "retros"}
	if !maps.Equal(seen, want) {
		t.Errorf("parsed %v, want %v", seen, want)
	}
}

func TestPageErrors(t *testing.T) {
	known := map[string]bool{"web/availability": true}
	tests := []struct {
		name, src, want string
	}{
		{"toml type", "+++\ntitle = \"x\"\ndate = \"yesterday\"\n+++\n", "r.md:3: date: parsing time"},
		{"toml syntax", "+++\ntitle = \"x\"\ndate = \n+++\n", "r.md:3: date: expected value"},
		{"yaml", "---\ntitle: x\ndate: [1\n---\n", "r.md:"},
		// The type error of the yaml module the readers share, not a
		// second copy of it: its text loses yaml's "unmarshal errors" frame.
		{"yaml type", "---\ntitle: x\ndraft: [1]\n---\n", "r.md:3: front matter: line 2: cannot unmarshal"},
		{"unclosed", "+++\ntitle = \"x\"\n", "r.md:1: front matter is not closed"},
		{"no date", "+++\ntitle = \"x\"\n+++\n", "r.md:1: date: missing"},
		{"unknown slo", "+++\ntitle = \"x\"\ndate = 2026-01-01T00:00:00Z\nslos = [\"web/latency\"]\n+++\n", `r.md:4: slos: unknown SLO "web/latency"; expected one of web/availability`},
		{"bad status", "+++\ntitle = \"x\"\ndate = 2026-01-01T00:00:00Z\n[[actions]]\ntitle = \"a\"\n[[actions]]\ntitle = \"b\"\nstatus = \"later\"\n+++\n", `r.md:8: actions[1].status: expected open, done or wontfix, got "later"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePage("r.md", []byte(tt.src), newMD())
			if err == nil {
				err = checkRetro(p, known)
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-10 Checkout 5xx": "2026-11-10-checkout-5xx",
		"../../etc/passwd":        "etc-passwd",
		"..":                      "page",
		"Ünïcode—name":            "n-code-name",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParsePage(f *testing.F) {
	files, _ := filepath.Glob("testdata/site/content/*/*.md")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("+++\n+++\n"))
	f.Add([]byte("---\n---\n"))
	md := newMD()
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := ParsePage("f.md", src, md)
		if err != nil {
			return
		}
		_ = checkRetro(p, nil)
		var buf bytes.Buffer
		if err := md.Renderer().Render(&buf, p.Source, p.Doc); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTimelineOrder(t *testing.T) {
	src := "+++\ntitle = \"x\"\ndate = 2026-01-01T00:00:00Z\n[timeline]\nstarted = 2026-01-01T10:00:00Z\ndetected = 2026-01-01T09:00:00Z\nresolved = 2026-01-01T11:00:00Z\n+++\n"
	p, err := ParsePage("r.md", []byte(src), newMD())
	if err != nil {
		t.Fatal(err)
	}
	err = checkRetro(p, nil)
	want := "r.md:6: detected: 2026-01-01T09:00:00Z is before started (2026-01-01T10:00:00Z); the timeline must run forward"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

// unclosedFrontMatter finds the closing line wherever it is, with spaces
// or a carriage return around it, and only after the opening line.
func TestUnclosedFrontMatter(t *testing.T) {
	for _, c := range []struct {
		src  string
		want bool
	}{
		{"", false},
		{"# no front matter\n+++\n", false},
		{"+++", true},
		{"+++\n", true},
		{"+++\ntitle = 1\n", true},
		{"+++\ntitle = 1\n+++", false},
		{"+++\r\ntitle = 1\r\n+++\r\nbody\n", false},
		{"  ---  \ntitle: x\n --- \n", false},
		{"---\ntitle: x\n+++\n", true},
		{"+++\n\n\n", true},
	} {
		if got := unclosedFrontMatter([]byte(c.src)); got != c.want {
			t.Errorf("unclosedFrontMatter(%q) = %v, want %v", c.src, got, c.want)
		}
	}
}
