// Package api is the JSON contract of api/v1/slos.json (docs/api.md): the
// types a build encodes and the rules that turn a computed SLO into them.
// Fractions are 0..1 except objective (percent); times are RFC 3339 UTC;
// undefined values are null. It writes nothing: the build publishes the
// bytes Encode returns.
package api

import (
	"bytes"
	"encoding/json"
	"math"
	"time"

	"github.com/relia-dev/relia/internal/policy"
	"github.com/relia-dev/relia/internal/slo"
)

// Doc is the whole of api/v1/slos.json, and what relia status --format
// json prints: one document, one schema.
type Doc struct {
	GeneratedAt string  `json:"generated_at"`
	SLOs        []SLO   `json:"slos"`
	ChaosRuns   []Chaos `json:"chaos_runs"`
}

// SLO is one computed SLO with its error-budget policy.
type SLO struct {
	ID          string    `json:"id"`
	Service     string    `json:"service"`
	Name        string    `json:"name"`
	Objective   float64   `json:"objective"`
	Window      string    `json:"window"`
	Budgeting   string    `json:"budgeting"`
	WindowStart string    `json:"window_start"`
	WindowEnd   string    `json:"window_end"`
	Good        float64   `json:"good"`
	Total       float64   `json:"total"`
	Bad         float64   `json:"bad"`
	SLI         *float64  `json:"sli"`
	Budget      Budget    `json:"budget"`
	BurnRate    BurnRates `json:"burn_rate"`
	Coverage    float64   `json:"coverage"`
	Status      string    `json:"status"`
	Alerts      []Alert   `json:"alerts"`
	// AlertRules are the SLO's own rules, present only when it has its
	// own (custom, or none at all: an empty list); absent, the SLO has the
	// default rules of docs/numbers.md ("Alert replay").
	AlertRules *[]Rule  `json:"alert_rules,omitempty"`
	Notes      []string `json:"notes,omitempty"`
	// LowTraffic says why the SLO's alerts will be noisy (one bad event
	// spends a large share of the budget); null when its traffic is enough.
	LowTraffic *string `json:"low_traffic"`

	// Error-budget policy (docs/numbers.md, "Burn episodes and the
	// retrospective policy").
	ExcludedSteps     int          `json:"excluded_steps"`
	Adjustments       []Adjustment `json:"adjustments"`
	BurnEpisodes      []Episode    `json:"burn_episodes"`
	ProjectedRecovery *string      `json:"projected_recovery"` // exhausted only; null otherwise or when not within a window
}

// Adjustment is one interval of a budget adjustment.
type Adjustment struct {
	Name  string `json:"name"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// Episode is a burn episode; budget_consumed is a fraction of the budget.
type Episode struct {
	Start              string   `json:"start"`
	End                string   `json:"end"`
	Bad                float64  `json:"bad"`
	BudgetConsumed     *float64 `json:"budget_consumed"`
	Active             bool     `json:"active"`
	NeedsRetrospective bool     `json:"needs_retrospective"`
}

// Budget is the error budget of the window, in events (or slices).
type Budget struct {
	Allowed   *float64 `json:"allowed"`
	Consumed  *float64 `json:"consumed"`
	Remaining *float64 `json:"remaining"`
}

// Alert is one firing of a burn-rate alert in the window.
type Alert struct {
	Severity  string  `json:"severity"`
	Long      string  `json:"long"`
	Short     string  `json:"short"`
	Threshold float64 `json:"threshold"`
	Name      string  `json:"name,omitempty"`
	Start     string  `json:"start"`
	End       string  `json:"end"`
	Active    bool    `json:"active"`
}

// Rule is one of the SLO's own burn-rate alert rules.
type Rule struct {
	Severity    string  `json:"severity"`
	Long        string  `json:"long"`
	Short       string  `json:"short"`
	Threshold   float64 `json:"threshold"`
	BudgetShare float64 `json:"budget_share"`
	Name        string  `json:"name,omitempty"`
}

// Chaos is a chaos run with its impact on each SLO of its services.
// hypothesis_met is null when unknown; an impact's figures are null when
// the run lies outside the report's history (no data); start, end and
// impact are null for a run of unknown time.
type Chaos struct {
	ID            string   `json:"id"`
	Title         string   `json:"title"`
	Source        string   `json:"source"`
	Status        string   `json:"status"`
	Start         *string  `json:"start"`
	End           *string  `json:"end"`
	TimeUnknown   bool     `json:"time_unknown,omitempty"`
	HypothesisMet *bool    `json:"hypothesis_met"`
	Services      []string `json:"services"`
	Impact        []Impact `json:"impact"`
}

// Impact is what a chaos run did to one SLO.
type Impact struct {
	SLO            string   `json:"slo"`
	Bad            *float64 `json:"bad"`
	BudgetConsumed *float64 `json:"budget_consumed"`
	PeakBurnRate   *float64 `json:"peak_burn_rate"`
	Alerted        *bool    `json:"alerted"`
}

// BurnRates keeps the lookbacks in the order of the contract (5m … 3d)
// rather than encoding/json's sorted map keys.
type BurnRates []slo.BurnRate

func (b BurnRates) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, r := range b {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(r.Label)
		v, err := json.Marshal(Nullable(r.Rate))
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

// Nullable is v, or nil (JSON null) when v is NaN or infinite.
func Nullable(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// RFC3339 is the contract's time format: RFC 3339 in UTC.
func RFC3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// FromReport is the contract's view of report r of SLO service/name
// under policy pol.
func FromReport(r *slo.Report, service, name string, pol policy.Policy) SLO {
	a := SLO{
		ID: r.Spec.ID, Service: service, Name: name,
		Objective: r.Spec.Objective, Window: r.Spec.Window.String(), Budgeting: r.Spec.Budgeting,
		WindowStart: RFC3339(r.WindowStart), WindowEnd: RFC3339(r.WindowEnd),
		Good: r.Good, Total: r.Total, Bad: r.Bad,
		SLI: Nullable(r.SLI),
		Budget: Budget{
			Allowed:   Nullable(r.Budget.Allowed),
			Consumed:  Nullable(r.Budget.Consumed),
			Remaining: Nullable(r.Budget.Remaining),
		},
		BurnRate: BurnRates(r.BurnRates),
		Coverage: r.Coverage,
		Status:   r.Status,
		Alerts:   []Alert{},
		Notes:    r.Notes,

		ExcludedSteps: r.ExcludedSteps,
		Adjustments:   []Adjustment{},
		BurnEpisodes:  []Episode{},
	}
	for _, adj := range pol.Adjustments {
		a.Adjustments = append(a.Adjustments, Adjustment{Name: adj.Name, Start: RFC3339(adj.Start), End: RFC3339(adj.End)})
	}
	for _, e := range pol.Episodes {
		a.BurnEpisodes = append(a.BurnEpisodes, Episode{Start: RFC3339(e.Start), End: RFC3339(e.End), Bad: e.Bad,
			BudgetConsumed: Nullable(e.BudgetShare), Active: e.Active, NeedsRetrospective: e.NeedsRetro})
	}
	if pol.LowTraffic != "" {
		note := pol.LowTraffic
		a.LowTraffic = &note
	}
	if !pol.RecoveryAt.IsZero() {
		t := RFC3339(pol.RecoveryAt)
		a.ProjectedRecovery = &t
	}
	for _, al := range r.Alerts {
		a.Alerts = append(a.Alerts, Alert{
			Severity: al.Rule.Severity, Long: al.Rule.LongLabel, Short: al.Rule.ShortLabel,
			Threshold: al.Rule.Threshold, Name: al.Rule.Name, Start: RFC3339(al.Start), End: RFC3339(al.End), Active: al.Active,
		})
	}
	if r.Spec.Rules != nil || r.Spec.NoAlerts {
		rules := []Rule{}
		for _, rule := range r.Rules {
			rules = append(rules, Rule{Severity: rule.Severity, Long: rule.LongLabel, Short: rule.ShortLabel,
				Threshold: rule.Threshold, BudgetShare: rule.Share, Name: rule.Name})
		}
		a.AlertRules = &rules
	}
	return a
}

// Encode is doc as indented JSON.
func Encode(doc Doc) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
