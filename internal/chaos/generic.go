package chaos

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/relia-dev/relia/internal/content"
)

// GenericFields are the fields of the generic format, in the order of its
// CSV header: for runs of any other tool (AWS FIS, Gremlin, scripts).
var GenericFields = []string{"id", "title", "start", "end", "status", "hypothesis_met", "services"}

// genericRun is one run of the generic JSON format.
type genericRun struct {
	ID            *string     `json:"id"`
	Title         string      `json:"title"`
	Start         *string     `json:"start"`
	End           *string     `json:"end"`
	Status        string      `json:"status"`
	HypothesisMet *bool       `json:"hypothesis_met"`
	Services      serviceList `json:"services"`
}

// serviceList is a JSON list of service names, or one string of names
// separated by commas, semicolons or spaces.
type serviceList []string

func (s *serviceList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = splitServices(one)
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// serviceRe is the shape relia.toml requires of service names.
var serviceRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func splitServices(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' })
}

// ParseGeneric reads the generic format: CSV when the file name ends in
// .csv, JSON otherwise.
//
// JSON is a list of runs, or an object {"runs": [...]}; each run has the
// GenericFields: "id" (made slug-safe), "title" (default: the id), "start"
// and "end" (RFC 3339), "status" (one of Statuses; default completed),
// "hypothesis_met" (true, false or null for unknown) and "services" (a
// list, or one string of names). Unknown fields are errors.
//
// CSV has a header row naming its columns (GenericFields, in any order;
// id, start and end are required), one run per row; services are
// separated by semicolons or spaces, hypothesis_met is true, false, yes,
// no or empty.
func ParseGeneric(file string, data []byte, opts Options) ([]*Run, error) {
	if strings.EqualFold(filepath.Ext(file), ".csv") {
		return parseGenericCSV(file, data, opts)
	}
	return parseGenericJSON(file, data, opts)
}

func parseGenericJSON(file string, data []byte, opts Options) ([]*Run, error) {
	var list []genericRun
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var doc struct {
			Runs *[]genericRun `json:"runs"`
		}
		if err := strictJSON(trimmed, &doc); err != nil {
			return nil, jsonError(file, trimmed, err)
		}
		if doc.Runs == nil {
			return nil, &Error{File: file, Key: "runs", Msg: "missing; expected {\"runs\": [...]} or a list of runs"}
		}
		list = *doc.Runs
	} else if err := strictJSON(trimmed, &list); err != nil {
		return nil, jsonError(file, trimmed, err)
	}
	lines := jsonItemLines(data)
	var runs []*Run
	var errs []error
	for i, g := range list {
		field := fmt.Sprintf("runs[%d].", i)
		line := 0
		if i < len(lines) {
			line = lines[i]
		}
		r, err := genericToRun(file, line, field, g, opts)
		if r != nil {
			r.Line = line
		}
		if err != nil {
			errs = append(errs, err)
			if len(errs) >= maxErrors {
				break
			}
			continue
		}
		runs = append(runs, r)
	}
	return runs, errors.Join(errs...)
}

// jsonItemLines are the lines where each run of a generic JSON file
// begins, in a list or under "runs"; nil when they cannot be found.
func jsonItemLines(data []byte) []int {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return nil
	}
	list := root.Content[0]
	if list.Kind == yaml.MappingNode {
		list = mapValue(list, "runs")
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil
	}
	lines := make([]int, len(list.Content))
	for i, n := range list.Content {
		lines[i] = n.Line
	}
	return lines
}

func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			return fmt.Errorf("%s; expected only %s", strings.TrimPrefix(err.Error(), "json: "), strings.Join(GenericFields, ", "))
		}
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the runs")
	}
	return nil
}

func genericToRun(file string, line int, prefix string, g genericRun, opts Options) (*Run, error) {
	fail := func(field, format string, args ...any) error {
		return &Error{File: file, Line: line, Key: prefix + field, Msg: fmt.Sprintf(format, args...)}
	}
	if g.ID == nil || strings.TrimSpace(*g.ID) == "" {
		return nil, fail("id", "missing; expected a unique id such as \"fis-az-outage-2026-11-12\"")
	}
	r := &Run{ID: content.Slug(*g.ID), Title: strings.TrimSpace(g.Title), Source: Generic, File: file, Status: g.Status}
	if r.Title == "" {
		r.Title = strings.TrimSpace(*g.ID)
	}
	var err error
	if g.Start == nil || *g.Start == "" {
		return nil, fail("start", "missing; expected an RFC 3339 time such as 2026-11-12T10:00:00Z")
	}
	if r.Start, err = parseTime(*g.Start); err != nil {
		return nil, fail("start", "%v", err)
	}
	if g.End == nil || *g.End == "" {
		return nil, fail("end", "missing; expected an RFC 3339 time such as 2026-11-12T11:00:00Z")
	}
	if r.End, err = parseTime(*g.End); err != nil {
		return nil, fail("end", "%v", err)
	}
	if r.End.Before(r.Start) {
		return nil, fail("end", "%s is before the start %s", *g.End, *g.Start)
	}
	if r.Status == "" {
		r.Status = StatusCompleted
	}
	if !slices.Contains(Statuses, r.Status) {
		return nil, fail("status", "expected one of %s, got %q", strings.Join(Statuses, ", "), r.Status)
	}
	r.After = hypothesisOf(g.HypothesisMet)
	for _, s := range g.Services {
		if !serviceRe.MatchString(s) {
			return nil, fail("services", "expected service names (lowercase letters, digits, '-' and '_'), got %q", s)
		}
	}
	r.Services = opts.services(g.Services, nil, r.Title)
	return r, nil
}

func parseGenericCSV(file string, data []byte, opts Options) ([]*Run, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &Error{File: file, Line: 1, Msg: "empty; expected a header row: " + strings.Join(GenericFields, ",")}
	}
	if err != nil {
		return nil, csvError(file, err)
	}
	col := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(GenericFields, name) {
			return nil, &Error{File: file, Line: 1, Key: name, Msg: "unknown column; expected the columns " + strings.Join(GenericFields, ",")}
		}
		if _, dup := col[name]; dup {
			return nil, &Error{File: file, Line: 1, Key: name, Msg: "column given twice"}
		}
		col[name] = i
	}
	for _, need := range []string{"id", "start", "end"} {
		if _, ok := col[need]; !ok {
			return nil, &Error{File: file, Line: 1, Key: need, Msg: "missing column; the header must name at least id, start and end"}
		}
	}
	var runs []*Run
	var errs []error
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(file, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			errs = append(errs, &Error{File: file, Line: line, Msg: fmt.Sprintf("%d fields, but the header names %d columns", len(rec), len(header))})
			continue
		}
		get := func(name string) (string, bool) {
			i, ok := col[name]
			if !ok {
				return "", false
			}
			return strings.TrimSpace(rec[i]), true
		}
		var g genericRun
		if v, _ := get("id"); v != "" {
			g.ID = &v
		}
		g.Title, _ = get("title")
		if v, _ := get("start"); v != "" {
			g.Start = &v
		}
		if v, _ := get("end"); v != "" {
			g.End = &v
		}
		g.Status, _ = get("status")
		if v, _ := get("hypothesis_met"); v != "" {
			var met bool
			switch strings.ToLower(v) {
			case "true", "yes", "1":
				met = true
			case "false", "no", "0":
			default:
				errs = append(errs, &Error{File: file, Line: line, Key: "hypothesis_met", Msg: fmt.Sprintf("expected true, false or empty (unknown), got %q", v)})
				continue
			}
			g.HypothesisMet = &met
		}
		if v, _ := get("services"); v != "" {
			g.Services = splitServices(v)
		}
		r, err := genericToRun(file, line, "", g, opts)
		if r != nil {
			r.Line = line
		}
		if err != nil {
			errs = append(errs, err)
			if len(errs) >= maxErrors {
				break
			}
			continue
		}
		runs = append(runs, r)
	}
	return runs, errors.Join(errs...)
}

func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{File: file, Line: pe.Line, Msg: "invalid CSV: " + pe.Err.Error()}
	}
	return &Error{File: file, Msg: "invalid CSV: " + err.Error()}
}
