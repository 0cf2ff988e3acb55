// Package pdf prints HTML files to PDF with a headless Chromium found on the
// machine, driven through chromedp (page.PrintToPDF), with the page's own
// print styles. It reads the files from disk (file://), blocks every
// request to the network, and stamps each PDF with a given date instead of
// the wall clock, so that the same pages print to the same bytes. It writes
// nothing: callers publish the PDFs.
package pdf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ErrNoChromium says no Chromium was found: printing is skipped, the rest of
// a build goes on.
var ErrNoChromium = errors.New("no Chromium found")

// EnvChromium names the environment variable that picks the browser.
const EnvChromium = "RELIA_CHROMIUM"

// Known places of Chromium: the Debian package's binary (its /usr/bin
// wrapper prints a harmless warning), then names in PATH.
var (
	chromiumPaths = []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium"}
	chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
)

// Find returns the Chromium to run: $RELIA_CHROMIUM when set (an error when
// it names nothing runnable), else the Debian package chromium, else
// chromium, chromium-browser, google-chrome or google-chrome-stable in
// PATH. Without any it returns an error wrapping ErrNoChromium.
func Find() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("%s=%q: %w", EnvChromium, p, err)
		}
		return path, nil
	}
	for _, p := range chromiumPaths {
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: install the Debian package chromium, or set %s to a Chrome or Chromium binary", ErrNoChromium, EnvChromium)
}

// Options configure a Printer.
type Options struct {
	// Exec is the browser binary, from Find.
	Exec string
	// Date is written as the creation and modification date of every PDF
	// (a report's time), in place of the moment of printing.
	Date time.Time
	// PageTimeout bounds loading and printing one page; 0 means a minute.
	PageTimeout time.Duration
	// Root is the folder of the site the pages belong to, and URL where
	// that site is published ("https://intra.example/sre/"). A link of a
	// page into Root points at URL in the PDF; without a URL it is
	// dropped. A PDF must not carry the file:// path of the folder it was
	// printed from: it means nothing to a reader, and it changes from one
	// build to the next.
	Root, URL string
}

// Printer is one headless Chromium that prints pages, one tab each.
type Printer struct {
	opts    Options
	browser context.Context
	cancel  context.CancelFunc
	output  *limitedBuffer
}

// Start launches the browser with the flags relia's browser tests use
// (headless, no sandbox, no GPU, no background networking, component
// updates, sync or first-run work). Cancelling ctx ends the browser; so
// does Close.
func Start(ctx context.Context, opts Options) (*Printer, error) {
	if opts.PageTimeout <= 0 {
		opts.PageTimeout = time.Minute
	}
	out := &limitedBuffer{max: 4 << 10}
	flags := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(opts.Exec),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.CombinedOutput(out),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, flags...)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	p := &Printer{opts: opts, browser: browser, output: out, cancel: func() {
		cancelBrowser()
		cancelAlloc() // waits for the process to end and removes its profile
	}}
	// The first action starts the browser. A deadline on its context
	// would end the browser when it passes, so this one has none.
	if err := chromedp.Do(browser); err != nil {
		p.cancel()
		return nil, fmt.Errorf("start %s: %w%s", opts.Exec, err, out.tail())
	}
	return p, nil
}

// Close ends the browser and waits for it.
func (p *Printer) Close() { p.cancel() }

// Print loads the HTML file at path (absolute) in a new tab, with every
// network request blocked, and prints it on A4 as the page's print styles
// lay it out (their @page size wins), backgrounds included, with an
// outline of its headings. The PDF carries Options.Date and is Normalized.
func (p *Printer) Print(ctx context.Context, path string) ([]byte, error) {
	if !filepath.IsAbs(path) {
		return nil, fmt.Errorf("print %s: the path is not absolute", path)
	}
	tab, closeTab := chromedp.NewContext(p.browser)
	defer closeTab()
	stop := context.AfterFunc(ctx, closeTab) // the build was cancelled
	defer stop()
	// Opening the tab, like starting the browser, must not have a deadline.
	if err := chromedp.Do(tab); err != nil {
		return nil, fmt.Errorf("print %s: open a tab: %w%s", path, err, p.output.tail())
	}
	tctx, cancel := context.WithTimeout(tab, p.opts.PageTimeout)
	defer cancel()
	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
	err := chromedp.Do(tctx,
		chromedp.Action[chromedp.Void](blockNetwork),
		chromedp.Navigate(u),
	)
	if err != nil {
		return nil, fmt.Errorf("print %s: load: %w", path, err)
	}
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[chromedp.Void](p.relinkJS())); err != nil {
		return nil, fmt.Errorf("print %s: rewrite its links: %w", path, err)
	}
	pdf, err := chromedp.Run(tctx, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4),
		chromedp.PDFPreferCSSPageSize(),
		chromedp.PDFPrintBackground(),
		chromedp.PDFOutlineAndTagged(),
	))
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("print %s: %w", path, err)
	}
	return Normalize(pdf, p.opts.Date), nil
}

// relinkJS rewrites the page's file:// links: those into Options.Root to
// Options.URL, the others dropped (their text stays).
func (p *Printer) relinkJS() string {
	root := ""
	if p.opts.Root != "" {
		root = (&url.URL{Scheme: "file", Path: strings.TrimSuffix(filepath.ToSlash(p.opts.Root), "/") + "/"}).String()
	}
	args, _ := json.Marshal([]string{root, p.opts.URL})
	return `((root, base) => {
  for (const a of document.querySelectorAll("a[href]")) {
    const u = a.href;
    if (!u.startsWith("file:")) continue;
    if (root && base && u.startsWith(root)) a.setAttribute("href", base + u.slice(root.length));
    else a.removeAttribute("href");
  }
})(...` + string(args) + `)`
}

// blockedSchemes are refused to every page: a printed report reads its own
// files only, as it must work on a machine without a network.
var blockedSchemes = []string{"http", "https", "ws", "wss", "ftp"}

func blockNetwork(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
	if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
		return chromedp.Void{}, fmt.Errorf("enable network events: %w", err)
	}
	patterns := make([]*network.BlockPattern, len(blockedSchemes))
	for i, s := range blockedSchemes {
		patterns[i] = &network.BlockPattern{URLPattern: s + "://*:*/*", Block: true}
	}
	if _, err := cdp.Call(ctx, t, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: patterns}); err != nil {
		return chromedp.Void{}, fmt.Errorf("block the network: %w", err)
	}
	return chromedp.Void{}, nil
}

// pdfDate matches the dates of a PDF's document information dictionary as
// Chromium's Skia writes them: (D:YYYYMMDDHHmmSS+HH'mm'), or Z for UTC.
var pdfDate = regexp.MustCompile(`/(CreationDate|ModDate) ?\(D:\d{14}(?:[-+]\d\d'\d\d'|Z00'00'|Z)\)`)

// Normalize makes a PDF of Chromium's depend on the page alone: it Stamps
// the date t and renumbers the structure tree's node ids. Every rewrite
// keeps the length of what it replaces, so the cross-reference offsets
// stay right.
func Normalize(pdf []byte, t time.Time) []byte {
	return renumberNodes(Stamp(pdf, t))
}

// Stamp sets the creation and modification dates of a PDF to t (in UTC).
// Chromium writes the moment of printing there. A date in another form is
// left alone.
func Stamp(pdf []byte, t time.Time) []byte {
	return pdfDate.ReplaceAllFunc(pdf, func(m []byte) []byte {
		open := bytes.IndexByte(m, '(')
		date := "D:" + t.UTC().Format("20060102150405")
		orig := string(m[open+1 : len(m)-1])
		switch {
		case strings.HasSuffix(orig, "Z"):
			date += "Z"
		case strings.HasSuffix(orig, "Z00'00'"):
			date += "Z00'00'"
		default:
			date += "+00'00'"
		}
		out := make([]byte, 0, len(m))
		out = append(out, m[:open+1]...)
		out = append(out, date...)
		return append(out, ')')
	})
}

// nodeID matches the ids of a tagged PDF's structure elements as Skia
// writes them, (node00000064): the page's DOM node ids, which Blink hands
// out in the order something first asks for a node. A page whose scripts
// add nodes (the charts) gets them in an order that varies with timing.
var nodeID = regexp.MustCompile(`\(node\d{8}\)`)

// renumberNodes renames the structure tree's node ids in the order they
// first appear in the file (node00000001, …), which follows the document.
// The ids only tie a table's cells to their headers inside the PDF.
func renumberNodes(pdf []byte) []byte {
	seen := map[string]int{}
	return nodeID.ReplaceAllFunc(pdf, func(m []byte) []byte {
		n, ok := seen[string(m)]
		if !ok {
			n = len(seen) + 1
			seen[string(m)] = n
		}
		return fmt.Appendf(nil, "(node%08d)", n)
	})
}

// limitedBuffer keeps the first max bytes of the browser's output, to
// explain a browser that would not start.
type limitedBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// tail is the browser's output as a suffix of an error message, or "".
func (b *limitedBuffer) tail() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := strings.TrimSpace(b.buf.String())
	if s == "" {
		return ""
	}
	return "\nbrowser output:\n" + s
}
