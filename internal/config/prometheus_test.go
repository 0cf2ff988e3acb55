package config

import (
	"strings"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
)

func TestParsePrometheusSource(t *testing.T) {
	cfg, err := Load("testdata/prometheus.good.toml")
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Sources["prod"]
	if p.Type != "prometheus" || p.URL != "https://mimir.example/prometheus" || p.Timeout != 10*time.Second ||
		p.BasicAuthUser != "relia" || p.BasicAuthPasswordEnv != "MIMIR_PASSWORD" || p.CAFile != "certs/ca.pem" ||
		p.MaxConcurrency != 8 || p.MaxPointsPerQuery != 5000 || p.Headers["X-Scope-Orgid"] != "team-a" {
		t.Errorf("prod: %+v", p)
	}
	if p.KeyLine("url") != 6 || p.KeyLine("headers.X-Scope-OrgID") != 15 || p.KeyLine("bearer_token_env") != 4 {
		t.Errorf("prod key lines: %v", p.KeyLines)
	}
	l := cfg.Sources["local"]
	if l.Timeout != metrics.DefaultPrometheusTimeout || l.MaxConcurrency != metrics.DefaultMaxConcurrency || l.MaxPointsPerQuery != metrics.DefaultMaxPointsPerQuery || l.BearerTokenEnv != "PROM_TOKEN" {
		t.Errorf("local defaults: %+v", l)
	}
	s := cfg.SLOs[0]
	if s.KeyLine("bad") != 27 || s.KeyLine("total") != 28 || s.KeyLine("good") != s.Line {
		t.Errorf("slo key lines: %v (entry at %d)", s.KeyLines, s.Line)
	}
}

func TestParsePrometheusSourceErrors(t *testing.T) {
	want := []string{
		`testdata/prometheus.bad.toml:1: sources.a.url: missing; expected the base URL of a Prometheus-API server such as "http://127.0.0.1:9090"`,
		`testdata/prometheus.bad.toml:6: sources.b.url: expected an http or https URL such as "http://127.0.0.1:9090", got "ftp://example.com"`,
		`testdata/prometheus.bad.toml:7: sources.b.timeout: expected a positive duration such as "5m", "1h" or "28d", got "soon"`,
		`testdata/prometheus.bad.toml:9: sources.b.basic_auth_user: bearer_token_env and basic auth are both set; keep one`,
		`testdata/prometheus.bad.toml:11: sources.b.max_concurrency: expected the number of requests in flight, 1 to 64, got 100`,
		`testdata/prometheus.bad.toml:12: sources.b.max_points_per_query: expected 1 to 11000 points per series (Prometheus refuses query_range requests over 11000), got 0`,
		`testdata/prometheus.bad.toml:13: sources.b.headers.Authorization: not allowed in headers: a credential must not be written in relia.toml; use bearer_token_env or basic_auth_user with basic_auth_password_env`,
		`testdata/prometheus.bad.toml:13: sources.b.headers.X Bad: expected an HTTP header name (letters, digits, '-'), got "X Bad"`,
		`testdata/prometheus.bad.toml:17: sources.c.url: expected no #fragment, got "https://prom.example/#top"`,
		`testdata/prometheus.bad.toml:18: sources.c.basic_auth_user: missing; basic_auth_password_env needs a user name`,
		`testdata/prometheus.bad.toml:20: sources.c.insecure_skip_verify: ca_file and insecure_skip_verify = true are both set; keep one`,
		`testdata/prometheus.bad.toml:25: sources.d.url: not used by a snapshot source; remove it`,
		`testdata/prometheus.bad.toml:26: sources.d.headers: not used by a snapshot source; remove it`,
		`testdata/prometheus.bad.toml:29: sources.e.type: expected "snapshot" or "prometheus", got "influx"`,
	}
	_, err := Load("testdata/prometheus.bad.toml")
	if err == nil {
		t.Fatal("no error")
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// A credential written in the URL is refused without being echoed.
func TestPrometheusURLCredentialNotEchoed(t *testing.T) {
	src := `[sources.p]
type = "prometheus"
url  = "https://relia:hunter2@prom.example"

[[slos]]
service = "s"
name = "n"
objective = 99
good = "g"
total = "t"
`
	_, err := Parse("relia.toml", []byte(src))
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "relia.toml:3: sources.p.url: credentials in the URL are not allowed") {
		t.Errorf("got %v", err)
	}
}
