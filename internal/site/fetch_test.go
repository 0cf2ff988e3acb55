package site

import (
	"errors"
	"testing"

	"github.com/relia-dev/relia/internal/config"
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
