package site

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// handSite writes a site whose figures are computed by hand below: 1,000
// one-minute steps of 100 events ending at T0+1m … T0+1000m, all good but
// for a burst of 50 bad events in each of steps 901–910.
func handSite(t *testing.T) (dir string, now time.Time) {
	t.Helper()
	dir = t.TempDir()
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC) // a Monday
	var good, total []string
	for i := 1; i <= 1000; i++ {
		ts := t0.Add(time.Duration(i) * time.Minute).Unix()
		g := 100
		if i >= 901 && i <= 910 {
			g = 50
		}
		good = append(good, fmt.Sprintf("[%d,%d]", ts, g))
		total = append(total, fmt.Sprintf("[%d,100]", ts))
	}
	snap := `{"version":1,"step":"1m","slos":{"web/availability":{"good":[` + strings.Join(good, ",") +
		`],"total":[` + strings.Join(total, ",") + `]}}}`
	cfg := `title = "Hand"
step = "1m"
history = "1000m"

[sources.rec]
type = "snapshot"
path = "snap.json"

[[slos]]
service   = "web"
name      = "availability"
objective = 99
window    = "2h"
good  = "ok"
total = "all"
`
	write(t, filepath.Join(dir, "snap.json"), snap)
	write(t, filepath.Join(dir, "relia.toml"), cfg)
	return dir, t0.Add(1000 * time.Minute)
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func buildAt(t *testing.T, dir string, now time.Time, out string) {
	t.Helper()
	if _, err := Build(context.Background(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: out, Now: now}); err != nil {
		t.Fatal(err)
	}
}

// TestHandComputedAPI checks every field of slos.json against figures
// computed by hand for handSite.
func TestHandComputedAPI(t *testing.T) {
	dir, now := handSite(t)
	out := filepath.Join(dir, "public")
	buildAt(t, dir, now, out)
	b, err := os.ReadFile(filepath.Join(out, "api/v1/slos.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	at := func(min int) string {
		return time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC).Add(time.Duration(min) * time.Minute).Format(time.RFC3339)
	}
	// Window 2h = steps 881–1000: T = 120·100 = 12000, B = 10·50 = 500.
	// Allowed = 1 % of 12000 = 120; consumed = 500/120; remaining = 1 − 500/120.
	// Burn over L = (B_L/T_L)/0.01:
	//   5m, 30m, 1h: no bad steps → 0
	//   2h: 500/12000/0.01 = 4.1666…
	//   6h (steps 641–1000, 360 steps): 500/36000/0.01 = 1.3888…
	//   1d, 3d: only 1000 steps have data: 500/100000/0.01 = 0.5
	// Thresholds p·W/L with W = 2h: 0.02·2/1, 0.05·2/6, 0.1·2/24, 0.1·2/72.
	// Firing (both windows above threshold, any bad step suffices):
	//   1h/5m:  5m window holds a bad step for τ = 901…914 → [901, 915)
	//   6h/30m: 30m window for τ = 901…939 → [901, 940)
	//   1d/2h:  2h window for τ = 901…1000 → still firing at Now
	//   3d/6h:  6h window for τ = 901…1000 → still firing at Now
	want := map[string]any{
		"generated_at": at(1000),
		"chaos_runs":   []any{},
		"slos": []any{map[string]any{
			"id": "web/availability", "service": "web", "name": "availability",
			"objective": 99.0, "window": "2h", "budgeting": "occurrences",
			"window_start": at(880), "window_end": at(1000),
			"good": 11500.0, "total": 12000.0, "bad": 500.0,
			"sli":    11500.0 / 12000,
			"budget": map[string]any{"allowed": 120.0, "consumed": 500.0 / 120, "remaining": 1 - 500.0/120},
			"burn_rate": map[string]any{"5m": 0.0, "30m": 0.0, "1h": 0.0, "2h": 500.0 / 12000 / 0.01,
				"6h": 500.0 / 36000 / 0.01, "1d": 0.5, "3d": 0.5},
			"coverage": 1.0,
			"status":   "exhausted",
			// The 1h burn, (B_1h/6000)/0.01, is above 1 when B_1h > 60: with two
			// burst steps in the hour, from step 902 to step 968 (the last
			// whose hour, steps 909–968, still holds two). The episode counts
			// the steps feeding those hours, (842, 968]: all 500 bad events,
			// against the 2h window's allowed 120 at step 968 → 500/120.
			"excluded_steps": 0.0,
			"adjustments":    []any{},
			"burn_episodes": []any{map[string]any{"start": at(842), "end": at(968), "bad": 500.0,
				"budget_consumed": 500.0 / 120, "active": false, "needs_retrospective": true}},
			// Exhausted; at the 1d burn of 0.5 the window drops its oldest k
			// steps and gains 0.5·0.01·100·k = 0.5k bad events. It keeps
			// 50·(30 − k) old bad events for k in 21…30: k = 27 gives
			// 150 + 13.5 ≥ 120, k = 28 gives 100 + 14 < 120 → Now + 28m.
			"projected_recovery": at(1028),
			"low_traffic":        nil,
			"alerts": []any{
				alert("page", "1h", "5m", 0.02*2/1, at(901), at(915), false),
				alert("page", "6h", "30m", 0.05*2/6, at(901), at(940), false),
				alert("ticket", "1d", "2h", 0.1*2/24, at(901), at(1000), true),
				alert("ticket", "3d", "6h", 0.1*2/72, at(901), at(1000), true),
			},
		}},
	}
	if diff := compareJSON("", want, got); diff != "" {
		t.Errorf("slos.json differs from the hand-computed figures:\n%s\n\ngot:\n%s", diff, b)
	}
}

func alert(sev, long, short string, threshold float64, start, end string, active bool) map[string]any {
	return map[string]any{"severity": sev, "long": long, "short": short, "threshold": threshold, "start": start, "end": end, "active": active}
}

// compareJSON compares decoded JSON, numbers to 1e-9 relative, and lists
// every difference by path.
func compareJSON(path string, want, got any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %T, want object\n", path, got)
		}
		var diff strings.Builder
		for k := range w {
			diff.WriteString(compareJSON(path+"."+k, w[k], g[k]))
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				fmt.Fprintf(&diff, "%s.%s: unexpected field %v\n", path, k, g[k])
			}
		}
		return diff.String()
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: got %v, want %d items\n", path, got, len(w))
		}
		var diff strings.Builder
		for i := range w {
			diff.WriteString(compareJSON(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]))
		}
		return diff.String()
	case float64:
		g, ok := got.(float64)
		if !ok || math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)) {
			return fmt.Sprintf("%s: got %v, want %v\n", path, got, w)
		}
		return ""
	default:
		if fmt.Sprint(want) != fmt.Sprint(got) {
			return fmt.Sprintf("%s: got %v, want %v\n", path, got, want)
		}
		return ""
	}
}

func TestDeterministic(t *testing.T) {
	dir, now := handSite(t)
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	buildAt(t, dir, now, a)
	buildAt(t, dir, now, b)
	ta, tb := readTree(t, a), readTree(t, b)
	if len(ta) != len(tb) {
		t.Fatalf("%d files vs %d", len(ta), len(tb))
	}
	for name, data := range ta {
		if !bytes.Equal(data, tb[name]) {
			t.Errorf("%s differs between two builds with the same --now", name)
		}
	}
}

func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// A failed build must leave the previous site exactly as it was, and leave
// no temporary folder behind.
func TestFailedBuildKeepsSite(t *testing.T) {
	dir, now := handSite(t)
	out := filepath.Join(dir, "public")
	buildAt(t, dir, now, out)
	before := readTree(t, out)
	cfg, _ := os.ReadFile(filepath.Join(dir, "relia.toml"))
	for name, broken := range map[string]string{
		"config":   strings.Replace(string(cfg), "objective = 99", "objective = 100", 1),
		"snapshot": string(cfg),
	} {
		t.Run(name, func(t *testing.T) {
			write(t, filepath.Join(dir, "relia.toml"), broken)
			if name == "snapshot" {
				write(t, filepath.Join(dir, "snap.json"), `{"version":1,"step":"1m","slos":{"web/availability":{"good":[[60,5]],"total":[[60,1]]}}}`)
			}
			_, err := Build(context.Background(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: out, Now: now})
			var ie *InputError
			if err == nil || !errors.As(err, &ie) {
				t.Fatalf("want an input error, got %v", err)
			}
			after := readTree(t, out)
			if len(after) != len(before) {
				t.Fatalf("file count changed: %d → %d", len(before), len(after))
			}
			for n, data := range before {
				if !bytes.Equal(data, after[n]) {
					t.Errorf("%s changed", n)
				}
			}
			leftovers, _ := filepath.Glob(filepath.Join(dir, ".public.tmp-*"))
			if len(leftovers) > 0 {
				t.Errorf("temporary folders left behind: %v", leftovers)
			}
		})
	}
}

var externalRef = regexp.MustCompile(`(?i)(src|href)\s*=\s*"https?://`)

// The demo site must not load anything from the internet.
func TestDemoOffline(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	if _, err := Build(context.Background(), Options{ConfigPath: "../../relia.toml", Out: out}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, data := range readTree(t, out) {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		n++
		if m := externalRef.Find(data); m != nil {
			t.Errorf("%s references the internet: %s", name, m)
		}
	}
	if n < 8 {
		t.Errorf("only %d pages built", n)
	}
}
