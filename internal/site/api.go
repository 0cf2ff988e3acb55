package site

import (
	"bytes"
	"encoding/json"
	"math"
	"time"

	"github.com/relia-dev/relia/internal/slo"
)

// The api/v1/slos.json contract of docs/api.md. Fractions are 0..1 except
// objective (percent); times are RFC 3339 UTC; undefined values are null.
type apiDoc struct {
	GeneratedAt string     `json:"generated_at"`
	SLOs        []apiSLO   `json:"slos"`
	ChaosRuns   []apiChaos `json:"chaos_runs"`
}

type apiSLO struct {
	ID          string     `json:"id"`
	Service     string     `json:"service"`
	Name        string     `json:"name"`
	Objective   float64    `json:"objective"`
	Window      string     `json:"window"`
	Budgeting   string     `json:"budgeting"`
	WindowStart string     `json:"window_start"`
	WindowEnd   string     `json:"window_end"`
	Good        float64    `json:"good"`
	Total       float64    `json:"total"`
	Bad         float64    `json:"bad"`
	SLI         *float64   `json:"sli"`
	Budget      apiBudget  `json:"budget"`
	BurnRate    burnRates  `json:"burn_rate"`
	Coverage    float64    `json:"coverage"`
	Status      string     `json:"status"`
	Alerts      []apiAlert `json:"alerts"`
	// AlertRules are the SLO's own rules, present only when it has its
	// own (custom, or none at all: an empty list); absent, the SLO has the
	// default rules of docs/numbers.md ("Alert replay").
	AlertRules *[]apiRule `json:"alert_rules,omitempty"`
	Notes      []string   `json:"notes,omitempty"`

	// Error-budget policy (docs/numbers.md, "Burn episodes and the
	// retrospective policy").
	ExcludedSteps     int             `json:"excluded_steps"`
	Adjustments       []apiAdjustment `json:"adjustments"`
	BurnEpisodes      []apiEpisode    `json:"burn_episodes"`
	ProjectedRecovery *string         `json:"projected_recovery"` // exhausted only; null otherwise or when not within a window
}

type apiAdjustment struct {
	Name  string `json:"name"`
	Start string `json:"start"`
	End   string `json:"end"`
}

type apiEpisode struct {
	Start              string   `json:"start"`
	End                string   `json:"end"`
	Bad                float64  `json:"bad"`
	BudgetConsumed     *float64 `json:"budget_consumed"`
	Active             bool     `json:"active"`
	NeedsRetrospective bool     `json:"needs_retrospective"`
}

type apiBudget struct {
	Allowed   *float64 `json:"allowed"`
	Consumed  *float64 `json:"consumed"`
	Remaining *float64 `json:"remaining"`
}

type apiAlert struct {
	Severity  string  `json:"severity"`
	Long      string  `json:"long"`
	Short     string  `json:"short"`
	Threshold float64 `json:"threshold"`
	Name      string  `json:"name,omitempty"`
	Start     string  `json:"start"`
	End       string  `json:"end"`
	Active    bool    `json:"active"`
}

type apiRule struct {
	Severity    string  `json:"severity"`
	Long        string  `json:"long"`
	Short       string  `json:"short"`
	Threshold   float64 `json:"threshold"`
	BudgetShare float64 `json:"budget_share"`
	Name        string  `json:"name,omitempty"`
}

// apiChaos is a chaos run with its impact on each SLO of its services.
// hypothesis_met is null when unknown; an impact's figures are null when
// the run lies outside the report's history (no data); start, end and
// impact are null for a run of unknown time.
type apiChaos struct {
	ID            string      `json:"id"`
	Title         string      `json:"title"`
	Source        string      `json:"source"`
	Status        string      `json:"status"`
	Start         *string     `json:"start"`
	End           *string     `json:"end"`
	TimeUnknown   bool        `json:"time_unknown,omitempty"`
	HypothesisMet *bool       `json:"hypothesis_met"`
	Services      []string    `json:"services"`
	Impact        []apiImpact `json:"impact"`
}

type apiImpact struct {
	SLO            string   `json:"slo"`
	Bad            *float64 `json:"bad"`
	BudgetConsumed *float64 `json:"budget_consumed"`
	PeakBurnRate   *float64 `json:"peak_burn_rate"`
	Alerted        *bool    `json:"alerted"`
}

// burnRates keeps the lookbacks in the order of the contract (5m … 3d)
// rather than encoding/json's sorted map keys.
type burnRates []slo.BurnRate

func (b burnRates) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, r := range b {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(r.Label)
		v, err := json.Marshal(nullable(r.Rate))
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func nullable(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func apiFromReport(r *slo.Report, service, name string, pol policy) apiSLO {
	a := apiSLO{
		ID: r.Spec.ID, Service: service, Name: name,
		Objective: r.Spec.Objective, Window: r.Spec.Window.String(), Budgeting: r.Spec.Budgeting,
		WindowStart: rfc3339(r.WindowStart), WindowEnd: rfc3339(r.WindowEnd),
		Good: r.Good, Total: r.Total, Bad: r.Bad,
		SLI: nullable(r.SLI),
		Budget: apiBudget{
			Allowed:   nullable(r.Budget.Allowed),
			Consumed:  nullable(r.Budget.Consumed),
			Remaining: nullable(r.Budget.Remaining),
		},
		BurnRate: burnRates(r.BurnRates),
		Coverage: r.Coverage,
		Status:   r.Status,
		Alerts:   []apiAlert{},
		Notes:    r.Notes,

		ExcludedSteps: r.ExcludedSteps,
		Adjustments:   []apiAdjustment{},
		BurnEpisodes:  []apiEpisode{},
	}
	for _, adj := range pol.Adjustments {
		a.Adjustments = append(a.Adjustments, apiAdjustment{Name: adj.Name, Start: rfc3339(adj.Start), End: rfc3339(adj.End)})
	}
	for _, e := range pol.Episodes {
		a.BurnEpisodes = append(a.BurnEpisodes, apiEpisode{Start: rfc3339(e.Start), End: rfc3339(e.End), Bad: e.Bad,
			BudgetConsumed: nullable(e.BudgetShare), Active: e.Active, NeedsRetrospective: e.NeedsRetro})
	}
	if !pol.RecoveryAt.IsZero() {
		t := rfc3339(pol.RecoveryAt)
		a.ProjectedRecovery = &t
	}
	for _, al := range r.Alerts {
		a.Alerts = append(a.Alerts, apiAlert{
			Severity: al.Rule.Severity, Long: al.Rule.LongLabel, Short: al.Rule.ShortLabel,
			Threshold: al.Rule.Threshold, Name: al.Rule.Name, Start: rfc3339(al.Start), End: rfc3339(al.End), Active: al.Active,
		})
	}
	if r.Spec.Rules != nil || r.Spec.NoAlerts {
		rules := []apiRule{}
		for _, rule := range r.Rules {
			rules = append(rules, apiRule{Severity: rule.Severity, Long: rule.LongLabel, Short: rule.ShortLabel,
				Threshold: rule.Threshold, BudgetShare: rule.Share, Name: rule.Name})
		}
		a.AlertRules = &rules
	}
	return a
}

func encodeAPI(doc apiDoc) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
