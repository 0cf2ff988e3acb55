package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// interrupted is the cause of a context cancelled by SIGINT or SIGTERM.
type interrupted struct{ sig os.Signal }

func (e *interrupted) Error() string { return "interrupted by " + e.sig.String() }

// exitCode is the shell's convention for death by a signal, 128 + its
// number: 130 for SIGINT (Ctrl+C), 143 for SIGTERM.
func (e *interrupted) exitCode() int {
	if s, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}

// runWithSignals runs relia with a context that the first signal from
// sigs cancels: the command stops, removes its temporary folders and exits
// "interrupted". A second signal stops the process at once.
func runWithSignals(args []string, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case sig := <-sigs:
			signal.Reset(os.Interrupt, syscall.SIGTERM)
			cancel(&interrupted{sig: sig})
		case <-done:
		}
	}()
	return run(ctx, args, stdout, stderr)
}
