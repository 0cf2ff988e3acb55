package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestInterrupt: SIGINT or SIGTERM while a build or check waits for the
// metric store stops it, removes its temporary folders, says
// "interrupted" (and does not blame relia.toml) and exits 130 or 143.
func TestInterrupt(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		sig  syscall.Signal
		code int
	}{
		{"build", syscall.SIGINT, 130},
		{"build", syscall.SIGTERM, 143},
		{"check", syscall.SIGTERM, 143},
		{"status", syscall.SIGINT, 130},
		{"snapshot", syscall.SIGTERM, 143},
	} {
		t.Run(tc.cmd+" "+tc.sig.String(), func(t *testing.T) {
			hit := make(chan struct{}, 16)
			release := make(chan struct{})
			store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm() // the server notices a client gone only once the body is read
				hit <- struct{}{}
				select { // a store that takes its time
				case <-r.Context().Done():
				case <-release:
				}
			}))
			defer store.Close()
			defer close(release)
			dir := t.TempDir()
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			cfg := `step = "1h"
history = "1d"

[sources.prod]
type = "prometheus"
url  = "` + store.URL + `"

[[slos]]
service   = "web"
name      = "availability"
objective = 99
window    = "1d"
good  = 'ok_total'
total = 'all_total'
`
			if err := os.WriteFile(filepath.Join(dir, "relia.toml"), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{tc.cmd, "--config", filepath.Join(dir, "relia.toml"), "--now", "2026-11-02T00:00:00Z"}
			switch tc.cmd {
			case "build":
				args = append(args, "--out", filepath.Join(dir, "public"))
			case "snapshot":
				args = append(args, "--source", "prod", "--out", filepath.Join(dir, "snap.json"))
			}
			sigs := make(chan os.Signal, 1)
			var stdout, stderr bytes.Buffer
			code := make(chan int, 1)
			go func() { code <- runWithSignals(args, &stdout, &stderr, sigs) }()
			<-hit // waiting for the store
			sigs <- tc.sig
			if got := <-code; got != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", got, tc.code, stderr.String())
			}
			if got := stderr.String(); got != "relia: interrupted\n" {
				t.Errorf("stderr %q, want %q", got, "relia: interrupted\n")
			}
			for _, pattern := range []string{filepath.Join(dir, ".public.tmp-*"), filepath.Join(dir, "public"), filepath.Join(dir, "*snap.json*"), filepath.Join(tmp, "relia-*")} {
				if left, _ := filepath.Glob(pattern); len(left) > 0 {
					t.Errorf("left behind: %s", strings.Join(left, ", "))
				}
			}
		})
	}
}
