// Package config loads and validates relia.toml. It owns the site's settings,
// metric sources, SLO definitions and policy; it does not fetch or compute
// anything. Every error names the file, the line and the key.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/prometheus/common/model"

	"github.com/relia-dev/relia/internal/bounded"
	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/internal/metrics"
	"github.com/relia-dev/relia/internal/slo"
)

// Config is a validated relia.toml.
type Config struct {
	Path string // the file as given; errors and relative paths use it
	Dir  string // the site root: the folder holding the file

	Title      string
	BaseURL    string // always ends in "/"
	Timezone   string
	Location   *time.Location
	Step       time.Duration
	StepLine   int // line of the step key; 0 when the default is used
	History    time.Duration
	UnsafeHTML bool

	Sources map[string]Source
	SLOs    []SLO
	Policy  Policy

	// SLOFiles are the slo_files entries (paths or globs of Sloth and
	// OpenSLO specs) joined to the site root: their SLOs are in SLOs.
	SLOFiles []string

	Adjustments []Adjustment
	Chaos       []Chaos // [[chaos]]: chaos experiment logs

	// Warnings are what the inputs say and relia does not apply (Sloth
	// plugins, Pyrra grouping, unused AlertWindows): the build goes on,
	// check reports them, and --strict fails on them.
	Warnings []*Error

	Limits  Limits  // [limits]: bounds on what inputs may make relia do
	Deploy  Deploy  // [deploy]: where relia deploy publishes the site
	Archive Archive // [archive]: the durable record of fetched history
}

// Limits bound the work and memory that inputs can ask for, so that a
// mistyped history, a runaway RRULE or a damaged file stops with an error
// naming the limit rather than exhausting the machine. Each can be raised
// in the [limits] table.
type Limits struct {
	MaxSteps                 int   // steps of history (history / step)
	MaxSnapshotValueBytes    int64 // one JSON value of a snapshot: one SLO's history
	MaxResponseBytes         int64 // one answer body of a Prometheus-API store
	MaxAdjustmentOccurrences int   // occurrences of one [[adjustments]] RRULE in the history
	MaxChaosRuns             int   // chaos runs read from all [[chaos]] logs, and log files matched
}

// Source is one `[sources.NAME]` table.
type Source struct {
	Name string
	Type string // "snapshot" or "prometheus"
	Path string // snapshot file, resolved against the site root

	// Prometheus-API stores. Secrets are never written in the file: the
	// config names the environment variables that hold them.
	URL                  string
	Timeout              time.Duration // per request attempt
	BearerTokenEnv       string
	BasicAuthUser        string
	BasicAuthPasswordEnv string
	Headers              map[string]string
	CAFile               string // as written; relative to the site root
	InsecureSkipVerify   bool
	MaxConcurrency       int // requests in flight to this source
	MaxPointsPerQuery    int // points per series in one query_range

	Line     int            // line of the [sources.NAME] header
	KeyLines map[string]int // line of each key written in the table, e.g. "url"
}

// SLO is one `[[slos]]` entry.
type SLO struct {
	Service        string
	Name           string
	Description    string
	Source         string
	Objective      float64 // percent
	Window         slo.Window
	Budgeting      string
	SliceThreshold float64 // percent; time-slice budgeting only
	Good, Bad      string  // exactly one is set
	Total          string
	File           string         // where it is defined: the config, or an imported spec (slo_files)
	Line           int            // line of the [[slos]] header
	KeyLines       map[string]int // line of each key written in the entry, e.g. "good"
	Alerting       Alerting       // the alert rules it really has
}

// KeyLine is the line of key in the entry, or of its [[slos]] header when
// the key is not written there.
func (s SLO) KeyLine(key string) int {
	if l, ok := s.KeyLines[key]; ok {
		return l
	}
	return s.Line
}

// KeyLine is the line of key in the table, or of its [sources.NAME] header
// when the key is not written there.
func (s Source) KeyLine(key string) int {
	if l, ok := s.KeyLines[key]; ok {
		return l
	}
	return s.Line
}

// ID is "service/name", the SLO's identity in URLs, snapshots and the API.
func (s SLO) ID() string { return s.Service + "/" + s.Name }

// Policy is the `[policy]` table.
type Policy struct {
	AtRiskBelow float64 // percent of budget remaining
	// IncidentBudgetShare is the percent of the window's budget a burn
	// episode may spend before it needs a retrospective.
	IncidentBudgetShare float64
	// ExhaustedAction is what the policy demands while the budget is spent.
	ExhaustedAction string
}

// Defaults for keys a site may leave out.
const (
	DefaultTitle       = "Reliability"
	DefaultStep        = 5 * time.Minute
	DefaultHistory     = 90 * 24 * time.Hour
	DefaultWindow      = "28d"
	DefaultAtRiskBelow = 25
	// DefaultIncidentBudgetShare: a burn episode spending more than this
	// percent of the budget needs a retrospective.
	DefaultIncidentBudgetShare = 20
	DefaultExhaustedAction     = "Freeze feature releases; only reliability and security changes until the budget recovers"

	// Default limits: a year at one-minute steps is 525,600 steps. The
	// limits on what a store answers and a snapshot holds are the readers'
	// own defaults (metrics.DefaultMaxResponseBytes,
	// metrics.DefaultMaxSnapshotValueBytes).
	DefaultMaxSteps                 = 1_100_000
	DefaultMaxAdjustmentOccurrences = 100_000
	// DefaultMaxChaosRuns: each run has a page with a chart per SLO of
	// its services; 6,000 runs on the 5 SLOs of the demo take 15 s of CPU
	// and 170 MB.
	DefaultMaxChaosRuns = 10_000
)

// Error is a problem at a place in an input: see diag.Error.
type Error = diag.Error

// maxErrors caps the report: past it, more lines of errors help nobody.
const maxErrors = 50

// raw mirrors the file. Durations stay strings so that a bad one is reported
// by our validation with its key, rather than as a decode failure that stops
// every other check.
type raw struct {
	Title      *string              `toml:"title"`
	BaseURL    *string              `toml:"base_url"`
	Timezone   *string              `toml:"timezone"`
	Step       *string              `toml:"step"`
	History    *string              `toml:"history"`
	UnsafeHTML bool                 `toml:"unsafe_html"`
	Sources    map[string]rawSource `toml:"sources"`
	SLOs       []rawSLO             `toml:"slos"`
	SLOFiles   []rawSLOFile         `toml:"slo_files"`
	Policy     struct {
		AtRiskBelow         *float64 `toml:"at_risk_below"`
		IncidentBudgetShare *float64 `toml:"incident_budget_share"`
		ExhaustedAction     *string  `toml:"exhausted_action"`
	} `toml:"policy"`
	Adjustments []rawAdjustment `toml:"adjustments"`
	Chaos       []rawChaos      `toml:"chaos"`
	Limits      struct {
		MaxSteps                 *int64 `toml:"max_steps"`
		MaxSnapshotValueBytes    *int64 `toml:"max_snapshot_value_bytes"`
		MaxResponseBytes         *int64 `toml:"max_response_bytes"`
		MaxAdjustmentOccurrences *int64 `toml:"max_adjustment_occurrences"`
		MaxChaosRuns             *int64 `toml:"max_chaos_runs"`
	} `toml:"limits"`
	Deploy  *rawDeploy  `toml:"deploy"`
	Archive *rawArchive `toml:"archive"`
}

type rawSource struct {
	Type                 string            `toml:"type"`
	Path                 string            `toml:"path"`
	URL                  string            `toml:"url"`
	Timeout              string            `toml:"timeout"`
	BearerTokenEnv       string            `toml:"bearer_token_env"`
	BasicAuthUser        string            `toml:"basic_auth_user"`
	BasicAuthPasswordEnv string            `toml:"basic_auth_password_env"`
	Headers              map[string]string `toml:"headers"`
	CAFile               string            `toml:"ca_file"`
	InsecureSkipVerify   *bool             `toml:"insecure_skip_verify"`
	MaxConcurrency       *int              `toml:"max_concurrency"`
	MaxPointsPerQuery    *int              `toml:"max_points_per_query"`
}

type rawSLO struct {
	Service        string         `toml:"service"`
	Name           string         `toml:"name"`
	Description    string         `toml:"description"`
	Source         string         `toml:"source"`
	Objective      *float64       `toml:"objective"`
	Window         string         `toml:"window"`
	Budgeting      string         `toml:"budgeting"`
	SliceThreshold *float64       `toml:"slice_threshold"`
	Good           string         `toml:"good"`
	Bad            string         `toml:"bad"`
	Total          string         `toml:"total"`
	Alerts         *bool          `toml:"alerts"`
	AlertRules     []rawAlertRule `toml:"alert_rules"`
}

// MaxConfigBytes bounds relia.toml: 1,000 SLOs take about 300 KB. It is
// fixed, since the file cannot raise its own limit; a site that needs
// more moves its SLOs into slo_files.
const MaxConfigBytes = 16 << 20

// Load reads and validates the file at path.
func Load(path string) (*Config, error) {
	src, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src)
}

// readConfig reads the file at path within MaxConfigBytes: --config
// /dev/zero must not fill the memory.
func readConfig(path string) ([]byte, error) {
	src, err := bounded.ReadFile(path, MaxConfigBytes)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &Error{File: path, Msg: "not found; run relia in the folder that holds relia.toml, or pass --config FILE"}
	case errors.Is(err, bounded.ErrTooLarge):
		return nil, &Error{File: path, Msg: fmt.Sprintf("larger than the limit of %s for a configuration (a fixed bound; move SLOs into slo_files)", bounded.Size(MaxConfigBytes))}
	case errors.Is(err, bounded.ErrNotRegular):
		return nil, &Error{File: path, Msg: fmt.Sprintf("read config: %v", errors.Unwrap(err))}
	case err != nil:
		return nil, &Error{File: path, Msg: fmt.Sprintf("read config: %v", err)}
	}
	return src, nil
}

// checkDepth refuses TOML nested deeper than bounded.MaxTOMLDepth before
// the TOML library spends minutes on it.
func checkDepth(path string, src []byte) error {
	if line := bounded.TOMLDepth(src, bounded.MaxTOMLDepth); line > 0 {
		return &Error{File: path, Line: line, Msg: fmt.Sprintf("values nested more than %d deep (arrays, inline tables, dotted keys), the limit (a fixed bound)", bounded.MaxTOMLDepth)}
	}
	return nil
}

// Parse validates src as the contents of the file at path. All problems are
// reported together, sorted by line, as a joined error of *Error values.
func Parse(path string, src []byte) (*Config, error) {
	if err := checkDepth(path, src); err != nil {
		return nil, err
	}
	var r raw
	md, err := toml.Decode(string(src), &r)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: path, Line: pe.Position.Line, Key: pe.LastKey, Msg: pe.Message}
		}
		if te, ok := typeError(path, string(src), err); ok {
			return nil, te
		}
		return nil, &Error{File: path, Msg: err.Error()}
	}
	v := &validator{file: path, lines: indexKeys(string(src))}
	byDotted := v.lines.byDotted()
	// The metadata names an unknown key once per entry of an array of
	// tables that holds it; byDotted finds all of them at once.
	reported := map[string]bool{}
	for _, k := range md.Undecoded() {
		dotted := k.String()
		if reported[dotted] {
			continue
		}
		reported[dotted] = true
		paths, msg := byDotted[dotted], "unknown key"+suggest(dotted)
		if len(paths) == 0 {
			v.errs = append(v.errs, &Error{File: path, Key: dotted, Msg: msg})
		}
		for _, p := range paths {
			v.errs = append(v.errs, &Error{File: path, Line: v.lines[p], Key: readableKey(p, &r), Msg: msg})
		}
	}
	cfg := v.build(&r)
	if len(v.errs) > 0 {
		// relia.toml first, then any imported spec file, each by line.
		other := func(e *Error) bool { return e.File != path }
		slices.SortStableFunc(v.errs, func(a, b *Error) int {
			return cmp.Or(compareBool(other(a), other(b)), strings.Compare(a.File, b.File), a.Line-b.Line)
		})
		if len(v.errs) > maxErrors {
			more := len(v.errs) - maxErrors
			v.errs = append(v.errs[:maxErrors], &Error{File: path, Msg: fmt.Sprintf("and %d more errors", more)})
		}
		errs := make([]error, len(v.errs))
		for i, e := range v.errs {
			errs[i] = e
		}
		return nil, errors.Join(errs...)
	}
	cfg.Path = path
	cfg.Dir = filepath.Dir(path)
	return cfg, nil
}

// CheckBaseURL accepts what base_url may be: "/", a relative path, or an
// http(s) URL. Anything else (javascript:, data:, mailto:) would end up in
// the feed, the sitemap and the 404 page as a link.
func CheckBaseURL(s string) error {
	bad := fmt.Errorf(`expected "/", a relative path or an http(s) URL such as "https://intra.example/sre/", got %q`, s)
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return bad
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad
	}
	switch strings.ToLower(u.Scheme) {
	case "":
		return nil
	case "http", "https":
		if u.Host == "" {
			return bad
		}
		return nil
	}
	return bad
}

var sloIndexRe = regexp.MustCompile(`^slos\[(\d+)\]`)

// readableKey names an SLO entry by its id rather than its position.
func readableKey(path string, r *raw) string {
	m := sloIndexRe.FindStringSubmatch(path)
	if m == nil {
		return path
	}
	var i int
	fmt.Sscan(m[1], &i)
	if i < len(r.SLOs) && r.SLOs[i].Service != "" && r.SLOs[i].Name != "" {
		return "slos[" + r.SLOs[i].Service + "/" + r.SLOs[i].Name + "]" + path[len(m[0]):]
	}
	return path
}

type validator struct {
	file  string
	lines keyLines
	below map[string]map[string]int // lines.below(), built when first needed
	errs  []*Error
}

// fail records a problem at the line of lineKey (an indexed path such as
// "slos[2].objective"), reported under the readable key name.
func (v *validator) fail(lineKey, name, format string, args ...any) {
	v.errs = append(v.errs, &Error{File: v.file, Line: v.lines.line(lineKey), Key: name, Msg: fmt.Sprintf(format, args...)})
}

var slugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// build turns the decoded file into a Config, starting from the defaults
// and recording every problem rather than stopping at the first.
func (v *validator) build(r *raw) *Config {
	cfg := &Config{
		Title:      DefaultTitle,
		BaseURL:    "/",
		Timezone:   "UTC",
		Location:   time.UTC,
		Step:       DefaultStep,
		History:    DefaultHistory,
		UnsafeHTML: r.UnsafeHTML,
		Sources:    map[string]Source{},
		Policy:     Policy{AtRiskBelow: DefaultAtRiskBelow, IncidentBudgetShare: DefaultIncidentBudgetShare, ExhaustedAction: DefaultExhaustedAction},
		Limits: Limits{
			MaxSteps: DefaultMaxSteps, MaxSnapshotValueBytes: metrics.DefaultMaxSnapshotValueBytes,
			MaxResponseBytes: metrics.DefaultMaxResponseBytes, MaxAdjustmentOccurrences: DefaultMaxAdjustmentOccurrences,
			MaxChaosRuns: DefaultMaxChaosRuns,
		},
	}
	// Limits first: the history check counts steps against max_steps.
	v.limits(cfg, r)
	v.site(cfg, r)
	v.steps(cfg, r)
	names := v.sources(cfg, r)
	v.slos(cfg, r, names)
	v.policy(cfg, r)
	v.adjustments(cfg, r)
	services := sloServices(cfg.SLOs)
	for i, rc := range r.Chaos {
		if c, ok := v.chaos(i, rc, services); ok {
			cfg.Chaos = append(cfg.Chaos, c)
		}
	}
	cfg.Deploy = v.deploy(r.Deploy)
	cfg.Archive = v.archive(r.Archive)
	return cfg
}

// limits overrides the default limits with those of the [limits] table.
func (v *validator) limits(cfg *Config, r *raw) {
	limit := func(key string, p *int64, set func(int64)) {
		if p == nil {
			return
		}
		if *p < 1 {
			v.fail("limits."+key, "limits."+key, "expected a positive number, got %d", *p)
			return
		}
		set(*p)
	}
	limit("max_steps", r.Limits.MaxSteps, func(n int64) { cfg.Limits.MaxSteps = int(min(n, math.MaxInt32)) })
	limit("max_snapshot_value_bytes", r.Limits.MaxSnapshotValueBytes, func(n int64) { cfg.Limits.MaxSnapshotValueBytes = n })
	limit("max_response_bytes", r.Limits.MaxResponseBytes, func(n int64) { cfg.Limits.MaxResponseBytes = n })
	limit("max_adjustment_occurrences", r.Limits.MaxAdjustmentOccurrences, func(n int64) { cfg.Limits.MaxAdjustmentOccurrences = int(min(n, math.MaxInt32)) })
	limit("max_chaos_runs", r.Limits.MaxChaosRuns, func(n int64) { cfg.Limits.MaxChaosRuns = int(min(n, math.MaxInt32)) })
}

// site reads the title, base URL and time zone of the site.
func (v *validator) site(cfg *Config, r *raw) {
	if r.Title != nil {
		cfg.Title = *r.Title
		if strings.TrimSpace(cfg.Title) == "" {
			v.fail("title", "title", "expected a non-empty title")
		}
	}
	if r.BaseURL != nil {
		cfg.BaseURL = *r.BaseURL
		if err := CheckBaseURL(cfg.BaseURL); err != nil {
			v.fail("base_url", "base_url", "%v", err)
		}
		if !strings.HasSuffix(cfg.BaseURL, "/") {
			cfg.BaseURL += "/"
		}
	}
	if r.Timezone != nil {
		cfg.Timezone = *r.Timezone
		loc, err := time.LoadLocation(cfg.Timezone)
		if cfg.Timezone == "Local" {
			v.fail("timezone", "timezone", `"Local" is this machine's zone and would make the site differ from machine to machine; name an IANA time zone such as "Europe/Berlin" or "UTC"`)
		} else if err != nil || cfg.Timezone == "" {
			v.fail("timezone", "timezone", "expected an IANA time zone such as \"Europe/Berlin\" or \"UTC\", got %q", cfg.Timezone)
		} else {
			cfg.Location = loc
		}
	}
}

// steps reads the step and the history, which must be a whole number of
// steps, and no more of them than max_steps.
func (v *validator) steps(cfg *Config, r *raw) {
	if r.Step != nil {
		cfg.StepLine = v.lines.line("step")
		if d, ok := v.duration("step", "step", *r.Step); ok {
			cfg.Step = d
		}
	}
	if r.History != nil {
		if d, ok := v.duration("history", "history", *r.History); ok {
			cfg.History = d
		}
	}
	if cfg.History < cfg.Step || cfg.History%cfg.Step != 0 {
		v.fail("history", "history", "expected a whole number of steps (%s), got %s", model.Duration(cfg.Step), model.Duration(cfg.History))
	} else if n := cfg.History / cfg.Step; n > time.Duration(cfg.Limits.MaxSteps) {
		// Every SLO holds its history per step in memory while computed.
		v.fail("history", "history", "%s is %d steps of %s, more than the limit of %d (raise it with max_steps in [limits])",
			model.Duration(cfg.History), n, model.Duration(cfg.Step), cfg.Limits.MaxSteps)
	}
}

// sources reads the [sources.NAME] tables and returns their names, sorted
// so that errors come in the same order on every run.
func (v *validator) sources(cfg *Config, r *raw) []string {
	names := make([]string, 0, len(r.Sources))
	for name := range r.Sources {
		names = append(names, name)
	}
	slices.Sort(names)
	if len(names) == 0 {
		v.fail("", "sources", "expected at least one [sources.NAME] table")
	}
	for _, name := range names {
		cfg.Sources[name] = v.source(cfg, name, r.Sources[name])
	}
	return names
}

// slos reads the [[slos]] entries and the slo_files, refusing a second SLO
// of an id already defined.
func (v *validator) slos(cfg *Config, r *raw, sources []string) {
	seen := map[string]int{}
	for i, rs := range r.SLOs {
		s, ok := v.slo(cfg, i, rs, sources)
		if !ok {
			continue
		}
		if first, dup := seen[s.ID()]; dup {
			v.fail(fmt.Sprintf("slos[%d].name", i), fmt.Sprintf("slos[%s]", s.ID()), "duplicate SLO id; first defined at line %d", first)
			continue
		}
		seen[s.ID()] = s.Line
		cfg.SLOs = append(cfg.SLOs, s)
	}
	v.importSLOs(cfg, r.SLOFiles, sources, seen)
	if len(r.SLOs) == 0 && len(r.SLOFiles) == 0 {
		v.fail("", "slos", "expected at least one [[slos]] entry (or slo_files)")
	}
}

// policy overrides the default error budget policy with the [policy] table.
func (v *validator) policy(cfg *Config, r *raw) {
	if p := r.Policy.AtRiskBelow; p != nil {
		if *p < 0 || *p > 100 || math.IsNaN(*p) {
			v.fail("policy.at_risk_below", "policy.at_risk_below", "expected a percentage of budget between 0 and 100, got %v", *p)
		}
		cfg.Policy.AtRiskBelow = *p
	}
	if p := r.Policy.IncidentBudgetShare; p != nil {
		if !(*p > 0 && *p <= 100) {
			v.fail("policy.incident_budget_share", "policy.incident_budget_share", "expected a percentage of budget in (0, 100], got %v", *p)
		}
		cfg.Policy.IncidentBudgetShare = *p
	}
	if a := r.Policy.ExhaustedAction; a != nil {
		if strings.TrimSpace(*a) == "" {
			v.fail("policy.exhausted_action", "policy.exhausted_action", "expected the action the policy demands while the budget is spent")
		}
		cfg.Policy.ExhaustedAction = *a
	}
}

// adjustments reads the [[adjustments]], each for SLOs defined above, and
// refuses overlapping ones.
func (v *validator) adjustments(cfg *Config, r *raw) {
	ids := make(map[string]bool, len(cfg.SLOs))
	for _, s := range cfg.SLOs {
		ids[s.ID()] = true
	}
	for i, ra := range r.Adjustments {
		if a, ok := v.adjustment(cfg, i, ra, ids); ok {
			cfg.Adjustments = append(cfg.Adjustments, a)
		}
	}
	v.overlaps(cfg.Adjustments)
}

func (v *validator) duration(lineKey, name, text string) (time.Duration, bool) {
	d, err := model.ParseDuration(text)
	if err != nil || d <= 0 {
		v.fail(lineKey, name, "expected a positive duration such as \"5m\", \"1h\" or \"28d\", got %q", text)
		return 0, false
	}
	return time.Duration(d), true
}

func (v *validator) source(cfg *Config, name string, rs rawSource) Source {
	at := "sources." + name
	s := Source{Name: name, Type: rs.Type, Line: v.lines.line(at), KeyLines: v.under(at)}
	switch rs.Type {
	case "snapshot":
		if rs.Path == "" {
			v.fail(at, at+".path", "expected the path of a snapshot file (.json or .json.gz)")
		}
		s.Path = rs.Path
		for _, key := range rs.prometheusKeys() {
			v.fail(at+"."+key, at+"."+key, "not used by a snapshot source; remove it")
		}
	case "prometheus":
		v.prometheus(at, rs, &s)
	case "":
		v.fail(at, at+".type", `missing; expected "snapshot" or "prometheus"`)
	default:
		v.fail(at+".type", at+".type", `expected "snapshot" or "prometheus", got %q`, rs.Type)
	}
	return s
}

func (v *validator) slo(cfg *Config, i int, rs rawSLO, sources []string) (SLO, bool) {
	at := fmt.Sprintf("slos[%d]", i)
	name := at
	if rs.Service != "" && rs.Name != "" {
		name = fmt.Sprintf("slos[%s/%s]", rs.Service, rs.Name)
	}
	before := len(v.errs)
	s := SLO{
		Service: rs.Service, Name: rs.Name, Description: rs.Description, Source: rs.Source,
		Budgeting: rs.Budgeting, Good: rs.Good, Bad: rs.Bad, Total: rs.Total,
		File: v.file, Line: v.lines.line(at), KeyLines: v.under(at),
	}
	for _, k := range []struct{ key, val string }{{"service", rs.Service}, {"name", rs.Name}} {
		switch {
		case k.val == "":
			v.fail(at, name+"."+k.key, "missing; expected a lowercase slug such as \"checkout\"")
		case !slugRe.MatchString(k.val):
			v.fail(at+"."+k.key, name+"."+k.key, "expected lowercase letters, digits, '-' or '_' (it becomes part of a URL), got %q", k.val)
		}
	}
	switch {
	case s.Source == "" && len(sources) == 1:
		s.Source = sources[0]
	case s.Source == "":
		v.fail(at, name+".source", "missing; expected one of %s", quoteList(sources))
	case !slices.Contains(sources, s.Source):
		v.fail(at+".source", name+".source", "no source named %q; expected one of %s", s.Source, quoteList(sources))
	}
	if rs.Objective == nil {
		v.fail(at, name+".objective", "missing; expected a percentage such as 99.9")
	} else {
		s.Objective = *rs.Objective
		if !(s.Objective > 0 && s.Objective < 100) {
			v.fail(at+".objective", name+".objective", "expected a percentage between 0 and 100 (exclusive), got %v", s.Objective)
		}
	}
	window := rs.Window
	if window == "" {
		window = DefaultWindow
	}
	w, err := slo.ParseWindow(window)
	if err != nil {
		v.fail(at+".window", name+".window", `expected a duration such as "28d" or one of "week", "month", "quarter", got %q`, window)
	} else {
		s.Window = w
		if w.Rolling > 0 && (w.Rolling < cfg.Step || w.Rolling%cfg.Step != 0) {
			v.fail(at+".window", name+".window", "expected a whole number of steps (step is %s), got %s", model.Duration(cfg.Step), window)
		}
	}
	if s.Budgeting == "" {
		s.Budgeting = slo.Occurrences
	}
	switch s.Budgeting {
	case slo.Occurrences, slo.RatioTimeslices:
		if rs.SliceThreshold != nil {
			v.fail(at+".slice_threshold", name+".slice_threshold", `only used with budgeting = "timeslices"; remove it`)
		}
	case slo.Timeslices:
		if rs.SliceThreshold == nil {
			v.fail(at, name+".slice_threshold", `missing; budgeting = "timeslices" needs the percentage of good events that makes a slice good, such as 99`)
		} else {
			s.SliceThreshold = *rs.SliceThreshold
			if !(s.SliceThreshold > 0 && s.SliceThreshold <= 100) {
				v.fail(at+".slice_threshold", name+".slice_threshold", "expected a percentage in (0, 100], got %v", s.SliceThreshold)
			}
		}
	default:
		v.fail(at+".budgeting", name+".budgeting", `expected "occurrences", "timeslices" or "ratio_timeslices", got %q`, s.Budgeting)
	}
	switch {
	case s.Good != "" && s.Bad != "":
		v.fail(at+".bad", name+".bad", "both good and bad are set; keep one (the other is derived from total)")
	case s.Good == "" && s.Bad == "":
		v.fail(at, name+".good", "missing; expected a selector for good events (or bad = ... for bad events)")
	}
	if s.Total == "" {
		v.fail(at, name+".total", "missing; expected a selector for all events")
	}
	s.Alerting = v.alerting(at, name, rs, s.Window)
	return s, len(v.errs) == before
}

func quoteList(items []string) string {
	if len(items) == 0 {
		return "a [sources.NAME] table (none defined)"
	}
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// known lists every key relia.toml accepts, for "did you mean" hints,
// dotted through tables and arrays of tables ([sources.NAME] without its
// name). TestKnownKeys holds it to the toml tags of raw.
var known = []string{
	"title", "base_url", "timezone", "step", "history", "unsafe_html",
	"sources.type", "sources.path", "sources.url", "sources.timeout", "sources.bearer_token_env",
	"sources.basic_auth_user", "sources.basic_auth_password_env", "sources.headers", "sources.ca_file",
	"sources.insecure_skip_verify", "sources.max_concurrency", "sources.max_points_per_query",
	"slos.service", "slos.name", "slos.description", "slos.source", "slos.objective", "slos.window",
	"slos.budgeting", "slos.slice_threshold", "slos.good", "slos.bad", "slos.total", "slo_files",
	"slos.alerts", "slos.alert_rules.severity", "slos.alert_rules.budget_share", "slos.alert_rules.burn_rate",
	"slos.alert_rules.long", "slos.alert_rules.short", "slos.alert_rules.name",
	"policy.at_risk_below", "policy.incident_budget_share", "policy.exhausted_action",
	"adjustments.name", "adjustments.slos", "adjustments.start", "adjustments.end", "adjustments.rrule", "adjustments.duration",
	"chaos.type", "chaos.path", "chaos.services",
	"limits.max_steps", "limits.max_snapshot_value_bytes", "limits.max_response_bytes", "limits.max_adjustment_occurrences",
	"limits.max_chaos_runs",
	"deploy.target", "archive.dir", "archive.url",
}

// suggest names the accepted key closest to an unknown one, when it is close.
func suggest(dotted string) string {
	parts := strings.Split(dotted, ".")
	if parts[0] == "sources" && len(parts) > 2 {
		parts = append([]string{"sources"}, parts[2:]...) // drop the source name
	}
	norm := strings.Join(parts, ".")
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(norm, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	last := best[strings.LastIndex(best, ".")+1:]
	return fmt.Sprintf(" (did you mean %q?)", last)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
