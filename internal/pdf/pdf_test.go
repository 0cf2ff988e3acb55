package pdf

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestStamp(t *testing.T) {
	at := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)
	tests := []struct {
		name, in, want string
	}{
		{"skia, as Chromium 156 writes it",
			"<</Producer (Skia/PDF m156)\n/CreationDate (D:20261202070409+00'00')\n/ModDate (D:20261202070409+00'00')>>",
			"<</Producer (Skia/PDF m156)\n/CreationDate (D:20261122230000+00'00')\n/ModDate (D:20261122230000+00'00')>>"},
		{"a local zone becomes UTC",
			"/CreationDate (D:20261202080409+01'00')",
			"/CreationDate (D:20261122230000+00'00')"},
		{"Z forms keep their length",
			"/CreationDate(D:20261202070409Z)/ModDate (D:20261202070409Z00'00')",
			"/CreationDate(D:20261122230000Z)/ModDate (D:20261122230000Z00'00')"},
		{"a date of another form is left alone",
			"/CreationDate (D:2026120207)",
			"/CreationDate (D:2026120207)"},
		{"other dates are not touched",
			"/M (D:20261202070409+00'00')",
			"/M (D:20261202070409+00'00')"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Stamp([]byte(tt.in), at))
			if got != tt.want {
				t.Errorf("Stamp:\n got %q\nwant %q", got, tt.want)
			}
			if len(got) != len(tt.in) {
				t.Errorf("length %d, want %d: the cross-reference offsets would break", len(got), len(tt.in))
			}
		})
	}
}

// Structure ids are renamed by first appearance, references included.
func TestRenumberNodes(t *testing.T) {
	in := "/ID (node00000064)>> /ID (node00000065)>> /Headers [(node00000064)] /ID (node00000008)"
	want := "/ID (node00000001)>> /ID (node00000002)>> /Headers [(node00000001)] /ID (node00000003)"
	if got := string(renumberNodes([]byte(in))); got != want {
		t.Errorf("renumberNodes:\n got %s\nwant %s", got, want)
	}
	// Two prints whose ids came in another order normalise alike.
	other := "/ID (node00000046)>> /ID (node00000047)>> /Headers [(node00000046)] /ID (node00000048)"
	if got := string(renumberNodes([]byte(other))); got != want {
		t.Errorf("renumberNodes(other):\n got %s\nwant %s", got, want)
	}
}

// FuzzNormalize: whatever the bytes, normalising keeps their length (the
// PDF's offsets) and is idempotent.
func FuzzNormalize(f *testing.F) {
	f.Add([]byte("/CreationDate (D:20261202070409+00'00')\n/ModDate (D:20261202070409Z)"))
	f.Add([]byte("%PDF-1.4\n1 0 obj <</CreationDate(D:19991231235959-05'00')>> endobj"))
	f.Add([]byte("/ID (node00000064)>> /Headers [(node00000064) (node00000003)]"))
	at := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in []byte) {
		once := Normalize(in, at)
		if len(once) != len(in) {
			t.Fatalf("length %d, want %d", len(once), len(in))
		}
		if twice := Normalize(once, at); !bytes.Equal(once, twice) {
			t.Fatalf("not idempotent: %q then %q", once, twice)
		}
	})
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "my-chrome")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvChromium, fake)
	if got, err := Find(); err != nil || got != fake {
		t.Errorf("Find with %s=%s: %q, %v", EnvChromium, fake, got, err)
	}
	t.Setenv(EnvChromium, filepath.Join(dir, "absent"))
	if _, err := Find(); err == nil || !strings.Contains(err.Error(), EnvChromium) {
		t.Errorf("Find with %s naming nothing: %v, want an error naming the variable", EnvChromium, err)
	}
}

// findForTest returns the browser, or skips without one unless
// RELIA_INTEGRATION=1 (CI), where a missing browser fails.
func findForTest(t *testing.T) string {
	t.Helper()
	if testing.Short() && os.Getenv("RELIA_INTEGRATION") != "1" {
		t.Skip("printing with a headless browser skipped in -short mode")
	}
	exe, err := Find()
	if errors.Is(err, ErrNoChromium) && os.Getenv("RELIA_INTEGRATION") != "1" {
		t.Skipf("%v (RELIA_INTEGRATION=1 requires it)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// tool returns a poppler-utils program, or skips without it unless
// RELIA_INTEGRATION=1.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("RELIA_INTEGRATION") == "1" {
			t.Fatalf("%s not found: install the Debian package poppler-utils (RELIA_INTEGRATION=1 requires it)", name)
		}
		t.Skipf("%s not found: install the Debian package poppler-utils", name)
	}
	return p
}

// TestPrint prints a two-page document with a request to the network in
// it: the PDF has two A4 pages, its text, the given date, the same bytes
// twice, links into the site pointing at its URL and none at a file, and
// the request never left.
func TestPrint(t *testing.T) {
	exe := findForTest(t)
	pdfinfo, pdftotext := tool(t, "pdfinfo"), tool(t, "pdftotext")

	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	page := filepath.Join(dir, "report", "index.html")
	html := `<!doctype html><html><head><meta charset="utf-8"><title>Monthly report</title>
<style>@page { size: A4; margin: 12mm } .next { break-before: page } @media print { nav { display: none } }</style></head>
<body><nav>NAVIGATION</nav><h1>November 2026</h1><p><a href="../slos/checkout/index.html">checkout/availability</a> 99.912 %</p>
<p><a href="../../elsewhere.html">outside the site</a> <a href="https://example.org/runbook">runbook</a></p>
<img src="` + srv.URL + `/tracker.png" alt="">
<h2 class="next">Chaos runs</h2><p>payments latency run</p></body></html>`
	if err := os.MkdirAll(filepath.Dir(page), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}

	at := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)
	p, err := Start(t.Context(), Options{Exec: exe, Date: at, Root: dir, URL: "https://intra.example/sre/"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	first, err := p.Print(t.Context(), page)
	if err != nil {
		t.Fatal(err)
	}
	second, err := p.Print(t.Context(), page)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("two prints of one page differ (%d and %d bytes)", len(first), len(second))
	}
	for _, want := range []string{"/URI (https://intra.example/sre/slos/checkout/index.html)", "/URI (https://example.org/runbook)"} {
		if !bytes.Contains(first, []byte(want)) {
			t.Errorf("the PDF has no link %s", want)
		}
	}
	if bytes.Contains(first, []byte("file:")) {
		t.Error("the PDF links a file:// path")
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the page reached the network %d time(s)", n)
	}
	out := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(out, first, 0o644); err != nil {
		t.Fatal(err)
	}
	info := run(t, pdfinfo, "-isodates", out)
	for _, want := range []string{"Pages:           2", "(A4)", "CreationDate:    2026-11-22T23:00:00", "ModDate:         2026-11-22T23:00:00", "Title:           Monthly report"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo has no %q:\n%s", want, info)
		}
	}
	text := run(t, pdftotext, "-layout", out, "-")
	for _, want := range []string{"November 2026", "checkout/availability 99.912 %", "outside the site", "payments latency run"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text has no %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "NAVIGATION") {
		t.Error("the print styles were not applied: the navigation is in the PDF")
	}

	// A page that is not there is an error, not a PDF of an error page.
	if _, err := p.Print(t.Context(), filepath.Join(dir, "absent.html")); err == nil {
		t.Error("printing a missing file succeeded")
	}
	if _, err := p.Print(t.Context(), "relative.html"); err == nil {
		t.Error("printing a relative path succeeded")
	}
}

// A cancelled build ends the print at once.
func TestPrintCancelled(t *testing.T) {
	exe := findForTest(t)
	p, err := Start(t.Context(), Options{Exec: exe, Date: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	page := filepath.Join(t.TempDir(), "x.html")
	if err := os.WriteFile(page, []byte("<p>x</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := p.Print(ctx, page); err == nil {
		t.Error("printing with a cancelled context succeeded")
	}
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
