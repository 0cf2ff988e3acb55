// Package specimport reads SLO definitions written for other tools — Sloth
// service specs (`version: prometheus/v1` and the Kubernetes CRD
// `sloth.slok.dev/v1`, with its AlertWindows), OpenSLO `openslo/v1` SLO and
// SLI objects (also as `openslo.com/v1` operator CRDs and as oslo's
// top-level lists), and Pyrra `pyrra.dev/v1alpha1` ServiceLevelObjectives —
// into relia's terms, so a team can point relia at the files it already
// keeps.
//
// It maps and explains; it does not validate what relia.toml validates
// (slugs, objective ranges, sources): the config package runs the same
// checks on imported SLOs as on [[slos]] entries, at the lines this package
// reports. Whatever cannot be mapped faithfully is an error naming the field
// and the reason, never a guess.
package specimport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/relia-dev/relia/internal/diag"
	"github.com/relia-dev/relia/internal/slo"
	"go.yaml.in/yaml/v3"
)

// File is one spec file: its name as shown in errors, and its contents.
type File struct {
	Name string
	Src  []byte
}

// Options carry what the spec files do not say.
type Options struct {
	// Window is the SLO window of Sloth specs, which leave it to Sloth's
	// command line (--default-slo-period, 30 days unless set). Default "30d".
	Window string
	// Step is the site's step: OpenSLO time slices must be exactly one step.
	Step time.Duration
	// Timezone is the site's zone: calendar windows start there.
	Timezone string
}

// SLO is one imported SLO in relia's terms: the fields of a [[slos]] entry.
type SLO struct {
	Service, Name, Description string
	Objective                  *float64 // percent; nil when the spec has none
	Window                     string   // as relia.toml writes it: "30d", "week", "month", "quarter"
	Budgeting                  string   // "occurrences", "timeslices" or "ratio_timeslices"
	SliceThreshold             *float64
	Good, Bad, Total           string // selectors; Good or Bad is set
	// SourceRef is the metric source the spec names (OpenSLO
	// metricSourceRef), or "".
	SourceRef string

	// Rules are the SLO's alert rules when the spec sets them (Sloth
	// AlertWindows or a disabled page or ticket alert, Pyrra's windows);
	// nil leaves relia's default rules. NoAlerts: the spec turns every
	// alert off. AlertOrigin says where they were set, for the pages.
	Rules       []slo.RuleSpec
	NoAlerts    bool
	AlertOrigin string

	File string         // the spec file
	Line int            // where the SLO is defined
	Keys map[string]int // the line each relia key was taken from, e.g. "objective"
}

// Error is a problem at a place in an input: see diag.Error.
type Error = diag.Error

// Read maps every SLO of files. An OpenSLO SLO may name an SLI object
// (indicatorRef) defined in any of the files, and Sloth AlertWindows apply
// to the Sloth SLOs of all the files. Documents of other kinds (OpenSLO
// Service, DataSource, AlertPolicy) are skipped. All problems are returned,
// joined, together with the SLOs that did map: the caller can go on
// checking those. Warnings are what relia reads but does not apply (Sloth
// plugins, Pyrra grouping, unused AlertWindows), sorted by file and line.
func Read(files []File, opts Options) ([]SLO, []*Error, error) {
	if opts.Window == "" {
		opts.Window = "30d"
	}
	r := &reader{opts: opts, slis: map[string]located{}, windows: map[time.Duration]*alertWindows{}}
	var docs []located
	for _, f := range files {
		ds, err := documents(f)
		if err != nil {
			r.errs = append(r.errs, err)
			continue
		}
		for _, d := range ds {
			if str(d.node, "apiVersion") == slothK8sVersion && str(d.node, "kind") == "AlertWindows" {
				r.alertWindows(d.file, d.node)
			}
			if isOpenSLO(str(d.node, "apiVersion")) && str(d.node, "kind") == "SLI" {
				name := str(child(d.node, "metadata"), "name")
				if name == "" {
					r.fail(d.file, d.node, "metadata.name", "missing; an SLI object needs a name for indicatorRef")
					continue
				}
				r.slis[name] = d
			}
		}
		docs = append(docs, ds...)
	}
	for _, d := range docs {
		r.document(d)
	}
	r.unusedWindows()
	slices.SortStableFunc(r.warns, func(a, b *Error) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	if len(r.errs) > 0 {
		slices.SortStableFunc(r.errs, func(a, b error) int {
			var ea, eb *Error
			errors.As(a, &ea)
			errors.As(b, &eb)
			if c := strings.Compare(ea.File, eb.File); c != 0 {
				return c
			}
			return ea.Line - eb.Line
		})
		// An objective re-reads its SLO's indicator: one mistake there
		// is one error, not one per objective.
		r.errs = slices.CompactFunc(r.errs, func(a, b error) bool { return a.Error() == b.Error() })
		return r.slos, r.warns, errors.Join(r.errs...)
	}
	return r.slos, r.warns, nil
}

// located is a YAML node and the file it is in.
type located struct {
	file string
	node *yaml.Node
}

type reader struct {
	opts    Options
	slis    map[string]located              // OpenSLO SLI objects by name
	windows map[time.Duration]*alertWindows // Sloth AlertWindows by SLO period
	slos    []SLO
	errs    []error
	warns   []*Error
	sloths  int // Sloth SLOs read, for the warning about unused AlertWindows
}

// warn records something relia reads but does not apply.
func (r *reader) warn(file string, at *yaml.Node, field, format string, args ...any) {
	line := 0
	if at != nil {
		line = at.Line
	}
	r.warns = append(r.warns, &Error{File: file, Line: line, Key: field, Msg: fmt.Sprintf(format, args...)})
}

func (r *reader) fail(file string, at *yaml.Node, field, format string, args ...any) {
	line := 0
	if at != nil {
		line = at.Line
	}
	r.errs = append(r.errs, &Error{File: file, Line: line, Key: field, Msg: fmt.Sprintf(format, args...)})
}

const (
	slothVersion    = "prometheus/v1"
	slothK8sVersion = "sloth.slok.dev/v1"
	openSLOVersion  = "openslo/v1"
	// openSLOK8sVersion is the group OpenSLO's Kubernetes operators (osko)
	// serve the same objects under.
	openSLOK8sVersion = "openslo.com/v1"
	pyrraVersion      = "pyrra.dev/v1alpha1"
)

func isOpenSLO(apiVersion string) bool {
	return apiVersion == openSLOVersion || apiVersion == openSLOK8sVersion
}

func (r *reader) document(d located) {
	n := d.node
	switch {
	case str(n, "version") == slothVersion:
		r.sloth(d.file, n, false)
	case str(n, "apiVersion") == slothK8sVersion:
		switch k := str(n, "kind"); k {
		case "PrometheusServiceLevel":
			r.sloth(d.file, child(n, "spec"), true)
		case "AlertWindows": // read before the SLOs
		default:
			r.fail(d.file, child(n, "kind"), "kind", "expected PrometheusServiceLevel or AlertWindows for apiVersion %s, got %q", slothK8sVersion, k)
		}
	case isOpenSLO(str(n, "apiVersion")):
		if str(n, "kind") == "SLO" {
			r.openSLO(d.file, n)
		}
	case strings.HasPrefix(str(n, "apiVersion"), "openslo/") || strings.HasPrefix(str(n, "apiVersion"), "openslo.com/"):
		// Only SLOs matter: a v1alpha Service beside v1 SLOs (as oslo's
		// mixed files have) is skipped like any other kind.
		if str(n, "kind") == "SLO" {
			r.fail(d.file, child(n, "apiVersion"), "apiVersion", "relia reads openslo/v1 (and openslo.com/v1); convert %s objects with the OpenSLO tooling (oslo convert)", str(n, "apiVersion"))
		}
	case str(n, "apiVersion") == pyrraVersion:
		if k := str(n, "kind"); k != "ServiceLevelObjective" {
			r.fail(d.file, child(n, "kind"), "kind", "expected ServiceLevelObjective for apiVersion %s, got %q", pyrraVersion, k)
			return
		}
		r.pyrra(d.file, n)
	default:
		at := child(n, "version")
		if at == nil {
			at = child(n, "apiVersion")
		}
		if at == nil {
			at = n
		}
		r.fail(d.file, at, "", "not an SLO spec relia reads: expected version: %s (Sloth), apiVersion: %s (Sloth on Kubernetes), %s or %s (OpenSLO), or %s (Pyrra)",
			slothVersion, slothK8sVersion, openSLOVersion, openSLOK8sVersion, pyrraVersion)
	}
}

// maxDocuments bounds the objects of one file: a spec file holds a few
// dozen; a generated dump of thousands is a mistake to report, not to read.
const maxDocuments = 1000

// documents splits a file into its objects: the root mapping of each YAML
// document, or each element of a document that is a list (the shape
// OpenSLO's oslo tool reads and writes).
func documents(f File) ([]located, error) {
	dec := yaml.NewDecoder(bytes.NewReader(f.Src))
	var out []located
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &Error{File: f.Name, Line: yamlErrLine(err), Msg: "yaml: " + strings.TrimPrefix(yamlErrMsg(err), "yaml: ")}
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		items := []*yaml.Node{root}
		if root.Kind == yaml.SequenceNode {
			items = root.Content
		}
		for _, it := range items {
			if it.Kind != yaml.MappingNode {
				return nil, &Error{File: f.Name, Line: it.Line, Msg: "expected a mapping (an object with apiVersion or version) at the top of the document, or a list of them"}
			}
			out = append(out, located{file: f.Name, node: it})
		}
		if len(out) > maxDocuments {
			return nil, &Error{File: f.Name, Line: root.Line, Msg: fmt.Sprintf("more than %d objects in one file", maxDocuments)}
		}
	}
	if len(out) == 0 {
		return nil, &Error{File: f.Name, Msg: "no YAML document in the file"}
	}
	return out, nil
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

func yamlErrLine(err error) int {
	if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

var yamlLinePrefixRe = regexp.MustCompile(`line \d+: `)

func yamlErrMsg(err error) string { return yamlLinePrefixRe.ReplaceAllString(err.Error(), "") }

// child returns the value of key in mapping n, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// keyOf returns the key node of key in mapping n, or nil: errors about a
// block value point at the line of its key, not of its first entry.
func keyOf(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return nil
}

// path follows keys through nested mappings.
func path(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = child(n, k)
	}
	return n
}

// str is the scalar value of key in n, or "".
func str(n *yaml.Node, key string) string {
	c := child(n, key)
	if c == nil || c.Kind != yaml.ScalarNode {
		return ""
	}
	return c.Value
}

// number reads a scalar as a float.
func number(n *yaml.Node) (float64, bool) {
	if n == nil || n.Kind != yaml.ScalarNode {
		return 0, false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// percent turns a fraction into a percentage without binary noise
// (0.999 → 99.9, not 99.89999999999999): relia takes 1 − objective at
// decimal precision, and so must the import.
func percent(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f*100, 'g', 12, 64), 64)
	return v
}
