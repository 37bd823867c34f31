package tasksweb

// Wire types the external tests decode answers into and hold the OpenAPI
// schemas against.
type (
	APITables       = apiTables
	APITableSummary = apiTableSummary
	APITable        = apiTable
	APITaskRow      = apiTaskRow
	APIEntries      = apiEntries
	APIEntry        = apiEntry
	APIChanges      = apiChanges
	APIChange       = apiChange
	APIApplied      = apiApplied
	APIHistory      = apiHistory
	APIEvent        = apiEvent
	APILockBody     = apiLockBody
	APILock         = apiLock
)
