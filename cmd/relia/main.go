// Command relia builds static reliability-report sites: SLO compliance,
// error budgets, burn rates and alert replay from metric history, plus
// Markdown retrospectives. Run `relia help` for usage.
package main

import (
	"context"
	"os"
	"os/signal"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
