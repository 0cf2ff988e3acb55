package promtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Need returns the paths of the named binaries. When one is missing the
// test is skipped with a message, unless RELIA_INTEGRATION=1 (CI), where a
// missing binary fails it.
func Need(t testing.TB, pkg string, names ...string) []string {
	t.Helper()
	var paths []string
	for _, name := range names {
		p, err := exec.LookPath(name)
		if err != nil {
			msg := fmt.Sprintf("%s not found in PATH: install the Debian package %s (apt-get install -y --no-install-recommends %s)", name, pkg, pkg)
			if os.Getenv("RELIA_INTEGRATION") == "1" {
				t.Fatal(msg + "; RELIA_INTEGRATION=1 requires it")
			}
			t.Skip(msg + "; skipping (set RELIA_INTEGRATION=1 to require it)")
		}
		paths = append(paths, p)
	}
	return paths
}

// Server is a metric store running as a child process on 127.0.0.1.
type Server struct {
	URL  string
	Name string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	done chan struct{}
	err  error
}

// Backfill writes h into a Prometheus data folder with promtool. One block
// per 31 days: without --max-block-duration promtool writes two-hour blocks
// and re-reads the input for each, a hundred times slower.
func Backfill(promtool string, h History, dataDir string) error {
	return BackfillAll(promtool, dataDir, h)
}

// BackfillAll writes several histories (of different services) into one
// Prometheus data folder.
func BackfillAll(promtool, dataDir string, hs ...History) error {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return err
	}
	om := filepath.Join(filepath.Dir(dataDir), "history.om")
	f, err := os.Create(om)
	if err != nil {
		return err
	}
	if err := WriteOpenMetrics(f, hs...); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	defer os.Remove(om)
	out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "--max-block-duration=744h", "openmetrics", om, dataDir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("promtool tsdb create-blocks-from: %v\n%s", err, out)
	}
	return nil
}

// StartPrometheus runs prometheus on a free 127.0.0.1 port with dataDir,
// a ten-year retention (the default 15 days would delete backfilled
// blocks at start) and no scrape targets, and waits until it is ready.
func StartPrometheus(bin, dataDir string) (*Server, error) {
	cfg := filepath.Join(filepath.Dir(dataDir), "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global: {}\nscrape_configs: []\n"), 0o644); err != nil {
		return nil, err
	}
	return start("prometheus", "/-/ready", func(addr string) *exec.Cmd {
		return exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+dataDir,
			"--storage.tsdb.retention.time=10y", "--web.listen-address="+addr)
	})
}

// StartVictoriaMetrics runs victoria-metrics on a free 127.0.0.1 port.
func StartVictoriaMetrics(bin, dataDir string) (*Server, error) {
	return start("victoria-metrics", "/health", func(addr string) *exec.Cmd {
		return exec.Command(bin, "-httpListenAddr="+addr, "-storageDataPath="+dataDir, "-retentionPeriod=100y")
	})
}

// ImportVictoriaMetrics loads histories through VictoriaMetrics's import
// endpoint and flushes them so that queries see them at once.
func (s *Server) ImportVictoriaMetrics(hs ...History) error {
	pr, pw := io.Pipe()
	go func() {
		for _, h := range hs {
			if err := h.WritePrometheusText(pw); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.Close()
	}()
	resp, err := http.Post(s.URL+"/api/v1/import/prometheus", "text/plain", pr)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("import: %s: %s", resp.Status, body)
	}
	resp, err = http.Get(s.URL + "/internal/force_flush")
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func start(name, readyPath string, command func(addr string) *exec.Cmd) (*Server, error) {
	var last error
	for range 3 { // a free port can be taken between probe and start
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		addr := l.Addr().String()
		l.Close()
		s := &Server{URL: "http://" + addr, Name: name, log: &bytes.Buffer{}, done: make(chan struct{})}
		s.cmd = command(addr)
		s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
		s.cmd.SysProcAttr = childAttr() // never outlive the test binary
		if err := s.cmd.Start(); err != nil {
			return nil, fmt.Errorf("start %s: %w", name, err)
		}
		go func() { s.err = s.cmd.Wait(); close(s.done) }()
		if last = s.waitReady(readyPath, 30*time.Second); last == nil {
			return s, nil
		}
		s.Kill()
	}
	return nil, last
}

func (s *Server) waitReady(path string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("%s exited before it was ready: %v\n%s", s.Name, s.err, s.log)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %s", s.Name, limit)
}

// Stop ends the server with SIGTERM and waits for it (killing it after 10s).
func (s *Server) Stop() {
	if s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.Kill()
	}
}

// Kill ends the server at once, as a crash would.
func (s *Server) Kill() {
	if s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
}

// Log is what the server printed, for failure messages.
func (s *Server) Log() string {
	select {
	case <-s.done:
		return s.log.String()
	default:
		return "(still running)"
	}
}

// CopyDir copies a data folder (another server cannot share one).
func CopyDir(src, dst string) error {
	out, err := exec.Command("cp", "-a", src, dst).CombinedOutput()
	if err != nil {
		return fmt.Errorf("cp -a %s %s: %v: %s", src, dst, err, strings.TrimSpace(string(out)))
	}
	return nil
}
