package main

import (
	"bytes"
	"context"
	"math"
	"testing"
	"time"

	"github.com/relia-dev/relia/internal/metrics"
)

// The demo snapshot is committed: regenerating it must give the same bytes.
func TestGenerateIsDeterministic(t *testing.T) {
	end := time.Date(2026, 11, 10, 23, 0, 0, 0, time.UTC) // takes in incident 1
	var a, b bytes.Buffer
	if err := write(&a, end, generate(end, 3)); err != nil {
		t.Fatal(err)
	}
	if err := write(&b, end, generate(end, 3)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two runs wrote different bytes")
	}

	snap, err := metrics.ReadSnapshot(&a, "demo.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	if !snap.RecordedAt().Equal(end) || snap.Step() != step || len(snap.SLOs()) != len(slos) {
		t.Errorf("snapshot: recorded %v, step %v, SLOs %q", snap.RecordedAt(), snap.Step(), snap.SLOs())
	}
	q := metrics.Query{SLO: "checkout/availability", From: end.Add(-3 * 24 * time.Hour), To: end, Step: step}
	s, err := snap.Fetch(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var good, total float64
	for i := range s.Len() {
		if math.IsNaN(s.Total[i]) {
			t.Fatalf("no data at %v", s.End(i))
		}
		if τ := s.End(i); in(τ, inc1Start, inc1Mitigated) {
			good += s.Good[i]
			total += s.Total[i]
		}
	}
	if share := 1 - good/total; share < 0.03 || share > 0.15 {
		t.Errorf("incident 1 5xx share %.3f, want a few percent", share)
	}
}

func TestGap(t *testing.T) {
	end := time.Date(2026, 9, 14, 12, 0, 0, 0, time.UTC)
	s := generate(end, 1)["search/latency"]
	var missing int
	for i := range s.Len() {
		if math.IsNaN(s.Total[i]) != in(s.End(i), gapStart, gapEnd) {
			t.Fatalf("step %v: total %v", s.End(i), s.Total[i])
		}
		if math.IsNaN(s.Total[i]) {
			missing++
		}
	}
	if missing != 24 {
		t.Errorf("%d steps without data, want 24 (two hours)", missing)
	}
}

func TestLoadCurve(t *testing.T) {
	// 03:30 and 15:30 in Berlin (CET, UTC+1) are the trough and the peak.
	night := load(time.Date(2026, 11, 10, 2, 35, 0, 0, time.UTC))
	afternoon := load(time.Date(2026, 11, 10, 14, 35, 0, 0, time.UTC))
	if night > 0.01 || afternoon < 0.99 {
		t.Errorf("load at night %.3f, in the afternoon %.3f", night, afternoon)
	}
}
