package specimport

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The real-world corpus beside the project: spec files written by Sloth,
// OpenSLO and Pyrra users, never copied into the repository.
const corpusRoot = "../../../shared/corpus"

var corpusDirs = []string{"sloth", "openslo", "pyrra", "derived/openslo"}

// corpusOpts are a site's defaults: a 5m step in UTC, Sloth SLOs over 30d.
var corpusOpts = Options{Step: 5 * time.Minute, Timezone: "UTC"}

func isSpec(path string) bool {
	ext := filepath.Ext(path)
	return ext == ".yaml" || ext == ".yml"
}

// corpusSLO is what a corpus test checks of an imported SLO.
type corpusSLO struct {
	ID               string
	Objective        float64
	Window           string
	Good, Bad, Total string
	Rules            string // "default", "none", or each rule: "page 2% 1h/5m", "page ×14 1h/5m"
}

func summarize(s SLO) corpusSLO {
	c := corpusSLO{ID: s.Service + "/" + s.Name, Window: s.Window, Good: s.Good, Bad: s.Bad, Total: s.Total}
	if s.Objective != nil {
		c.Objective = *s.Objective
	}
	switch {
	case s.NoAlerts:
		c.Rules = "none"
	case s.Rules == nil:
		c.Rules = "default"
	default:
		var rs []string
		for _, r := range s.Rules {
			th := fmt.Sprintf("%g%%", r.Share*100)
			if r.Factor > 0 {
				th = fmt.Sprintf("×%g", r.Factor)
			}
			rs = append(rs, fmt.Sprintf("%s %s %s/%s", r.Severity, th, shortDuration(r.Long), shortDuration(r.Short)))
		}
		c.Rules = strings.Join(rs, "; ")
	}
	return c
}

// corpusCase is the expected outcome of reading one corpus file alone:
// the SLOs it imports, the errors that refuse what it cannot map (all of
// them, in order), and the warnings about what relia reads but does not
// apply. A file with none of these holds no SLO (OpenSLO Service,
// DataSource, AlertPolicy objects).
type corpusCase struct {
	file  string
	slos  []corpusSLO
	errs  []string
	warns []string
}

// TestCorpus reads every spec file of the corpus, one at a time, as one
// slo_files entry would: each imports the expected SLOs or is refused with
// the expected messages. A file the table does not know fails the test, so
// a new corpus file gets a decision.
func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusRoot); err != nil {
		t.Skipf("no corpus at %s (it sits beside the project, not in it): %v", corpusRoot, err)
	}
	want := map[string]corpusCase{}
	for _, c := range corpusCases {
		want[c.file] = c
	}
	var seen []string
	for _, dir := range corpusDirs {
		files, err := filepath.Glob(filepath.Join(corpusRoot, dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if !isSpec(f) {
				continue
			}
			name := dir + "/" + filepath.Base(f)
			seen = append(seen, name)
			t.Run(name, func(t *testing.T) {
				w, ok := want[name]
				if !ok {
					t.Fatalf("no expectation for %s: add it to corpusCases", name)
				}
				src, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				slos, warns, err := Read([]File{{Name: name, Src: src}}, corpusOpts)
				var got []corpusSLO
				for _, s := range slos {
					got = append(got, summarize(s))
				}
				if !slices.Equal(got, w.slos) {
					t.Errorf("SLOs:\n got %+v\nwant %+v", got, w.slos)
				}
				var errs []string
				if err != nil {
					errs = strings.Split(err.Error(), "\n")
				}
				if !slices.Equal(errs, w.errs) {
					t.Errorf("errors:\n got %q\nwant %q", errs, w.errs)
				}
				var ws []string
				for _, w := range warns {
					ws = append(ws, w.Error())
				}
				if !slices.Equal(ws, w.warns) {
					t.Errorf("warnings:\n got %q\nwant %q", ws, w.warns)
				}
			})
		}
	}
	for _, c := range corpusCases {
		if !slices.Contains(seen, c.file) {
			t.Errorf("%s is in corpusCases but not in the corpus", c.file)
		}
	}
}

// Sloth AlertWindows apply to the Sloth SLOs of their period read with
// them, as Sloth's --alert-windows-path does; disabled alerts still drop.
func TestCorpusAlertWindows(t *testing.T) {
	if _, err := os.Stat(corpusRoot); err != nil {
		t.Skipf("no corpus at %s (it sits beside the project, not in it): %v", corpusRoot, err)
	}
	var files []File
	for _, n := range []string{"sloth/windows_7d.yaml", "sloth/windows_custom-30d.yaml", "sloth/getting-started.yml", "sloth/no-alerts.yml"} {
		src, err := os.ReadFile(filepath.Join(corpusRoot, n))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, File{Name: n, Src: src})
	}
	for _, tt := range []struct {
		window string
		rules  string
		warn   string
	}{
		{"30d", "page 1% 30m/2m; page 2% 3h/15m; ticket 5% 12h/1h; ticket 5% 36h/3h",
			"sloth/windows_7d.yaml:1: spec.sloPeriod: these AlertWindows are for 7d SLOs, and no Sloth SLO of these files has that window (Sloth SLOs get the window of their slo_files entry, 30d): they are not used"},
		{"7d", "page 8% 1h/5m; page 12.5% 6h/30m; ticket 20% 1d/2h; ticket 42% 3d/6h",
			"sloth/windows_custom-30d.yaml:1: spec.sloPeriod: these AlertWindows are for 30d SLOs, and no Sloth SLO of these files has that window (Sloth SLOs get the window of their slo_files entry, 7d): they are not used"},
	} {
		opts := corpusOpts
		opts.Window = tt.window
		slos, warns, err := Read(files, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(slos) != 2 {
			t.Fatalf("%d SLOs, want 2", len(slos))
		}
		if got := summarize(slos[0]).Rules; got != tt.rules {
			t.Errorf("window %s: rules %s, want %s", tt.window, got, tt.rules)
		}
		if got := summarize(slos[1]).Rules; got != "none" {
			t.Errorf("window %s: no-alerts.yml has rules %s, want none", tt.window, got)
		}
		if len(warns) != 1 || warns[0].Error() != tt.warn {
			t.Errorf("window %s: warnings %q, want %q", tt.window, warns, tt.warn)
		}
	}
}

// corpusCases: the decision for each corpus file, read alone with the
// defaults of a site (5m step, UTC, Sloth window 30d).
var corpusCases = []corpusCase{
	{file: "sloth/contrib-denominator-corrected.yaml",
		slos: []corpusSLO{
			{"svc01/slo1", 99.9, "30d", "", "http_request_duration_seconds_count{job=\"myservice\",code=~\"(5..|429)\"}", "http_request_duration_seconds_count{job=\"myservice\"}", "page 2% 1h/5m; page 5% 6h/30m; ticket 10% 1d/2h; ticket 10% 3d/6h"},
		},
		warns: []string{
			"sloth/contrib-denominator-corrected.yaml:10: spec.sloPlugins: the Sloth SLO plugins sloth.dev/contrib/denominator_corrected_rules/v1 are not applied: relia does not run Sloth plugins; its figures come from the SLI queries and alert windows as written",
		},
	},
	{file: "sloth/contrib-slo-plugins.yml",
		slos: []corpusSLO{
			{"myservice/requests-availability-contrib-plugin-info-labels-v1", 99.9, "30d", "", "http_request_duration_seconds_count{job=\"myservice\",code=~\"(5..|429)\"}", "http_request_duration_seconds_count{job=\"myservice\"}", "page 2% 1h/5m; page 5% 6h/30m; ticket 10% 1d/2h; ticket 10% 3d/6h"},
			{"myservice/requests-availability-contrib-plugin-rule-intervals-v1", 99.9, "30d", "", "http_request_duration_seconds_count{job=\"myservice\",code=~\"(5..|429)\"}", "http_request_duration_seconds_count{job=\"myservice\"}", "page 2% 1h/5m; page 5% 6h/30m; ticket 10% 1d/2h; ticket 10% 3d/6h"},
		},
		warns: []string{
			"sloth/contrib-slo-plugins.yml:12: slos[0].plugins: the Sloth SLO plugins sloth.dev/contrib/info_labels/v1 are not applied: relia does not run Sloth plugins; its figures come from the SLI queries and alert windows as written",
			"sloth/contrib-slo-plugins.yml:43: slos[1].plugins: the Sloth SLO plugins sloth.dev/contrib/rule_intervals/v1 are not applied: relia does not run Sloth plugins; its figures come from the SLI queries and alert windows as written",
		},
	},
	{file: "sloth/getting-started.yml",
		slos: []corpusSLO{
			{"myservice/requests-availability", 99.9, "30d", "", "http_request_duration_seconds_count{job=\"myservice\",code=~\"(5..|429)\"}", "http_request_duration_seconds_count{job=\"myservice\"}", "page 2% 1h/5m; page 5% 6h/30m; ticket 10% 1d/2h; ticket 10% 3d/6h"},
		},
	},
	{file: "sloth/home-wifi.yml",
		errs: []string{
			"sloth/home-wifi.yml:35: slos[0].sli.events.total_query: sum_over_time() does not count events: relia needs a counter selector, optionally inside sum(), rate() or increase(); got \"sum_over_time((count(unifipoller_client_satisfaction_ratio))[{{.window}}:])\"",
			"sloth/home-wifi.yml:51: slos[1].sli.events.total_query: sum_over_time() does not count events: relia needs a counter selector, optionally inside sum(), rate() or increase(); got \"sum_over_time((count(unifipoller_client_satisfaction_ratio))[{{.window}}:])\"",
		},
	},
	{file: "sloth/k8s-getting-started.yml",
		slos: []corpusSLO{
			{"myservice/requests-availability", 99.9, "30d", "", "http_request_duration_seconds_count{job=\"myservice\",code=~\"(5..|429)\"}", "http_request_duration_seconds_count{job=\"myservice\"}", "page 2% 1h/5m; page 5% 6h/30m; ticket 10% 1d/2h; ticket 10% 3d/6h"},
		},
	},
	{file: "sloth/k8s-home-wifi.yml",
		errs: []string{
			"sloth/k8s-home-wifi.yml:28: spec.slos[0].sli.events.totalQuery: sum_over_time() does not count events: relia needs a counter selector, optionally inside sum(), rate() or increase(); got \"sum_over_time((count(unifipoller_client_satisfaction_ratio))[{{.window}}:])\"",
			"sloth/k8s-home-wifi.yml:44: spec.slos[1].sli.events.totalQuery: sum_over_time() does not count events: relia needs a counter selector, optionally inside sum(), rate() or increase(); got \"sum_over_time((count(unifipoller_client_satisfaction_ratio))[{{.window}}:])\"",
		},
	},
	{file: "sloth/k8s-multifile.yml",
		slos: []corpusSLO{
			{"myservice/requests-availability", 99.9, "30d", "", "http_request_duration_seconds_count{job=\"myservice\",code=~\"(5..|429)\"}", "http_request_duration_seconds_count{job=\"myservice\"}", "page 2% 1h/5m; page 5% 6h/30m; ticket 10% 1d/2h; ticket 10% 3d/6h"},
			{"myservice2/requests-availability", 99.99, "30d", "", "http_request_duration_seconds_count{job=\"myservice\",code=~\"(5..|429)\"}", "http_request_duration_seconds_count{job=\"myservice\"}", "page 2% 1h/5m; page 5% 6h/30m; ticket 10% 1d/2h; ticket 10% 3d/6h"},
		},
	},
	{file: "sloth/kubernetes-apiserver.yml",
		slos: []corpusSLO{
			{"k8s-apiserver/requests-availability", 99.9, "30d", "", "apiserver_request_total{code=~\"(5..|429)\"}", "apiserver_request_total", "page 2% 1h/5m; page 5% 6h/30m; ticket 10% 1d/2h; ticket 10% 3d/6h"},
			{"k8s-apiserver/requests-latency", 99, "30d", "apiserver_request_duration_seconds_bucket{le=\"0.4\",verb!=\"WATCH\"}", "", "apiserver_request_duration_seconds_count{verb!=\"WATCH\"}", "page 2% 1h/5m; page 5% 6h/30m; ticket 10% 1d/2h; ticket 10% 3d/6h"},
		},
	},
	{file: "sloth/multifile.yml",
		slos: []corpusSLO{
			{"myservice/requests-availability", 99.9, "30d", "", "http_request_duration_seconds_count{job=\"myservice\",code=~\"(5..|429)\"}", "http_request_duration_seconds_count{job=\"myservice\"}", "page 2% 1h/5m; page 5% 6h/30m; ticket 10% 1d/2h; ticket 10% 3d/6h"},
			{"myservice2/requests-availability", 99.99, "30d", "", "http_request_duration_seconds_count{job=\"myservice\",code=~\"(5..|429)\"}", "http_request_duration_seconds_count{job=\"myservice\"}", "page 2% 1h/5m; page 5% 6h/30m; ticket 10% 1d/2h; ticket 10% 3d/6h"},
		},
	},
	{file: "sloth/no-alerts.yml",
		slos: []corpusSLO{
			{"myapp/http-availability", 99.99, "30d", "", "http_request_duration_seconds_count{job=\"myapp\", code=~\"(5..|429)\"}", "http_request_duration_seconds_count{job=\"myapp\"}", "none"},
		},
	},
	{file: "sloth/openslo-getting-started.yml",
		errs: []string{
			"sloth/openslo-getting-started.yml:6: apiVersion: relia reads openslo/v1 (and openslo.com/v1); convert openslo/v1alpha objects with the OpenSLO tooling (oslo convert)",
		},
	},
	{file: "sloth/openslo-kubernetes-apiserver.yml",
		errs: []string{
			"sloth/openslo-kubernetes-apiserver.yml:8: apiVersion: relia reads openslo/v1 (and openslo.com/v1); convert openslo/v1alpha objects with the OpenSLO tooling (oslo convert)",
			"sloth/openslo-kubernetes-apiserver.yml:34: apiVersion: relia reads openslo/v1 (and openslo.com/v1); convert openslo/v1alpha objects with the OpenSLO tooling (oslo convert)",
		},
	},
	{file: "sloth/plugin-getting-started.yml",
		errs: []string{
			"sloth/plugin-getting-started.yml:13: slos[0].sli.plugin: the SLI plugin \"getting_started_availability\" builds its queries inside Sloth; relia cannot see them: write the SLI as sli.events with error_query and total_query",
		},
	},
	{file: "sloth/plugin-k8s-getting-started.yml",
		errs: []string{
			"sloth/plugin-k8s-getting-started.yml:27: spec.slos[0].sli.plugin: the SLI plugin \"getting_started_availability\" builds its queries inside Sloth; relia cannot see them: write the SLI as sli.events with errorQuery and totalQuery",
		},
	},
	{file: "sloth/raw-home-wifi.yml",
		errs: []string{
			"sloth/raw-home-wifi.yml:26: slos[0].sli.raw: error_ratio_query is a precomputed error ratio, not event counts; relia computes budgets from bad and total events: write the SLI as sli.events with error_query and total_query",
		},
	},
	{file: "sloth/slo-plugin-getting-started.yml",
		slos: []corpusSLO{
			{"myservice/requests-availability", 99.9, "30d", "", "http_request_duration_seconds_count{job=\"myservice\",code=~\"(5..|429)\"}", "http_request_duration_seconds_count{job=\"myservice\"}", "page 2% 1h/5m; page 5% 6h/30m; ticket 10% 1d/2h; ticket 10% 3d/6h"},
		},
		warns: []string{
			"sloth/slo-plugin-getting-started.yml:7: slo_plugins: the Sloth SLO plugins sloth.dev/core/debug/v1 are not applied: relia does not run Sloth plugins; its figures come from the SLI queries and alert windows as written",
			"sloth/slo-plugin-getting-started.yml:21: slos[0].plugins: the Sloth SLO plugins sloth.dev/core/debug/v1 are not applied: relia does not run Sloth plugins; its figures come from the SLI queries and alert windows as written",
		},
	},
	{file: "sloth/slo-plugin-k8s-getting-started.yml",
		slos: []corpusSLO{
			{"myservice/requests-availability", 99.9, "30d", "", "http_request_duration_seconds_count{job=\"myservice\",code=~\"(5..|429)\"}", "http_request_duration_seconds_count{job=\"myservice\"}", "page 2% 1h/5m; page 5% 6h/30m; ticket 10% 1d/2h; ticket 10% 3d/6h"},
		},
		warns: []string{
			"sloth/slo-plugin-k8s-getting-started.yml:17: spec.sloPlugins: the Sloth SLO plugins sloth.dev/core/debug/v1 are not applied: relia does not run Sloth plugins; its figures come from the SLI queries and alert windows as written",
			"sloth/slo-plugin-k8s-getting-started.yml:29: spec.slos[0].plugins: the Sloth SLO plugins sloth.dev/core/debug/v1 are not applied: relia does not run Sloth plugins; its figures come from the SLI queries and alert windows as written",
		},
	},
	{file: "sloth/victoria-metrics.yml",
		errs: []string{
			"sloth/victoria-metrics.yml:28: slos[0].sli.events.total_query: expected a selector such as http_requests_total{code!~\"5..\"}, got \"vector(1)[{{.window}}]\"",
			"sloth/victoria-metrics.yml:45: slos[1].sli.events.total_query: expected a selector such as http_requests_total{code!~\"5..\"}, got \"vector(1)[{{.window}}]\"",
		},
		warns: []string{
			"sloth/victoria-metrics.yml:9: slo_plugins: the Sloth SLO plugins sloth.dev/contrib/validate_victoria_metrics/v1, sloth.dev/core/sli_rules/v1, sloth.dev/core/metadata_rules/v1, sloth.dev/core/alert_rules/v1 are not applied: relia does not run Sloth plugins; its figures come from the SLI queries and alert windows as written",
		},
	},
	{file: "sloth/windows_7d.yaml",
		warns: []string{
			"sloth/windows_7d.yaml:1: spec.sloPeriod: no Sloth SLO in these files: these AlertWindows are not used; list them in the same slo_files entry as the Sloth specs they are for",
		},
	},
	{file: "sloth/windows_custom-30d.yaml",
		warns: []string{
			"sloth/windows_custom-30d.yaml:1: spec.sloPeriod: no Sloth SLO in these files: these AlertWindows are not used; list them in the same slo_files entry as the Sloth specs they are for",
		},
	},
	{file: "openslo/budgeting-method_occurences-slo.yaml",
		errs: []string{
			"openslo/budgeting-method_occurences-slo.yaml:15: spec.indicator.spec.thresholdMetric: a threshold metric compares one value (such as a latency percentile) with objectives[].value; relia counts good and total events: write it as a ratioMetric, for example good = requests under the threshold (a histogram bucket) and total = all requests",
		},
	},
	{file: "openslo/budgeting-method_ratio-timeslices.yaml",
		errs: []string{
			"openslo/budgeting-method_ratio-timeslices.yaml:18: spec.indicator.spec.ratioMetric.good.metricSource.type: relia reads Prometheus-API stores (Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics); a query for \"Any\" cannot be mapped",
			"openslo/budgeting-method_ratio-timeslices.yaml:23: spec.indicator.spec.ratioMetric.total.metricSource.type: relia reads Prometheus-API stores (Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics); a query for \"Any\" cannot be mapped",
			"openslo/budgeting-method_ratio-timeslices.yaml:33: spec.objectives[0].timeSliceWindow: relia's time slices are its step (5m); a 1m slice needs step = \"1m\" in relia.toml",
		},
	},
	{file: "openslo/budgeting-method_timeslices-slo.yaml",
		errs: []string{
			"openslo/budgeting-method_timeslices-slo.yaml:18: spec.indicator.spec.ratioMetric.good.metricSource.type: relia reads Prometheus-API stores (Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics); a query for \"Any\" cannot be mapped",
			"openslo/budgeting-method_timeslices-slo.yaml:23: spec.indicator.spec.ratioMetric.total.metricSource.type: relia reads Prometheus-API stores (Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics); a query for \"Any\" cannot be mapped",
			"openslo/budgeting-method_timeslices-slo.yaml:27: spec.timeWindow[0].duration: relia's calendar windows are one ISO week (1w), month (1M) or quarter (1Q); got 1m (1m is 1 minutes; a month is 1M)",
			"openslo/budgeting-method_timeslices-slo.yaml:38: spec.objectives[0].timeSliceWindow: relia's time slices are its step (5m); a 1m slice needs step = \"1m\" in relia.toml",
			"openslo/budgeting-method_timeslices-slo.yaml:42: spec.objectives[1].timeSliceWindow: relia's time slices are its step (5m); a 1m slice needs step = \"1m\" in relia.toml",
		},
	},
	{file: "openslo/osko_openslo_v1_datasource.yaml"},
	{file: "openslo/osko_openslo_v1_slo.yaml",
		slos: []corpusSLO{
			{"mimir/mimir-ingestion-latency", 99, "28d", "cortex_distributor_query_duration_seconds_bucket{le=\"0.5\", method=\"Distributor.QueryStream\", status_code=\"200\"}", "", "cortex_distributor_query_duration_seconds_count{method=\"Distributor.QueryStream\"}", "default"},
		},
	},
	{file: "openslo/osko_slo_gatekeeper_webhook_response_time_0005.yaml",
		slos: []corpusSLO{
			{"gatekeeper/gatekeeper-webhook-response-time-0005s", 99, "28d", "controller_runtime_webhook_latency_seconds_bucket{le=\"0.0005\"}", "", "controller_runtime_webhook_latency_seconds_count{}", "default"},
		},
	},
	{file: "openslo/oslo_mix_1.yaml"},
	{file: "openslo/oslo_mix_2.yaml"},
	{file: "openslo/oslo_mix_3.yaml"},
	{file: "openslo/oslo_v1.yaml",
		errs: []string{
			"openslo/oslo_v1.yaml:36: spec.timeWindow[0].calendar.timeZone: calendar windows start at 00:00 in the site's timezone \"UTC\", not \"America/New_York\": set timezone = \"America/New_York\" in relia.toml, or use the same zone here",
			"openslo/oslo_v1.yaml:43: spec.objectives[0].timeSliceWindow: relia's time slices are its step (5m); a 1m slice needs step = \"1m\" in relia.toml",
		},
	},
	{file: "openslo/oslo_v1alpha.yaml",
		errs: []string{
			"openslo/oslo_v1alpha.yaml:13: apiVersion: relia reads openslo/v1 (and openslo.com/v1); convert openslo/v1alpha objects with the OpenSLO tooling (oslo convert)",
			"openslo/oslo_v1alpha.yaml:40: apiVersion: relia reads openslo/v1 (and openslo.com/v1); convert openslo/v1alpha objects with the OpenSLO tooling (oslo convert)",
		},
	},
	{file: "openslo/readme-v1-L157-DataSource.yaml"},
	{file: "openslo/readme-v1-L182-DataSource.yaml"},
	{file: "openslo/readme-v1-L204-SLO.yaml",
		errs: []string{
			"openslo/readme-v1-L204-SLO.yaml:7: spec.objectives: expected a list with at least one objective",
			"openslo/readme-v1-L204-SLO.yaml:11: spec.timeWindow: expected a list of exactly one time window",
			"openslo/readme-v1-L204-SLO.yaml:23: spec.budgetingMethod: expected Occurrences, Timeslices or RatioTimeslices, got \"Occurrences | Timeslices | RatioTimeslices\"",
		},
	},
	{file: "openslo/readme-v1-L356-SLI.yaml"},
	{file: "openslo/readme-v1-L444-SLO.yaml",
		errs: []string{
			"openslo/readme-v1-L444-SLO.yaml:18: spec.indicator.spec.ratioMetric.good.metricSource.type: relia reads Prometheus-API stores (Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics); a query for \"Datadog\" cannot be mapped",
			"openslo/readme-v1-L444-SLO.yaml:24: spec.indicator.spec.ratioMetric.total.metricSource.type: relia reads Prometheus-API stores (Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics); a query for \"Datadog\" cannot be mapped",
		},
	},
	{file: "openslo/readme-v1-L570-AlertPolicy.yaml"},
	{file: "openslo/readme-v1-L610-AlertPolicy.yaml"},
	{file: "openslo/readme-v1-L628-AlertPolicy.yaml"},
	{file: "openslo/readme-v1-L663-AlertCondition.yaml"},
	{file: "openslo/readme-v1-L71-DataSource.yaml"},
	{file: "openslo/readme-v1-L712-AlertCondition.yaml"},
	{file: "openslo/readme-v1-L737-AlertNotificationTarget.yaml"},
	{file: "openslo/readme-v1-L750-AlertNotificationTarget.yaml"},
	{file: "openslo/readme-v1-L762-AlertNotificationTarget.yaml"},
	{file: "openslo/readme-v1-L791-Service.yaml"},
	{file: "openslo/readme-v1alpha-L336-AlertPolicy.yaml"},
	{file: "openslo/readme-v1alpha-L375-AlertPolicy.yaml"},
	{file: "openslo/readme-v1alpha-L394-AlertPolicy.yaml"},
	{file: "openslo/readme-v1alpha-L428-AlertCondition.yaml"},
	{file: "openslo/readme-v1alpha-L474-AlertCondition.yaml"},
	{file: "openslo/readme-v1alpha-L498-AlertNotificationTarget.yaml"},
	{file: "openslo/readme-v1alpha-L511-AlertNotificationTarget.yaml"},
	{file: "openslo/readme-v1alpha-L523-AlertNotificationTarget.yaml"},
	{file: "openslo/readme-v1alpha-L53-SLO.yaml"},
	{file: "openslo/readme-v1alpha-L557-Service.yaml"},
	{file: "openslo/readme-v1alpha-L81-SLO.yaml",
		errs: []string{
			"openslo/readme-v1alpha-L81-SLO.yaml:3: yaml: did not find expected key",
		},
	},
	{file: "openslo/treat-low-traffic-as-equally-important_timeslices-slo.yaml",
		errs: []string{
			"openslo/treat-low-traffic-as-equally-important_timeslices-slo.yaml:16: spec.indicator.spec.ratioMetric.good.metricSource.type: relia reads Prometheus-API stores (Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics); a query for \"Any\" cannot be mapped",
			"openslo/treat-low-traffic-as-equally-important_timeslices-slo.yaml:21: spec.indicator.spec.ratioMetric.total.metricSource.type: relia reads Prometheus-API stores (Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics); a query for \"Any\" cannot be mapped",
			"openslo/treat-low-traffic-as-equally-important_timeslices-slo.yaml:29: spec.timeWindow[0].calendar.timeZone: calendar windows start at 00:00 in the site's timezone \"UTC\", not \"America/New_York\": set timezone = \"America/New_York\" in relia.toml, or use the same zone here",
			"openslo/treat-low-traffic-as-equally-important_timeslices-slo.yaml:36: spec.objectives[0].timeSliceWindow: relia's time slices are its step (5m); a 1m slice needs step = \"1m\" in relia.toml",
		},
	},
	{file: "pyrra/caddy-response-latency.yaml",
		slos: []corpusSLO{
			{"default/caddy-response-latency", 90, "4w", "caddy_http_response_duration_seconds_bucket{job=\"caddy\",handler=\"subroute\",code!~\"5..\",le=\"0.05\"}", "", "caddy_http_response_duration_seconds_count{job=\"caddy\",handler=\"subroute\",code!~\"5..\"}", "page ×14 1h/5m; page ×7 6h/30m; ticket ×2 1d/2h; ticket ×1 4d/6h"},
		},
	},
	{file: "pyrra/mimir_example-slo.yaml",
		slos: []corpusSLO{
			{"default/apiserver-read-cluster-latency", 99, "2w", "apiserver_request_sli_duration_seconds_bucket{component=\"apiserver\",scope=~\"cluster|\",verb=~\"LIST|GET\",le=\"5\"}", "", "apiserver_request_sli_duration_seconds_count{component=\"apiserver\",scope=~\"cluster|\",verb=~\"LIST|GET\"}", "page ×14 30m/3m; page ×7 3h/15m; ticket ×2 12h/1h; ticket ×1 2d/3h"},
		},
	},
	{file: "pyrra/nginx.yaml",
		slos: []corpusSLO{
			{"monitoring/nginx-api-errors", 99.9, "4w", "", "nginx_ingress_controller_requests{namespace=\"lastfm\",ingress=\"lastfm\",service=\"lastfm\",status=~\"5..\"}", "nginx_ingress_controller_requests{namespace=\"lastfm\",ingress=\"lastfm\",service=\"lastfm\"}", "page ×14 1h/5m; page ×7 6h/30m; ticket ×2 1d/2h; ticket ×1 4d/6h"},
			{"monitoring/nginx-api-latency", 90, "4w", "nginx_ingress_controller_request_duration_seconds_bucket{namespace=\"lastfm\",ingress=\"lastfm\",service=\"lastfm\",status=~\"5..\",le=\"1\"}", "", "nginx_ingress_controller_request_duration_seconds_count{namespace=\"lastfm\",ingress=\"lastfm\",service=\"lastfm\"}", "page ×14 1h/5m; page ×7 6h/30m; ticket ×2 1d/2h; ticket ×1 4d/6h"},
		},
	},
	{file: "pyrra/parca-grpc-queryrange-errors.yaml",
		slos: []corpusSLO{
			{"parca/parca-grpc-queryrange-errors", 99, "2w", "", "grpc_server_handled_total{grpc_service=\"parca.query.v1alpha1.QueryService\",grpc_method=\"QueryRange\",grpc_code=~\"Aborted|Unavailable|Internal|Unknown|Unimplemented|DataLoss\"}", "grpc_server_handled_total{grpc_service=\"parca.query.v1alpha1.QueryService\",grpc_method=\"QueryRange\"}", "page ×14 30m/3m; page ×7 3h/15m; ticket ×2 12h/1h; ticket ×1 2d/3h"},
		},
	},
	{file: "pyrra/prometheus-http.yaml",
		slos: []corpusSLO{
			{"monitoring/prometheus-api-query", 99, "7d", "", "prometheus_http_requests_total{handler=\"/api/v1/query\",code=~\"5..\"}", "prometheus_http_requests_total{handler=\"/api/v1/query\"}", "page ×14 15m/1m; page ×7 90m/8m; ticket ×2 6h/30m; ticket ×1 1d/90m"},
		},
	},
	{file: "pyrra/slo-apiserver-read-resource-latency.yaml",
		slos: []corpusSLO{
			{"monitoring/apiserver-read-resource-latency", 99, "2w", "apiserver_request_sli_duration_seconds_bucket{verb=~\"LIST|GET\",le=\"0.1\"}", "", "apiserver_request_sli_duration_seconds_count{verb=~\"LIST|GET\"}", "page ×14 30m/3m; page ×7 3h/15m; ticket ×2 12h/1h; ticket ×1 2d/3h"},
		},
	},
	{file: "pyrra/slo-apiserver-read-response-errors.yaml",
		slos: []corpusSLO{
			{"monitoring/apiserver-read-response-errors", 99, "2w", "", "apiserver_request_total{component=\"apiserver\",verb=~\"LIST|GET\",code=~\"5..\"}", "apiserver_request_total{component=\"apiserver\",verb=~\"LIST|GET\"}", "page ×14 30m/3m; page ×7 3h/15m; ticket ×2 12h/1h; ticket ×1 2d/3h"},
		},
	},
	{file: "pyrra/slo-coredns-response-errors.yaml",
		slos: []corpusSLO{
			{"monitoring/coredns-response-errors", 99.99, "2w", "", "coredns_dns_responses_total{job=\"kube-dns\",rcode=\"SERVFAIL\"}", "coredns_dns_responses_total{job=\"kube-dns\"}", "page ×14 30m/3m; page ×7 3h/15m; ticket ×2 12h/1h; ticket ×1 2d/3h"},
		},
	},
	{file: "pyrra/slo-prometheus-rule-evaluation-failures.yaml",
		slos: []corpusSLO{
			{"monitoring/prometheus-rule-evaluation-failures", 99.99, "2w", "", "prometheus_rule_evaluation_failures_total{job=\"prometheus-k8s\"}", "prometheus_rule_evaluations_total{job=\"prometheus-k8s\"}", "page ×14 30m/3m; page ×7 3h/15m; ticket ×2 12h/1h; ticket ×1 2d/3h"},
		},
	},
	{file: "derived/openslo/apiv-osko_openslo_v1_slo.yaml",
		slos: []corpusSLO{
			{"mimir/mimir-ingestion-latency", 99, "28d", "cortex_distributor_query_duration_seconds_bucket{le=\"0.5\", method=\"Distributor.QueryStream\", status_code=\"200\"}", "", "cortex_distributor_query_duration_seconds_count{method=\"Distributor.QueryStream\"}", "default"},
		},
	},
	{file: "derived/openslo/apiv-osko_slo_gatekeeper_webhook_response_time_0005.yaml",
		slos: []corpusSLO{
			{"gatekeeper/gatekeeper-webhook-response-time-0005s", 99, "28d", "controller_runtime_webhook_latency_seconds_bucket{le=\"0.0005\"}", "", "controller_runtime_webhook_latency_seconds_count{}", "default"},
		},
	},
	{file: "derived/openslo/multidoc-oslo_v1-monday.yaml",
		errs: []string{
			"derived/openslo/multidoc-oslo_v1-monday.yaml:36: spec.timeWindow[0].calendar.timeZone: calendar windows start at 00:00 in the site's timezone \"UTC\", not \"America/New_York\": set timezone = \"America/New_York\" in relia.toml, or use the same zone here",
			"derived/openslo/multidoc-oslo_v1-monday.yaml:43: spec.objectives[0].timeSliceWindow: relia's time slices are its step (5m); a 1m slice needs step = \"1m\" in relia.toml",
		},
	},
	{file: "derived/openslo/multidoc-oslo_v1.yaml",
		errs: []string{
			"derived/openslo/multidoc-oslo_v1.yaml:36: spec.timeWindow[0].calendar.timeZone: calendar windows start at 00:00 in the site's timezone \"UTC\", not \"America/New_York\": set timezone = \"America/New_York\" in relia.toml, or use the same zone here",
			"derived/openslo/multidoc-oslo_v1.yaml:43: spec.objectives[0].timeSliceWindow: relia's time slices are its step (5m); a 1m slice needs step = \"1m\" in relia.toml",
		},
	},
	{file: "derived/openslo/multidoc-oslo_v1alpha.yaml",
		errs: []string{
			"derived/openslo/multidoc-oslo_v1alpha.yaml:14: apiVersion: relia reads openslo/v1 (and openslo.com/v1); convert openslo/v1alpha objects with the OpenSLO tooling (oslo convert)",
			"derived/openslo/multidoc-oslo_v1alpha.yaml:41: apiVersion: relia reads openslo/v1 (and openslo.com/v1); convert openslo/v1alpha objects with the OpenSLO tooling (oslo convert)",
		},
	},
}
