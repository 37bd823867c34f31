//go:build pprof

package main

// Built only with -tags pprof, for measuring: the Go profiler on
// IBRAIN_PPROF_ADDR (default 127.0.0.1:6060). A production binary has no
// profiling endpoint.

import (
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	addr := os.Getenv("IBRAIN_PPROF_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6060"
	}
	go func() {
		if err := http.ListenAndServe(addr, nil); err != nil {
			slog.Error("pprof", "err", err)
		}
	}()
}
