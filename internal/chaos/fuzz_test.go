package chaos

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/relia-dev/relia/internal/content"
)

// Fuzz every reader: no panic, errors allowed; what parses is a valid Run.
//
//	go test ./internal/chaos -run ^$ -fuzz FuzzChaosToolkit -fuzztime 1m
//	go test ./internal/chaos -run ^$ -fuzz FuzzLitmus -fuzztime 1m
//	go test ./internal/chaos -run ^$ -fuzz FuzzGeneric -fuzztime 1m

func FuzzChaosToolkit(f *testing.F) {
	seed(f, "chaostoolkit", "*")
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseChaosToolkit("fuzz.json", data, testOptions)
		if err != nil {
			if r != nil {
				t.Fatal("a run with an error")
			}
			return
		}
		checkRun(t, r)
	})
}

func FuzzLitmus(f *testing.F) {
	seed(f, "litmus", "*")
	f.Fuzz(func(t *testing.T, data []byte) {
		runs, err := ParseLitmus("fuzz.yaml", data, testOptions)
		checkRuns(t, runs, err)
	})
}

// FuzzGeneric reads each input as JSON and as CSV.
func FuzzGeneric(f *testing.F) {
	seed(f, "generic", "*")
	f.Fuzz(func(t *testing.T, data []byte) {
		runs, err := ParseGeneric("fuzz.json", data, testOptions)
		checkRuns(t, runs, err)
		runs, err = ParseGeneric("fuzz.csv", data, testOptions)
		checkRuns(t, runs, err)
	})
}

func seed(f *testing.F, dir, pattern string) {
	files, err := filepath.Glob(filepath.Join("testdata", dir, pattern))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/%s: %v", dir, err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func checkRuns(t *testing.T, runs []*Run, err error) {
	t.Helper()
	for _, p := range Problems(err) {
		if p.File == "" || p.Msg == "" {
			t.Fatalf("a problem without a file or message: %v", p)
		}
	}
	for _, r := range runs {
		checkRun(t, r)
	}
}

func checkRun(t *testing.T, r *Run) {
	t.Helper()
	switch {
	case r == nil:
		t.Fatal("nil run without an error")
	case r.ID == "" || content.Slug(r.ID) != r.ID:
		t.Fatalf("id %q is not slug-safe", r.ID)
	case r.TimeUnknown && (len(r.Problems) == 0 || !r.Start.IsZero() || !r.End.IsZero()):
		t.Fatalf("run %s of unknown time: problems %v, start %v, end %v", r.ID, r.Problems, r.Start, r.End)
	case r.End.Before(r.Start):
		t.Fatalf("run %s ends before it starts", r.ID)
	case !slices.Contains(Statuses, r.Status):
		t.Fatalf("run %s: status %q", r.ID, r.Status)
	case strings.TrimSpace(r.Title) == "":
		t.Fatalf("run %s has no title", r.ID)
	case r.Start.Location().String() != "UTC":
		t.Fatalf("run %s starts in %s", r.ID, r.Start.Location())
	}
}

// go test ./internal/chaos -run ^$ -fuzz FuzzChaosMesh -fuzztime 1m
func FuzzChaosMesh(f *testing.F) {
	seed(f, "chaosmesh", "*")
	f.Fuzz(func(t *testing.T, data []byte) {
		runs, err := ParseChaosMesh("fuzz.yaml", data, testOptions)
		checkRuns(t, runs, err)
	})
}
