package chaos

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// corpusDir is the real-world corpus beside the repository (see
// ../shared/corpus/README.md): files other projects' users wrote. Tests
// read it in place; none of it is copied into the repository.
const corpusDir = "../../../shared/corpus"

// TestCorpus walks every file of the chaos folders of the corpus: each
// either reads with the expected runs (id, status, times, services) or
// is refused with the problem a user would see. Files that are no log
// (sources lists, API types, docs, kubectl describe output) are fed to
// the reader too, and must be refused for a reason that says so.
func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("no corpus at %s (it lives beside the repository, not in it): %v", corpusDir, err)
	}
	opts := Options{
		Services: []string{"nginx", "greeting"},
		Map:      map[string][]string{"nginx-*": {"nginx"}, "*greeting*": {"greeting"}},
	}
	// Per file: "read: ID | STATUS | START – END | services S" for each run
	// (a run of unknown time shows "time unknown" and its warning), or
	// "refused: MESSAGE" (the problem without its file name).
	cases := []struct {
		dir, format, file string
		want              []string
	}{
		{"chaostoolkit", ChaosToolkit, "aadhithya-lab3.journal.json", []string{"read: 2025-11-07-2112-circuit-10-calls-single-shot-retries-with-jitter-with-initial | completed | 2025-11-07T21:12:54Z – 2025-11-07T21:13:50Z | hypothesis not met | services "}},
		{"chaostoolkit", ChaosToolkit, "adhorn-eleanor.journal.json", []string{"read: 2019-05-08-1448-what-is-the-impact-of-an-terminating-the-database-master | failed | 2019-05-08T14:48:11Z – 2019-05-08T14:48:39Z | hypothesis not met | services "}},
		{"chaostoolkit", ChaosToolkit, "ansible-10779164-json.journal.json", []string{"read: 2020-09-10-1124-test | completed | 2020-09-10T11:24:54Z – 2020-09-10T11:25:27Z | hypothesis unknown | services "}},
		{"chaostoolkit", ChaosToolkit, "ansible-10779164.journal.json", []string{"read: 2020-10-29-0133-test | interrupted | 2020-10-29T01:33:52Z – 2020-10-29T01:34:02Z | hypothesis unknown | services "}},
		// The 2017 report of chaoslib 0.1.1: no run status, no verdict.
		{"chaostoolkit", ChaosToolkit, "chaostoolkit-chaos-report-2017.json", []string{"read: 2017-10-06-2024-losing-configuration-file-should-not-fail-the-service | completed | 2017-10-06T20:24:00Z – 2017-10-06T20:24:00Z | hypothesis unknown | services "}},
		{"chaostoolkit", ChaosToolkit, "ferkhan-chaos-toolkit.journal.json", []string{"read: 2026-01-16-1651-what-happens-if-a-backend-service-crashes | failed | 2026-01-16T16:51:52Z – 2026-01-16T16:52:03Z | hypothesis not met | services "}},
		{"chaostoolkit", ChaosToolkit, "ftc-experimento.journal.json", []string{"read: 2023-11-30-0418-do-we-remain-available-in-face-of-pod-going-down | completed | 2023-11-30T04:18:01Z – 2023-11-30T04:18:17Z | hypothesis met | services "}},
		{"chaostoolkit", ChaosToolkit, "kgruszka-chaos-demo.journal.json", []string{"read: 2020-10-08-0043-what-is-the-impact-of-external-jokes-api-being-unreachable | completed | 2020-10-08T00:43:22Z – 2020-10-08T00:43:26Z | hypothesis met | services "}},
		{"chaostoolkit", ChaosToolkit, "lfmpaes-chaos-experiment.journal.json", []string{"read: 2025-04-26-0012-teste-simples-de-falha-no-redis | completed | 2025-04-26T00:12:46Z – 2025-04-26T00:12:47Z | hypothesis met | services "}},
		{"chaostoolkit", ChaosToolkit, "mdrcs-chaos-engineering.journal.json", []string{"read: 2020-06-05-0913-terminating-the-greeting-service-should-not-impact-users | failed | 2020-06-05T09:13:58Z – 2020-06-05T09:13:58Z | hypothesis not met | services greeting"}},
		{"chaostoolkit", ChaosToolkit, "mengze-chaosblade.journal.json", []string{"read: 2026-05-05-1348-extended-fault-injection-experiment | completed | 2026-05-05T13:48:05Z – 2026-05-05T13:48:05Z | hypothesis unknown | services "}},
		{"chaostoolkit", ChaosToolkit, "tauber-spring-boot.journal.json", []string{"read: 2025-08-20-1344-get-employees-when-database-is-down | completed | 2025-08-20T13:44:41Z – 2025-08-20T13:44:42Z | hypothesis met | services "}},
		{"chaostoolkit", ChaosToolkit, "SOURCES.txt", []string{"refused: SOURCES.txt:1: invalid JSON: invalid character 'm' looking for beginning of value"}},

		// Rendered litmus-python templates: no creationTimestamp, no managedFields.
		{"litmus", Litmus, "litmus-python-template-fail.yaml", []string{"read: time-unknown-chaos | failed | time unknown | hypothesis not met | services  | warning: litmus-python-template-fail.yaml:5: metadata.creationTimestamp: missing, so the start of the run is unknown; export the result with kubectl get chaosresult NAME -o yaml, or annotate it with relia.dev/start (RFC 3339)"}},
		{"litmus", Litmus, "litmus-python-template-pass.yaml", []string{"read: time-unknown-aws-az-chaos | completed | time unknown | hypothesis met | services  | warning: litmus-python-template-pass.yaml:5: metadata.creationTimestamp: missing, so the start of the run is unknown; export the result with kubectl get chaosresult NAME -o yaml, or annotate it with relia.dev/start (RFC 3339)"}},
		{"litmus", Litmus, "litmus-python-template-running.yaml", []string{"read: time-unknown-load-test-chaos | running | time unknown | hypothesis unknown | services  | warning: litmus-python-template-running.yaml:5: metadata.creationTimestamp: missing, so the start of the run is unknown; export the result with kubectl get chaosresult NAME -o yaml, or annotate it with relia.dev/start (RFC 3339)"}},
		// A paste from a JSON viewer: "managedFields ":Array[1] is no JSON.
		{"litmus", Litmus, "chaos-operator-issue368-paste.json", []string{"refused: chaos-operator-issue368-paste.json:18: invalid JSON: invalid character 'A' looking for beginning of value"}},
		{"litmus", Litmus, "litmus-docs-describe-probe.out", []string{"refused: litmus-docs-describe-probe.out:12: Kind: this is kubectl describe output, which holds no times; export the result with kubectl get chaosresult NAME -o yaml --show-managed-fields"}},
		{"litmus", Litmus, "litmus-docs-describe-status.out", []string{"refused: litmus-docs-describe-status.out:12: Kind: this is kubectl describe output, which holds no times; export the result with kubectl get chaosresult NAME -o yaml --show-managed-fields"}},
		{"litmus", Litmus, "SOURCES.txt", []string{"refused: SOURCES.txt:1: cannot unmarshal !!str `litmus-...` into chaos.litmusObject"}},

		{"derived/litmus", Litmus, "annotated-fail.yaml", []string{"read: 2026-11-12-1000-chaos | failed | 2026-11-12T10:00:00Z – 2026-11-12T10:10:00Z | hypothesis not met | services "}},
		{"derived/litmus", Litmus, "annotated-pass.yaml", []string{"read: 2026-11-12-1000-aws-az-chaos | completed | 2026-11-12T10:00:00Z – 2026-11-12T10:10:00Z | hypothesis met | services "}},
		{"derived/litmus", Litmus, "annotated-running.yaml", []string{"read: 2026-11-12-1000-load-test-chaos | running | 2026-11-12T10:00:00Z – 2026-11-12T10:10:00Z | hypothesis unknown | services "}},
		// Litmus 1.x: status.experimentstatus; the verdict is read.
		{"derived/litmus", Litmus, "pr48-reconstructed-list-with-mf.yaml", []string{"read: 2020-03-18-1543-nginx-chaos-pod-delete | completed | 2020-03-18T15:43:52Z – 2020-03-18T15:45:10Z | hypothesis met | services nginx"}},
		{"derived/litmus", Litmus, "pr48-reconstructed-list.yaml", []string{"read: time-unknown-nginx-chaos-pod-delete | completed | time unknown | hypothesis met | services nginx | warning: pr48-reconstructed-list.yaml:5: items[0].metadata.managedFields: no update time, so the end of the run is unknown; export the result with kubectl get chaosresult NAME -o yaml --show-managed-fields, or annotate it with relia.dev/end (RFC 3339)"}},
		// The operator wrote an empty phase and verdict: nothing to report.
		{"derived/litmus", Litmus, "issue368-cleaned.json", []string{"refused: issue368-cleaned.json:35: status.experimentStatus.verdict: missing; expected Pass, Fail, Stopped or Awaited"}},
		{"derived/litmus", Litmus, "README.txt", []string{"refused: README.txt:1: kind: missing; expected ChaosResult (or a List of them)"}},

		// The examples of chaos-mesh/chaos-mesh are manifests: no status, no run.
		{"chaosmesh", ChaosMesh, "examples_network-delay-example.yaml", []string{`refused: examples_network-delay-example.yaml:16: kind: NetworkChaos "network-delay-example" has no status: this is the manifest that starts it, not the record of a run; export it after the run with kubectl get networkchaos network-delay-example -o yaml`}},
		{"chaosmesh", ChaosMesh, "examples_pod-kill-example.yaml", []string{`refused: examples_pod-kill-example.yaml:16: kind: PodChaos "pod-kill-example" has no status: this is the manifest that starts it, not the record of a run; export it after the run with kubectl get podchaos pod-kill-example -o yaml`}},
		{"chaosmesh", ChaosMesh, "examples_schedule-podchaos.yaml", []string{`refused: examples_schedule-podchaos.yaml:16: kind: Schedule "schedule-pod-kill-example" records no run of its own, and the file holds none of the experiments it spawned; export them with kubectl get podchaos -l managed-by=schedule-pod-kill-example -o yaml`}},
		{"chaosmesh", ChaosMesh, "examples_workflow_serial.yaml", []string{`refused: examples_workflow_serial.yaml:16: kind: Workflow "try-workflow-serial" has no status: this is the manifest that starts it, not the record of a run; export it after the run with kubectl get workflow try-workflow-serial -o yaml`}},
		// A status proposed in an issue, without apiVersion or kind.
		{"chaosmesh", ChaosMesh, "issue3127-status-proposal.yaml", []string{"refused: issue3127-status-proposal.yaml:2: kind: missing; expected a Chaos Mesh experiment (PodChaos, NetworkChaos, …), Workflow or Schedule"}},
		{"chaosmesh", ChaosMesh, "api_v1alpha1_common_types.go", []string{"refused: api_v1alpha1_common_types.go:134: invalid YAML: mapping values are not allowed in this context"}},
		{"chaosmesh", ChaosMesh, "api_v1alpha1_workflow_types.go", []string{"refused: api_v1alpha1_workflow_types.go:158: invalid YAML: mapping values are not allowed in this context"}},
		{"chaosmesh", ChaosMesh, "website_docs_inspect-chaos-experiments.md", []string{"refused: website_docs_inspect-chaos-experiments.md:8: invalid YAML: did not find expected <document start>"}},
		{"chaosmesh", ChaosMesh, "SOURCES.txt", []string{"refused: SOURCES.txt:1: cannot unmarshal !!str `example...` into chaos.meshObject"}},
	}
	seen := map[string]bool{}
	for _, tt := range cases {
		path := filepath.Join(corpusDir, tt.dir, tt.file)
		seen[path] = true
		t.Run(tt.dir+"/"+tt.file, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			runs, err := Parse(tt.format, tt.file, data, opts)
			var got []string
			for _, r := range runs {
				span := r.Start.Format(time.RFC3339) + " – " + r.End.Format(time.RFC3339)
				if r.TimeUnknown {
					span = "time unknown"
				}
				s := "read: " + strings.Join([]string{r.ID, r.Status, span, "hypothesis " + r.Hypothesis().String(), "services " + strings.Join(r.Services, ",")}, " | ")
				for _, p := range r.Problems {
					s += " | warning: " + p.Error()
				}
				got = append(got, s)
			}
			for _, p := range Problems(err) {
				got = append(got, "refused: "+p.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
	// Every file of the chaos folders has a case: a new corpus file needs one.
	for _, dir := range []string{"chaostoolkit", "litmus", "derived/litmus", "chaosmesh"} {
		files, _ := filepath.Glob(filepath.Join(corpusDir, dir, "*"))
		for _, f := range files {
			if !seen[f] {
				t.Errorf("corpus file %s has no case", f)
			}
		}
	}
}
