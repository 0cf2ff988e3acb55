package main

import (
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the scripts run the real relia command: testscript re-runs
// this test binary as "relia", through main's own run function and exit code.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"relia": func() {
			// As main: Ctrl+C (kill -INT in a script) cancels the context.
			sigs := make(chan os.Signal, 1)
			signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
			code := runWithSignals(os.Args[1:], os.Stdout, os.Stderr, sigs)
			writeRusage()
			os.Exit(code)
		},
	})
}

// TestScripts runs testdata/script/*.txtar. Each script's "exit N" lines are
// checked by the custom command below.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// A title far past any file name limit, for relia new.
			env.Setenv("LONGTITLE", strings.Repeat("Incident ", 560))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// exitcode N relia ARGS...: run and require exit status N.
			"exitcode": cmdExitCode,
			// freeport NAME: $NAME = a free loopback port.
			"freeport": cmdFreePort,
			// waitfor URL REGEXP [TIMEOUT]: poll until the page matches.
			"waitfor": cmdWaitFor,
			// maxrss FILE MiB, gzipbomb FILE MiB, endlessprom NAME,
			// mkfifo FILE, envsubst FILE: see limits_test.go.
			"envsubst":    cmdEnvsubst,
			"maxrss":      cmdMaxRSS,
			"gzipbomb":    cmdGzipBomb,
			"endlessprom": cmdEndlessProm,
			"mkfifo":      cmdMkfifo,
			// warnprom NAME WARNING...: see warnprom_test.go.
			"warnprom": cmdWarnProm,
		},
	})
}
