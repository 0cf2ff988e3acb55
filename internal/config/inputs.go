package config

import (
	"path/filepath"

	"github.com/BurntSushi/toml"
)

// Inputs lists the files the configuration at path reads besides itself —
// snapshot files, slo_files and chaos logs, as globs joined to the site
// root — for a watcher that rebuilds when one changes. It reads what it
// can without validating: a configuration with errors (or whose imported
// specs have errors) still names its inputs, so that fixing one of them is
// seen. Only a file that is not TOML at all yields an error.
func Inputs(path string) ([]string, error) {
	src, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	if err := checkDepth(path, src); err != nil {
		return nil, err
	}
	var r struct {
		Sources map[string]struct {
			Type string `toml:"type"`
			Path string `toml:"path"`
		} `toml:"sources"`
		SLOFiles []rawSLOFile `toml:"slo_files"`
		Chaos    []struct {
			Path string `toml:"path"`
		} `toml:"chaos"`
	}
	if _, err := toml.Decode(string(src), &r); err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	var out []string
	add := func(p string) {
		if p == "" {
			return
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		out = append(out, p)
	}
	for _, s := range r.Sources {
		if s.Type == "snapshot" {
			add(s.Path)
		}
	}
	for _, f := range r.SLOFiles {
		switch v := f.v.(type) {
		case string:
			add(v)
		case map[string]any:
			p, _ := v["path"].(string)
			add(p)
		}
	}
	for _, c := range r.Chaos {
		add(c.Path)
	}
	return out, nil
}
