package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"microlab/content"
)

// routes registers every route of the site, in one place.
func (s *Server) routes() {
	// Order matters: the request id comes first so every later step can log
	// it; panics are caught inside the access log so they are logged as 500s.
	// Linked devices (devices.go): every request's device is checked
	// before any handler reads its learner.
	devices := s.newDeviceLinks()
	s.chain = chain(dispatch, withRequestID, s.metrics.observe, s.accessLog, s.recoverPanics,
		secureHeaders, rejectBadQueries, dropTrailingSlash, s.limitBodies, s.issueCSRF,
		devices.checkDevice)

	s.get("/", s.home)
	s.mutating(http.MethodPost, "/theme", s.setTheme)

	s.get("/patterns", s.learnIndex(content.KindPattern))
	s.get("/patterns/:slug", s.article(content.KindPattern))
	s.get("/questions", s.learnIndex(content.KindQuestion))
	s.get("/questions/:slug", s.article(content.KindQuestion))
	s.get("/guides", s.learnIndex(content.KindGuide))
	s.get("/guides/:slug", s.article(content.KindGuide))
	s.get("/diagrams/:file", s.diagram)
	s.get("/search", s.search)
	s.get("/quiz", s.quizBuilder)
	s.mutating(http.MethodPost, "/quiz", s.createQuiz)
	s.get("/quiz/:id", s.quizCurrent)
	s.get("/quiz/:id/q/:n", s.quizQuestion)
	s.mutating(http.MethodPost, "/quiz/:id/answer", s.answerQuiz)
	s.get("/quiz/:id/result", s.quizResult)
	s.get("/interview", s.interviewIndex)
	s.mutating(http.MethodPost, "/interview", s.createInterview)
	s.get("/interview/:id", s.interviewCurrent)
	s.mutating(http.MethodPost, "/interview/:id/done", s.interviewDone)
	s.mutating(http.MethodPost, "/interview/:id/rate", s.interviewRate)
	s.get("/interview/:id/result", s.interviewResult)
	s.get("/review", s.review)
	s.mutating(http.MethodPost, "/review", s.rateCard)
	s.mutating(http.MethodPost, "/review/undo", s.undoRating)
	s.get("/review/settings", s.reviewSettings)
	s.mutating(http.MethodPost, "/review/settings", s.saveReviewSettings)
	s.get("/review/cards", s.cardBrowser)
	s.mutating(http.MethodPost, "/review/cards/suspend", s.suspendCard)
	s.mutating(http.MethodPost, "/review/cards/reset", s.resetCard)
	s.get("/review/stats", s.reviewStats)
	s.get("/progress", s.progress)
	s.get("/progress/export.json", s.exportJSON)
	s.get("/progress/export.csv", s.exportCSV)
	s.mutating(http.MethodPost, "/progress/import", s.importJSON)
	s.mutating(http.MethodPost, "/progress/delete", s.deleteData)
	// Linked devices (devices.go).
	s.get("/devices", devices.page)
	s.mutating(http.MethodPost, "/devices/code", devices.createCode)
	s.get("/devices/link", devices.linkForm)
	s.mutating(http.MethodPost, "/devices/link", devices.link)
	s.mutating(http.MethodPost, "/devices/sign-out", devices.signOut)
	s.get("/lab", s.labIndex)
	s.get("/lab/free-play", s.labFreePlay)
	s.get("/lab/challenges", s.challengeIndex)
	s.get("/lab/challenges/:slug", s.challengePage)
	s.get("/lab/challenges/:slug/compare", s.challengeCompare)
	s.mutating(http.MethodPost, "/lab/challenges/:slug", s.challengeSubmit)
	s.get("/lab/r/:id", s.replayPage)
	s.get("/lab/r/:id/ws", s.replaySocket)
	s.get("/lab/r/:id/run.json", s.replayExport)
	s.get("/lab/r/:id/compare", s.replayCompare)
	s.mutating(http.MethodPost, "/lab/r/:id/fork", s.replayFork)
	s.mutating(http.MethodPost, "/lab/r/:id/delete", s.replayDelete)
	s.mutating(http.MethodPost, "/lab/runs/import", s.runImport)
	s.get("/lab/:scenario", s.labScenario)
	s.get("/lab/:scenario/recorded", s.labRecorded)
	s.mutating(http.MethodPost, "/lab/free-play", s.labStart)
	s.mutating(http.MethodPost, "/lab/:scenario", s.labStart)
	s.get("/lab/s/:id", s.labLive)
	s.get("/lab/s/:id/ws", s.labSocket)
	s.get("/lab/s/:id/reveal", s.labReveal)
	s.mutating(http.MethodPost, "/lab/s/:id/stop", s.labStop)

	s.get("/static/*", s.assets.handler)
	s.get("/healthz", s.healthz)
	s.get("/readyz", s.readyz)
}

// get registers a route that reads: GET, and HEAD with the same handler,
// since uptime monitors and link checkers ask with HEAD. The handler need
// not know: net/http sends a HEAD the headers, Content-Length included,
// and drops the body.
func (s *Server) get(path string, h echo.HandlerFunc) {
	s.echo.Match([]string{http.MethodGet, http.MethodHead}, path, h)
}

// mutating registers a state-changing route behind the CSRF check.
func (s *Server) mutating(method, path string, h echo.HandlerFunc) {
	s.echo.Add(method, path, s.checkCSRF(h))
}

// chain wraps h in middleware, the first outermost, once. Echo's Use and
// its route-level middleware do the same wrapping again on every request,
// a closure per middleware per request; ServeHTTP runs this chain instead.
func chain(h echo.HandlerFunc, middleware ...echo.MiddlewareFunc) echo.HandlerFunc {
	for i := len(middleware) - 1; i >= 0; i-- {
		h = middleware[i](h)
	}
	return h
}

// dispatch runs the handler the router found for the request: a route's,
// or Echo's own for a path it does not know (404) or a method the path
// does not take (405), so those answers pass through the whole chain too.
func dispatch(c echo.Context) error { return c.Handler()(c) }
