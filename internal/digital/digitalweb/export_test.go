package digitalweb

// Wire types the external tests decode answers into and hold the OpenAPI
// schemas against.
type (
	APIDigitalSummary     = apiDigitalSummary
	APIDigitalProject     = apiDigitalProject
	APIDigitalFirm        = apiDigitalFirm
	APIDigitalCandidates  = apiDigitalCandidates
	APIDigitalScenarios   = apiDigitalScenarios
	APIDigitalImport      = apiDigitalImportResult
	APIDigitalYear        = apiDigitalYear
	APIDigitalMaturity    = apiDigitalMaturity
	APIDigitalRecog       = apiDigitalRecognition
	APIDigitalVerdict     = apiDigitalVerdict
	APIApplyInput         = apiApplyInput
	APIEventInput         = apiEventInput
	APIMaturityInput      = apiMaturityInput
	APIRecogniseInput     = apiRecogniseInput
	APIDigitalReview      = apiDigitalReview
	APIDigitalReviewEvent = apiDigitalReviewEvent
	APIReviewInput        = apiReviewInput
)
