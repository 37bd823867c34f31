package cockpitweb

// Wire types the external tests hold the OpenAPI schemas against.
type (
	APIProgress    = apiProgress
	APIFigure      = apiFigure
	APIFigures     = apiFigures
	APITrend       = apiTrend
	APISlice       = apiSlice
	APIBreakdown   = apiBreakdown
	APITargets     = apiTargets
	APIScoreboard  = apiScoreboard
	APITrendTarget = apiTrendTarget
	APISpans       = apiSpans
	APISpanRow     = apiSpanRow
	APISpanValue   = apiSpanValue
)
