package fetch

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/metrics"
)

// A ca_file is read within maxCAFile, from a regular file, and the error
// is at the key's line.
func TestCAFileBounded(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.pem")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxCAFile + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cfg := &config.Config{Path: "relia.toml", Dir: dir}
	for file, want := range map[string]string{
		"big.pem":   "relia.toml:7: sources.prod.ca_file: " + big + " is larger than the limit of 4 MiB for a certificate bundle (a fixed bound)",
		"/dev/zero": "relia.toml:7: sources.prod.ca_file: open /dev/zero: not a regular file (a device)",
	} {
		src := config.Source{Name: "prod", Type: "prometheus", URL: "https://127.0.0.1:1", Timeout: time.Second, CAFile: file, Line: 5, KeyLines: map[string]int{"ca_file": 7}}
		_, err := OpenPrometheus(cfg, "prod", src, NewLog(io.Discard, nil, false, 1), nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %s", file, err, want)
		}
	}
}

// A store's warning about a selector goes to the build's keeper; a cache's
// hiccup is a log line. A line printed while the progress line is drawn
// starts on a line of its own, once.
func TestLogWarnings(t *testing.T) {
	for _, tt := range []struct {
		name     string
		progress bool
		w        metrics.Warning
		kept     bool
		want     string
	}{
		{"selector", false, metrics.Warning{Source: "prod", SLO: "web/availability", Series: "total", Msg: "partial response"}, true, ""},
		{"cache", false, metrics.Warning{Source: "prod", Msg: "cache: chunk damaged"}, false, "relia: warning: cache: chunk damaged\n"},
		{"cache under a progress line", true, metrics.Warning{Source: "prod", Msg: "cache: chunk damaged"}, false, "\rcomputing SLOs: 0/1\nrelia: warning: cache: chunk damaged\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			log := NewLog(&out, nil, tt.progress, 1)
			var kept []metrics.Warning
			log.KeepWarnings(func(w metrics.Warning) { kept = append(kept, w) })
			log.mu.Lock()
			log.draw(true)
			log.mu.Unlock()
			log.warn(tt.w)
			log.Finish()
			if tt.kept != (len(kept) == 1 && kept[0] == tt.w) {
				t.Errorf("kept %+v, want kept %v", kept, tt.kept)
			}
			if got := out.String(); got != tt.want {
				t.Errorf("log %q, want %q", got, tt.want)
			}
		})
	}
}
