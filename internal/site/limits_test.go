package site

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Chaos runs and chaos log files past max_chaos_runs stop the build at the
// [[chaos]] entry that brought them; a named pipe among the logs is a log
// relia cannot read (a warning), not a build that waits for ever.
func TestChaosRunsBounded(t *testing.T) {
	runs := `[{"id": "a", "start": "2026-11-02T15:00:00Z", "end": "2026-11-02T15:10:00Z", "services": ["web"]},
 {"id": "b", "start": "2026-11-02T16:00:00Z", "end": "2026-11-02T16:10:00Z", "services": ["web"]},
 {"id": "c", "start": "2026-11-02T17:00:00Z", "end": "2026-11-02T17:10:00Z", "services": ["web"]}]`
	for _, tt := range []struct {
		name, limit, want string
		extraLog          bool
	}{
		{"runs", "max_chaos_runs = 2", `relia.toml:17: chaos[0].path: "content/chaos/*.json": more than 2 chaos runs, the limit (raise it with max_chaos_runs in [limits])`, false},
		{"files", "max_chaos_runs = 1", `relia.toml:17: chaos[0].path: "content/chaos/*.json": more than 1 chaos log files, the limit (raise it with max_chaos_runs in [limits])`, true},
		{"raised", "max_chaos_runs = 3", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, now := chaosHandSite(t, runs)
			cfg, _ := os.ReadFile(filepath.Join(dir, "relia.toml"))
			write(t, filepath.Join(dir, "relia.toml"), string(cfg)+"\n[limits]\n"+tt.limit+"\n")
			if tt.extraLog {
				write(t, filepath.Join(dir, "content/chaos/more.json"), "[]")
			}
			_, err := Build(t.Context(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: filepath.Join(dir, "public"), Now: now})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ie *InputError
			if !errors.As(err, &ie) || !strings.HasSuffix(err.Error(), "/"+tt.want) {
				t.Errorf("got %v, want the input error %s", err, tt.want)
			}
		})
	}

	dir, now := chaosHandSite(t, runs)
	if err := syscall.Mkfifo(filepath.Join(dir, "content/chaos/pipe.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	if _, err := Build(t.Context(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: filepath.Join(dir, "public"), Now: now, Log: &log}); err != nil {
		t.Fatal(err)
	}
	if want := "warning: content/chaos/pipe.json: read chaos log: not a regular file (a named pipe)\n"; !strings.Contains(log.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, log.String())
	}
}
