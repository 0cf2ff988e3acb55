package site

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
)

// TestSymlinksOutsideSite: an input inside the site folder that is a
// symlink to a file outside it stops build and check with the path; the
// outside file's text appears nowhere. A symlink within the site is fine.
func TestSymlinksOutsideSite(t *testing.T) {
	base, err := txtar.ParseFile("testdata/check/base.txtar")
	if err != nil {
		t.Fatal(err)
	}
	const secret = "root:x:0:0:SECRET-OUTSIDE"
	tests := []struct {
		name   string
		link   string // the symlink inside the site, to a file outside
		target string // the outside file's contents
		config string // appended to relia.toml
		want   string // in the error
	}{
		{"review note", "content/reviews/2026-W44.md", secret, "", "content/reviews/2026-W44.md"},
		{"retrospective", "content/retros/r.md", "+++\ntitle = \"" + secret + "\"\ndate = 2026-11-01T00:00:00Z\n+++\n", "", "content/retros/r.md"},
		{"home page", "content/_index.md", secret, "", "content/_index.md"},
		{"chaos write-up", "content/chaos/day.md", secret, "", "content/chaos/day.md"},
		{"template", "templates/404.html", `{{define "content"}}` + secret + `{{end}}`, "", "templates/404.html"},
		{"snapshot", "snap.json", "", "", "snap.json"},
		{"chaos log", "chaos/runs.csv", "id,title,start,end\nx," + secret + ",2026-11-01T00:00:00Z,2026-11-01T01:00:00Z\n", "[[chaos]]\ntype = \"generic\"\npath = \"chaos/*.csv\"\n", "chaos/runs.csv"},
		{"slo spec", "slos/s.yaml", "version: prometheus/v1\nservice: " + secret + "\nslos: []\n", "slo_files = [\"slos/*.yaml\"]\n", "slos/s.yaml"},
	}
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outside := filepath.Join(t.TempDir(), "outside")
			target := tt.target
			for _, f := range base.Files {
				if target == "" && f.Name == tt.link {
					target = string(f.Data) // a valid file, so only the link is wrong
				}
			}
			write(t, outside, target)
			dir := t.TempDir()
			for _, f := range base.Files {
				data := string(f.Data)
				if f.Name == "relia.toml" && strings.HasPrefix(tt.config, "slo_files") {
					data = tt.config + data
				} else if f.Name == "relia.toml" {
					data += "\n" + tt.config
				}
				write(t, filepath.Join(dir, f.Name), data)
			}
			link := filepath.Join(dir, filepath.FromSlash(tt.link))
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				t.Fatal(err)
			}
			os.Remove(link)
			if err := os.Symlink(outside, link); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "public")
			_, err := Build(context.Background(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: out, Now: now})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "outside the site folder") {
				t.Errorf("build: %v, want an error naming %s outside the site folder", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "SECRET-OUTSIDE") {
				t.Errorf("the error shows the outside file: %v", err)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("the site was published")
			}
			rep, err := Check(context.Background(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Now: now})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range rep.Problems {
				if !p.Warning && strings.Contains(p.Error(), "outside the site folder") {
					found = true
				}
			}
			if !found {
				t.Errorf("check: no error about the symlink in %v", rep.Problems)
			}
		})
	}

	// A symlink within the site is fine.
	dir := t.TempDir()
	for _, f := range base.Files {
		write(t, filepath.Join(dir, f.Name), string(f.Data))
	}
	write(t, filepath.Join(dir, "notes", "w44.md"), "Notes of the week")
	if err := os.MkdirAll(filepath.Join(dir, "content", "reviews"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../notes/w44.md", filepath.Join(dir, "content", "reviews", "2026-W44.md")); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: filepath.Join(dir, "public"), Now: now}); err != nil {
		t.Errorf("a symlink within the site: %v", err)
	}
}
