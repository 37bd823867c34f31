package registryweb

// Wire types the external tests decode answers into and hold the OpenAPI
// schemas against.
type (
	APIRegion           = apiRegion
	APICluster          = apiCluster
	APIClusterCatalogue = apiClusterCatalogue
	APIIndicator        = apiIndicator
	APIEnterpriseItem   = apiEnterpriseItem
	APIEnterprisePage   = apiEnterprisePage
	APIEnterpriseYear   = apiEnterpriseYear
	APITitle            = apiTitle
	APIEnterprise       = apiEnterprise
	APIField            = apiField
	APISingleValue      = apiSingleValue
	APIReportMonth      = apiReportMonth
	APIReports          = apiReports
)
