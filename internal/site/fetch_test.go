package site

import (
	"errors"
	"io"
	"testing"

	"github.com/relia-dev/relia/internal/config"
	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/internal/fetch"
	"github.com/relia-dev/relia/internal/metrics"
)

// A refused selector is reported where the SLO is written: relia.toml, or
// the spec file it was imported from.
func TestFetchErrorPlace(t *testing.T) {
	b := &build{cfg: &config.Config{Path: "relia.toml", Sources: map[string]config.Source{"prod": {Name: "prod"}}}}
	refused := &metrics.QueryError{Series: "total", Err: errors.New("bad_data: parse error")}
	for _, tt := range []struct {
		slo  config.SLO
		want string
	}{
		{config.SLO{Service: "web", Name: "availability", Source: "prod", Line: 12, KeyLines: map[string]int{"total": 16}},
			"relia.toml:16: slos[web/availability].total: bad_data: parse error"},
		{config.SLO{Service: "web", Name: "latency", Source: "prod", File: "slos/openslo.yaml", Line: 3, KeyLines: map[string]int{"total": 21}},
			"slos/openslo.yaml:21: slos[web/latency].total: bad_data: parse error"},
	} {
		err := b.fetchError(tt.slo, refused)
		var ie *InputError
		if !errors.As(err, &ie) || err.Error() != tt.want {
			t.Errorf("got %v, want input error %q", err, tt.want)
		}
	}
}

// A store's warning about a selector is a warning where a refused selector
// is an error: at the selector's line, in the file the SLO is written in.
func TestStoreWarningPlace(t *testing.T) {
	cfg := &config.Config{Path: "relia.toml", SLOs: []config.SLO{
		{Service: "web", Name: "availability", Source: "prod", Line: 12, KeyLines: map[string]int{"good": 15, "total": 16}},
		{Service: "web", Name: "latency", Source: "prod", File: "slos/openslo.yaml", Line: 3, KeyLines: map[string]int{"total": 21}},
	}}
	for _, tt := range []struct {
		w    metrics.Warning
		want diag.Error
	}{
		{metrics.Warning{Source: "prod", SLO: "web/availability", Series: "good", Msg: "PromQL info: metric might not be a counter"},
			diag.Error{File: "relia.toml", Line: 15, Key: "slos[web/availability].good", Msg: `source "prod": PromQL info: metric might not be a counter`, Warning: true}},
		{metrics.Warning{Source: "prod", SLO: "web/latency", Series: "total", Msg: "partial response"},
			diag.Error{File: "slos/openslo.yaml", Line: 21, Key: "slos[web/latency].total", Msg: `source "prod": partial response`, Warning: true}},
	} {
		b := &build{cfg: cfg, warnings: &diag.List{}, fetch: fetch.NewLog(io.Discard, nil, false, 2)}
		b.storeWarning(tt.w)
		if got := b.warnings.All(); len(got) != 1 || *got[0] != tt.want {
			t.Errorf("%+v: got %+v, want %+v", tt.w, got, tt.want)
		}
	}
}
