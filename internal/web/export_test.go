package web

// Unexported names the external tests (package web_test) use.

type (
	ApiCandidate        = apiCandidate
	ApiCandidatePage    = apiCandidatePage
	ApiCluster          = apiCluster
	ApiClusterCatalogue = apiClusterCatalogue
	ApiEnterprise       = apiEnterprise
	ApiEnterpriseItem   = apiEnterpriseItem
	ApiEnterprisePage   = apiEnterprisePage
	ApiEnterpriseYear   = apiEnterpriseYear
	ApiErrorEnvelope    = apiErrorEnvelope
	ApiField            = apiField
	ApiFunnel           = apiFunnel
	ApiFunnelStep       = apiFunnelStep
	ApiHealth           = apiHealth
	ApiImportRejected   = apiImportRejected
	ApiImportResult     = apiImportResult
	ApiIndicator        = apiIndicator
	ApiMujunAggregate   = apiMujunAggregate
	ApiMujunAggregates  = apiMujunAggregates
	ApiMujunChange      = apiMujunChange
	ApiMujunClasses     = apiMujunClasses
	ApiMujunConfigDoc   = apiMujunConfigDoc
	ApiMujunConfigInfo  = apiMujunConfigInfo
	ApiMujunConfigList  = apiMujunConfigList
	ApiMujunDiff        = apiMujunDiff
	ApiMujunError       = apiMujunError
	ApiMujunIndicator   = apiMujunIndicator
	ApiMujunPolicy      = apiMujunPolicy
	ApiMujunProblem     = apiMujunProblem
	ApiMujunResult      = apiMujunResult
	ApiMujunResultPage  = apiMujunResultPage
	ApiMujunRun         = apiMujunRun
	ApiMujunRunCreated  = apiMujunRunCreated
	ApiMujunRunList     = apiMujunRunList
	ApiMujunRunRequest  = apiMujunRunRequest
	ApiMujunTargets     = apiMujunTargets
	ApiMujunValid       = apiMujunValid
	ApiRegion           = apiRegion
	ApiReportMonth      = apiReportMonth
	ApiReports          = apiReports
	ApiRoute            = apiRoute
	ApiRowError         = apiRowError
	ApiRuleSetList      = apiRuleSetList
	ApiSingleValue      = apiSingleValue
	ApiTitle            = apiTitle
	ApiUser             = apiUser
	CriterionRow        = criterionRow
	LoginLimits         = loginLimits
	LoginResponse       = loginResponse
)

var (
	BuildOpenAPI    = buildOpenAPI
	HashToken       = hashToken
	LangCookieName  = langCookieName
	NewLoginLimiter = newLoginLimiter
	SafeNext        = safeNext
	StaticFS        = staticFS
)
