-- wrk script for scripts/perf.sh: prints one machine-readable line with the
-- request rate, the latency percentiles (ms) and the failures (non-2xx/3xx
-- responses and socket errors), so the shell can tabulate every path.
function done(summary, latency, requests)
	local secs = summary.duration / 1e6
	local e = summary.errors
	io.write(string.format("PERF %.0f %.2f %.2f %d %d\n",
		summary.requests / secs,
		latency:percentile(50) / 1000, latency:percentile(99) / 1000,
		e.status + e.connect + e.read + e.write + e.timeout,
		summary.requests))
end
