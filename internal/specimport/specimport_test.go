package specimport

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/slo"
)

func readFiles(t *testing.T, names ...string) []File {
	t.Helper()
	var files []File
	for _, n := range names {
		src, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, File{Name: "testdata/" + n, Src: src})
	}
	return files
}

var testOpts = Options{Step: 5 * time.Minute, Timezone: "UTC"}

func f(v float64) *float64 { return &v }

func TestReadGood(t *testing.T) {
	tests := []struct {
		file string
		want []SLO
	}{
		{"sloth-getting-started.yml", []SLO{{
			Service: "myservice", Name: "requests-availability", Description: "Common SLO based on availability for HTTP request responses.",
			Objective: f(99.9), Window: "30d", Budgeting: "occurrences",
			Bad:   `http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}`,
			Total: `http_request_duration_seconds_count{job="myservice"}`,
			Line:  11, Keys: map[string]int{"service": 4, "name": 11, "objective": 12, "bad": 18, "total": 19},
			// alerting.name only: Sloth's windows (relia's defaults), named.
			Rules: named(slo.DefaultRules(), "MyServiceHighErrorRate"), AlertOrigin: "Sloth's default windows",
		}, {
			Service: "myservice", Name: "requests-latency", Description: "Requests served within 400 ms.",
			Objective: f(99), Window: "30d", Budgeting: "occurrences",
			Good:  `http_request_duration_seconds_bucket{job="myservice",le="0.4"}`,
			Total: `http_request_duration_seconds_count{job="myservice"}`,
			Line:  36, Keys: map[string]int{"service": 4, "name": 36, "objective": 37, "good": 41, "total": 47},
			// ticket_alert.disable: the two page rules are left.
			Rules:       named(slo.DefaultRules()[:2], "MyServiceLatencyAlert"),
			AlertOrigin: "Sloth's default windows; ticket alerts disabled in testdata/sloth-getting-started.yml",
		}}},
		{"sloth-k8s.yaml", []SLO{{
			Service: "home-wifi", Name: "good-wifi-client-satisfaction", Description: "Will warn us that we don't have a good wifi at home.",
			Objective: f(95), Window: "30d", Budgeting: "occurrences",
			Bad:   `ubnt_wifi_clients_satisfaction_bad_total{ssid="home"}`,
			Total: `ubnt_wifi_clients_total{ssid="home"}`,
			Line:  14, Keys: map[string]int{"service": 8, "name": 14, "objective": 15, "bad": 19, "total": 20},
			// pageAlert.disable: the two ticket rules are left.
			Rules:       named(slo.DefaultRules()[2:], "GoodWifiClientSatisfaction"),
			AlertOrigin: "Sloth's default windows; page alerts disabled in testdata/sloth-k8s.yaml",
		}}},
		{"openslo-inline.yaml", []SLO{{
			Service: "web-shop", Name: "main-page", Description: "Our main page should be available always",
			Objective: f(99.9), Window: "4w", Budgeting: "occurrences",
			Good:      `http_requests_total{handler="/",code=~"2..|3.."}`,
			Total:     `http_requests_total{handler="/"}`,
			SourceRef: "prometheus-datasource",
			Line:      11, Keys: map[string]int{"service": 18, "name": 14, "description": 17, "objective": 44, "window": 39, "budgeting": 41, "good": 31, "total": 37},
		}}},
		{"openslo-ref.yaml", []SLO{{
			Service: "search", Name: "availability-sla-internal", Description: "Search answers without an error, per calendar month",
			Objective: f(99.5), Window: "month", Budgeting: "timeslices", SliceThreshold: f(99),
			Bad: "search_queries_failed_total", Total: "search_queries_total",
			Line: 23, Keys: map[string]int{"service": 30, "name": 26, "description": 29, "objective": 41, "window": 33, "budgeting": 38, "slice_threshold": 42, "bad": 16, "total": 21},
		}, {
			Service: "search", Name: "availability-sla-contract", Description: "Search answers without an error, per calendar month",
			Objective: f(99), Window: "month", Budgeting: "timeslices", SliceThreshold: f(95),
			Bad: "search_queries_failed_total", Total: "search_queries_total",
			Line: 23, Keys: map[string]int{"service": 30, "name": 26, "description": 29, "objective": 45, "window": 33, "budgeting": 38, "slice_threshold": 46, "bad": 16, "total": 21},
		}, {
			Service: "search", Name: "availability-smooth",
			Objective: f(99), Window: "2w", Budgeting: "ratio_timeslices",
			Bad: "search_queries_failed_total", Total: "search_queries_total",
			Line: 49, Keys: map[string]int{"service": 54, "name": 52, "objective": 61, "window": 57, "budgeting": 59, "bad": 16, "total": 21},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, _, err := Read(readFiles(t, tt.file), testOpts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d SLOs, want %d: %+v", len(got), len(tt.want), got)
			}
			for i := range got {
				w := tt.want[i]
				w.File = "testdata/" + tt.file
				if !reflect.DeepEqual(got[i], w) {
					t.Errorf("SLO %d:\n got %+v\nwant %+v", i, describe(got[i]), describe(w))
				}
			}
		})
	}
}

// named gives every rule the alert name.
func named(rules []slo.RuleSpec, name string) []slo.RuleSpec {
	out := slices.Clone(rules)
	for i := range out {
		out[i].Name = name
	}
	return out
}

// describe shows the pointers' values in failure messages.
func describe(s SLO) string {
	deref := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	return fmt.Sprintf("%+v objective=%v slice=%v", s, deref(s.Objective), deref(s.SliceThreshold))
}

func TestReadBad(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"sloth-raw.bad.yml", []string{
			`testdata/sloth-raw.bad.yml:7: slos[0].sli.raw: error_ratio_query is a precomputed error ratio, not event counts; relia computes budgets from bad and total events: write the SLI as sli.events with error_query and total_query`,
			`testdata/sloth-raw.bad.yml:18: slos[1].sli.plugin: the SLI plugin "sloth-common/kubernetes/apiserver/availability" builds its queries inside Sloth; relia cannot see them: write the SLI as sli.events with error_query and total_query`,
			`testdata/sloth-raw.bad.yml:25: slos[2].sli.events.total_query: "sum by (" splits the result into several series; relia counts one SLO as one series: drop the grouping`,
			`testdata/sloth-raw.bad.yml:31: slos[3].sli.events.total_query: "sum by (" splits the result into several series; relia counts one SLO as one series: drop the grouping`,
			`testdata/sloth-raw.bad.yml:36: slos[4].sli.events.error_query: a difference is read as total_query − GOOD, but its first term a_total is not the total_query selector c_total`,
		}},
		{"openslo-threshold.bad.yaml", []string{
			`testdata/openslo-threshold.bad.yaml:14: spec.indicator.spec.thresholdMetric: a threshold metric compares one value (such as a latency percentile) with objectives[].value; relia counts good and total events: write it as a ratioMetric, for example good = requests under the threshold (a histogram bucket) and total = all requests`,
		}},
		{"openslo-calendar.bad.yaml", []string{
			`testdata/openslo-calendar.bad.yaml:22: spec.indicator.spec.ratioMetric.total.metricSource.spec.query: count() does not count events: relia needs a counter selector, optionally inside sum(), rate() or increase(); got "count(up{job=\"web\"})"`,
			`testdata/openslo-calendar.bad.yaml:27: spec.timeWindow[0].calendar.startTime: relia's calendar months start on the 1st at 00:00; 2022-01-01 12:00:00 does not`,
			`testdata/openslo-calendar.bad.yaml:34: spec.objectives[0].timeSliceWindow: relia's time slices are its step (5m); a 1m slice needs step = "1m" in relia.toml`,
			`testdata/openslo-calendar.bad.yaml:47: spec.indicator.spec.ratioMetric.counter: relia takes increase() of each query, so both must be counters (counter: true); a gauge cannot be mapped`,
			`testdata/openslo-calendar.bad.yaml:59: spec.timeWindow[0].duration: a rolling 1M has no fixed length; relia's rolling windows are fixed durations: use days (such as 30d or 90d), or a calendar window`,
			`testdata/openslo-calendar.bad.yaml:70: spec.indicatorRef: no SLI object named "no-such-sli" in slo_files`,
			`testdata/openslo-calendar.bad.yaml:74: spec.timeWindow[0].calendar.timeZone: calendar windows start at 00:00 in the site's timezone "UTC", not "America/New_York": set timezone = "America/New_York" in relia.toml, or use the same zone here`,
			`testdata/openslo-calendar.bad.yaml:78: apiVersion: relia reads openslo/v1 (and openslo.com/v1); convert openslo/v1alpha objects with the OpenSLO tooling (oslo convert)`,
		}},
		{"pyrra.bad.yaml", []string{
			`testdata/pyrra.bad.yaml:10: spec.indicator.bool_gauge: a boolean gauge (such as probe_success) is sampled, not counted: Pyrra counts its samples over time, but relia reads increase() of event counters; export counters of good and total probes and use a ratio indicator`,
			`testdata/pyrra.bad.yaml:19: spec.target: expected a percentage such as "99.9", got "ninety-nine"`,
			`testdata/pyrra.bad.yaml:20: spec.window: expected a duration such as 4w or 28d, got "4 weeks"`,
			`testdata/pyrra.bad.yaml:24: spec.indicator.ratio.errors.metric: "sum by (" splits the result into several series; relia counts one SLO as one series: drop the grouping`,
			`testdata/pyrra.bad.yaml:29: kind: expected ServiceLevelObjective for apiVersion pyrra.dev/v1alpha1, got "PrometheusRule"`,
		}},
		{"syntax.bad.yaml", []string{
			`testdata/syntax.bad.yaml:3: yaml: did not find expected ',' or ']'`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, _, err := Read(readFiles(t, tt.file), testOpts)
			if err == nil {
				t.Fatal("no error")
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestCounterSelector(t *testing.T) {
	good := map[string]string{
		`http_requests_total`: `http_requests_total`,
		`sum(rate(http_requests_total{code!~"5.."}[{{.window}}]))`:    `http_requests_total{code!~"5.."}`,
		`sum( increase( x{a="}", b=~'[)]'} [5m] ) )`:                  `x{a="}", b=~'[)]'}`,
		`(sum(x_total{job="a",}))`:                                    `x_total{job="a",}`,
		`{__name__="x", job="y"}`:                                     `{__name__="x", job="y"}`,
		"rate(\n  http_requests_total{job=\"a\"}[{{ .window }}]\n)\n": `http_requests_total{job="a"}`,
		// Prometheus 3 names outside the classic characters, quoted.
		`sum(rate({"my.metric", a="b"}[5m]))`:          `{"my.metric", a="b"}`,
		`{"my.metric"}`:                                `{"my.metric"}`,
		`increase({"my.metric", "my.label"=~"x"}[1h])`: `{"my.metric", "my.label"=~"x"}`,
		"{`a`, b='c'}":                                 "{`a`, b='c'}",
	}
	for in, want := range good {
		got, err := counterSelector(in)
		if err != nil || got != want {
			t.Errorf("counterSelector(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		``, `sum(rate(x[5m])) / sum(rate(y[5m]))`, `x{a="b"`, `x{a=b}`, `irate(x[5m])`, `sum by (job) (x)`,
		`rate(x)`, `x y`, `count(up)`, `sum(x) or vector(0)`,
	} {
		if got, err := counterSelector(in); err == nil {
			t.Errorf("counterSelector(%q) = %q, want an error", in, got)
		}
	}
}

func TestSameSelector(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{`x{a="b"}`, `x{a = "b"}`, true},
		{`x{a="b",c="d"}`, `x{ c="d", a="b", }`, true},
		{`x`, `{__name__="x"}`, true},
		{`{"x"}`, `x`, true},
		{`x{a='b'}`, "x{a=`b`}", true},
		{`x{a="\u0041\x42"}`, `x{a="AB"}`, true},
		{`x{a="é"}`, `x{a="\u00e9"}`, true},
		{`x{a="b",a="b"}`, `x{a="b"}`, true},
		{`{"my.metric", "my.label"="v"}`, `{"my.label"="v", __name__="my.metric"}`, true},
		{`x{a="b"}`, `x{a="c"}`, false},
		{`x{a="b"}`, `x{a!="b"}`, false},
		{`x{a="b"}`, `y{a="b"}`, false},
		{`x{a="b"}`, `x`, false},
		{`x{a="b"}`, `x{b="a"}`, false},
		{`x{a=~"b"}`, `x{a=~"b",c=~".*"}`, false}, // the same series, but not the same matchers
		{`x{`, `x{`, true},                        // unparsed: text
		{`x{`, `x {`, false},
	}
	for _, tt := range tests {
		if got := sameSelector(tt.a, tt.b); got != tt.want {
			t.Errorf("sameSelector(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := sameSelector(tt.b, tt.a); got != tt.want {
			t.Errorf("sameSelector(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestCanonicalSelector(t *testing.T) {
	for in, want := range map[string]string{
		`x`:                      `{"__name__"="x"}`,
		`x{b!~"2", a="1"}`:       `{"__name__"="x","a"="1","b"!~"2"}`,
		`{"my.metric", "é"='"'}`: `{"__name__"="my.metric","é"="\""}`,
		"{a=`\\d`, a=\"\\\\d\"}": `{"a"="\\d"}`,
	} {
		sel, err := parseSelector(in)
		if err != nil {
			t.Errorf("parseSelector(%q): %v", in, err)
			continue
		}
		if got := sel.canonical(); got != want {
			t.Errorf("canonical(%q) = %s, want %s", in, got, want)
		}
	}
}

// A Sloth TOTAL − GOOD difference whose first term is the total selector
// spelled another way is still read as the difference.
func TestSlothDifferenceSpelling(t *testing.T) {
	src := `version: "prometheus/v1"
service: "shop"
slos:
  - name: "latency"
    objective: 99
    sli:
      events:
        error_query: sum(rate(req_total{ job = 'shop', code != "499" }[{{.window}}])) - sum(rate(req_fast_total{job="shop"}[{{.window}}]))
        total_query: sum(rate(req_total{code!="499",job="shop"}[{{.window}}]))
`
	slos, _, err := Read([]File{{Name: "s.yml", Src: []byte(src)}}, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if len(slos) != 1 || slos[0].Good != `req_fast_total{job="shop"}` || slos[0].Total != `req_total{code!="499",job="shop"}` {
		t.Fatalf("got %+v", slos)
	}
}

// FuzzSelector checks that the selector parser does not panic and that
// its canonical form is a selector with the same canonical form.
func FuzzSelector(f *testing.F) {
	for _, s := range []string{
		`x`, `x{a="b"}`, `{"my.metric", "my.label"=~'v'}`, "x{a=`b`,}", `sum(rate(x{a!~"\u00e9"}[5m]))`,
		`rate(x[5m]) - rate(y[5m])`, `{__name__="x"}`, `x{a="\x41"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = counterSelector(s)
		_, _, _ = difference(s)
		sel, err := parseSelector(strings.TrimSpace(s))
		if err != nil {
			return
		}
		c := sel.canonical()
		again, err := parseSelector(c)
		if err != nil {
			t.Fatalf("canonical form %s of %q does not parse: %v", c, s, err)
		}
		if again.canonical() != c {
			t.Fatalf("canonical form of %q is %s, then %s", s, c, again.canonical())
		}
	})
}

// Fuzz the import of outside YAML: no panic, errors allowed.
func FuzzRead(f *testing.F) {
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		if src, err := os.ReadFile(filepath.Join("testdata", e.Name())); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		_, _, _ = Read([]File{{Name: "fuzz.yaml", Src: src}}, testOpts)
	})
}

// Pyrra objectives, Sloth AlertWindows and OpenSLO lists, with their alert
// rules and the warnings about what relia reads but does not apply.
func TestReadAlertingAndPyrra(t *testing.T) {
	h, m := time.Hour, time.Minute
	pyrra4w := func(name string) []slo.RuleSpec {
		// Pyrra's windows for 28d: 1h/5m ×14, 6h/30m ×7, 1d/2h ×2, 4d/6h ×1.
		return []slo.RuleSpec{
			{Severity: "page", Factor: 14, Long: h, Short: 5 * m, Name: name},
			{Severity: "page", Factor: 7, Long: 6 * h, Short: 30 * m, Name: name},
			{Severity: "ticket", Factor: 2, Long: 24 * h, Short: 2 * h, Name: name},
			{Severity: "ticket", Factor: 1, Long: 96 * h, Short: 6 * h, Name: name},
		}
	}
	sloth7d := []slo.RuleSpec{
		{Severity: "page", Share: 0.08, Long: h, Short: 5 * m},
		{Severity: "page", Share: 0.125, Long: 6 * h, Short: 30 * m},
		{Severity: "ticket", Share: 0.2, Long: 24 * h, Short: 2 * h},
		{Severity: "ticket", Share: 0.42, Long: 72 * h, Short: 6 * h},
	}
	tests := []struct {
		file   string
		window string
		want   []SLO
		warns  []string
	}{
		{"pyrra.yaml", "", []SLO{{
			Service: "shop", Name: "api-errors", Description: "Checkout API requests that do not fail",
			Objective: f(99.5), Window: "4w", Budgeting: "occurrences",
			Bad: `http_requests_total{job="api",code=~"5.."}`, Total: `http_requests_total{job="api"}`,
			Rules: pyrra4w("CheckoutErrorBudgetBurn"), AlertOrigin: "Pyrra's burn-rate windows for 4w",
			Line: 3, Keys: map[string]int{"name": 6, "service": 7, "description": 11, "objective": 12, "window": 13, "bad": 17, "total": 19},
		}, {
			Service: "shop", Name: "api-latency", Objective: f(99), Window: "2w", Budgeting: "occurrences",
			Good: `http_request_duration_seconds_bucket{job="api",le="0.25"}`, Total: `http_request_duration_seconds_count{job="api"}`,
			NoAlerts: true, AlertOrigin: "Pyrra: alerting.disabled in testdata/pyrra.yaml:40",
			Line: 25, Keys: map[string]int{"name": 28, "service": 29, "objective": 31, "window": 32, "good": 36, "total": 38},
		}, {
			// No namespace: kubectl would put it in "default".
			Service: "default", Name: "probes", Objective: f(99.9), Window: "28d", Budgeting: "occurrences",
			Bad: "probe_failures_total", Total: "probes_total",
			NoAlerts: true, AlertOrigin: "Pyrra: alerting.burnrates false in testdata/pyrra.yaml:56",
			Line: 42, Keys: map[string]int{"name": 45, "service": 45, "objective": 47, "window": 48, "bad": 52, "total": 54},
		}}, []string{
			"testdata/pyrra.yaml:20: spec.indicator.ratio.grouping: Pyrra keeps one objective per value of handler; relia sums every group into one series, so shop/api-errors reports all groups together (define one SLO per group, with its label in the selectors, to see each)",
		}},
		{"sloth-windows.yaml", "7d", []SLO{{
			Service: "cart", Name: "availability", Objective: f(99.9), Window: "7d", Budgeting: "occurrences",
			Bad: `cart_requests_total{code=~"5.."}`, Total: "cart_requests_total",
			Rules: sloth7d, AlertOrigin: "Sloth AlertWindows (7d) in testdata/sloth-windows.yaml",
			Line: 20, Keys: map[string]int{"service": 15, "name": 20, "objective": 21, "bad": 24, "total": 25},
		}, {
			Service: "cart", Name: "latency", Objective: f(99), Window: "7d", Budgeting: "occurrences",
			Bad: "cart_slow_requests_total", Total: "cart_requests_total",
			Rules:       named(sloth7d[:2], "CartSlow"),
			AlertOrigin: "Sloth AlertWindows (7d) in testdata/sloth-windows.yaml; ticket alerts disabled in testdata/sloth-windows.yaml",
			Line:        26, Keys: map[string]int{"service": 15, "name": 26, "objective": 27, "bad": 30, "total": 31},
		}}, []string{
			"testdata/sloth-windows.yaml:16: slo_plugins: the Sloth SLO plugins sloth.dev/core/debug/v1 are not applied: relia does not run Sloth plugins; its figures come from the SLI queries and alert windows as written",
		}},
		// With the default 30d window the 7d windows are not used, and
		// say so; the SLOs keep Sloth's (and relia's) default windows.
		{"sloth-windows.yaml", "30d", []SLO{{
			Service: "cart", Name: "availability", Objective: f(99.9), Window: "30d", Budgeting: "occurrences",
			Bad: `cart_requests_total{code=~"5.."}`, Total: "cart_requests_total",
			Line: 20, Keys: map[string]int{"service": 15, "name": 20, "objective": 21, "bad": 24, "total": 25},
		}, {
			Service: "cart", Name: "latency", Objective: f(99), Window: "30d", Budgeting: "occurrences",
			Bad: "cart_slow_requests_total", Total: "cart_requests_total",
			Rules:       named(slo.DefaultRules()[:2], "CartSlow"),
			AlertOrigin: "Sloth's default windows; ticket alerts disabled in testdata/sloth-windows.yaml",
			Line:        26, Keys: map[string]int{"service": 15, "name": 26, "objective": 27, "bad": 30, "total": 31},
		}}, []string{
			"testdata/sloth-windows.yaml:3: spec.sloPeriod: these AlertWindows are for 7d SLOs, and no Sloth SLO of these files has that window (Sloth SLOs get the window of their slo_files entry, 30d): they are not used",
			"testdata/sloth-windows.yaml:16: slo_plugins: the Sloth SLO plugins sloth.dev/core/debug/v1 are not applied: relia does not run Sloth plugins; its figures come from the SLI queries and alert windows as written",
		}},
		{"openslo-list.yaml", "", []SLO{{
			Service: "payments", Name: "authorize", Objective: f(99.5), Window: "28d", Budgeting: "occurrences",
			Good: `payments_authorize_total{result="ok"}`, Total: "payments_authorize_total", SourceRef: "prod",
			Line: 7, Keys: map[string]int{"name": 10, "service": 12, "objective": 35, "window": 32, "good": 24, "total": 30},
		}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.window, func(t *testing.T) {
			opts := testOpts
			opts.Window = tt.window
			got, warns, err := Read(readFiles(t, tt.file), opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d SLOs, want %d: %+v", len(got), len(tt.want), got)
			}
			for i := range got {
				w := tt.want[i]
				w.File = "testdata/" + tt.file
				if !reflect.DeepEqual(got[i], w) {
					t.Errorf("SLO %d:\n got %+v\nwant %+v", i, describe(got[i]), describe(w))
				}
			}
			var ws []string
			for _, w := range warns {
				ws = append(ws, w.Error())
			}
			if !slices.Equal(ws, tt.warns) {
				t.Errorf("warnings:\n got %q\nwant %q", ws, tt.warns)
			}
		})
	}
}
