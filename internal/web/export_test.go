package web

// Unexported names the external tests (package web_test) use.

type (
	ApiErrorEnvelope   = apiErrorEnvelope
	ApiHealth          = apiHealth
	ApiMujunAggregate  = apiMujunAggregate
	ApiMujunAggregates = apiMujunAggregates
	ApiMujunChange     = apiMujunChange
	ApiMujunClasses    = apiMujunClasses
	ApiMujunConfigDoc  = apiMujunConfigDoc
	ApiMujunConfigInfo = apiMujunConfigInfo
	ApiMujunConfigList = apiMujunConfigList
	ApiMujunDiff       = apiMujunDiff
	ApiMujunError      = apiMujunError
	ApiMujunIndicator  = apiMujunIndicator
	ApiMujunPolicy     = apiMujunPolicy
	ApiMujunProblem    = apiMujunProblem
	ApiMujunResult     = apiMujunResult
	ApiMujunResultPage = apiMujunResultPage
	ApiMujunRun        = apiMujunRun
	ApiMujunRunCreated = apiMujunRunCreated
	ApiMujunRunList    = apiMujunRunList
	ApiMujunRunRequest = apiMujunRunRequest
	ApiMujunTargets    = apiMujunTargets
	ApiMujunValid      = apiMujunValid
	ApiRoute           = apiRoute
	ApiUser            = apiUser
	LoginLimits        = loginLimits
	LoginResponse      = loginResponse
)

var (
	BuildOpenAPI    = buildOpenAPI
	HashToken       = hashToken
	LangCookieName  = langCookieName
	NewLoginLimiter = newLoginLimiter
	SafeNext        = safeNext
	StaticFS        = staticFS
)
