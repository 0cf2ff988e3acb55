package site

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chaosHandSite is handSite (1-minute steps of 100 events, a burst of 50
// bad events in each of steps 901–910, 99 % over 2h) with generic chaos
// runs in content/chaos/runs.json and a write-up for them.
func chaosHandSite(t *testing.T, runs string) (string, time.Time) {
	t.Helper()
	dir, now := handSite(t)
	cfg, err := os.ReadFile(filepath.Join(dir, "relia.toml"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "relia.toml"), string(cfg)+`
[[chaos]]
type = "generic"
path = "content/chaos/*.json"
`)
	write(t, filepath.Join(dir, "content/chaos/runs.json"), runs)
	return dir, now
}

// TestChaosHandComputedAPI checks chaos_runs of slos.json against figures
// computed by hand (T0 = 2026-11-02 00:00 UTC, step k ends at T0 + k min).
func TestChaosHandComputedAPI(t *testing.T) {
	dir, now := chaosHandSite(t, `[
  {"id": "burst", "title": "Kill the web tier", "start": "2026-11-02T15:00:00Z", "end": "2026-11-02T15:10:00Z",
   "status": "failed", "hypothesis_met": false, "services": ["web"]},
  {"id": "quiet", "title": "Nothing breaks", "start": "2026-11-02T13:20:00Z", "end": "2026-11-02T13:50:00Z",
   "status": "completed", "hypothesis_met": false, "services": ["web"]},
  {"id": "old", "title": "Last month", "start": "2026-10-01T10:00:00Z", "end": "2026-10-01T11:00:00Z",
   "services": ["web"]},
  {"id": "elsewhere", "title": "Another service", "start": "2026-11-02T15:00:00Z", "end": "2026-11-02T15:10:00Z",
   "services": ["batch"]}
]`)
	out := filepath.Join(dir, "public")
	buildAt(t, dir, now, out)
	var doc struct {
		ChaosRuns []any `json:"chaos_runs"`
	}
	b, err := os.ReadFile(filepath.Join(out, "api/v1/slos.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	run := func(id, title, status, start, end string, hyp any, services []any, impact []any) map[string]any {
		return map[string]any{"id": id, "title": title, "source": "generic", "status": status, "start": start, "end": end,
			"hypothesis_met": hyp, "services": services, "impact": impact}
	}
	web := []any{"web"}
	want := []any{
		// Outside the history: every figure is null.
		run("old", "Last month", "completed", "2026-10-01T10:00:00Z", "2026-10-01T11:00:00Z", nil, web, []any{
			map[string]any{"slo": "web/availability", "bad": nil, "budget_consumed": nil, "peak_burn_rate": nil, "alerted": nil}}),
		// Steps 801–830: nothing bad; the first alert (901) comes more
		// than 30 minutes after the end (830): a detection gap, as the
		// hypothesis failed.
		run("quiet", "Nothing breaks", "completed", "2026-11-02T13:20:00Z", "2026-11-02T13:50:00Z", false, web, []any{
			map[string]any{"slo": "web/availability", "bad": 0.0, "budget_consumed": 0.0, "peak_burn_rate": 0.0, "alerted": false}}),
		// Steps 901–910: 10 × 50 bad. The 2h window at step 910 holds
		// 120 × 100 events: 120 allowed, so 500 / 120 of the budget. The
		// 5m burn rate peaks at 250 / 500 / 0.01 = 50; the 1h/5m page
		// fires at step 901.
		run("burst", "Kill the web tier", "failed", "2026-11-02T15:00:00Z", "2026-11-02T15:10:00Z", false, web, []any{
			map[string]any{"slo": "web/availability", "bad": 500.0, "budget_consumed": 500.0 / 120, "peak_burn_rate": 50.0, "alerted": true}}),
		// A service without SLOs: nothing to measure.
		run("elsewhere", "Another service", "completed", "2026-11-02T15:00:00Z", "2026-11-02T15:10:00Z", nil, []any{"batch"}, []any{}),
	}
	if diff := compareJSON("chaos_runs", want, doc.ChaosRuns); diff != "" {
		t.Errorf("chaos_runs differ from the hand-computed figures:\n%s", diff)
	}

	// The run pages, the list, and the gap flagged on the home page.
	for _, page := range []string{"chaos/index.html", "chaos/runs/burst/index.html", "chaos/runs/quiet/index.html", "chaos/runs/old/index.html"} {
		if _, err := os.Stat(filepath.Join(out, page)); err != nil {
			t.Error(err)
		}
	}
	index := mustRead(t, filepath.Join(out, "index.html"))
	if !strings.Contains(index, "1 detection gap") || !strings.Contains(index, `href="chaos/runs/quiet/index.html"`) {
		t.Errorf("the home page does not flag the detection gap")
	}
	if first, second := strings.Index(index, "chaos/runs/quiet/"), strings.Index(index, "chaos/runs/burst/"); first < 0 || second < 0 || first > second {
		t.Errorf("the detection gap is not listed first on the home page")
	}
	slo := mustRead(t, filepath.Join(out, "slos/web/availability/index.html"))
	if !strings.Contains(slo, "chaos: Kill the web tier") || !strings.Contains(slo, `"chaos/runs/burst/index.html"`[1:]) {
		t.Errorf("the SLO page neither shades nor lists the run")
	}
	quiet := mustRead(t, filepath.Join(out, "chaos/runs/quiet/index.html"))
	if !strings.Contains(quiet, "Detection gap.") {
		t.Errorf("the gap's page does not say so")
	}
}

// xss is what a hostile or careless log may carry in every string.
const xss = `<script>alert("x")</script>`

// TestChaosEscaping feeds <script> through every string of a Chaos
// Toolkit journal and a LitmusChaos result: no page may carry it raw.
func TestChaosEscaping(t *testing.T) {
	dir, now := handSite(t)
	cfg, err := os.ReadFile(filepath.Join(dir, "relia.toml"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "relia.toml"), string(cfg)+`
[[chaos]]
type = "chaostoolkit"
path = "logs/journal.json"
[chaos.services]
"*script*" = "web"

[[chaos]]
type = "litmus"
path = "logs/result.yaml"
[chaos.services]
"*" = "web"
`)
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	write(t, filepath.Join(dir, "logs/journal.json"), `{
  "experiment": {"title": `+q("Title "+xss)+`, "description": `+q("Description "+xss)+`, "tags": [`+q(xss)+`]},
  "start": "2026-11-02T15:00:00", "end": "2026-11-02T15:10:00", "status": "failed", "deviated": true,
  "steady_states": {"before": {"steady_state_met": true, "probes": [
      {"activity": {"type": "probe", "name": `+q("probe "+xss)+`}, "status": "succeeded", "output": `+q(xss)+`,
       "start": "2026-11-02T15:00:00", "end": "2026-11-02T15:00:01", "tolerance_met": true}]},
    "after": {"steady_state_met": false, "probes": []}, "during": []},
  "run": [{"activity": {"type": "action", "name": `+q("action "+xss)+`}, "status": "failed",
           "start": "2026-11-02T15:00:01", "end": "2026-11-02T15:09:00",
           "output": {"html": `+q(xss)+`}, "exception": [`+q("ValueError: "+xss)+`]}],
  "rollbacks": []
}`)
	write(t, filepath.Join(dir, "logs/result.yaml"), `apiVersion: litmuschaos.io/v1alpha1
kind: ChaosResult
metadata:
  name: web-pod-delete
  namespace: '`+xss+`'
  annotations:
    relia.dev/start: "2026-11-02T14:00:00Z"
    relia.dev/end: "2026-11-02T14:10:00Z"
spec:
  engine: '`+xss+`'
  experiment: 'pod-delete `+xss+`'
status:
  experimentStatus:
    phase: Completed
    verdict: Fail
    failStep: '`+xss+`'
  probeStatuses:
  - name: '`+xss+`'
    type: httpProbe
    mode: Edge
    status:
      verdict: Failed
      description: '`+xss+`'
`)
	write(t, filepath.Join(dir, "content/chaos/day.md"), "+++\ntitle = \"Chaos Day "+strings.ReplaceAll(xss, `"`, `\"`)+"\"\nday = 2026-11-02\n+++\nBody.\n")
	out := filepath.Join(dir, "public")
	buildAt(t, dir, now, out)

	escaped := 0
	for name, data := range readTree(t, out) {
		s := string(data)
		if strings.Contains(s, "<script>alert") {
			t.Errorf("%s carries the log's <script> unescaped", name)
		}
		if strings.HasSuffix(name, ".html") && strings.Contains(s, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
			escaped++
		}
	}
	// Every page that shows a run's strings shows them as text: the home
	// page, the list, both run pages, the write-up, and the SLO page.
	for _, page := range []string{"index.html", "chaos/index.html", "chaos/day/index.html", "slos/web/availability/index.html"} {
		if !strings.Contains(mustRead(t, filepath.Join(out, page)), "&lt;script&gt;") {
			t.Errorf("%s does not show the escaped title", page)
		}
	}
	runs, _ := filepath.Glob(filepath.Join(out, "chaos/runs/*/index.html"))
	if len(runs) != 2 {
		t.Fatalf("%d run pages, want 2", len(runs))
	}
	for _, p := range runs {
		s := mustRead(t, p)
		if n := strings.Count(s, "&lt;script&gt;"); n < 4 {
			t.Errorf("%s shows the escaped strings %d times, want ≥ 4 (title, names, output, exception)", p, n)
		}
	}
	if escaped < 5 {
		t.Errorf("only %d pages show an escaped log string", escaped)
	}
}

// TestChaosInputErrors: a glob without files, an unknown run in a write-up
// and a day without runs stop the build with the place; so does a
// malformed log with Strict.
func TestChaosInputErrors(t *testing.T) {
	for _, tt := range []struct {
		name, runs, writeUp, path, want string
		strict                          bool
	}{
		{name: "malformed log, strict", strict: true, runs: `[{"id": "a", "start": "2026-11-02T15:00:00Z"}]`,
			want: "content/chaos/runs.json:1: runs[0].end: missing; expected an RFC 3339 time such as 2026-11-12T11:00:00Z"},
		{name: "no file", path: "logs/*.json", want: `relia.toml:17: chaos[0].path: "logs/*.json" matches no file`},
		{name: "unknown run", writeUp: "+++\ntitle = \"Day\"\nruns = [\"a\", \"b\"]\n+++\n",
			want: `content/chaos/day.md:3: runs: unknown chaos run "b"; run ids are listed on the chaos page and in api/v1/slos.json`},
		{name: "empty day", writeUp: "+++\ntitle = \"Day\"\nday = 2026-11-01\n+++\n",
			want: "content/chaos/day.md:3: day: no chaos run started on 2026-11-01 (UTC)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			runs := tt.runs
			if runs == "" {
				runs = `[{"id": "a", "start": "2026-11-02T15:00:00Z", "end": "2026-11-02T15:10:00Z", "services": ["web"]}]`
			}
			dir, now := chaosHandSite(t, runs)
			if tt.path != "" {
				cfg, _ := os.ReadFile(filepath.Join(dir, "relia.toml"))
				write(t, filepath.Join(dir, "relia.toml"), strings.Replace(string(cfg), "content/chaos/*.json", tt.path, 1))
			}
			if tt.writeUp != "" {
				write(t, filepath.Join(dir, "content/chaos/day.md"), tt.writeUp)
			}
			_, err := Build(t.Context(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: filepath.Join(dir, "public"), Now: now, Strict: tt.strict})
			var ie *InputError
			if err == nil || !errors.As(err, &ie) {
				t.Fatalf("want an input error, got %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

// TestChaosWarnings: logs relia cannot read or place, and a run id used
// twice, are warnings; the build goes on, the run of unknown time is
// listed with its reason and fix but measures nothing, and Check reports
// each warning once, at its place.
func TestChaosWarnings(t *testing.T) {
	dir, now := chaosHandSite(t, `[
  {"id": "a", "start": "2026-11-02T15:00:00Z", "end": "2026-11-02T15:10:00Z", "services": ["web"]},
  {"id": "b", "start": "2026-11-02T16:00:00Z"}
]`)
	write(t, filepath.Join(dir, "content/chaos/twice.json"), `[{"id": "a", "start": "2026-11-02T17:00:00Z", "end": "2026-11-02T17:10:00Z"}]`)
	cfg, _ := os.ReadFile(filepath.Join(dir, "relia.toml"))
	write(t, filepath.Join(dir, "relia.toml"), string(cfg)+`
[[chaos]]
type = "litmus"
path = "content/chaos/*.yaml"
[chaos.services]
"web-*" = "web"
`)
	// What a plain kubectl get chaosresult -o yaml prints: no managedFields.
	write(t, filepath.Join(dir, "content/chaos/result.yaml"), `apiVersion: litmuschaos.io/v1alpha1
kind: ChaosResult
metadata:
  name: web-pod-delete
  creationTimestamp: "2026-11-02T15:00:00Z"
spec:
  engine: web
  experiment: pod-delete
status:
  experimentStatus:
    phase: Completed
    verdict: Pass
`)
	var log strings.Builder
	out := filepath.Join(dir, "public")
	if _, err := Build(t.Context(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Out: out, Now: now, Log: &log}); err != nil {
		t.Fatal(err)
	}
	wantWarnings := []string{
		"warning: content/chaos/result.yaml:3: metadata.managedFields: no update time, so the end of the run is unknown; export the result with kubectl get chaosresult NAME -o yaml --show-managed-fields, or annotate it with relia.dev/end (RFC 3339)",
		"warning: content/chaos/runs.json:3: runs[1].end: missing; expected an RFC 3339 time such as 2026-11-12T11:00:00Z",
		`warning: content/chaos/twice.json:1: id: run id "a" is also the id of a run in content/chaos/runs.json, which is kept; this one is left out: give one a different id (or title and start)`,
	}
	for _, w := range wantWarnings {
		if !strings.Contains(log.String(), w+"\n") {
			t.Errorf("log lacks %q:\n%s", w, log.String())
		}
	}
	page := mustRead(t, filepath.Join(out, "chaos/runs/time-unknown-web-pod-delete/index.html"))
	for _, want := range []string{"Time unknown.", "relia cannot place this run in time", "--show-managed-fields", "Not measured: the run's time is unknown."} {
		if !strings.Contains(page, want) {
			t.Errorf("run page lacks %q", want)
		}
	}
	index := mustRead(t, filepath.Join(out, "chaos/index.html"))
	if !strings.Contains(index, "time unknown") || !strings.Contains(index, "1 run of unknown time") {
		t.Error("the chaos index does not list the run of unknown time")
	}
	var doc struct {
		ChaosRuns []map[string]any `json:"chaos_runs"`
	}
	if err := json.Unmarshal([]byte(mustRead(t, filepath.Join(out, "api/v1/slos.json"))), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.ChaosRuns) != 2 {
		t.Fatalf("%d runs, want 2: %v", len(doc.ChaosRuns), doc.ChaosRuns)
	}
	last := doc.ChaosRuns[1]
	if last["id"] != "time-unknown-web-pod-delete" || last["start"] != nil || last["end"] != nil || last["impact"] != nil || last["time_unknown"] != true {
		t.Errorf("run of unknown time in the API: %v", last)
	}
	if first := doc.ChaosRuns[0]; first["id"] != "a" || first["start"] != "2026-11-02T15:00:00Z" {
		t.Errorf("first run: %v", first)
	}

	rep, err := Check(t.Context(), Options{ConfigPath: filepath.Join(dir, "relia.toml"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rep.Problems {
		if strings.HasPrefix(p.File, "content/chaos/") {
			got = append(got, fmt.Sprintf("%s:%d %s %s: %s", p.File, p.Line, p.Severity(), p.Key, p.Msg))
		}
	}
	want := []string{
		"content/chaos/result.yaml:3 warning metadata.managedFields: no update time, so the end of the run is unknown; export the result with kubectl get chaosresult NAME -o yaml --show-managed-fields, or annotate it with relia.dev/end (RFC 3339)",
		"content/chaos/runs.json:3 warning runs[1].end: missing; expected an RFC 3339 time such as 2026-11-12T11:00:00Z",
		`content/chaos/twice.json:1 warning id: run id "a" is also the id of a run in content/chaos/runs.json, which is kept; this one is left out: give one a different id (or title and start)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("check:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A detection gap is relative to the rules the SLO really has. The burst
// run (steps 901–910, hypothesis not met) is caught by the default page
// rule at step 901; with no rules, or with a rule too slow to fire, nobody
// is paged and it is a gap; a custom rule that fires in time closes it.
//
// The custom rules, by hand: a 1h lookback (60 steps of 100) with k bad
// steps of 50 burns 50k/6000/0.01 = 0.833·k; the 5m rate inside the burst
// is 50. burn_rate 5 over 1h/5m fires once 0.833·k > 5, at k = 7 (step
// 907, inside the run); burn_rate 100 over 1h/5m never fires (8.33 at
// most).
func TestChaosGapFollowsRules(t *testing.T) {
	tests := []struct {
		name    string
		rules   string
		alerted bool
		noRule  bool
	}{
		{"default", "", true, false},
		{"off", "alerts = false\n", false, true},
		{"slow", "[[slos.alert_rules]]\nseverity = \"ticket\"\nburn_rate = 100\nlong = \"1h\"\nshort = \"5m\"\n", false, false},
		{"fast", "[[slos.alert_rules]]\nseverity = \"page\"\nburn_rate = 5\nlong = \"1h\"\nshort = \"5m\"\n", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, now := chaosHandSite(t, `[{"id": "burst", "title": "Kill the web tier", "start": "2026-11-02T15:00:00Z",
  "end": "2026-11-02T15:10:00Z", "status": "failed", "hypothesis_met": false, "services": ["web"]}]`)
			cfg, err := os.ReadFile(filepath.Join(dir, "relia.toml"))
			if err != nil {
				t.Fatal(err)
			}
			// The rules belong to the [[slos]] entry, before [[chaos]].
			text := strings.Replace(string(cfg), "\n[[chaos]]", "\n"+tt.rules+"\n[[chaos]]", 1)
			write(t, filepath.Join(dir, "relia.toml"), text)
			out := filepath.Join(dir, "public")
			buildAt(t, dir, now, out)
			var doc struct {
				ChaosRuns []struct {
					Impact []struct {
						Alerted *bool `json:"alerted"`
					} `json:"impact"`
				} `json:"chaos_runs"`
			}
			b, err := os.ReadFile(filepath.Join(out, "api/v1/slos.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			if got := doc.ChaosRuns[0].Impact[0].Alerted; got == nil || *got != tt.alerted {
				t.Errorf("alerted = %v, want %v", got, tt.alerted)
			}
			page, err := os.ReadFile(filepath.Join(out, "chaos/runs/burst/index.html"))
			if err != nil {
				t.Fatal(err)
			}
			if gap := strings.Contains(string(page), "Detection gap."); gap == tt.alerted {
				t.Errorf("detection gap shown: %v, want %v", gap, !tt.alerted)
			}
			if got := strings.Contains(string(page), "no rule</strong>"); got != tt.noRule {
				t.Errorf("\"no rule\" shown: %v, want %v", got, tt.noRule)
			}
		})
	}
}
