package instrumentsweb

// Wire types the external tests decode answers into and hold the OpenAPI
// schemas against.
type (
	APIInstrument = apiInstrument
	APISearch     = apiSearch
	APIStats      = apiStats
	APIOrder      = apiOrder
	APIOrders     = apiOrders
	BookBody      = bookBody
	ActionBody    = actionBody
	ReviewBody    = reviewBody
	LifecycleBody = lifecycleBody
	VoucherBody   = voucherBody
	CreateBody    = createBody
	CalendarBody  = calendarBody
	APICalendar   = apiCalendar
)

// The operations' wire types (ops.go).
type (
	APIImportResult   = apiImportResult
	APIWindowHits     = apiWindowHits
	APIQualification  = apiQualification
	APIQualifications = apiQualifications
	APIFile           = apiFile
	APIFiles          = apiFiles
	WindowBody        = windowBody
	QualificationBody = qualificationBody
)

// The reviews' wire types (reviews.go).
type (
	APIReview      = apiReview
	APIReviews     = apiReviews
	ReplyBody      = replyBody
	ModerationBody = moderationBody
)

// The invoices' wire types (invoices.go).
type (
	APIInvoice     = apiInvoice
	APIInvoiceLine = apiInvoiceLine
	APIInvoices    = apiInvoices
	InvoiceBody    = invoiceBody
)

// The violations' wire types (waivers.go).
type (
	APIViolation  = apiViolation
	APIViolations = apiViolations
	WaiveBody     = waiveBody
)

// The entered evaluation scores' wire types (evalscores.go).
type (
	APIEvalScore      = apiEvalScore
	APIEvalScores     = apiEvalScores
	APIIndicatorScore = apiIndicatorScore
	EvalScoreBody     = evalScoreBody
)
