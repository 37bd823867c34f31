package goalsweb

// Wire types the external tests decode answers into and hold the OpenAPI
// schemas against.
type (
	APIGoals        = apiGoals
	APIGoal         = apiGoal
	APIGoalProgress = apiGoalProgress
)
