// Package serve previews a site while it is edited: it builds the site into
// a temporary folder, serves the last good build over HTTP, watches the
// inputs (relia.toml, content/, templates/, snapshots, imported SLO specs,
// chaos logs) and rebuilds on every change, telling open pages to reload
// over server-sent events. A failed rebuild keeps the last good site online
// and shows the error on every page and on the log.
//
// It owns its temporary folder and removes it on shutdown; it writes no
// pages into the site or its output folder. Builds go through site.Build
// like `relia build` (which may keep settled Prometheus history in the
// site's .relia/cache, as a build does), with one in-memory cache of metric
// history kept across rebuilds.
package serve

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/fetch"
	"github.com/relia-dev/relia/internal/publish"
	"github.com/relia-dev/relia/internal/site"
)

//go:embed reload.js
var reloadJS []byte

// Options configure a server.
type Options struct {
	Addr  string       // listen address, such as "127.0.0.1:1313"
	Build site.Options // ConfigPath, Now, Drafts, …; Out, Log and BaseURL are set by the server
	Log   io.Writer    // rebuilds and errors; nil for none
	// Debounce is how long the inputs must be quiet before a rebuild:
	// editors save in several steps. Default 100ms.
	Debounce time.Duration
}

// Server is a running preview.
type Server struct {
	opts    Options
	ln      net.Listener
	tmp     string
	scratch *publish.Scratch
	cache   *fetch.SeriesCache
	log     io.Writer

	mu      sync.Mutex
	current string // folder of the last good build; "" before the first
	older   string // the build before it, kept for requests in flight
	gen     int    // builds attempted
	lastErr string // the failed rebuild's error; "" when the last one succeeded
	subs    map[chan int]bool
	builds  int // folder names
}

// New listens on opts.Addr. Run serves.
func New(opts Options) (*Server, error) {
	if opts.Debounce == 0 {
		opts.Debounce = 100 * time.Millisecond
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	// Locked while the preview runs: one killed before its cleanup
	// leaves a folder the next preview removes.
	scratch, err := publish.NewScratch(os.TempDir(), "relia-serve-")
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("serve: %w", err)
	}
	return &Server{opts: opts, ln: ln, tmp: scratch.Dir, scratch: scratch, cache: fetch.NewSeriesCache(), log: log, subs: map[chan int]bool{}}, nil
}

// URL is where the site is served.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() + "/" }

// Run builds the site, serves it and rebuilds on every change until ctx is
// done; then it shuts down and removes its temporary folder. A failing
// build is not an error of Run: the page shows it.
func (s *Server) Run(ctx context.Context) error {
	defer s.scratch.Remove()
	watcher, err := fsnotify.NewWatcher()
	if err != nil {
		s.ln.Close()
		return fmt.Errorf("serve: watch: %w", err)
	}
	defer watcher.Close()
	w := &watch{fs: watcher, log: s.log}

	s.rebuild(ctx)
	w.update(s.opts.Build.ConfigPath)

	done := make(chan struct{})
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	srv.RegisterOnShutdown(func() { close(done) })
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(s.ln) }()

	var timer <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			s.closeSubscribers()
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err := srv.Shutdown(sctx)
			cancel()
			if err != nil {
				return fmt.Errorf("serve: shut down: %w", err)
			}
			return nil
		case err := <-serveErr:
			return fmt.Errorf("serve: %w", err)
		case ev, ok := <-watcher.Events:
			if !ok {
				return nil
			}
			if w.relevant(ev) {
				timer = time.After(s.opts.Debounce)
			}
		case err, ok := <-watcher.Errors:
			if ok {
				fmt.Fprintf(s.log, "relia serve: watch: %v\n", err)
			}
		case <-timer:
			timer = nil
			s.rebuild(ctx)
			w.update(s.opts.Build.ConfigPath)
		}
	}
}

// rebuild builds the site into a new folder and, when it succeeds, serves
// that folder from now on. Either way, open pages are told.
func (s *Server) rebuild(ctx context.Context) {
	s.mu.Lock()
	s.builds++
	out := filepath.Join(s.tmp, "site-"+strconv.Itoa(s.builds))
	s.mu.Unlock()

	opts := s.opts.Build
	opts.Out = out
	opts.BaseURL = "/" // served from the root, whatever base_url says
	opts.Series = s.cache
	var warnings bytes.Buffer
	opts.Log = &warnings
	opts.Progress = false
	start := time.Now()
	res, err := site.Build(ctx, opts)
	took := time.Since(start)
	s.log.Write(warnings.Bytes())

	s.mu.Lock()
	s.gen++
	var stale string
	if err != nil {
		s.lastErr = strings.TrimRight(err.Error(), "\n")
	} else {
		s.lastErr = ""
		stale, s.older, s.current = s.older, s.current, out
	}
	gen, lastErr, hasGood := s.gen, s.lastErr, s.current != ""
	subs := make([]chan int, 0, len(s.subs))
	for c := range s.subs {
		subs = append(subs, c)
	}
	s.mu.Unlock()
	if stale != "" {
		os.RemoveAll(stale)
	}
	switch {
	case err != nil && hasGood:
		fmt.Fprintf(s.log, "%s\nrelia serve: the build failed; still serving the last good site\n", lastErr)
	case err != nil:
		fmt.Fprintf(s.log, "%s\nrelia serve: the build failed; nothing to serve until it succeeds\n", lastErr)
	default:
		s.cache.Sweep()
		fmt.Fprintf(s.log, "built %d pages for %d SLOs in %s (report time %s)\n", res.Pages, res.SLOs, took.Round(time.Millisecond), res.Now.Format(time.RFC3339))
	}
	for _, c := range subs {
		select {
		case c <- gen:
		default: // the page is slow; it gets the latest number on its next read
		}
	}
}

func (s *Server) closeSubscribers() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.subs {
		close(c)
		delete(s.subs, c)
	}
}

// ServeHTTP serves the last good build, the reload script and the event
// stream.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.hostAllowed(r.Host) {
		http.Error(w, "relia serve: this preview answers only to localhost and its loopback address (Host "+strconv.Quote(r.Host)+")", http.StatusForbidden)
		return
	}
	switch r.URL.Path {
	case "/_relia/reload.js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(reloadJS)
		return
	case "/_relia/events":
		s.events(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	root, gen, lastErr := s.current, s.gen, s.lastErr
	s.mu.Unlock()
	hasGood := root != ""
	w.Header().Set("Cache-Control", "no-store")
	if root == "" {
		// No good build yet: every page is the error, and reloads when fixed.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		page := "<!doctype html><html><head><meta charset=\"utf-8\"><title>relia: build failed</title></head><body></body></html>"
		w.Write(inject([]byte(page), gen, lastErr, false))
		return
	}
	name := path.Clean("/" + r.URL.Path)
	file := filepath.Join(root, filepath.FromSlash(name))
	if st, err := os.Stat(file); err == nil && st.IsDir() {
		if !strings.HasSuffix(r.URL.Path, "/") {
			// The cleaned path: a request for //other-host/..%2fslos
			// must not redirect to //other-host/, which a browser reads
			// as another site.
			http.Redirect(w, r, strings.TrimSuffix(name, "/")+"/", http.StatusMovedPermanently)
			return
		}
		file = filepath.Join(file, "index.html")
	}
	status := http.StatusOK
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		status = http.StatusNotFound
		data, err = os.ReadFile(filepath.Join(root, "404.html"))
		file = "404.html"
	}
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	ctype := mime.TypeByExtension(filepath.Ext(file))
	if ctype == "" {
		ctype = http.DetectContentType(data)
	}
	if strings.HasPrefix(ctype, "text/html") {
		data = inject(data, gen, lastErr, hasGood)
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
}

// hostAllowed guards a preview bound to loopback against DNS rebinding:
// a page on another site whose name is made to resolve to 127.0.0.1 sends
// its own host name, which is refused. Bound to another address, the
// preview is shared on purpose and any name is answered.
func (s *Server) hostAllowed(hostport string) bool {
	bind, ok := s.ln.Addr().(*net.TCPAddr)
	if !ok || !bind.IP.IsLoopback() {
		return true
	}
	if hostport == "" {
		return true // HTTP/1.0 without Host: no browser sends that
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true // RFC 6761: always loopback
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.Equal(bind.IP))
}

// events streams the build number: now, and after every rebuild.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c := make(chan int, 1)
	s.mu.Lock()
	s.subs[c] = true
	gen := s.gen
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.subs, c)
		s.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintf(w, "retry: 1000\ndata: %d\n\n", gen)
	flusher.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case gen, ok := <-c:
			if !ok {
				return
			}
			fmt.Fprintf(w, "data: %d\n\n", gen)
			flusher.Flush()
		}
	}
}

// inject adds the reload script to an HTML page and, when the last
// rebuild failed, a panel with its error. hasGood says whether the page
// is of an earlier good build or merely carries the error.
func inject(page []byte, gen int, lastErr string, hasGood bool) []byte {
	var add bytes.Buffer
	if lastErr != "" {
		add.WriteString(`<div id="relia-serve-error" role="alert" style="position:fixed;left:0;right:0;bottom:0;max-height:50vh;overflow:auto;margin:0;padding:12px 16px;background:#fff0f0;color:#600;border-top:3px solid #c00;font:13px/1.45 ui-monospace,monospace;white-space:pre-wrap;z-index:2147483647">`)
		if hasGood {
			add.WriteString("<strong>relia serve: the last rebuild failed; this is the last good site.</strong>\n")
		} else {
			add.WriteString("<strong>relia serve: the build failed; there is no site to show until it succeeds.</strong>\n")
		}
		add.WriteString(html.EscapeString(lastErr))
		add.WriteString("</div>")
	}
	fmt.Fprintf(&add, `<script src="/_relia/reload.js" data-gen="%d"></script>`, gen)
	i := bytes.LastIndex(page, []byte("</body>"))
	if i < 0 {
		return append(page, add.Bytes()...)
	}
	out := make([]byte, 0, len(page)+add.Len())
	out = append(out, page[:i]...)
	out = append(out, add.Bytes()...)
	return append(out, page[i:]...)
}

// watch keeps fsnotify on the folders that hold the site's inputs.
type watch struct {
	fs  *fsnotify.Watcher
	log io.Writer
	// trees are watched with every subfolder: any change counts.
	trees []string
	// patterns are the input files (globs) of the other watched folders.
	patterns []string
}

// update watches what the configuration at configPath names, even when it
// has errors; while it is not even TOML, the previous set stays.
func (w *watch) update(configPath string) {
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			return p
		}
		return a
	}
	cfgPath := abs(configPath)
	dir := filepath.Dir(cfgPath)
	patterns := []string{cfgPath}
	trees := []string{filepath.Join(dir, "content"), filepath.Join(dir, "templates")}
	if inputs, err := config.Inputs(configPath); err == nil {
		for _, p := range inputs {
			patterns = append(patterns, abs(p))
		}
	} else if w.patterns != nil {
		// Not even TOML: keep watching what the last readable version named.
		patterns = append(slices.Clone(w.patterns), cfgPath)
	}
	w.trees, w.patterns = trees, patterns

	want := map[string]bool{dir: true}
	for _, p := range patterns {
		want[filepath.Dir(p)] = true
	}
	for _, t := range trees {
		_ = filepath.WalkDir(t, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				want[p] = true
			}
			return nil
		})
	}
	have := map[string]bool{}
	for _, p := range w.fs.WatchList() {
		have[p] = true
		if !want[p] {
			_ = w.fs.Remove(p)
		}
	}
	for p := range want {
		if have[p] {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			continue // a folder that does not exist yet; its parent may show it
		}
		if err := w.fs.Add(p); err != nil {
			fmt.Fprintf(w.log, "relia serve: watch %s: %v\n", p, err)
		}
	}
}

// relevant reports whether ev changes an input. A folder created inside a
// watched tree is watched at once, so files written into it next are seen.
func (w *watch) relevant(ev fsnotify.Event) bool {
	if ev.Has(fsnotify.Chmod) && !ev.Has(fsnotify.Write) {
		return false
	}
	base := filepath.Base(ev.Name)
	if strings.HasPrefix(base, ".") || strings.HasSuffix(base, "~") || strings.HasSuffix(base, ".swp") || strings.HasSuffix(base, ".swx") || base == "4913" {
		return false // editors' scratch files
	}
	for _, t := range w.trees {
		if ev.Name == t || strings.HasPrefix(ev.Name, t+string(filepath.Separator)) {
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					_ = filepath.WalkDir(ev.Name, func(p string, d fs.DirEntry, err error) error {
						if err == nil && d.IsDir() {
							_ = w.fs.Add(p)
						}
						return nil
					})
				}
			}
			return true
		}
	}
	for _, p := range w.patterns {
		if ok, _ := filepath.Match(p, ev.Name); ok {
			return true
		}
	}
	return false
}
