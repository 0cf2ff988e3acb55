package serve

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/relia-dev/relia/internal/metrics/promtest"
	"github.com/relia-dev/relia/internal/site"
)

func TestInject(t *testing.T) {
	got := string(inject([]byte("<html><body><p>x</p></body></html>"), 3, "", true))
	if got != `<html><body><p>x</p><script src="/_relia/reload.js" data-gen="3"></script></body></html>` {
		t.Errorf("inject = %s", got)
	}
	got = string(inject([]byte("no body"), 1, "relia.toml:3: <bad>", true))
	if !strings.HasPrefix(got, "no body<div id=\"relia-serve-error\"") || !strings.Contains(got, "relia.toml:3: &lt;bad&gt;") {
		t.Errorf("inject with error = %s", got)
	}
}

// writeSite writes a one-SLO site with a home page into dir.
func writeSite(t *testing.T, dir string) {
	t.Helper()
	var good, total []string
	for i := range 24 {
		ts := 1793494800 + 3600*i
		good = append(good, fmt.Sprintf("[%d,99]", ts))
		total = append(total, fmt.Sprintf("[%d,100]", ts))
	}
	files := map[string]string{
		"relia.toml": "title = \"Live\"\nstep = \"1h\"\nhistory = \"1d\"\n[sources.rec]\ntype = \"snapshot\"\npath = \"snap.json\"\n" +
			"[[slos]]\nservice = \"web\"\nname = \"availability\"\nobjective = 99\nwindow = \"1d\"\ngood = 'ok'\ntotal = 'all'\n",
		"snap.json": `{"version":1,"step":"1h","slos":{"web/availability":{"good":[` + strings.Join(good, ",") +
			`],"total":[` + strings.Join(total, ",") + `]}}}`,
		"content/_index.md": "First version of the home page.\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// get polls url until its body matches re, for at most limit.
func get(t *testing.T, url string, re *regexp.Regexp, limit time.Duration) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	var body string
	for time.Since(start) < limit {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			if re.MatchString(body) {
				return body, time.Since(start)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s did not match %s within %s; last body:\n%s", url, re, limit, body)
	return "", 0
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir)
	var log strings.Builder
	srv, err := New(Options{Addr: "127.0.0.1:0", Build: site.Options{ConfigPath: filepath.Join(dir, "relia.toml"), Now: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	url := srv.URL()

	get(t, url, regexp.MustCompile(`First version`), 5*time.Second)
	body, _ := get(t, url+"slos/web/availability/", regexp.MustCompile(`web/availability`), time.Second)
	if !strings.Contains(body, `/_relia/reload.js`) {
		t.Error("no reload script on the SLO page")
	}
	resp, err := http.Get(url + "no/such/page")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing page: status %d", resp.StatusCode)
	}

	// Open pages hear of every rebuild: the stream says the build number
	// now, and again after the rebuild.
	events, err := http.Get(url + "_relia/events")
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	if ct := events.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("events content type %q", ct)
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(events.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				lines <- data
			}
		}
		close(lines)
	}()
	next := func() string {
		select {
		case l := <-lines:
			return l
		case <-time.After(2 * time.Second):
			t.Fatal("no event within 2 s")
			return ""
		}
	}
	if first := next(); first != "1" {
		t.Errorf("first event %q, want build 1", first)
	}

	// An edit shows within 2 s.
	if err := os.WriteFile(filepath.Join(dir, "content", "_index.md"), []byte("Second version of the home page.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, took := get(t, url, regexp.MustCompile(`Second version`), 2*time.Second)
	t.Logf("rebuilt page served %s after the edit", took)
	if second := next(); second != "2" {
		t.Errorf("event after the edit %q, want build 2", second)
	}

	// A broken relia.toml: the error on the page, the last good site still served.
	if err := os.WriteFile(filepath.Join(dir, "relia.toml"), []byte("step = \"1h\"\n[sources.rec]\ntype = \"snapshot\"\npath = \"snap.json\"\n[[slos]]\nservice = \"web\"\nname = \"availability\"\nobjective = 100\ngood = 'ok'\ntotal = 'all'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	body, _ = get(t, url, regexp.MustCompile(`relia-serve-error`), 2*time.Second)
	if !strings.Contains(body, "Second version") || !strings.Contains(body, "relia.toml:8: slos[web/availability].objective") {
		t.Errorf("page after a failed rebuild:\n%s", body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if _, err := os.Stat(srv.tmp); !os.IsNotExist(err) {
		t.Errorf("temporary folder left behind: %v", err)
	}
	if !strings.Contains(log.String(), "the build failed; still serving the last good site") {
		t.Errorf("log:\n%s", log.String())
	}
}

// Editing Markdown rebuilds the site without asking Prometheus again.
func TestServeKeepsMetricHistory(t *testing.T) {
	fake := &promtest.Fake{Series: map[string]func(time.Time, time.Duration) (float64, bool){
		"all_total": promtest.Constant(60),
		"err_total": promtest.Constant(0),
	}}
	prom := httptest.NewServer(fake)
	defer prom.Close()
	dir := t.TempDir()
	writeSite(t, dir)
	cfg := fmt.Sprintf("step = \"1h\"\nhistory = \"1d\"\n[sources.prod]\ntype = \"prometheus\"\nurl = %q\n"+
		"[[slos]]\nservice = \"api\"\nname = \"availability\"\nobjective = 99\nwindow = \"1d\"\nbad = 'err_total'\ntotal = 'all_total'\n", prom.URL)
	if err := os.WriteFile(filepath.Join(dir, "relia.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	srv, err := New(Options{Addr: "127.0.0.1:0", Log: &log, Build: site.Options{
		ConfigPath: filepath.Join(dir, "relia.toml"), Now: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC),
		NoCache: true, // no disk cache: every answer not kept in memory is asked again
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	get(t, srv.URL()+"slos/api/availability/", regexp.MustCompile(`api/availability`), 5*time.Second)
	asked := len(fake.Requests())
	if asked == 0 {
		t.Fatal("the first build asked Prometheus nothing")
	}
	if err := os.WriteFile(filepath.Join(dir, "content", "_index.md"), []byte("Edited.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	get(t, srv.URL(), regexp.MustCompile(`Edited\.`), 2*time.Second)
	if n := len(fake.Requests()); n != asked {
		t.Errorf("the rebuild after a Markdown edit asked Prometheus %d more queries", n-asked)
	}
}

// The watch covers every input relia.toml names, and nothing else.
func TestWatchInputs(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir)
	for name, data := range map[string]string{
		"relia.toml": "step = \"1h\"\nhistory = \"1d\"\nslo_files = [\"slos/*.yaml\"]\n[sources.rec]\ntype = \"snapshot\"\npath = \"data/snap.json\"\n" +
			"[[chaos]]\ntype = \"generic\"\npath = \"runs/*.csv\"\n",
		"data/snap.json":  `{"version":1,"step":"1h","slos":{}}`,
		"slos/web.yaml":   "version: prometheus/v1\n",
		"runs/x.csv":      "",
		"templates/a/b.x": "",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer fw.Close()
	w := &watch{fs: fw, log: io.Discard}
	w.update(filepath.Join(dir, "relia.toml"))
	watched := map[string]bool{}
	for _, p := range fw.WatchList() {
		watched[p] = true
	}
	for _, d := range []string{"", "content", "templates", "templates/a", "data", "slos", "runs"} {
		if !watched[filepath.Join(dir, d)] {
			t.Errorf("%s/ not watched; watching %v", d, fw.WatchList())
		}
	}
	for name, want := range map[string]bool{
		"relia.toml": true, "data/snap.json": true, "slos/new.yaml": true, "runs/y.csv": true,
		"content/retros/x.md": true, "templates/a/c.html": true,
		"README.md": false, "data/other.json": false, "content/.x.md.swp": false, "content/x.md~": false, "public/index.html": false,
	} {
		ev := fsnotify.Event{Name: filepath.Join(dir, name), Op: fsnotify.Write}
		if got := w.relevant(ev); got != want {
			t.Errorf("a write to %s: relevant = %v, want %v", name, got, want)
		}
	}
}

// Before any good build, every page is the error, and it becomes the site
// once the input is fixed.
func TestServeFirstBuildFails(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir)
	good, err := os.ReadFile(filepath.Join(dir, "relia.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "relia.toml"), []byte("step = \"1h\"\ntitel = \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	srv, err := New(Options{Addr: "127.0.0.1:0", Build: site.Options{ConfigPath: filepath.Join(dir, "relia.toml"), Now: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() {
		cancel()
		<-done
		if l := log.String(); strings.Contains(l, "last good site") {
			t.Errorf("log speaks of a last good site before there was one:\n%s", l)
		}
	}()
	body, _ := get(t, srv.URL()+"any/page/", regexp.MustCompile(`titel: unknown key`), 5*time.Second)
	if !strings.Contains(body, "/_relia/reload.js") {
		t.Error("the error page does not reload itself")
	}
	// There is no good site to speak of yet.
	if strings.Contains(body, "last good site") || !strings.Contains(body, "the build failed; there is no site to show until it succeeds") {
		t.Errorf("error page before any good build:\n%s", body)
	}
	resp, err := http.Get(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d before any good build", resp.StatusCode)
	}
	if err := os.WriteFile(filepath.Join(dir, "relia.toml"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	get(t, srv.URL(), regexp.MustCompile(`First version`), 2*time.Second)
}

// syncBuffer is a log the server writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestServeOrigin: redirects stay on the preview's own origin, and a
// preview bound to loopback answers only loopback host names, so a page
// elsewhere cannot reach it through DNS rebinding.
func TestServeOrigin(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir)
	srv, err := New(Options{Addr: "127.0.0.1:0", Build: site.Options{ConfigPath: filepath.Join(dir, "relia.toml"), Now: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	get(t, srv.URL(), regexp.MustCompile(`First version`), 5*time.Second)
	port := strings.TrimSuffix(strings.TrimPrefix(srv.URL(), "http://127.0.0.1:"), "/")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	tests := []struct {
		path, host string
		status     int
		location   string
	}{
		{"//other-host/..%2fslos", "", http.StatusMovedPermanently, "/slos/"},
		{"//other-host/%2e%2e/slos", "", http.StatusMovedPermanently, "/slos/"},
		{"/slos", "", http.StatusMovedPermanently, "/slos/"},
		{"/slos/web/availability", "", http.StatusMovedPermanently, "/slos/web/availability/"},
		{"/", "localhost:" + port, http.StatusOK, ""},
		{"/", "LOCALHOST:" + port, http.StatusOK, ""},
		{"/", "app.localhost:" + port, http.StatusOK, ""},
		{"/", "[::1]:" + port, http.StatusOK, ""},
		{"/", "127.0.0.2:" + port, http.StatusOK, ""},
		{"/", "attacker.example:" + port, http.StatusForbidden, ""},
		{"/", "attacker.example", http.StatusForbidden, ""},
		{"/_relia/events", "attacker.example:" + port, http.StatusForbidden, ""},
		{"/", "10.0.0.1:" + port, http.StatusForbidden, ""},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(http.MethodGet, srv.URL()+strings.TrimPrefix(tt.path, "/"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if tt.host != "" {
			req.Host = tt.host
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location {
			t.Errorf("GET %s (Host %q): %d Location %q, want %d %q", tt.path, tt.host, resp.StatusCode, resp.Header.Get("Location"), tt.status, tt.location)
		}
	}
}
