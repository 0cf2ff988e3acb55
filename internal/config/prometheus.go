package config

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/relia-dev/relia/internal/metrics"
)

// Limits of a `type = "prometheus"` source. Its defaults are the query
// client's own (metrics.DefaultPrometheusTimeout, DefaultMaxConcurrency,
// DefaultMaxPointsPerQuery): a source that leaves a key out behaves as a
// client given no value, and the two cannot drift apart.
const (
	// MaxPointsPerQueryLimit is where Prometheus itself stops: it refuses
	// query_range requests over 11,000 points per series.
	MaxPointsPerQueryLimit = 11_000
	maxConcurrencyLimit    = 64
)

var (
	envNameRe    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	headerNameRe = regexp.MustCompile("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$")
)

// prometheusKeys lists the keys of rs that only a Prometheus source uses.
func (rs rawSource) prometheusKeys() []string {
	var keys []string
	for _, k := range []struct {
		key string
		set bool
	}{
		{"url", rs.URL != ""}, {"timeout", rs.Timeout != ""}, {"bearer_token_env", rs.BearerTokenEnv != ""},
		{"basic_auth_user", rs.BasicAuthUser != ""}, {"basic_auth_password_env", rs.BasicAuthPasswordEnv != ""},
		{"headers", rs.Headers != nil}, {"ca_file", rs.CAFile != ""}, {"insecure_skip_verify", rs.InsecureSkipVerify != nil},
		{"max_concurrency", rs.MaxConcurrency != nil}, {"max_points_per_query", rs.MaxPointsPerQuery != nil},
	} {
		if k.set {
			keys = append(keys, k.key)
		}
	}
	return keys
}

// prometheus validates the keys of a Prometheus-API source (Prometheus,
// Thanos, Cortex, Mimir, VictoriaMetrics) into s. Credentials never appear
// in the file: it names the environment variables that hold them, and a
// URL with a user or password in it is refused.
func (v *validator) prometheus(at string, rs rawSource, s *Source) {
	key := func(k string) string { return at + "." + k }
	if rs.Path != "" {
		v.fail(key("path"), key("path"), "not used by a prometheus source; remove it (path is for type = \"snapshot\")")
	}
	s.URL = rs.URL
	u := v.promURL(at, key, rs.URL)
	s.Timeout = metrics.DefaultPrometheusTimeout
	if rs.Timeout != "" {
		if d, ok := v.duration(key("timeout"), key("timeout"), rs.Timeout); ok {
			s.Timeout = d
		}
	}
	v.promAuth(key, rs, s)
	v.promHeaders(key, rs.Headers, s)
	v.promTLS(key, rs, u, s)
	s.MaxConcurrency = metrics.DefaultMaxConcurrency
	if p := rs.MaxConcurrency; p != nil {
		s.MaxConcurrency = *p
		if *p < 1 || *p > maxConcurrencyLimit {
			v.fail(key("max_concurrency"), key("max_concurrency"), "expected the number of requests in flight, 1 to %d, got %d", maxConcurrencyLimit, *p)
		}
	}
	s.MaxPointsPerQuery = metrics.DefaultMaxPointsPerQuery
	if p := rs.MaxPointsPerQuery; p != nil {
		s.MaxPointsPerQuery = *p
		if *p < 1 || *p > MaxPointsPerQueryLimit {
			v.fail(key("max_points_per_query"), key("max_points_per_query"), "expected 1 to %d points per series (Prometheus refuses query_range requests over %d), got %d",
				MaxPointsPerQueryLimit, MaxPointsPerQueryLimit, *p)
		}
	}
}

// promURL checks the base URL of a source and returns it parsed, or nil
// when it is missing or not an http(s) URL. at is the source's key.
func (v *validator) promURL(at string, key func(string) string, raw string) *url.URL {
	if raw == "" {
		v.fail(at, key("url"), `missing; expected the base URL of a Prometheus-API server such as "http://127.0.0.1:9090"`)
		return nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		v.fail(key("url"), key("url"), `expected an http or https URL such as "http://127.0.0.1:9090", got %q`, raw)
		return nil
	case u.User != nil:
		// Do not echo the URL: it holds a credential.
		v.fail(key("url"), key("url"), "credentials in the URL are not allowed; set basic_auth_user and basic_auth_password_env (the password is read from the environment)")
	case u.Fragment != "":
		v.fail(key("url"), key("url"), "expected no #fragment, got %q", raw)
	}
	return u
}

// promAuth reads the credentials: names of environment variables, never
// the secrets, and one kind of authentication at most.
func (v *validator) promAuth(key func(string) string, rs rawSource, s *Source) {
	s.BearerTokenEnv = rs.BearerTokenEnv
	s.BasicAuthUser = rs.BasicAuthUser
	s.BasicAuthPasswordEnv = rs.BasicAuthPasswordEnv
	for _, k := range []struct{ key, val string }{{"bearer_token_env", rs.BearerTokenEnv}, {"basic_auth_password_env", rs.BasicAuthPasswordEnv}} {
		if k.val != "" && !envNameRe.MatchString(k.val) {
			v.fail(key(k.key), key(k.key), "expected the name of an environment variable such as \"PROM_TOKEN\" (the secret itself stays out of relia.toml), got a value that is not a variable name")
		}
	}
	switch {
	case rs.BearerTokenEnv != "" && (rs.BasicAuthUser != "" || rs.BasicAuthPasswordEnv != ""):
		v.fail(key("basic_auth_user"), key("basic_auth_user"), "bearer_token_env and basic auth are both set; keep one")
	case rs.BasicAuthUser != "" && rs.BasicAuthPasswordEnv == "":
		v.fail(key("basic_auth_user"), key("basic_auth_password_env"), "missing; basic_auth_user needs the name of the environment variable that holds the password")
	case rs.BasicAuthUser == "" && rs.BasicAuthPasswordEnv != "":
		v.fail(key("basic_auth_password_env"), key("basic_auth_user"), "missing; basic_auth_password_env needs a user name")
	}
}

// promHeaders reads the extra request headers, refusing Authorization (a
// credential written in relia.toml) and names that differ only in case.
func (v *validator) promHeaders(key func(string) string, headers map[string]string, s *Source) {
	if len(headers) == 0 {
		return
	}
	s.Headers = map[string]string{}
	names := make([]string, 0, len(headers))
	for name := range headers {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		val := headers[name]
		hk := key("headers." + name)
		canon := http.CanonicalHeaderKey(name)
		switch {
		case !headerNameRe.MatchString(name):
			v.fail(hk, hk, "expected an HTTP header name (letters, digits, '-'), got %q", name)
		case canon == "Authorization":
			v.fail(hk, hk, "not allowed in headers: a credential must not be written in relia.toml; use bearer_token_env or basic_auth_user with basic_auth_password_env")
		case strings.ContainsAny(val, "\r\n\x00"):
			v.fail(hk, hk, "expected a header value on one line")
		default:
			if _, dup := s.Headers[canon]; dup {
				v.fail(hk, hk, "duplicate header (names are case-insensitive)")
			}
			s.Headers[canon] = val
		}
	}
}

// promTLS reads ca_file and insecure_skip_verify, which only an https url
// (u, nil when the url was refused) can use.
func (v *validator) promTLS(key func(string) string, rs rawSource, u *url.URL, s *Source) {
	s.CAFile = rs.CAFile
	if rs.InsecureSkipVerify != nil {
		s.InsecureSkipVerify = *rs.InsecureSkipVerify
	}
	switch {
	case s.CAFile != "" && s.InsecureSkipVerify:
		v.fail(key("insecure_skip_verify"), key("insecure_skip_verify"), "ca_file and insecure_skip_verify = true are both set; keep one")
	case u != nil && u.Scheme != "https" && (s.CAFile != "" || s.InsecureSkipVerify):
		k := "ca_file"
		if s.CAFile == "" {
			k = "insecure_skip_verify"
		}
		v.fail(key(k), key(k), "only used with an https url; remove it or use https")
	}
}

// under returns the line of every key written below the table prefix
// ("slos[2]", "sources.prod"), keyed by the rest of its path ("good",
// "headers.X-Scope-OrgID"). Errors found after validation, such as a
// selector the metric store rejects, use it to point at their line. It
// looks in an index built on the first call: a scan of every key for
// each table took minutes for a file of 10,000 SLOs.
func (v *validator) under(prefix string) map[string]int {
	if v.below == nil {
		v.below = v.lines.below()
	}
	if strings.Count(prefix, ".") >= maxIndexedDots {
		return v.lines.under(prefix)
	}
	out := map[string]int{}
	for rest, line := range v.below[prefix] {
		out[rest] = line
	}
	return out
}

// maxIndexedDots is how many dots of a path below indexes: relia asks for
// tables one or two levels down. Past it, under scans, so that a key
// quoted with thousands of dots in it costs no more than its length.
const maxIndexedDots = 4

// below indexes every key by each table above it, up to maxIndexedDots
// levels: below()["slos[2]"]["good"] is the line of slos[2].good.
func (k keyLines) below() map[string]map[string]int {
	idx := map[string]map[string]int{}
	for p, line := range k {
		for i, n := 0, 0; i < len(p) && n < maxIndexedDots; i++ {
			if p[i] != '.' {
				continue
			}
			n++
			if idx[p[:i]] == nil {
				idx[p[:i]] = map[string]int{}
			}
			idx[p[:i]][p[i+1:]] = line
		}
	}
	return idx
}

// under is below for one table, by a scan of every key.
func (k keyLines) under(prefix string) map[string]int {
	out := map[string]int{}
	for p, line := range k {
		if rest, ok := strings.CutPrefix(p, prefix+"."); ok {
			out[rest] = line
		}
	}
	return out
}
