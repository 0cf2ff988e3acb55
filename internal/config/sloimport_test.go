package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// SLOs imported from Sloth and OpenSLO specs equal the [[slos]] entries an
// author would write for them, and keep the lines they came from.
func TestImportEquivalent(t *testing.T) {
	imported, err := Load("testdata/import/relia.toml")
	if err != nil {
		t.Fatal(err)
	}
	written, err := Load("testdata/import/equivalent.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(imported.SLOs) != len(written.SLOs) {
		t.Fatalf("imported %d SLOs, want %d", len(imported.SLOs), len(written.SLOs))
	}
	for i, got := range imported.SLOs {
		want := written.SLOs[i]
		if !strings.HasPrefix(got.File, "testdata/import/specs/") {
			t.Errorf("%s: file %q", got.ID(), got.File)
		}
		got.File, got.Line, got.KeyLines, got.Alerting.Origin = "", 0, nil, ""
		want.File, want.Line, want.KeyLines, want.Alerting.Origin = "", 0, nil, ""
		if !reflect.DeepEqual(got, want) {
			t.Errorf("SLO %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
	if got := imported.SLOs[0]; got.Line != 11 || got.KeyLine("objective") != 12 || got.KeyLine("bad") != 18 {
		t.Errorf("lines of %s: %d, objective %d, bad %d", got.ID(), got.Line, got.KeyLine("objective"), got.KeyLine("bad"))
	}
	want := []string{"testdata/import/specs/sloth.yml", "testdata/import/specs/open*.yaml"}
	if strings.Join(imported.SLOFiles, ",") != strings.Join(want, ",") {
		t.Errorf("SLOFiles = %q, want %q", imported.SLOFiles, want)
	}
}

func TestImportErrors(t *testing.T) {
	_, err := Load("testdata/import/bad/relia.toml")
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`testdata/import/bad/relia.toml:2: slo_files: "missing/*.yaml" matches no file (paths are relative to the folder of relia.toml)`,
		`testdata/import/bad/relia.toml:2: slo_files[2].sorce: unknown key; expected path, source or window`,
		`testdata/import/bad/specs/a.yaml:2: slos[Shop/checkout].service: expected lowercase letters, digits, '-' or '_' (it becomes part of a URL), got "Shop"`,
		`testdata/import/bad/specs/a.yaml:4: slos[Shop/checkout]: the site has several sources ("a", "b"); name the one for this file in relia.toml: slo_files = [{ path = "testdata/import/bad/specs/a.yaml", source = "..." }]`,
		`testdata/import/bad/specs/a.yaml:5: slos[Shop/checkout].objective: expected a percentage between 0 and 100 (exclusive), got 100`,
		`testdata/import/bad/specs/b.yaml:1: slos[shop/checkout]: duplicate SLO id; first defined at testdata/import/bad/relia.toml:12`,
		`testdata/import/bad/specs/b.yaml:28: slos[shop/search]: the site has several sources ("a", "b"); name the one for this file in relia.toml: slo_files = [{ path = "testdata/import/bad/specs/b.yaml", source = "..." }]`,
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

// Inputs names a configuration's input files even when it has errors.
func TestInputs(t *testing.T) {
	got, err := Inputs("testdata/import/bad/relia.toml")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	want := []string{"testdata/import/bad/a.json", "testdata/import/bad/b.json", "testdata/import/bad/missing/*.yaml", "testdata/import/bad/specs/*.yaml", "testdata/import/bad/specs/a.yaml"}
	if !slices.Equal(got, want) {
		t.Errorf("Inputs = %q, want %q", got, want)
	}
	if _, err := Inputs("testdata/syntax.bad.toml"); err == nil {
		t.Error("no error for a file that is not TOML")
	}
}
