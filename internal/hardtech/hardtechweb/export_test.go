package hardtechweb

// Wire types the external tests decode answers into and hold the OpenAPI
// schemas against.
type (
	APIHardtechPool    = apiHardtechPool
	APIHardtechMember  = apiHardtechMember
	HardtechAdmitBody  = hardtechAdmitBody
	HardtechRemoveBody = hardtechRemoveBody
)
