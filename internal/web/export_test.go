package web

// Unexported names the external tests (package web_test) use.

type (
	ApiErrorEnvelope = apiErrorEnvelope
	ApiHealth        = apiHealth
	ApiRoute         = apiRoute
	ApiUser          = apiUser
	LoginLimits      = loginLimits
	LoginResponse    = loginResponse
)

var (
	BuildOpenAPI    = buildOpenAPI
	HashToken       = hashToken
	LangCookieName  = langCookieName
	NewLoginLimiter = newLoginLimiter
	SafeNext        = safeNext
	StaticFS        = staticFS
)
