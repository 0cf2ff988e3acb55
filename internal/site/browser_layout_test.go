package site_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/relia-dev/relia/internal/site"
)

// browserSVGHook makes every echarts.init of a page draw with the SVG
// renderer, so that each label the chart shows is a <text> element whose box
// the browser measures. It runs before the page's scripts and wraps init as
// echarts.min.js assigns it, leaving the site's own scripts untouched.
const browserSVGHook = `(() => {
  let ec;
  Object.defineProperty(window, "echarts", {configurable: true, get() { return ec; }, set(v) {
    ec = v;
    let init;
    Object.defineProperty(v, "init", {configurable: true, enumerable: true,
      get() { return init && ((el, theme, opts) => init(el, theme, Object.assign({}, opts, {renderer: "svg"}))); },
      set(f) { init = f; }});
  }});
})()`

// browserLayoutJS reads, once every chart is drawn, what the layout test
// checks: for each chart the visible text labels whose boxes intersect, and
// whether the page scrolls sideways (with the outermost elements that stick
// out on the right, to say where).
const browserLayoutJS = `(() => {
  const visible = el => {
    for (let n = el; n && n.nodeType === 1; n = n.parentNode) {
      const s = getComputedStyle(n);
      if (s.display === "none" || s.visibility === "hidden" || parseFloat(s.opacity) === 0 || n.getAttribute("opacity") === "0") return false;
      if (n.tagName.toLowerCase() === "svg") break;
    }
    return true;
  };
  const charts = Array.from(document.querySelectorAll(".chart"), el => {
    const labels = [];
    for (const t of el.querySelectorAll("svg text")) {
      const text = t.textContent.trim();
      const r = t.getBoundingClientRect();
      if (!text || r.width === 0 || r.height === 0 || !visible(t)) continue;
      labels.push({text, x: r.left, y: r.top, w: r.width, h: r.height});
    }
    const overlaps = [];
    // Half a pixel of slack: two lines of one label may touch.
    const eps = 0.5;
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const a = labels[i], b = labels[j];
        if (a.x + eps < b.x + b.w && b.x + eps < a.x + a.w && a.y + eps < b.y + b.h && b.y + eps < a.y + a.h) {
          overlaps.push([a, b]);
        }
      }
    }
    return {id: el.id, spark: el.classList.contains("spark"), svg: el.querySelectorAll("svg").length, labels: labels.length, overlaps};
  });
  const doc = document.documentElement;
  const cw = doc.clientWidth;
  const wide = Array.from(document.body.querySelectorAll("*")).filter(e => e.getBoundingClientRect().right > cw + 0.5);
  const outermost = wide.filter(e => !wide.includes(e.parentElement)).slice(0, 5).map(e =>
    e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") +
    " (right edge " + Math.round(e.getBoundingClientRect().right) + " px)");
  return {charts, scrollWidth: doc.scrollWidth, clientWidth: cw, outside: outermost};
})()`

type browserLabel struct {
	Text       string
	X, Y, W, H float64
}

type browserLayout struct {
	Charts []struct {
		ID       string
		Spark    bool
		SVG      int
		Labels   int
		Overlaps [][2]browserLabel
	}
	ScrollWidth, ClientWidth int
	Outside                  []string
}

// TestBrowserLayout loads every page of the demo site at a desktop and a
// phone width and checks that no chart prints two labels on top of each
// other and that no page scrolls sideways: tables scroll in their own box,
// the header's links fold into a menu, cards stack.
func TestBrowserLayout(t *testing.T) {
	exe := browserFindChromium(t)
	if testing.Short() && os.Getenv("RELIA_INTEGRATION") != "1" {
		t.Skip("headless browser test skipped in -short mode")
	}
	out := filepath.Join(t.TempDir(), "public")
	if _, err := site.Build(t.Context(), site.Options{ConfigPath: filepath.Join(browserRepoRoot(t), "relia.toml"), Out: out, Now: browserNow}); err != nil {
		t.Fatalf("building the demo site: %v", err)
	}
	var pages []string
	if err := filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".html") {
			rel, _ := filepath.Rel(out, p)
			pages = append(pages, filepath.ToSlash(rel))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(pages)
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(out) + "/"}).String()
	browser := browserStart(t, exe)

	for _, width := range []int64{1280, 390} {
		t.Run(fmt.Sprintf("%dpx", width), func(t *testing.T) {
			tab := browserOpenTab(t, browser)
			ctx, cancel := context.WithTimeout(tab.ctx, browserPageTimeout)
			err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
				if _, err := cdp.Call(ctx, tgt, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
					Width: width, Height: 900, DeviceScaleFactor: 1, Mobile: width < 600,
				}); err != nil {
					return err
				}
				_, err := cdp.Call(ctx, tgt, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: browserSVGHook})
				return err
			}))
			cancel()
			if err != nil {
				t.Fatalf("emulating a %d px screen: %v", width, err)
			}
			visited, charts, labels := 0, 0, 0
			for _, p := range pages {
				t.Run(strings.TrimSuffix(p, "/index.html"), func(t *testing.T) {
					visited++
					tab.visit(t, base+p, base)
					got := tab.layout(t)
					if got.ScrollWidth > got.ClientWidth {
						t.Errorf("%s at %d px scrolls sideways: %d px of content in %d px; sticking out: %s",
							p, width, got.ScrollWidth, got.ClientWidth, strings.Join(got.Outside, ", "))
					}
					for _, c := range got.Charts {
						charts++
						labels += c.Labels
						if c.SVG == 0 {
							t.Errorf("%s: chart #%s was not drawn", p, c.ID)
						}
						if !c.Spark && c.Labels < 3 {
							t.Errorf("%s: chart #%s shows %d text labels; is the SVG renderer hook working?", p, c.ID, c.Labels)
						}
						for _, o := range c.Overlaps {
							a, b := o[0], o[1]
							t.Errorf("%s at %d px: chart #%s: labels %q (%.0f,%.0f %.0f×%.0f) and %q (%.0f,%.0f %.0f×%.0f) overlap",
								p, width, c.ID, a.Text, a.X, a.Y, a.W, a.H, b.Text, b.X, b.Y, b.W, b.H)
						}
					}
				})
			}
			if width < 600 {
				t.Run("menu", func(t *testing.T) { tab.checkMenu(t, base+"index.html", base) })
			}
			t.Logf("%d px: %d of %d pages, %d charts, %d text labels", width, visited, len(pages), charts, labels)
			if visited == len(pages) && charts < 15 {
				t.Errorf("only %d charts on %d pages: the demo site has three on each SLO page", charts, len(pages))
			}
		})
	}
}

// layout waits until every chart of the page is drawn and reads its layout.
func (tab *browserTab) layout(t *testing.T) browserLayout {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, browserPageTimeout)
	defer cancel()
	ready := `document.readyState === "complete" && document.querySelectorAll(".chart").length === document.querySelectorAll(".chart svg").length`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](ready,
		chromedp.WithPollingInterval(50*time.Millisecond),
		chromedp.WithPollingTimeout(browserChartTimeout))); err != nil {
		t.Fatalf("waiting for the charts: %v", err)
	}
	var got browserLayout
	if err := json.Unmarshal(tab.eval(t, browserLayoutJS), &got); err != nil {
		t.Fatalf("decoding the layout: %v", err)
	}
	return got
}

// checkMenu checks the phone header: its links are folded away until the
// Menu button is pressed, and then all show, one under the other, with
// nothing sticking out.
func (tab *browserTab) checkMenu(t *testing.T, u, prefix string) {
	t.Helper()
	tab.visit(t, u, prefix)
	const shown = `Array.from(document.querySelectorAll(".site-header nav a")).filter(a => a.getBoundingClientRect().height > 0).length`
	var before, after, width int
	if err := json.Unmarshal(tab.eval(t, shown), &before); err != nil {
		t.Fatal(err)
	}
	tab.eval(t, `document.querySelector(".menu-button").click()`)
	if err := json.Unmarshal(tab.eval(t, shown), &after); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(tab.eval(t, `document.documentElement.scrollWidth`), &width); err != nil {
		t.Fatal(err)
	}
	if before != 0 || after < 6 || width > 390 {
		t.Errorf("phone menu: %d links shown before pressing Menu (want 0), %d after (want all, at least 6), page %d px wide after", before, after, width)
	}
}
