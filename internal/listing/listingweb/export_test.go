package listingweb

// Wire types the external tests decode answers into and hold the OpenAPI
// schemas against.
type (
	APIListingYears      = apiListingYears
	APIListingCount      = apiListingCount
	APIListedCount       = apiListedCount
	APIListingStageCount = apiListingStageCount
	APIListingSummary    = apiListingSummary
	APIListingYear       = apiListingYear
	APIListingFirm       = apiListingFirm
	APIListingPage       = apiListingPage
	APIListingEvent      = apiListingEvent
	APIListingHistory    = apiListingHistory
	APIListingEventInput = apiListingEventInput
)
