package importsweb

// Wire types the external tests decode answers into and hold the OpenAPI
// schemas against.
type (
	APIImportResult   = apiImportResult
	APIImportRejected = apiImportRejected
	APIRowError       = apiRowError
)
