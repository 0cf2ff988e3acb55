package render

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/diag"
)

func renderWith(t *testing.T, theme *Theme, page string) string {
	t.Helper()
	var buf bytes.Buffer
	// What the site package passes, as far as base.html and 404.html look.
	data := map[string]any{
		"Site": map[string]any{"Title": "Acme", "Now": "2026-11-23 00:00 UTC", "Timezone": "UTC", "Chaos": false},
		"Root": "/", "Title": "Not found", "Section": "", "Charts": nil, "Page": nil,
	}
	if err := theme.Execute(&buf, page, data); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func writeTemplate(t *testing.T, dir, name, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A site's templates/ folder overrides embedded templates by file name:
// a page template replaces that page only, base.html every page's layout,
// and other files there are ignored.
func TestThemeOverride(t *testing.T) {
	embedded, err := LoadTheme("", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTemplate(t, dir, "404.html", `{{define "content"}}<h1>Lost at {{.Site.Title}}</h1><p>Ask #sre-help.</p>{{end}}`)
	writeTemplate(t, dir, "notes.txt", `{{ not a template`)
	theme, err := LoadTheme(dir, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	got := renderWith(t, theme, "404.html")
	if !strings.Contains(got, "<h1>Lost at Acme</h1><p>Ask #sre-help.</p>") {
		t.Errorf("404.html override not used:\n%s", got)
	}
	if want := renderWith(t, embedded, "404.html"); got == want {
		t.Error("the override rendered the embedded page")
	}
	if !strings.Contains(got, "<!doctype html>") {
		t.Error("the overriding page lost the embedded base.html layout")
	}

	// base.html: every page gets the new layout; pages keep their content.
	writeTemplate(t, dir, "base.html", `{{define "base"}}<main class="intranet">{{template "content" .}}</main>{{end}}`)
	theme, err = LoadTheme(dir, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if got := renderWith(t, theme, "404.html"); got != `<main class="intranet"><h1>Lost at Acme</h1><p>Ask #sre-help.</p></main>` {
		t.Errorf("404.html with base.html override = %s", got)
	}
}

func TestThemeOverrideErrors(t *testing.T) {
	dir := t.TempDir()
	writeTemplate(t, dir, "retro.html", "{{define \"content\"}}\n<h1>{{.Page.Meta.Title}</h1>\n{{end}}")
	_, err := LoadTheme(dir, time.UTC)
	if err == nil {
		t.Fatal("no error for a broken override")
	}
	// The position is the error's, not read back out of its text.
	var de *diag.Error
	if !errors.As(err, &de) || de.File != filepath.Join(dir, "retro.html") || de.Line != 2 || de.Key != "template" ||
		!strings.HasPrefix(de.Msg, "bad character U+007D '}'") {
		t.Errorf("error = %#v, want retro.html line 2, key template, bad character", err)
	}

	// A folder where a template should be is an error, not a silent fallback.
	dir = t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "slo.html"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTheme(dir, time.UTC); err == nil {
		t.Error("no error for an unreadable override")
	}
}
