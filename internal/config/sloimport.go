package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/relia-dev/relia/internal/bounded"
	"github.com/relia-dev/relia/internal/confine"
	"github.com/relia-dev/relia/internal/specimport"
)

// rawSLOFile is one element of slo_files as written: a path, or an inline
// table { path, source, window }. It decodes itself, so that its keys are
// checked here, with a message that lists the accepted ones.
type rawSLOFile struct{ v any }

// UnmarshalTOML keeps the element for sloFileEntry.
func (r *rawSLOFile) UnmarshalTOML(v any) error {
	r.v = v
	return nil
}

// maxSpecBytes bounds the spec files of one slo_files entry together:
// SLO specs are small, and a glob that catches a device or a dump must
// not hang or exhaust the build. The YAML of a whole entry is parsed at
// once, into about 25 times its size: 16 MiB (34,000 Sloth SLOs) take
// 400 MB.
const maxSpecBytes = 16 << 20

// sloFileKeys are the keys of an inline table in slo_files.
var sloFileKeys = []string{"path", "source", "window"}

// importSLOs reads the spec files listed in slo_files (Sloth and OpenSLO
// YAML) and validates every SLO they define exactly like an [[slos]] entry,
// with errors at the SLO's lines in the spec file. seen holds the ids of
// relia.toml's own entries and their lines.
func (v *validator) importSLOs(cfg *Config, entries []rawSLOFile, sources []string, seen map[string]int) {
	dir := filepath.Dir(v.file)
	imported := map[string]string{} // id → "file:line"
	for i, e := range entries {
		pattern, source, window, ok := v.sloFileEntry(i, e.v)
		if !ok {
			continue
		}
		full := pattern
		if !filepath.IsAbs(full) {
			full = filepath.Join(dir, pattern)
		}
		cfg.SLOFiles = append(cfg.SLOFiles, full)
		matches, err := filepath.Glob(full)
		if err != nil {
			v.fail("slo_files", "slo_files", "expected a file or a glob such as \"slos/*.yaml\", got %q: %v", pattern, err)
			continue
		}
		if len(matches) == 0 {
			v.fail("slo_files", "slo_files", "%q matches no file (paths are relative to the folder of %s)", pattern, filepath.Base(v.file))
			continue
		}
		slices.Sort(matches)
		var files []specimport.File
		var total int64
		for _, m := range matches {
			if st, err := os.Stat(m); err == nil && st.IsDir() {
				continue // a glob such as "slos/*" also matches folders
			}
			if err := confine.Check(dir, m); err != nil {
				v.fail("slo_files", "slo_files", "%s: %v", m, err)
				continue
			}
			src, err := bounded.ReadFile(m, maxSpecBytes-total)
			if errors.Is(err, bounded.ErrTooLarge) {
				v.fail("slo_files", "slo_files", "%q: the files it matches hold more than %s of YAML together, the limit (a fixed bound; split them over several slo_files entries)", pattern, bounded.Size(maxSpecBytes))
				break
			}
			if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
				err = pe.Err // named below
			}
			if err != nil {
				v.fail("slo_files", "slo_files", "read %s: %v", m, err)
				continue
			}
			total += int64(len(src))
			files = append(files, specimport.File{Name: m, Src: src})
		}
		slos, warns, err := specimport.Read(files, specimport.Options{Window: window, Step: cfg.Step, Timezone: cfg.Timezone})
		cfg.Warnings = append(cfg.Warnings, warns...)
		if err != nil {
			v.importErrors(err) // and check the SLOs that did map
		} else if len(slos) == 0 {
			v.fail("slo_files", "slo_files", "%q holds no SLO", pattern)
		}
		for _, is := range slos {
			v.importSLO(cfg, is, source, sources, seen, imported)
		}
	}
}

// sloFileEntry reads one element of slo_files: a path or glob, or an inline
// table { path = "...", source = "prod", window = "28d" }.
func (v *validator) sloFileEntry(i int, e any) (pattern, source, window string, ok bool) {
	const example = `"slos/*.yaml" or { path = "slos/*.yaml", source = "prod" }`
	switch e := e.(type) {
	case string:
		pattern = e
	case map[string]any:
		keys := make([]string, 0, len(e))
		for k := range e {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !slices.Contains(sloFileKeys, k) {
				v.fail("slo_files", fmt.Sprintf("slo_files[%d].%s", i, k), "unknown key; expected path, source or window")
				return "", "", "", false
			}
			if _, isStr := e[k].(string); !isStr {
				v.fail("slo_files", fmt.Sprintf("slo_files[%d].%s", i, k), "expected a string, got %v", e[k])
				return "", "", "", false
			}
		}
		pattern, _ = e["path"].(string)
		source, _ = e["source"].(string)
		window, _ = e["window"].(string)
	default:
		v.fail("slo_files", fmt.Sprintf("slo_files[%d]", i), "expected %s, got %v", example, e)
		return "", "", "", false
	}
	if strings.TrimSpace(pattern) == "" {
		v.fail("slo_files", fmt.Sprintf("slo_files[%d]", i), "expected %s", example)
		return "", "", "", false
	}
	return pattern, source, window, true
}

// importErrors adds the import's errors, which already carry their file
// and line.
func (v *validator) importErrors(err error) {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	for _, e := range list {
		var se *specimport.Error
		if errors.As(e, &se) {
			v.errs = append(v.errs, se) // the same diag.Error: positions already point into the spec file
		} else {
			v.errs = append(v.errs, &Error{File: v.file, Line: v.lines.line("slo_files"), Key: "slo_files", Msg: e.Error()})
		}
	}
}

// importSLO validates one imported SLO with the checks of [[slos]], its
// errors pointing into the spec file.
func (v *validator) importSLO(cfg *Config, is specimport.SLO, source string, sources []string, seen map[string]int, imported map[string]string) {
	sub := &validator{file: is.File, lines: keyLines{"slos[0]": is.Line}}
	for k, l := range is.Keys {
		sub.lines["slos[0]."+k] = l
	}
	rs := rawSLO{
		Service: is.Service, Name: is.Name, Description: is.Description, Source: source,
		Objective: is.Objective, Window: is.Window, Budgeting: is.Budgeting, SliceThreshold: is.SliceThreshold,
		Good: is.Good, Bad: is.Bad, Total: is.Total,
	}
	if rs.Source == "" && slices.Contains(sources, is.SourceRef) {
		rs.Source = is.SourceRef
	}
	ambiguous := rs.Source == "" && len(sources) > 1
	if ambiguous {
		sub.fail("slos[0]", fmt.Sprintf("slos[%s]", is.Service+"/"+is.Name), "the site has several sources (%s); name the one for this file in relia.toml: slo_files = [{ path = %q, source = \"...\" }]",
			quoteList(sources), is.File)
		rs.Source = sources[0] // check the rest as well
	}
	s, ok := sub.slo(cfg, 0, rs, sources)
	v.errs = append(v.errs, sub.errs...)
	sub.errs = nil
	if !ok || ambiguous {
		return
	}
	where := fmt.Sprintf("%s:%d", is.File, is.Line)
	if first, dup := seen[s.ID()]; dup {
		sub.fail("slos[0]", fmt.Sprintf("slos[%s]", s.ID()), "duplicate SLO id; first defined at %s:%d", v.file, first)
		v.errs = append(v.errs, sub.errs...)
		return
	}
	if first, dup := imported[s.ID()]; dup {
		sub.fail("slos[0]", fmt.Sprintf("slos[%s]", s.ID()), "duplicate SLO id; first defined at %s", first)
		v.errs = append(v.errs, sub.errs...)
		return
	}
	imported[s.ID()] = where
	s.Alerting = Alerting{Rules: is.Rules, Off: is.NoAlerts, Origin: is.AlertOrigin}
	cfg.SLOs = append(cfg.SLOs, s)
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
