package chaos

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testOptions ties the fixtures to services as a relia.toml would: tags
// and names equal to a service, and two patterns over Litmus names.
var testOptions = Options{
	Services: []string{"checkout", "search", "payments"},
	Map:      map[string][]string{"checkout-*": {"checkout"}, "Payments-Gateway*": {"payments"}},
}

// readerCase is one fixture of testdata/<format>/: a good log with the
// summary of every run, or a bad one with its error, line by line.
type readerCase struct {
	file string
	want []string
}

func runReaderCases(t *testing.T, format string, cases []readerCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, tt := range cases {
		path := filepath.Join("testdata", format, tt.file)
		seen[path] = true
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			runs, err := Parse(format, path, data, testOptions)
			var got []string
			if strings.Contains(tt.file, ".bad.") {
				if err == nil {
					t.Fatalf("no error; runs: %d", len(runs))
				}
				if runs != nil {
					t.Errorf("runs returned with an error")
				}
				got = strings.Split(err.Error(), "\n")
			} else {
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range runs {
					got = append(got, summary(r))
					if r.File != path || r.Source != format {
						t.Errorf("run %s: file %q source %q", r.ID, r.File, r.Source)
					}
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
	// Every fixture is in the table.
	files, _ := filepath.Glob(filepath.Join("testdata", format, "*"))
	for _, f := range files {
		if !seen[f] {
			t.Errorf("fixture %s has no case", f)
		}
	}
}

func TestChaosToolkit(t *testing.T) {
	runReaderCases(t, ChaosToolkit, []readerCase{
		{"completed.json", []string{"2026-11-12-0900-checkout-survives-losing-one-database-replica | Checkout survives losing one database replica | chaostoolkit | 2026-11-12T09:00:02Z – 2026-11-12T09:44:53Z | completed | before met, during unknown, after met → met | services checkout | hypothesis before:checkout-answers-200=tolerance met; method:terminate-db-replica=succeeded; method:replication-lag-seconds=succeeded; hypothesis after:checkout-answers-200=tolerance met; rollback:scale-replicas-back=succeeded"}},
		{"deviated.json", []string{"2026-11-12-1300-checkout-keeps-working-when-promotions-is-down | Checkout keeps working when promotions is down | chaostoolkit | 2026-11-12T13:00:00Z – 2026-11-12T14:00:00Z | failed | before met, during not met, after not met → not met | services checkout | hypothesis before:checkout-answers-200=tolerance met; method:block-promotions-egress=succeeded; hypothesis after:checkout-answers-200=tolerance not met; rollback:remove-network-policy=succeeded"}},
		{"aborted.json", []string{"2026-11-12-1100-payments-retries-a-card-processor-timeout | Payments retries a card-processor timeout | chaostoolkit | 2026-11-12T11:00:00Z – 2026-11-12T11:30:00Z | aborted | before met, during unknown, after unknown → unknown | services payments | hypothesis before:payments-authorise-ok=tolerance met; method:delay-card-processor=failed!; rollback:remove-toxic=skipped"}},
		// No end: start + duration.
		{"interrupted.json", []string{"2026-11-12-1600-search-keeps-answering-while-a-node-drains | Search keeps answering while a node drains | chaostoolkit | 2026-11-12T16:00:00Z – 2026-11-12T16:12:00Z | interrupted | before met, during unknown, after unknown → unknown | services search | method:drain-node=failed!"}},
		{"failed-before.json", []string{"2026-11-12-0800-search-survives-a-zone-outage | Search survives a zone outage | chaostoolkit | 2026-11-12T08:00:00Z – 2026-11-12T08:00:03Z | failed | before not met, during unknown, after unknown → not met | services search | hypothesis before:search-p99-under-500ms=tolerance not met"}},
		{"missing-title.bad.json", []string{"testdata/chaostoolkit/missing-title.bad.json: experiment.title: missing; expected the experiment's title"}},
		{"bad-status.bad.json", []string{`testdata/chaostoolkit/bad-status.bad.json: status: expected one of completed, failed, aborted, interrupted, got "complete"`}},
		{"tags-type.bad.json", []string{"testdata/chaostoolkit/tags-type.bad.json:4: experiment.tags: expected a list, got JSON string"}},
		{"syntax.bad.json", []string{"testdata/chaostoolkit/syntax.bad.json:5: invalid JSON: unexpected end of JSON input"}},
		{"reversed.bad.json", []string{"testdata/chaostoolkit/reversed.bad.json: end: the run ends (2026-11-12T08:00:00Z) before it starts (2026-11-12T09:00:00Z)"}},
		{"activity-time.bad.json", []string{`testdata/chaostoolkit/activity-time.bad.json: run[1]: start: expected a time such as 2026-11-12T10:00:00Z, got "yesterday"`}},
		{"no-end.bad.json", []string{"testdata/chaostoolkit/no-end.bad.json: end: missing, and neither duration nor any activity says when the run ended"}},
	})
}

func TestLitmus(t *testing.T) {
	runReaderCases(t, Litmus, []readerCase{
		{"pass.yaml", []string{"2026-11-12-1130-checkout-api-pod-delete-pod-delete | pod-delete on checkout-api-pod-delete | litmus | 2026-11-12T11:30:04Z – 2026-11-12T11:44:58Z | completed | before met, during met, after met → met | services checkout | fault:pod-delete=Pass; probe:checkout-healthz=Passed; probe:checkout-error-rate=Passed"}},
		// Annotated times: the result was reused, as its history says.
		{"fail.yaml", []string{"2026-11-12-1500-payments-gateway-latency-pod-network-latency | pod-network-latency on payments-gateway-latency | litmus | 2026-11-12T15:00:00Z – 2026-11-12T15:20:00Z | failed | before met, during not met, after unknown → not met | services payments | fault:pod-network-latency=Fail!; probe:payments-healthz=Passed; probe:payments-p99=Failed"}},
		{"awaited.yaml", []string{"2026-11-12-1640-search-api-cpu-hog-pod-cpu-hog | pod-cpu-hog on search-api-cpu-hog | litmus | 2026-11-12T16:40:00Z – 2026-11-12T16:41:30Z | running | before unknown, during unknown, after unknown → unknown | services  | fault:pod-cpu-hog=Awaited; probe:search-p99=Awaited"}},
		{"stopped.yaml", []string{"2026-11-12-1700-checkout-node-drain-node-drain | node-drain on checkout-node-drain | litmus | 2026-11-12T17:00:00Z – 2026-11-12T17:03:10Z | aborted | before unknown, during unknown, after unknown → unknown | services checkout | fault:node-drain=Stopped"}},
		{"older.yaml", []string{"2026-11-12-0700-engine-nginx-container-kill | container-kill on engine-nginx | litmus | 2026-11-12T07:00:00Z – 2026-11-12T07:05:00Z | failed | before met, during unknown, after not met → not met | services  | fault:container-kill=Fail!; probe:check-frontend-access-url=prechaos Passed 👍, postchaos Better Luck Next Time 👎"}},
		// Without probes, the verdict is the hypothesis.
		{"list.yaml", []string{
			"2026-11-12-0900-a-pod-delete | pod-delete on a | litmus | 2026-11-12T09:00:00Z – 2026-11-12T09:10:00Z | completed | before unknown, during unknown, after met → met | services  | fault:pod-delete=Pass",
			"2026-11-12-1000-b-pod-delete | pod-delete on b | litmus | 2026-11-12T10:00:00Z – 2026-11-12T10:10:00Z | failed | before unknown, during unknown, after not met → not met | services  | fault:pod-delete=Fail",
		}},
		{"list.json", []string{"2026-11-12-1200-checkout-api-pod-delete-pod-delete | pod-delete on checkout-api-pod-delete | litmus | 2026-11-12T12:00:00Z – 2026-11-12T12:15:00Z | completed | before unknown, during unknown, after met → met | services checkout | fault:pod-delete=Pass"}},
		{"no-end.bad.yaml", []string{"testdata/litmus/no-end.bad.yaml:3: metadata.managedFields: no update time, so the end of the run is unknown; export the result with kubectl get chaosresult --show-managed-fields, or annotate it with relia.dev/end (RFC 3339)"}},
		{"reused.bad.yaml", []string{"testdata/litmus/reused.bad.yaml:16: status.history: the result records 3 runs, so metadata.creationTimestamp is when the first of them started, not this one; annotate the result with relia.dev/start (RFC 3339)"}},
		{"kind.bad.yaml", []string{`testdata/litmus/kind.bad.yaml:2: kind: expected ChaosResult (or a List of them), got "ChaosEngine"`}},
		{"verdict.bad.yaml", []string{`testdata/litmus/verdict.bad.yaml:13: status.experimentStatus.verdict: expected Pass, Fail, Stopped or Awaited, got "Passed"`}},
		{"syntax.bad.yaml", []string{"testdata/litmus/syntax.bad.yaml:3: invalid YAML: did not find expected ',' or ']'"}},
	})
}

func TestGeneric(t *testing.T) {
	runReaderCases(t, Generic, []readerCase{
		{"runs.json", []string{
			"fis-az-evacuation | AWS FIS: evacuate eu-central-1b | generic | 2026-11-12T16:00:00Z – 2026-11-12T16:30:00Z | completed | before unknown, during unknown, after met → met | services checkout,payments | ",
			// The id is made slug-safe; times convert to UTC; one string of services.
			"gremlin-blackhole-7 | Gremlin Blackhole #7 | generic | 2026-11-12T16:00:00Z – 2026-11-12T16:20:00Z | completed | before unknown, during unknown, after unknown → unknown | services search | ",
		}},
		{"wrapped.json", []string{"script-dns-failover | DNS failover script | generic | 2026-11-12T18:00:00Z – 2026-11-12T18:05:00Z | failed | before unknown, during unknown, after not met → not met | services  | "}},
		{"runs.csv", []string{
			"gameday-2026-06 | Game day: lose the primary, again | generic | 2026-06-30T09:00:00Z – 2026-06-30T12:00:00Z | completed | before unknown, during unknown, after met → met | services checkout,payments | ",
			"fis-cpu-stress | FIS CPU stress on search | generic | 2026-11-12T16:00:00Z – 2026-11-12T16:20:00Z | aborted | before unknown, during unknown, after unknown → unknown | services search | ",
		}},
		{"unknown-field.bad.json", []string{`testdata/generic/unknown-field.bad.json: invalid JSON: unknown field "servics"; expected only id, title, start, end, status, hypothesis_met, services`}},
		// Every bad run is reported.
		{"bad-status.bad.json", []string{
			`testdata/generic/bad-status.bad.json: runs[1].status: expected one of completed, failed, aborted, interrupted, running, got "done"`,
			`testdata/generic/bad-status.bad.json: runs[2].id: missing; expected a unique id such as "fis-az-outage-2026-11-12"`,
		}},
		{"missing-end.bad.csv", []string{
			"testdata/generic/missing-end.bad.csv:3: end: missing; expected an RFC 3339 time such as 2026-11-12T11:00:00Z",
			`testdata/generic/missing-end.bad.csv:4: hypothesis_met: expected true, false or empty (unknown), got "perhaps"`,
		}},
		{"header.bad.csv", []string{"testdata/generic/header.bad.csv:1: name: unknown column; expected the columns id,title,start,end,status,hypothesis_met,services"}},
	})
}

func TestParseUnknownFormat(t *testing.T) {
	_, err := Parse("gremlin", "x.json", []byte("{}"), Options{})
	if err == nil || err.Error() != `x.json: unknown log format "gremlin"; expected one of chaostoolkit, litmus, generic` {
		t.Errorf("got %v", err)
	}
}

func TestCheckIDs(t *testing.T) {
	runs := []*Run{{ID: "a", File: "one.json"}, {ID: "b", File: "two.json"}, {ID: "a", File: "three.json"}}
	err := CheckIDs(runs)
	want := `three.json: id: run id "a" is also the id of a run in one.json; give one a different id (or title and start)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if err := CheckIDs(runs[:2]); err != nil {
		t.Error(err)
	}
}

func TestMakeID(t *testing.T) {
	start := time.Date(2026, 11, 12, 9, 5, 59, 0, time.FixedZone("CET", 3600))
	long := "Checkout survives losing every database replica in every availability zone at once, twice"
	id := makeID(start, long)
	if id != "2026-11-12-0805-checkout-survives-losing-every-database-replica-in-every" {
		t.Errorf("id %q", id)
	}
	if got := makeID(start, "<script>"); got != "2026-11-12-0805-script" {
		t.Errorf("id %q", got)
	}
}

func TestHypothesis(t *testing.T) {
	for _, tt := range []struct {
		before, during, after Hypothesis
		want                  Hypothesis
	}{
		{HypothesisMet, HypothesisUnknown, HypothesisMet, HypothesisMet},
		{HypothesisMet, HypothesisNotMet, HypothesisMet, HypothesisNotMet},
		{HypothesisNotMet, HypothesisUnknown, HypothesisUnknown, HypothesisNotMet},
		{HypothesisMet, HypothesisMet, HypothesisUnknown, HypothesisUnknown}, // aborted before the check after
	} {
		r := &Run{Before: tt.before, During: tt.during, After: tt.after}
		if got := r.Hypothesis(); got != tt.want {
			t.Errorf("%v/%v/%v: got %v, want %v", tt.before, tt.during, tt.after, got, tt.want)
		}
	}
	if HypothesisUnknown.Bool() != nil || !*HypothesisMet.Bool() || *HypothesisNotMet.Bool() {
		t.Error("Bool")
	}
}
