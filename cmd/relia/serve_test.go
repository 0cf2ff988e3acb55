package main

import (
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdFreePort is "freeport NAME": it sets $NAME to a port free on the
// loopback interface, for a script to run relia serve on.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport NAME")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.Fatalf("freeport: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ts.Setenv(args[0], strconv.Itoa(port))
}

// cmdWaitFor is "[!] waitfor URL REGEXP [TIMEOUT]": it fetches URL until
// the body matches REGEXP (with "!": no longer matches), for at most
// TIMEOUT (default 5s), and logs how long that took.
func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: [!] waitfor URL REGEXP [TIMEOUT]")
	}
	re, err := regexp.Compile(args[1])
	if err != nil {
		ts.Fatalf("waitfor: %v", err)
	}
	limit := 5 * time.Second
	if len(args) == 3 {
		if limit, err = time.ParseDuration(args[2]); err != nil {
			ts.Fatalf("waitfor: %v", err)
		}
	}
	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	last := "(no answer)"
	for time.Since(start) < limit {
		resp, err := client.Get(args[0])
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = string(body)
			if re.Match(body) != neg {
				ts.Logf("waitfor: %s: %q after %s", args[0], args[1], time.Since(start).Round(time.Millisecond))
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	verb := "match"
	if neg {
		verb = "stop matching"
	}
	ts.Fatalf("waitfor: %s did not %s %q within %s; last answer:\n%s", args[0], verb, args[1], limit, last)
}
