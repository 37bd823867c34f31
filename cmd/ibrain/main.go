// Command ibrain is the Industry Brain platform: the web server and the
// command-line tools that migrate, load, import, export and report.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/industrybrain/ibrain/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
