package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestChaosGood(t *testing.T) {
	cfg, err := Load("testdata/chaos.good.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Chaos{
		{Type: "chaostoolkit", Path: "content/chaos/runs/*.json", Line: 19},
		{Type: "litmus", Path: "content/chaos/litmus/*.yaml", Line: 23, Services: map[string][]string{
			"checkout-*": {"checkout"}, "payments-gateway": {"payments", "checkout"},
		}},
	}
	if !reflect.DeepEqual(cfg.Chaos, want) {
		t.Errorf("chaos:\n got %+v\nwant %+v", cfg.Chaos, want)
	}
}

func TestChaosBad(t *testing.T) {
	_, err := Load("testdata/chaos.bad.toml")
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`testdata/chaos.bad.toml:13: chaos[0].type: expected one of "chaostoolkit", "litmus", "generic", "chaosmesh", got "gremlin"`,
		`testdata/chaos.bad.toml:14: chaos[0].path: expected a glob such as "content/chaos/runs/*.json", got "runs/[a.json": syntax error in pattern`,
		`testdata/chaos.bad.toml:16: chaos[1].type: missing; expected one of "chaostoolkit", "litmus", "generic", "chaosmesh"`,
		`testdata/chaos.bad.toml:18: chaos[1].servics: unknown key (did you mean "services"?)`,
		`testdata/chaos.bad.toml:20: chaos[2].path: missing; expected a glob of log files relative to the folder of relia.toml, such as "content/chaos/runs/*.json"`,
		`testdata/chaos.bad.toml:23: chaos[2].services."checkout-api": no SLO has the service "chekout"; expected one of "checkout"`,
		`testdata/chaos.bad.toml:24: chaos[2].services."payments": expected a service name or a list of them, such as "checkout" or ["checkout", "payments"]`,
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
