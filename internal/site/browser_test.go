package site_test

// A real headless Chromium loads the built demo site and checks what a reader
// would see: no console errors, no uncaught exceptions, no failed or
// off-machine requests, and charts that actually draw — over HTTP, from
// file:// and under a sub-path.
//
// The test needs a Chromium binary ($RELIA_CHROMIUM, the Debian package
// chromium, or chromium / google-chrome in PATH). Without one it skips,
// unless RELIA_INTEGRATION=1 (CI), where a missing browser is a failure.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/relia-dev/relia/internal/pdf"
	"github.com/relia-dev/relia/internal/site"
)

// browserNow is the report time of the demo build the browser looks at.
var browserNow = time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)

// Time limits for one page. The first Run of the browser context has none (a
// timeout there would end the browser); every page action gets one.
const (
	browserPageTimeout  = 15 * time.Second
	browserChartTimeout = 5 * time.Second
)

// browserChartIDs are the chart containers of every SLO page.
var browserChartIDs = []string{"chart-sli", "chart-budget", "chart-burn"}

func TestBrowser(t *testing.T) {
	exe := browserFindChromium(t)
	integration := os.Getenv("RELIA_INTEGRATION") == "1"
	if testing.Short() && !integration {
		t.Skip("headless browser test skipped in -short mode")
	}
	began := time.Now()

	// One build for every subtest.
	root := browserRepoRoot(t)
	out := filepath.Join(t.TempDir(), "public")
	if _, err := site.Build(t.Context(), site.Options{
		ConfigPath: filepath.Join(root, "relia.toml"),
		Out:        out,
		Now:        browserNow,
	}); err != nil {
		t.Fatalf("building the demo site: %v", err)
	}
	t.Logf("demo site built in %v", time.Since(began).Round(time.Millisecond))
	slos := browserReadSLOs(t, out)
	retros, err := filepath.Glob(filepath.Join(out, "retros", "*", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(retros)

	// The site at the root of a loopback server (httptest binds 127.0.0.1).
	srv := httptest.NewServer(http.FileServer(http.Dir(out)))
	t.Cleanup(srv.Close)
	// The same site under a sub-path only: a request that escapes the
	// prefix gets a 404 rather than the root site.
	const subPath = "/sre/reliability/"
	mux := http.NewServeMux()
	mux.Handle(subPath, http.StripPrefix(strings.TrimSuffix(subPath, "/"), http.FileServer(http.Dir(out))))
	subSrv := httptest.NewServer(mux)
	t.Cleanup(subSrv.Close)

	browser := browserStart(t, exe)

	t.Run("index", func(t *testing.T) {
		tab := browserOpenTab(t, browser)
		tab.visit(t, srv.URL+"/index.html", srv.URL+"/")
		tab.check(t)
	})
	for _, s := range slos {
		t.Run("slo/"+s.ID, func(t *testing.T) {
			tab := browserOpenTab(t, browser)
			tab.visit(t, srv.URL+"/"+s.path()+"index.html", srv.URL+"/")
			tab.checkCharts(t)
			tab.check(t)
		})
	}
	t.Run("retros", func(t *testing.T) {
		tab := browserOpenTab(t, browser)
		tab.visit(t, srv.URL+"/retros/index.html", srv.URL+"/")
		tab.check(t)
	})
	for _, r := range retros {
		slug := filepath.Base(filepath.Dir(r))
		t.Run("retro/"+slug, func(t *testing.T) {
			tab := browserOpenTab(t, browser)
			tab.visit(t, srv.URL+"/retros/"+slug+"/index.html", srv.URL+"/")
			tab.check(t)
		})
	}
	// Chaos pages: the list, every run and every write-up, each chart drawn.
	chaosPages, _ := filepath.Glob(filepath.Join(out, "chaos", "*", "index.html"))
	runPages, _ := filepath.Glob(filepath.Join(out, "chaos", "runs", "*", "index.html"))
	chaosPages = append(append([]string{filepath.Join(out, "chaos", "index.html")}, chaosPages...), runPages...)
	chaosCharts := 0
	for _, p := range chaosPages {
		rel, _ := filepath.Rel(out, p)
		page := filepath.ToSlash(rel)
		t.Run(strings.TrimSuffix(page, "/index.html"), func(t *testing.T) {
			tab := browserOpenTab(t, browser)
			tab.visit(t, srv.URL+"/"+page, srv.URL+"/")
			var ids []string
			if err := json.Unmarshal(tab.eval(t, `Array.from(document.querySelectorAll(".chart"), e => e.id)`), &ids); err != nil {
				t.Fatal(err)
			}
			if len(ids) > 0 {
				tab.checkCharts(t, ids...)
				chaosCharts += len(ids)
			}
			tab.check(t)
		})
	}
	if len(runPages) > 0 && chaosCharts == 0 {
		t.Errorf("no chaos page of %d drew a chart", len(chaosPages))
	}

	// Every other page: reviews, summary, actions, search, lists. Each must
	// load clean and draw every chart it has.
	covered := map[string]bool{"404.html": true, "index.html": true, "retros/index.html": true}
	for _, s := range slos {
		covered[s.path()+"index.html"] = true
	}
	for _, r := range retros {
		rel, _ := filepath.Rel(out, r)
		covered[filepath.ToSlash(rel)] = true
	}
	for _, p := range chaosPages {
		rel, _ := filepath.Rel(out, p)
		covered[filepath.ToSlash(rel)] = true
	}
	var others []string
	_ = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if rel, _ := filepath.Rel(out, p); err == nil && strings.HasSuffix(p, ".html") && !covered[filepath.ToSlash(rel)] {
			others = append(others, filepath.ToSlash(rel))
		}
		return err
	})
	if len(others) < 15 {
		t.Errorf("only %d further pages to visit: %v", len(others), others)
	}
	for _, page := range others {
		t.Run(strings.TrimSuffix(page, "/index.html"), func(t *testing.T) {
			tab := browserOpenTab(t, browser)
			tab.visit(t, srv.URL+"/"+page, srv.URL+"/")
			var ids []string
			if err := json.Unmarshal(tab.eval(t, `Array.from(document.querySelectorAll(".chart"), e => e.id)`), &ids); err != nil {
				t.Fatal(err)
			}
			if len(ids) > 0 {
				tab.checkCharts(t, ids...)
			}
			tab.check(t)
		})
	}

	// The executive summary prints on at most three A4 pages, and no chart
	// is cut by a page break.
	t.Run("summary/print", func(t *testing.T) {
		tab := browserOpenTab(t, browser)
		tab.visit(t, srv.URL+"/summary/index.html", srv.URL+"/")
		var ids []string
		if err := json.Unmarshal(tab.eval(t, `Array.from(document.querySelectorAll(".chart"), e => e.id)`), &ids); err != nil {
			t.Fatal(err)
		}
		tab.checkCharts(t, ids...)
		ctx, cancel := context.WithTimeout(tab.ctx, browserPageTimeout)
		defer cancel()
		pdf, err := chromedp.Run(ctx, chromedp.Action[[]byte](func(ctx context.Context, tgt *chromedp.Target) ([]byte, error) {
			yes := true
			res, err := cdp.Call(ctx, tgt, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PrintBackground: &yes})
			return res.Data, err
		}))
		if err != nil {
			t.Fatalf("print to PDF: %v", err)
		}
		pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
		t.Logf("summary prints on %d page(s), %d bytes", pages, len(pdf))
		if pages < 1 || pages > 3 {
			t.Errorf("the summary prints on %d pages, want 1 to 3", pages)
		}
		// In print layout an A4 page (297 mm, 12 mm margins) holds 273 mm
		// = 1031.8 CSS px of content: a chart must not straddle a multiple.
		var boxes []struct {
			ID          string
			Top, Bottom float64
		}
		js := `(() => Array.from(document.querySelectorAll(".chart"), e => { const r = e.getBoundingClientRect(); return {ID: e.id, Top: r.top + window.scrollY, Bottom: r.bottom + window.scrollY}; }))()`
		if _, err := chromedp.Run(ctx, chromedp.Action[struct{}](func(ctx context.Context, tgt *chromedp.Target) (struct{}, error) {
			_, err := cdp.Call(ctx, tgt, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return struct{}{}, err
		})); err != nil {
			t.Fatalf("emulate print: %v", err)
		}
		if err := json.Unmarshal(tab.eval(t, js), &boxes); err != nil {
			t.Fatal(err)
		}
		const pageHeight = 273 / 25.4 * 96
		for _, b := range boxes {
			if int(b.Top/pageHeight) != int((b.Bottom-1)/pageHeight) {
				t.Errorf("chart #%s (%.0f–%.0f px) straddles a page break", b.ID, b.Top, b.Bottom)
			}
		}
	})

	// Opened straight from disk: every link must name a file (a folder
	// link shows a directory listing under file://) and the charts draw.
	t.Run("file", func(t *testing.T) {
		base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(out) + "/"}).String()
		tab := browserOpenTab(t, browser)
		tab.visit(t, base+"index.html", base)
		hrefs := tab.eval(t, `Array.from(document.querySelectorAll("a[href]"), a => a.href)`)
		var links []string
		if err := json.Unmarshal(hrefs, &links); err != nil {
			t.Fatalf("decoding the links of the index: %v", err)
		}
		var first string
		for _, s := range slos {
			want := base + s.path() + "index.html"
			if !slices.Contains(links, want) {
				t.Errorf("index.html from file:// has no link to %s (want %s)", s.ID, want)
			} else if first == "" {
				first = want
			}
		}
		for _, l := range links {
			if !strings.HasPrefix(l, "file://") {
				continue // the index links nowhere else, but that is not this check
			}
			u, err := url.Parse(l)
			if err != nil {
				t.Errorf("link %q: %v", l, err)
				continue
			}
			if st, err := os.Stat(filepath.FromSlash(u.Path)); err != nil {
				t.Errorf("link %s from file:// index.html does not resolve: %v", l, err)
			} else if st.IsDir() {
				t.Errorf("link %s from file:// index.html names a folder, which file:// shows as a listing; link to index.html", l)
			}
		}
		tab.check(t)
		if first == "" {
			t.Fatal("no SLO link on the index to follow")
		}
		slo := browserOpenTab(t, browser)
		slo.visit(t, first, base)
		slo.checkCharts(t)
		slo.check(t)
	})

	t.Run("subpath", func(t *testing.T) {
		if len(slos) == 0 {
			t.Fatal("the API lists no SLO")
		}
		base := subSrv.URL + subPath
		tab := browserOpenTab(t, browser)
		// A folder URL, as a web server is usually linked.
		tab.visit(t, base+slos[0].path(), base)
		tab.checkCharts(t)
		tab.check(t)
	})

	t.Logf("browser test took %v for %d SLO pages and %d retrospectives", time.Since(began).Round(time.Millisecond), len(slos), len(retros))
}

// browserFindChromium returns the browser to drive, found as relia build
// --pdf finds it, or skips the test.
func browserFindChromium(t *testing.T) string {
	t.Helper()
	exe, err := pdf.Find()
	if err == nil {
		return exe
	}
	if !errors.Is(err, pdf.ErrNoChromium) {
		t.Fatal(err) // RELIA_CHROMIUM names nothing runnable
	}
	if os.Getenv("RELIA_INTEGRATION") == "1" {
		t.Fatalf("%v (RELIA_INTEGRATION=1 requires it)", err)
	}
	t.Skip(err)
	return ""
}

// browserRepoRoot is the folder of go.mod above the package's folder.
func browserRepoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's folder")
		}
		dir = parent
	}
}

type browserSLO struct {
	ID      string `json:"id"`
	Service string `json:"service"`
	Name    string `json:"name"`
}

func (s browserSLO) path() string { return "slos/" + s.Service + "/" + s.Name + "/" }

func browserReadSLOs(t *testing.T, out string) []browserSLO {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, "api", "v1", "slos.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		SLOs []browserSLO `json:"slos"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("api/v1/slos.json: %v", err)
	}
	if len(doc.SLOs) == 0 {
		t.Fatal("api/v1/slos.json lists no SLO")
	}
	return doc.SLOs
}

// browserStart starts one headless browser for the whole test and stops it
// (and removes its profile) when the test ends.
func browserStart(t *testing.T, exe string) context.Context {
	t.Helper()
	profile, err := os.MkdirTemp("", "relia-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	var output bytes.Buffer
	var outputMu sync.Mutex
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 1000),
		chromedp.CombinedOutput(lockedWriter{&outputMu, &output}),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc() // waits for the process to end
		os.RemoveAll(profile)
		if t.Failed() {
			outputMu.Lock()
			if s := strings.TrimSpace(output.String()); s != "" {
				t.Logf("browser output:\n%s", s)
			}
			outputMu.Unlock()
		}
	})
	start := time.Now()
	// The first Run starts the browser; its context must have no timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	t.Logf("%s started in %v", exe, time.Since(start).Round(time.Millisecond))
	return ctx
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// browserTab is one tab with what it saw: problems (console errors,
// exceptions, failed requests) and the URL of every request.
type browserTab struct {
	ctx    context.Context
	prefix string // every request must start with it

	mu       sync.Mutex
	problems []string
	requests []string
	ignored  []string // the browser's own /favicon.ico look-ups
	urls     map[network.RequestID]string
}

func browserOpenTab(t *testing.T, browser context.Context) *browserTab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	tab := &browserTab{ctx: ctx, urls: map[network.RequestID]string{}}
	// Listen opens the tab (a new window, so it is never hidden); no
	// timeout on this first call either.
	if err := chromedp.Listen(ctx, tab.onEvent); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return tab
}

// onEvent runs on the tab's read loop: it only records.
func (tab *browserTab) onEvent(ev any) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, browserRemoteText(a))
			}
			tab.problems = append(tab.problems, fmt.Sprintf("console.%s: %s%s", ev.Type, strings.Join(args, " "), browserStackText(ev.StackTrace)))
		}
	case *runtime.EventExceptionThrown:
		tab.problems = append(tab.problems, "uncaught exception: "+browserExceptionText(ev.ExceptionDetails))
	case *log.EventEntryAdded:
		if e := ev.Entry; e != nil && e.Level == log.EntryLevelError && !browserImplicitFavicon(e.URL) {
			msg := fmt.Sprintf("browser log (%s): %s", e.Source, e.Text)
			if e.URL != "" {
				msg += " [" + e.URL + "]"
			}
			tab.problems = append(tab.problems, msg)
		}
	case *network.EventRequestWillBeSent:
		if ev.Request != nil {
			u := ev.Request.URL
			tab.urls[ev.RequestID] = u
			if browserImplicitFavicon(u) {
				tab.ignored = append(tab.ignored, u)
				return
			}
			tab.requests = append(tab.requests, u)
		}
	case *network.EventResponseReceived:
		if r := ev.Response; r != nil && r.Status >= 400 && !browserImplicitFavicon(r.URL) {
			tab.problems = append(tab.problems, fmt.Sprintf("HTTP %d for %s", r.Status, r.URL))
		}
	case *network.EventLoadingFailed:
		if u := tab.urls[ev.RequestID]; !ev.Canceled && !browserImplicitFavicon(u) {
			tab.problems = append(tab.problems, fmt.Sprintf("request failed: %s: %s %s", tab.urls[ev.RequestID], ev.ErrorText, ev.BlockedReason))
		}
	}
}

// visit loads u and waits for the load event; every request of the page
// must start with prefix.
func (tab *browserTab) visit(t *testing.T, u, prefix string) {
	t.Helper()
	tab.prefix = prefix
	ctx, cancel := context.WithTimeout(tab.ctx, browserPageTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		t.Fatalf("loading %s: %v", u, err)
	}
}

// eval evaluates a JavaScript expression and returns its JSON value.
func (tab *browserTab) eval(t *testing.T, expr string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, browserPageTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// check fails the test for every problem the tab recorded and for every
// request that left the site.
func (tab *browserTab) check(t *testing.T) {
	t.Helper()
	// A round trip: every event sent before its reply has been recorded.
	loc := tab.eval(t, `location.href`)
	tab.mu.Lock()
	defer tab.mu.Unlock()
	if len(tab.problems) > 0 {
		t.Errorf("%s: %d console error(s), exception(s) or failed request(s):\n  %s", loc, len(tab.problems), strings.Join(tab.problems, "\n  "))
	}
	var outside []string
	for _, u := range tab.requests {
		if !strings.HasPrefix(u, tab.prefix) {
			outside = append(outside, u)
		}
	}
	if len(outside) > 0 {
		t.Errorf("%s: the page must load nothing outside %s (it must work offline), yet requested:\n  %s", loc, tab.prefix, strings.Join(outside, "\n  "))
	}
	if len(tab.requests) == 0 {
		t.Errorf("%s: no request seen; is the network listener working?", loc)
	}
	if len(tab.ignored) > 0 {
		t.Logf("%s: ignored the browser's own look-up of %s (the pages declare no icon)", loc, strings.Join(tab.ignored, ", "))
	}
}

// browserImplicitFavicon reports whether u is the /favicon.ico at the root
// of an HTTP origin that Chromium requests by itself for a page that
// declares no icon. It is not the page's request (it ignores any sub-path
// and is never made under file://), so it is neither an error of the page
// nor a request that leaves the site.
func browserImplicitFavicon(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Path == "/favicon.ico" && p.RawQuery == ""
}

// browserChartsJS reports, for every .chart container, its canvases and how
// many pixels of the largest one are painted (non-transparent, and different
// from the top-left pixel, which is the background).
const browserChartsJS = `(() => Array.from(document.querySelectorAll(".chart"), el => {
  const r = {id: el.id, canvases: 0, width: 0, height: 0, painted: 0, drawn: 0};
  for (const c of el.querySelectorAll("canvas")) {
    r.canvases++;
    if (c.width * c.height <= r.width * r.height) continue;
    r.width = c.width; r.height = c.height; r.painted = 0; r.drawn = 0;
    const g = c.getContext("2d");
    if (!g || c.width === 0 || c.height === 0) continue;
    const d = g.getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i+3] !== 0) r.painted++;
      if (d[i] !== d[0] || d[i+1] !== d[1] || d[i+2] !== d[2] || d[i+3] !== d[3]) r.drawn++;
    }
  }
  return r;
}))()`

type browserChart struct {
	ID       string `json:"id"`
	Canvases int    `json:"canvases"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Painted  int    `json:"painted"`
	Drawn    int    `json:"drawn"`
}

// browserMinDrawn is the fewest pixels that must differ from a chart's
// background: axes, labels and one line are thousands.
const browserMinDrawn = 500

func (c browserChart) ok() bool {
	return c.Canvases > 0 && c.Width > 0 && c.Height > 0 && c.Painted > 0 && c.Drawn >= browserMinDrawn
}

// checkCharts waits up to browserChartTimeout for echarts to draw the
// charts wantIDs (by default the three of an SLO page) into canvases.
func (tab *browserTab) checkCharts(t *testing.T, wantIDs ...string) {
	t.Helper()
	if len(wantIDs) == 0 {
		wantIDs = browserChartIDs
	}
	ctx, cancel := context.WithTimeout(tab.ctx, browserPageTimeout)
	defer cancel()
	want, _ := json.Marshal(wantIDs)
	ready := fmt.Sprintf(`((charts, want) => charts.length === want.length &&
  charts.every((c, i) => c.id === want[i] && c.canvases > 0 && c.width > 0 && c.height > 0 && c.painted > 0 && c.drawn >= %d) ? charts : null)(%s, %s)`,
		browserMinDrawn, browserChartsJS, want)
	start := time.Now()
	charts, err := chromedp.Run(ctx, chromedp.Poll[[]browserChart](ready,
		chromedp.WithPollingInterval(100*time.Millisecond),
		chromedp.WithPollingTimeout(browserChartTimeout)))
	if errors.Is(err, chromedp.ErrPollingTimeout) {
		// Say what is missing.
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]browserChart](browserChartsJS))
		if err != nil {
			t.Fatalf("charts not drawn within %v, and reading them failed: %v", browserChartTimeout, err)
		}
		var ids []string
		for _, c := range got {
			ids = append(ids, c.ID)
			if !c.ok() {
				t.Errorf("chart #%s not drawn within %v: %d canvas(es), largest %d×%d, %d non-transparent pixels, %d differ from the background (want ≥ %d)",
					c.ID, browserChartTimeout, c.Canvases, c.Width, c.Height, c.Painted, c.Drawn, browserMinDrawn)
			}
		}
		if !slices.Equal(ids, wantIDs) {
			t.Errorf(".chart containers are %q, want %q", ids, wantIDs)
		}
		return
	}
	if err != nil {
		t.Fatalf("waiting for the charts: %v", err)
	}
	for _, c := range charts {
		t.Logf("#%s: %d×%d canvas, %d pixels drawn", c.ID, c.Width, c.Height, c.Drawn)
	}
	t.Logf("charts drawn after %v", time.Since(start).Round(time.Millisecond))
}

func browserRemoteText(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if len(o.Value) > 0 {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
		return string(o.Value)
	}
	if o.UnserializableValue != "" {
		return string(o.UnserializableValue)
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Type)
}

func browserExceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "(no details)"
	}
	if d.Exception != nil && d.Exception.Description != "" {
		// "Uncaught (in promise) Error: message" and the stack, as the
		// console shows it.
		return d.Text + " " + strings.ReplaceAll(d.Exception.Description, "\n", "\n    ")
	}
	msg := d.Text
	if d.Exception != nil {
		msg += " " + browserRemoteText(d.Exception)
	}
	if d.URL != "" {
		msg += fmt.Sprintf(" at %s:%d:%d", d.URL, d.LineNumber+1, d.ColumnNumber+1)
	}
	return msg
}

func browserStackText(st *runtime.StackTrace) string {
	if st == nil || len(st.CallFrames) == 0 {
		return ""
	}
	f := st.CallFrames[0]
	return fmt.Sprintf(" (%s %s:%d:%d)", f.FunctionName, f.URL, f.LineNumber+1, f.ColumnNumber+1)
}
