package cultivationweb

// Names the external tests (package cultivationweb_test) use: the wire
// types they decode answers into and hold the OpenAPI schemas against,
// and the eligibility page's row rendering.
type (
	APIRuleSetList   = apiRuleSetList
	APIFunnel        = apiFunnel
	APIFunnelStep    = apiFunnelStep
	APICandidatePage = apiCandidatePage
	APICandidate     = apiCandidate
	CriterionRow     = criterionRow
)

var (
	CriterionRows = criterionRows
	StatusText    = statusText
)
