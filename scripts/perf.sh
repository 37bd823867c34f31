#!/usr/bin/env bash
# Reproduces the figures in docs/PERFORMANCE.md on this machine: the Go
# benchmarks, then an HTTP load on a real server over the demo dataset at
# scale 1 and scale 10. Everything runs on loopback and in a temporary
# folder; the load is bounded in time.
#
#   scripts/perf.sh              benchmarks and both loads (about 15 minutes)
#   scripts/perf.sh bench        the Go benchmarks only
#   scripts/perf.sh load SCALE   the HTTP load at one scale only
#   scripts/perf.sh http URL USER PASSWORD
#                                the HTTP load against a running server
#
# The HTTP load uses wrk (Debian package wrk) when installed: every path
# alone for PERF_SECONDS (default 10) at 1 connection, then at 16
# (wrk -t2 -c16), with the session cookie; it prints req/s, p50 and p99 per
# path as a Markdown table. Without wrk it falls back to scripts/loadtest.
# PERF_DB=sqlite:PATH (with `load`) reuses a demo database instead of
# generating one; its admin password is then given as PERF_PASSWORD.
# With the server's process id known (`load`, or PERF_PID with `http`) the
# table adds the server's CPU time per request at 16 connections (user +
# system from /proc/PID/stat over the run, divided by the requests): on a
# machine shared with other work this is the figure that does not depend
# on the neighbours. PERF_PATHS (comma-separated) replaces the path list.
#
# PERF_WRITES=N keeps N data writes a second going during every
# 16-connection run (a 硬科技 pool admission of one firm, then its
# removal, through the API as the admin): each write advances the data
# generation, so every cached answer is computed again on its next
# request, as on a deadline day. The table then says how many writes
# succeeded.
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
cockpit_paths='/api/v1/me,/api/v1/stats/kpis?year=2024&month=12,/api/v1/stats/trend?indicator=IND_OUTPUT&year=2024,/api/v1/stats/trend?indicator=IND_VA_GROWTH&year=2024,/api/v1/stats/breakdown?by=region&year=2024&month=12,/api/v1/stats/breakdown?by=cluster&year=2024&month=12,/api/v1/stats/breakdown?by=tier&year=2024&month=12,/api/v1/scoreboard?year=2023'
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

# cputicks prints the server's user + system CPU time in clock ticks
# (PERF_PID), or 0.
cputicks() {
	if [ -n "${PERF_PID:-}" ]; then awk '{print $14 + $15}' "/proc/$PERF_PID/stat"; else echo 0; fi
}

# rss prints a process's peak and current resident memory (MB).
rss() {
	awk '/^VmHWM|^VmRSS/ {printf "%s %d MB  ", $1, $2 / 1024} END {print ""}' "/proc/$1/status"
}

# writer URL COOKIE RATE COUNTFILE: until killed, RATE writes a second
# (admit firm 100 to the 2024 硬科技 pool, then remove it), counting the
# ones that succeeded in COUNTFILE.
writer() {
	local url=$1 cookie=$2 rate=$3 out=$4 n=0 pause
	pause=$(awk -v r="$rate" 'BEGIN {printf "%.4f", 1 / r}')
	while :; do
		curl -fs -o /dev/null -H "$cookie" -H 'Content-Type: application/json' -d '{"enterprise_id":100,"reasons":"perf.sh"}' "$url/api/v1/hardtech/2024/members" && n=$((n + 1))
		echo "$n" >"$out"
		sleep "$pause"
		curl -fs -o /dev/null -H "$cookie" -H 'Content-Type: application/json' -d '{"reason":"perf.sh"}' "$url/api/v1/hardtech/2024/members/100/remove" && n=$((n + 1))
		echo "$n" >"$out"
		sleep "$pause"
	done
}

# http URL USER PASSWORD: signs in once, warms every path, then measures
# each path alone at 1 and at 16 connections.
http() {
	local url=$1 user=$2 pw=$3 secs=${PERF_SECONDS:-10}
	echo "=== HTTP load on $url, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	if ! command -v wrk >/dev/null; then
		echo "(wrk not installed: scripts/loadtest, one client then four)"
		"$work/loadtest" --url "$url" --user "$user" --password "$pw" --duration 5s --concurrency 1 --paths "$module_paths" >/dev/null
		"$work/loadtest" --url "$url" --user "$user" --password "$pw" --duration 20s --concurrency 1 --paths "$cockpit_paths,$module_paths"
		"$work/loadtest" --url "$url" --user "$user" --password "$pw" --duration 20s --concurrency 4
		return
	fi
	local token
	token=$(curl -fs -H 'Accept: application/json' --data-urlencode "username=$user" --data-urlencode "password=$pw" "$url/login" |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
	[ -n "$token" ] || { echo "sign-in as $user failed" >&2; return 1; }
	local cookie="Cookie: ibrain_session=$token" lua
	lua="$(pwd)/scripts/perf.lua"
	echo "| path | c1 req/s | c1 p50 ms | c1 p99 ms | c16 req/s | c16 p50 ms | c16 p99 ms | c16 server CPU ms/req |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	local p IFS=,
	for p in ${PERF_PATHS:-$cockpit_paths,$module_paths}; do
		curl -fs -o /dev/null -H "$cookie" "$url$p" || echo "warm-up failed: $p" >&2
		local one sixteen t0 t1
		one=$(wrk -t1 -c1 -d"${secs}s" -H "$cookie" -s "$lua" "$url$p" | awk '$1 == "PERF"')
		local wpid=""
		if [ -n "${PERF_WRITES:-}" ]; then
			writer "$url" "$cookie" "$PERF_WRITES" "$work/writes" &
			wpid=$!
		fi
		t0=$(cputicks)
		sixteen=$(wrk -t2 -c16 -d"${secs}s" -H "$cookie" -s "$lua" "$url$p" | awk '$1 == "PERF"')
		t1=$(cputicks)
		if [ -n "$wpid" ]; then
			kill "$wpid" 2>/dev/null || true
			wait "$wpid" 2>/dev/null || true
			echo "  writes during the 16-connection run of $p: $(cat "$work/writes" 2>/dev/null || echo 0)" >&2
		fi
		echo "$one|$sixteen|$((t1 - t0))" | awk -F'|' -v p="$p" -v hz="$(getconf CLK_TCK)" -v pid="${PERF_PID:-}" '{
			split($1, a, " "); split($2, b, " ")
			bad = (a[5] + b[5] > 0) ? sprintf(" (%d failed)", a[5] + b[5]) : ""
			cpu = (pid != "" && b[6] > 0) ? sprintf("%.2f", $3 * 1000 / hz / b[6]) : ""
			printf "| `%s`%s | %s | %s | %s | %s | %s | %s | %s |\n", p, bad, a[2], a[3], a[4], b[2], b[3], b[4], cpu }'
	done
}

# signins URL USER PASSWORD: 16 simultaneous sign-ins (argon2id each), the
# burst that used to take the server's memory up by 64 MiB a hash.
signins() {
	local t0=$EPOCHREALTIME i pids=()
	for i in $(seq 1 16); do
		curl -fs -o /dev/null -H 'Accept: application/json' --data-urlencode "username=$2" --data-urlencode "password=$3" "$1/login" &
		pids+=($!)
	done
	wait "${pids[@]}"
	echo "16 simultaneous sign-ins: $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f s", b - a}')"
}

load() {
	local scale=$1 db="$work/x$1.db" port=$((18400 + $1)) pw
	echo "=== HTTP load at scale $scale"
	if [ -n "${PERF_DB:-}" ]; then
		db=${PERF_DB#sqlite:}
		pw=${PERF_PASSWORD:?PERF_PASSWORD: the admin password of PERF_DB}
	else
		local t0=$SECONDS
		"$work/ibrain" demo --scale "$scale" --db "sqlite:$db" >"$work/demo$scale.log"
		echo "demo --scale $scale: $((SECONDS - t0)) s"
		pw=$(awk '$1 == "admin" {print $2}' "$work/demo$scale.log")
	fi
	"$work/ibrain" serve --db "sqlite:$db" --addr "127.0.0.1:$port" --demo never >"$work/serve$scale.log" 2>&1 &
	local pid=$!
	for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
	echo "server started: $(rss $pid)"
	PERF_PID=$pid http "http://127.0.0.1:$port" admin "$pw"
	echo "server after the load: $(rss $pid)"
	signins "http://127.0.0.1:$port" admin "$pw"
	echo "server after 16 simultaneous sign-ins: $(rss $pid)"
	kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
}

case "${1:-all}" in
	bench) bench ;;
	load) load "${2:?scale}" ;;
	http) http "${2:?url}" "${3:?user}" "${4:?password}" ;;
	all) bench; load 1; load 10 ;;
	*) echo "usage: scripts/perf.sh [bench | load SCALE | http URL USER PASSWORD]" >&2; exit 2 ;;
esac
