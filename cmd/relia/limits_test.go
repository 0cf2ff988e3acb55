package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/rogpeppe/go-internal/testscript"
)

// The commands of testdata/script/limits.txtar: hostile inputs made at
// test time, and the peak memory of the relia that met them.

// writeRusage writes this process's peak resident set to the file named
// by $RELIA_TEST_RUSAGE, in KiB, for the maxrss command: the relia of a
// script is a process of its own, and only it knows its peak.
func writeRusage() {
	name := os.Getenv("RELIA_TEST_RUSAGE")
	if name == "" {
		return
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		os.WriteFile(name, []byte(strconv.FormatInt(ru.Maxrss, 10)), 0o644)
	}
}

// cmdMaxRSS is "maxrss FILE MiB": the relia that wrote FILE (see
// writeRusage) peaked at no more than MiB of resident memory.
func cmdMaxRSS(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: maxrss FILE MiB")
	}
	limit, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		ts.Fatalf("maxrss: %v", err)
	}
	kib, err := strconv.ParseInt(strings.TrimSpace(ts.ReadFile(args[0])), 10, 64)
	if err != nil {
		ts.Fatalf("maxrss: %v", err)
	}
	ts.Logf("maxrss: relia peaked at %d MiB", kib>>10)
	if kib>>10 > limit {
		ts.Fatalf("maxrss: relia peaked at %d MiB, more than %d MiB", kib>>10, limit)
	}
}

// cmdGzipBomb is "gzipbomb FILE MiB": a snapshot of web/availability
// whose good column inflates to MiB mebibytes of zeros from a file of a
// few KiB per 100 MiB: one gzip member of 1 MiB of "0,", repeated
// (gzip readers read the members of a file one after another).
func cmdGzipBomb(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gzipbomb FILE MiB")
	}
	mib, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("gzipbomb: %v", err)
	}
	member := func(s string) []byte {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write([]byte(s))
		zw.Close()
		return b.Bytes()
	}
	var out bytes.Buffer
	out.Write(member(`{"version": 2, "step": "1h", "slos": {"web/availability": {"start": 1793494800, "good": [`))
	zeros := member(strings.Repeat("0,", 1<<19))
	for range mib {
		out.Write(zeros)
	}
	out.Write(member(`0], "total": [1]}}}`))
	if err := os.WriteFile(ts.MkAbs(args[0]), out.Bytes(), 0o644); err != nil {
		ts.Fatalf("gzipbomb: %v", err)
	}
	ts.Logf("gzipbomb: %d KiB inflating to %d MiB", out.Len()>>10, mib)
}

// cmdEndlessProm is "endlessprom NAME": $NAME = the URL of a server on
// 127.0.0.1 that answers every request with the start of a Prometheus
// matrix and points after it until the client hangs up (or 16 GiB, so
// that a client that never does cannot hold the test for ever). The
// script's end stops it and logs what it sent.
func cmdEndlessProm(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: endlessprom NAME")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.Fatalf("endlessprom: %v", err)
	}
	var sent atomic.Int64
	points := []byte(strings.Repeat(`[1793494800,"1"],`, 4096))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		n, err := w.Write([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[`))
		sent.Add(int64(n))
		for err == nil && sent.Load() < 16<<30 {
			n, err = w.Write(points)
			sent.Add(int64(n))
		}
	})}
	go srv.Serve(ln)
	ts.Defer(func() {
		srv.Close()
		ts.Logf("endlessprom: sent %d MiB in all", sent.Load()>>20)
	})
	ts.Setenv(args[0], fmt.Sprintf("http://%s", ln.Addr()))
}

// cmdMkfifo is "mkfifo FILE": a named pipe nothing ever writes to.
func cmdMkfifo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: mkfifo FILE")
	}
	if err := syscall.Mkfifo(ts.MkAbs(args[0]), 0o644); err != nil {
		ts.Fatalf("mkfifo: %v", err)
	}
}

// cmdEnvsubst is "envsubst FILE": FILE with each $NAME or ${NAME} replaced
// by the script's variable, for a configuration that names a port found
// at run time.
func cmdEnvsubst(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: envsubst FILE")
	}
	out := os.Expand(ts.ReadFile(args[0]), ts.Getenv)
	if err := os.WriteFile(ts.MkAbs(args[0]), []byte(out), 0o644); err != nil {
		ts.Fatalf("envsubst: %v", err)
	}
}
