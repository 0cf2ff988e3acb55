// Command relia builds static reliability-report sites: SLO compliance,
// error budgets, burn rates and alert replay from metric history, plus
// Markdown retrospectives. Run `relia help` for usage.
package main

import (
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database
)

func main() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	os.Exit(runWithSignals(os.Args[1:], os.Stdout, os.Stderr, sigs))
}
