package mujunweb

// Wire types the external tests hold the OpenAPI schemas against.
type (
	APIMujunAggregate  = apiMujunAggregate
	APIMujunAggregates = apiMujunAggregates
	APIMujunChange     = apiMujunChange
	APIMujunClasses    = apiMujunClasses
	APIMujunConfigDoc  = apiMujunConfigDoc
	APIMujunConfigInfo = apiMujunConfigInfo
	APIMujunConfigList = apiMujunConfigList
	APIMujunDiff       = apiMujunDiff
	APIMujunIndicator  = apiMujunIndicator
	APIMujunPolicy     = apiMujunPolicy
	APIMujunResult     = apiMujunResult
	APIMujunResultPage = apiMujunResultPage
	APIMujunRun        = apiMujunRun
	APIMujunRunCreated = apiMujunRunCreated
	APIMujunRunList    = apiMujunRunList
	APIMujunRunRequest = apiMujunRunRequest
	APIMujunTargets    = apiMujunTargets
	APIMujunValid      = apiMujunValid
)
