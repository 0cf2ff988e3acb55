package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/slo"
)

func TestParseGood(t *testing.T) {
	cfg, err := Load("testdata/minimal.good.toml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Step != 5*time.Minute || cfg.History != 90*24*time.Hour || cfg.BaseURL != "/" || cfg.Location != time.UTC {
		t.Errorf("defaults: step %v history %v base %q loc %v", cfg.Step, cfg.History, cfg.BaseURL, cfg.Location)
	}
	s := cfg.SLOs[0]
	if s.ID() != "checkout/availability" || s.Source != "demo" || s.Budgeting != slo.Occurrences || s.Window.Rolling != 28*24*time.Hour || s.Line != 5 {
		t.Errorf("slo: %+v", s)
	}
	if cfg.Policy.AtRiskBelow != 25 {
		t.Errorf("at_risk_below default = %v", cfg.Policy.AtRiskBelow)
	}
}

// Alert rules per SLO: custom rules, none, or the defaults (nil).
func TestParseAlerting(t *testing.T) {
	cfg, err := Load("testdata/alerts.good.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Alerting{
		{Origin: "testdata/alerts.good.toml", Rules: []slo.RuleSpec{
			{Severity: "page", Share: 0.02, Long: time.Hour, Short: 5 * time.Minute},
			{Severity: "ticket", Factor: 1, Long: 72 * time.Hour, Short: 6 * time.Hour, Name: "SlowBurn"},
		}},
		{Off: true, Origin: "alerts = false in testdata/alerts.good.toml"},
		{},
	}
	for i, w := range want {
		if got := cfg.SLOs[i].Alerting; !reflect.DeepEqual(got, w) {
			t.Errorf("%s: alerting %+v, want %+v", cfg.SLOs[i].ID(), got, w)
		}
	}
	if n := len(cfg.SLOs[1].Alerting.Effective()); n != 0 {
		t.Errorf("alerts = false has %d effective rules", n)
	}
	if n := len(cfg.SLOs[2].Alerting.Effective()); n != 4 {
		t.Errorf("the default has %d effective rules, want 4", n)
	}
}

// An archive in a bucket: the URL as written, its line, and the key that
// messages name.
func TestParseArchiveURL(t *testing.T) {
	cfg, err := Load("testdata/archive.good.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := Archive{URL: "s3://relia-history/acme/history?region=eu-central-1", Line: 2}
	if cfg.Archive != want || cfg.Archive.Key() != "archive.url" {
		t.Errorf("archive %+v (key %s), want %+v (key archive.url)", cfg.Archive, cfg.Archive.Key(), want)
	}
}

// The repository's demo configuration must stay valid.
func TestDemoConfig(t *testing.T) {
	cfg, err := Load("../../relia.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.SLOs) < 5 {
		t.Errorf("demo has %d SLOs", len(cfg.SLOs))
	}
}

func TestParseBad(t *testing.T) {
	tests := []struct {
		file string
		want []string // each a line of the error, in order
	}{
		{"unknown-key.bad.toml", []string{
			`testdata/unknown-key.bad.toml:7: slos[checkout/availability].objective: missing; expected a percentage such as 99.9`,
			`testdata/unknown-key.bad.toml:10: slos[checkout/availability].objectiv: unknown key (did you mean "objective"?)`,
		}},
		{"objective-100.bad.toml", []string{
			`testdata/objective-100.bad.toml:8: slos[checkout/availability].objective: expected a percentage between 0 and 100 (exclusive), got 100`,
		}},
		{"missing-source.bad.toml", []string{
			`testdata/missing-source.bad.toml:12: slos[checkout/availability].source: no source named "prod"; expected one of "demo", "other"`,
		}},
		// Every problem is reported, sorted by line.
		{"many.bad.toml", []string{
			`testdata/many.bad.toml:1: step: expected a positive duration such as "5m", "1h" or "28d", got "5x"`,
			`testdata/many.bad.toml:3: timezone: expected an IANA time zone such as "Europe/Berlin" or "UTC", got "Mars/Olympus"`,
			`testdata/many.bad.toml:13: slos[checkout/availability].window: expected a whole number of steps (step is 5m), got 2m`,
			`testdata/many.bad.toml:15: slos[checkout/availability].bad: both good and bad are set; keep one (the other is derived from total)`,
			`testdata/many.bad.toml:18: slos[checkout/availability].slice_threshold: missing; budgeting = "timeslices" needs the percentage of good events that makes a slice good, such as 99`,
			`testdata/many.bad.toml:18: slos[checkout/availability].good: missing; expected a selector for good events (or bad = ... for bad events)`,
			`testdata/many.bad.toml:26: policy.at_risk_below: expected a percentage of budget between 0 and 100, got 120`,
		}},
		// Alert rules: strict keys, each problem at its line, within the
		// SLO's entry.
		{"alerts.bad.toml", []string{
			`testdata/alerts.bad.toml:10: slos[checkout/availability].alerts: alerts = false turns every alert rule off, but the entry has alert_rules; keep one`,
			`testdata/alerts.bad.toml:29: slos[search/latency].alert_rules[0].severity: expected "page" or "ticket", got "pager"`,
			`testdata/alerts.bad.toml:30: slos[search/latency].alert_rules[0].budget_share: expected a percentage of the window's budget in (0, 100], such as 2, got 120`,
			`testdata/alerts.bad.toml:31: slos[search/latency].alert_rules[0].long: expected a long window no longer than the SLO's window (1w), got 8d`,
			`testdata/alerts.bad.toml:36: slos[search/latency].alert_rules[1].burn_rate: both budget_share and burn_rate are set; keep one (the threshold is either)`,
			`testdata/alerts.bad.toml:39: slos[search/latency].alert_rules[1].short: expected a short window shorter than the long one (1h), got 2h`,
			`testdata/alerts.bad.toml:41: slos[search/latency].alert_rules[2].budget_share: missing; expected budget_share (percent of the window's budget, such as 2) or burn_rate (a factor such as 14.4)`,
			`testdata/alerts.bad.toml:41: slos[search/latency].alert_rules[2].short: missing; expected a duration such as "1h"`,
			`testdata/alerts.bad.toml:44: slos[search/latency].alert_rules[2].shrot: unknown key (did you mean "short"?)`,
		}},
		// A type error names the entry it is in, in the same form as the others.
		{"type-in-array.bad.toml", []string{
			`testdata/type-in-array.bad.toml:8: slos[checkout/availability].objective: expected a number, got a string`,
		}},
		{"type-nested.bad.toml", []string{
			`testdata/type-nested.bad.toml:20: slos[checkout/availability].alert_rules[1].burn_rate: expected a number, got a string`,
		}},
		{"type-top.bad.toml", []string{
			`testdata/type-top.bad.toml:2: step: expected a string, got an integer`,
		}},
		{"base-url.bad.toml", []string{
			`testdata/base-url.bad.toml:1: base_url: expected "/", a relative path or an http(s) URL such as "https://intra.example/sre/", got "javascript:alert(1)//"`,
			`testdata/base-url.bad.toml:2: timezone: "Local" is this machine's zone and would make the site differ from machine to machine; name an IANA time zone such as "Europe/Berlin" or "UTC"`,
		}},
		{"archive.bad.toml", []string{
			`testdata/archive.bad.toml:3: archive.url: both dir and url are set; keep one (the archive is a folder or a bucket)`,
			`testdata/archive.bad.toml:6: deploy.target: credentials in the URL are not allowed; they come from the environment (AWS_ACCESS_KEY_ID, GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_KEY, ...)`,
			`testdata/archive.bad.toml:6: deploy.target: parameter "aws_secret_access_key" looks like a credential; credentials come from the environment, never from relia.toml`,
		}},
		{"archive-url.bad.toml", []string{
			`testdata/archive-url.bad.toml:2: archive.url: unknown scheme "ftp"; expected one of s3://, gs://, azblob://, file://`,
		}},
		{"archive-empty.bad.toml", []string{
			`testdata/archive-empty.bad.toml:1: archive: expected dir = "history" (a folder, relative to relia.toml) or url = "s3://bucket/prefix?region=..." (a bucket)`,
		}},
		{"syntax.bad.toml", []string{
			`testdata/syntax.bad.toml:2: expected a top-level item to end with a newline, comment, or EOF, but got 'm' instead`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", tt.file))
			if err == nil {
				t.Fatal("no error")
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestDuplicateID(t *testing.T) {
	src := `[sources.a]
type = "snapshot"
path = "a.json"

[[slos]]
service = "s"
name = "n"
objective = 99
good = "g"
total = "t"

[[slos]]
service = "s"
name = "n"
objective = 99
good = "g"
total = "t"
`
	_, err := Parse("relia.toml", []byte(src))
	want := `relia.toml:14: slos[s/n]: duplicate SLO id; first defined at line 5`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.toml")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, err := Parse("fuzz.toml", src)
		if err == nil && cfg == nil {
			t.Fatal("nil config without error")
		}
		if err != nil && cfg != nil {
			t.Fatal("config with error")
		}
	})
}
