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
			// A log yields the runs it could read, then the problems of the
			// rest; a .bad. fixture has at least one problem.
			var got []string
			problems := Problems(err)
			for _, r := range runs {
				got = append(got, summary(r))
				if r.File != path || r.Source != format {
					t.Errorf("run %s: file %q source %q", r.ID, r.File, r.Source)
				}
				problems = append(problems, r.Problems...)
			}
			if err != nil {
				got = append(got, strings.Split(err.Error(), "\n")...)
			}
			if bad := strings.Contains(tt.file, ".bad."); bad != (len(problems) > 0) {
				t.Errorf("bad fixture %v, but problems: %v", bad, problems)
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
		{"missing-title.bad.json", []string{"testdata/chaostoolkit/missing-title.bad.json:2: experiment.title: missing; expected the experiment's title"}},
		{"bad-status.bad.json", []string{`testdata/chaostoolkit/bad-status.bad.json:5: status: expected one of completed, failed, aborted, interrupted, got "complete"`}},
		{"tags-type.bad.json", []string{"testdata/chaostoolkit/tags-type.bad.json:4: experiment.tags: expected a list, got JSON string"}},
		{"syntax.bad.json", []string{"testdata/chaostoolkit/syntax.bad.json:5: invalid JSON: unexpected end of JSON input"}},
		{"reversed.bad.json", []string{"testdata/chaostoolkit/reversed.bad.json: end: the run ends (2026-11-12T08:00:00Z) before it starts (2026-11-12T09:00:00Z)"}},
		{"activity-time.bad.json", []string{`testdata/chaostoolkit/activity-time.bad.json:8: run[1]: start: expected a time such as 2026-11-12T10:00:00Z, got "yesterday"`}},
		{"no-end.bad.json", []string{"testdata/chaostoolkit/no-end.bad.json:1: end: missing, and neither duration nor any activity says when the run ended"}},
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
		{"v1-lowercase.yaml", []string{"2026-11-12-0600-checkout-api-pod-delete | pod-delete on checkout-api | litmus | 2026-11-12T06:00:00Z – 2026-11-12T06:04:10Z | completed | before unknown, during unknown, after met → met | services checkout | fault:pod-delete=Pass"}},
		{"list.json", []string{"2026-11-12-1200-checkout-api-pod-delete-pod-delete | pod-delete on checkout-api-pod-delete | litmus | 2026-11-12T12:00:00Z – 2026-11-12T12:15:00Z | completed | before unknown, during unknown, after met → met | services checkout | fault:pod-delete=Pass"}},
		// Results relia cannot place in time are runs of unknown time, with the
		// reason and the fix.
		{"no-end.bad.yaml", []string{"time-unknown-checkout-api-pod-delete-pod-delete | pod-delete on checkout-api-pod-delete | litmus | time unknown | completed | before unknown, during unknown, after met → met | services checkout | fault:pod-delete=Pass | warning: testdata/litmus/no-end.bad.yaml:3: metadata.managedFields: no update time, so the end of the run is unknown; export the result with kubectl get chaosresult NAME -o yaml --show-managed-fields, or annotate it with relia.dev/end (RFC 3339)"}},
		{"reused.bad.yaml", []string{"time-unknown-checkout-api-pod-delete-pod-delete | pod-delete on checkout-api-pod-delete | litmus | time unknown | completed | before unknown, during unknown, after met → met | services checkout | fault:pod-delete=Pass | warning: testdata/litmus/reused.bad.yaml:16: status.history: the result records 3 runs, so metadata.creationTimestamp is when the first of them started, not this one; annotate the result with relia.dev/start and relia.dev/end (RFC 3339) when the run started and ended"}},
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
		// Every bad run is reported; the good ones are read.
		{"bad-status.bad.json", []string{
			"a | a | generic | 2026-11-12T16:00:00Z – 2026-11-12T16:30:00Z | completed | before unknown, during unknown, after unknown → unknown | services  | ",
			`testdata/generic/bad-status.bad.json:3: runs[1].status: expected one of completed, failed, aborted, interrupted, running, got "done"`,
			`testdata/generic/bad-status.bad.json:4: runs[2].id: missing; expected a unique id such as "fis-az-outage-2026-11-12"`,
		}},
		{"missing-end.bad.csv", []string{
			"ok | Fine | generic | 2026-11-12T16:00:00Z – 2026-11-12T16:30:00Z | completed | before unknown, during unknown, after met → met | services checkout | ",
			"testdata/generic/missing-end.bad.csv:3: end: missing; expected an RFC 3339 time such as 2026-11-12T11:00:00Z",
			`testdata/generic/missing-end.bad.csv:4: hypothesis_met: expected true, false or empty (unknown), got "perhaps"`,
		}},
		{"header.bad.csv", []string{"testdata/generic/header.bad.csv:1: name: unknown column; expected the columns id,title,start,end,status,hypothesis_met,services"}},
	})
}

func TestParseUnknownFormat(t *testing.T) {
	_, err := Parse("gremlin", "x.json", []byte("{}"), Options{})
	if err == nil || err.Error() != `x.json: unknown log format "gremlin"; expected one of chaostoolkit, litmus, generic, chaosmesh` {
		t.Errorf("got %v", err)
	}
}

func TestDedupe(t *testing.T) {
	runs := []*Run{{ID: "a", File: "one.json"}, {ID: "b", File: "two.json"}, {ID: "a", File: "three.csv", Line: 4}}
	kept, problems := Dedupe(runs)
	if len(kept) != 2 || kept[0] != runs[0] || kept[1] != runs[1] {
		t.Errorf("kept %v", kept)
	}
	want := `three.csv:4: id: run id "a" is also the id of a run in one.json, which is kept; this one is left out: give one a different id (or title and start)`
	if len(problems) != 1 || problems[0].Error() != want {
		t.Errorf("got %v, want %s", problems, want)
	}
	if _, problems := Dedupe(runs[:2]); problems != nil {
		t.Error(problems)
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

func TestChaosMesh(t *testing.T) {
	runReaderCases(t, ChaosMesh, []readerCase{
		{"podchaos.yaml", []string{
			`2026-11-12-1000-checkout-pod-failure | PodChaos pod-failure: checkout-pod-failure | chaosmesh | 2026-11-12T10:00:00Z – 2026-11-12T10:10:02Z | completed | before unknown, during unknown, after unknown → unknown | services checkout | fault:shop/checkout-api-7d9f-fghij=Succeeded; fault:shop/checkout-api-7d9f-abcde=Succeeded; fault:shop/checkout-api-7d9f-fghij=Succeeded; fault:shop/checkout-api-7d9f-abcde=Succeeded`,
		}},
		{"list.json", []string{
			`2026-11-12-1400-search-latency | NetworkChaos delay: search-latency | chaosmesh | 2026-11-12T14:00:00Z – 2026-11-12T14:30:00Z | running | before unknown, during unknown, after unknown → unknown | services search | fault:search/search-es-0=Succeeded`,
			`2026-11-12-1500-payments-cpu | StressChaos: payments-cpu | chaosmesh | 2026-11-12T15:00:00Z – 2026-11-12T15:00:10Z | failed | before unknown, during unknown, after unknown → unknown | services payments | fault:payments/payments-6c-xyz/app=Failed!; fault:payments/payments-6c-xyz/app=Failed!`,
		}},
		{"workflow.yaml", []string{
			`2026-11-12-1100-checkout-gameday | Workflow: checkout-gameday | chaosmesh | 2026-11-12T11:00:00Z – 2026-11-12T11:17:30Z | completed | before unknown, during unknown, after unknown → unknown | services checkout | template:the-entry=; template:checkout-delay=; template:pause=; template:checkout-kill=`,
		}},
		{"schedule.yaml", []string{
			`2026-11-12-1300-hourly-kill-q7x2p | PodChaos pod-kill: hourly-kill-q7x2p | chaosmesh | 2026-11-12T13:00:00Z – 2026-11-12T13:00:00Z | completed | before unknown, during unknown, after unknown → unknown | services checkout | fault:shop/checkout-api-7d9f-abcde=Succeeded; fault:shop/checkout-api-7d9f-abcde=Succeeded`,
		}},
		{"paused.yaml", []string{
			`2026-11-12-1600-payments-io | IOChaos latency: payments-io | chaosmesh | 2026-11-12T16:00:00Z – 2026-11-12T16:07:00Z | interrupted | before unknown, during unknown, after unknown → unknown | services payments | fault:payments/payments-db-0/db=Succeeded; fault:payments/payments-db-0/db=Succeeded`,
		}},
		{"v1.yaml", []string{
			`2026-11-12-0800-clock-skew | TimeChaos: clock-skew | chaosmesh | 2026-11-12T08:00:00Z – 2026-11-12T08:15:00Z | completed | before unknown, during unknown, after unknown → unknown | services search | `,
		}},
		{"manifest.bad.yaml", []string{
			`testdata/chaosmesh/manifest.bad.yaml:2: kind: DNSChaos "dns-error" has no status: this is the manifest that starts it, not the record of a run; export it after the run with kubectl get dnschaos dns-error -n shop -o yaml`,
		}},
		{"no-events.bad.yaml", []string{
			`time-unknown-checkout-http-abort | HTTPChaos: checkout-http-abort | chaosmesh | time unknown | running | before unknown, during unknown, after unknown → unknown | services checkout |  | warning: testdata/chaosmesh/no-events.bad.yaml:18: status.experiment: no injection or recovery events (containerRecords[].events), so the run cannot be placed in time; Chaos Mesh 2.1 and later record them: export the experiment with kubectl get httpchaos checkout-http-abort -n shop -o yaml`,
		}},
		{"schedule-alone.bad.yaml", []string{
			`testdata/chaosmesh/schedule-alone.bad.yaml:2: kind: Schedule "nightly-network" records no run of its own, and the file holds none of the experiments it spawned; export them with kubectl get networkchaos -n search -l managed-by=nightly-network -o yaml`,
		}},
		{"kind.bad.yaml", []string{
			`testdata/chaosmesh/kind.bad.yaml:2: kind: PodNetworkChaos is not a chaos experiment; expected an experiment (PodChaos, NetworkChaos, …), Workflow or Schedule`,
		}},
		{"syntax.bad.yaml", []string{
			`testdata/chaosmesh/syntax.bad.yaml:2: invalid YAML: did not find expected ',' or ']'`,
		}},
	})
}

// TestChaosMeshDetails checks what a run page shows of what an experiment
// did: kind, action, mode, selector, duration, targets, its Schedule.
func TestChaosMeshDetails(t *testing.T) {
	for _, tt := range []struct {
		file string
		run  int
		want string
	}{
		{"podchaos.yaml", 0, "Kind=PodChaos; Action=pod-failure; Mode=fixed 2; Selector=namespaces shop; labels app.kubernetes.io/name=checkout-api; Duration=10m; " +
			"Targets=shop/checkout-api-7d9f-abcde (Not Injected, injected 1×, recovered 1×); shop/checkout-api-7d9f-fghij (Not Injected, injected 1×, recovered 1×); " +
			"Desired phase=Stop; Conditions=AllRecovered, Selected; Namespace=shop"},
		{"list.json", 0, "Kind=NetworkChaos; Action=delay; Mode=all; Selector=pods search/search-es-0, search/search-es-1; Duration=30m; " +
			"Targets=search/search-es-0 (Injected, injected 1×, recovered 0×); Desired phase=Run; Conditions=AllInjected; Namespace=search"},
		{"schedule.yaml", 0, "Kind=PodChaos; Action=pod-kill; Mode=one; Selector=labels app=checkout-api; " +
			"Targets=shop/checkout-api-7d9f-abcde (Not Injected, injected 1×, recovered 1×); Desired phase=Stop; Conditions=AllInjected, AllRecovered; " +
			"Namespace=shop; Scheduled by=hourly-kill (@hourly)"},
		{"workflow.yaml", 0, "Entry=the-entry; Namespace=shop"},
	} {
		path := filepath.Join("testdata", "chaosmesh", tt.file)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		runs, _ := ParseChaosMesh(path, data, testOptions)
		var got []string
		for _, d := range runs[tt.run].Details {
			got = append(got, d.Name+"="+d.Value)
		}
		if g := strings.Join(got, "; "); g != tt.want {
			t.Errorf("%s: got\n  %s\nwant\n  %s", tt.file, g, tt.want)
		}
	}
	// A workflow's templates say what each step injects.
	data, _ := os.ReadFile("testdata/chaosmesh/workflow.yaml")
	runs, _ := ParseChaosMesh("workflow.yaml", data, testOptions)
	var outs []string
	for _, a := range runs[0].Activities {
		outs = append(outs, a.Name+" ("+a.Type+"): "+a.Output)
	}
	want := "the-entry (Serial): children: checkout-delay, pause, checkout-kill; deadline 30m | " +
		"checkout-delay (NetworkChaos): action delay; mode all; selector labels app=checkout-api; deadline 10m | " +
		"pause (Suspend): deadline 2m | " +
		"checkout-kill (Schedule): schedule @every 1m: PodChaos; action pod-kill; mode one; selector namespaces shop; deadline 5m"
	if g := strings.Join(outs, " | "); g != want {
		t.Errorf("workflow activities:\n  %s\nwant\n  %s", g, want)
	}
}
