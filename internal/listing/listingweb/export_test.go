package listingweb

// Wire types the external tests decode answers into.
type (
	APIListingYears = apiListingYears
	APIListingCount = apiListingCount
)
