// Command loadtest is a developer tool, not part of the product binary: it
// sends a bounded HTTP load to an ibrain running on this machine and prints
// latency percentiles per API path. scripts/perf.sh uses it to produce the
// figures in docs/PERFORMANCE.md.
//
//	go run ./scripts/loadtest -password PW [-url http://127.0.0.1:8080] [-user analyst]
//	    [-duration 10s] [-concurrency 8] [-requests 200000] [-paths P1,P2,…]
//
// It signs in through the login form, then cycles through the paths with
// the session as a bearer token, closed-loop (each client sends its next
// request when the previous one has answered). Only loopback targets are
// accepted. The exit status is 1 when a request failed, 2 for bad flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses args, runs the load and prints the result; it returns the exit
// status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "loadtest:", err)
		}
		return 2
	}
	res, err := cfg.run(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 1
	}
	res.print(stdout)
	if res.failed > 0 {
		fmt.Fprintf(stderr, "loadtest: %d requests failed\n", res.failed)
		return 1
	}
	return 0
}
