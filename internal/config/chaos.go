package config

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Chaos log formats a `[[chaos]]` entry may name.
var ChaosTypes = []string{"chaostoolkit", "litmus", "generic", "chaosmesh"}

// Chaos is one `[[chaos]]` entry: where chaos experiment logs of one format
// lie, and how their runs map to services.
type Chaos struct {
	Type string // one of ChaosTypes
	Path string // glob, relative to the site root
	// Services maps glob patterns over experiment tags, names and titles
	// (case-insensitive) to the services a matching run touched.
	Services map[string][]string
	Line     int // line of the [[chaos]] header
}

type rawChaos struct {
	Type     string         `toml:"type"`
	Path     string         `toml:"path"`
	Services map[string]any `toml:"services"`
}

// chaos validates one [[chaos]] entry. services are the services that have
// SLOs: a mapping to any other is a typo.
func (v *validator) chaos(i int, rc rawChaos, services []string) (Chaos, bool) {
	at := fmt.Sprintf("chaos[%d]", i)
	before := len(v.errs)
	c := Chaos{Type: rc.Type, Path: rc.Path, Line: v.lines.line(at)}
	switch {
	case rc.Type == "":
		v.fail(at, at+".type", "missing; expected one of %s", quoteList(ChaosTypes))
	case !slices.Contains(ChaosTypes, rc.Type):
		v.fail(at+".type", at+".type", "expected one of %s, got %q", quoteList(ChaosTypes), rc.Type)
	}
	switch {
	case strings.TrimSpace(rc.Path) == "":
		v.fail(at, at+".path", `missing; expected a glob of log files relative to the folder of relia.toml, such as "content/chaos/runs/*.json"`)
	default:
		if _, err := filepath.Match(rc.Path, ""); err != nil {
			v.fail(at+".path", at+".path", "expected a glob such as \"content/chaos/runs/*.json\", got %q: %v", rc.Path, err)
		}
	}
	if len(rc.Services) > 0 {
		c.Services = map[string][]string{}
	}
	patterns := make([]string, 0, len(rc.Services))
	for p := range rc.Services {
		patterns = append(patterns, p)
	}
	slices.Sort(patterns)
	for _, p := range patterns {
		key := fmt.Sprintf("%s.services.%q", at, p)
		line := at + ".services." + p
		if _, err := path.Match(strings.ToLower(p), ""); err != nil || strings.TrimSpace(p) == "" {
			v.fail(line, key, "expected a tag, name or title, or a glob pattern over them such as \"checkout-*\"")
			continue
		}
		var names []string
		switch val := rc.Services[p].(type) {
		case string:
			names = []string{val}
		case []any:
			for _, e := range val {
				s, ok := e.(string)
				if !ok {
					names = nil
					break
				}
				names = append(names, s)
			}
		}
		if len(names) == 0 {
			v.fail(line, key, `expected a service name or a list of them, such as "checkout" or ["checkout", "payments"]`)
			continue
		}
		for _, s := range names {
			if !slices.Contains(services, s) {
				v.fail(line, key, "no SLO has the service %q; expected one of %s", s, quoteList(services))
			}
		}
		c.Services[p] = names
	}
	return c, len(v.errs) == before
}

// sloServices lists the services of the configured SLOs, sorted.
func sloServices(slos []SLO) []string {
	var out []string
	seen := map[string]bool{} // not slices.Contains: a site may have thousands of services
	for _, s := range slos {
		if !seen[s.Service] {
			seen[s.Service] = true
			out = append(out, s.Service)
		}
	}
	slices.Sort(out)
	return out
}
