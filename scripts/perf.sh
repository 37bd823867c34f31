#!/usr/bin/env bash
# Reproduces the figures in docs/PERFORMANCE.md on this machine: the Go
# benchmarks, then an HTTP load on a real server over the demo dataset at
# scale 1 and scale 10. Everything runs on loopback and in a temporary
# folder; the load is bounded in time.
#
#   scripts/perf.sh              benchmarks and both loads (about 10 minutes)
#   scripts/perf.sh bench        the Go benchmarks only
#   scripts/perf.sh load SCALE   the HTTP load at one scale only
#
# Set IBRAIN_TEST_POSTGRES to run the store benchmarks on PostgreSQL too.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/ibrain" ./cmd/ibrain
# The load generator is a developer tool (scripts/loadtest), not part of ibrain.
go build -o "$work/loadtest" ./scripts/loadtest

# The cockpit's calls (scripts/loadtest's default set) and each module's main reads.
module_paths='/api/v1/targets?year=2024,/api/v1/goals?year=2024,/api/v1/hardtech?year=2023,/api/v1/listing/summary,/api/v1/listing/years,/api/v1/listing/firms,/api/v1/cultivation/funnel,/api/v1/cultivation/candidates?title=specialized_sme,/api/v1/enterprises/100/eligibility,/api/v1/mujun/runs/3/enterprises,/api/v1/mujun/runs/3/districts,/api/v1/mujun/runs/3/classes,/api/v1/mujun/runs/2/diff/3,/api/v1/mujun/targets,/api/v1/enterprises?per_page=20,/api/v1/enterprises?q=%E7%A7%91%E6%8A%80&per_page=20,/api/v1/enterprises?region=500101&per_page=20'

bench() {
	echo "=== Go benchmarks (go test -bench, $(nproc) cores)"
	go test -run '^$' -bench 'ImportReports' -benchtime 3x ./internal/cli/
	go test -run '^$' -bench 'UpsertReports|AggregateKPI' -benchtime 3x ./internal/sqlstore/
	go test -run '^$' -bench 'Reports|PipelineCSV' -benchtime 3x ./internal/importer/
	go test -run '^$' -bench 'AllRuleSets' -benchtime 3x ./internal/rules/
	go test -run '^$' -bench 'Run150k' -benchtime 3x ./internal/mujun/
	go test -run '^$' -bench 'CultivationScreen|MujunEvaluateDemo' -benchtime 3x ./internal/demo/
}

load() {
	local scale=$1 db="$work/x$1.db" port=$((18400 + $1))
	echo "=== HTTP load at scale $scale"
	local t0=$SECONDS
	"$work/ibrain" demo --scale "$scale" --db "sqlite:$db" >"$work/demo$scale.log"
	echo "demo --scale $scale: $((SECONDS - t0)) s"
	local pw
	pw=$(awk '$1 == "admin" {print $2}' "$work/demo$scale.log")
	"$work/ibrain" serve --db "sqlite:$db" --addr "127.0.0.1:$port" --demo never >"$work/serve$scale.log" 2>&1 &
	for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
	# Warm up once (first reads fill caches), then measure one client at a
	# time (latency) and four at once (throughput on 2 cores).
	"$work/loadtest" --url "http://127.0.0.1:$port" --user admin --password "$pw" --duration 5s --concurrency 1 --paths "$module_paths" >/dev/null
	"$work/loadtest" --url "http://127.0.0.1:$port" --user admin --password "$pw" --duration 20s --concurrency 1
	"$work/loadtest" --url "http://127.0.0.1:$port" --user admin --password "$pw" --duration 30s --concurrency 1 --paths "$module_paths"
	"$work/loadtest" --url "http://127.0.0.1:$port" --user admin --password "$pw" --duration 20s --concurrency 4
	kill %1 2>/dev/null || true
	wait 2>/dev/null || true
}

case "${1:-all}" in
	bench) bench ;;
	load) load "${2:?scale}" ;;
	all) bench; load 1; load 10 ;;
	*) echo "usage: scripts/perf.sh [bench | load SCALE]" >&2; exit 2 ;;
esac
