package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"microlab/content"
)

// routes registers every route of the site, in one place.
func (s *Server) routes() {
	e := s.echo
	// Order matters: the request id comes first so every later step can log
	// it; panics are caught inside the access log so they are logged as 500s.
	e.Use(withRequestID, s.metrics.observe, s.accessLog, s.recoverPanics,
		secureHeaders, rejectBadQueries, s.limitBodies, s.issueCSRF)

	e.GET("/", s.home)
	s.mutating(http.MethodPost, "/theme", s.setTheme)

	e.GET("/patterns", s.learnIndex(content.KindPattern))
	e.GET("/patterns/:slug", s.article(content.KindPattern))
	e.GET("/questions", s.learnIndex(content.KindQuestion))
	e.GET("/questions/:slug", s.article(content.KindQuestion))
	e.GET("/guides", s.learnIndex(content.KindGuide))
	e.GET("/guides/:slug", s.article(content.KindGuide))
	e.GET("/diagrams/:file", s.diagram)
	e.GET("/search", s.search)
	e.GET("/quiz", s.quizBuilder)
	s.mutating(http.MethodPost, "/quiz", s.createQuiz)
	e.GET("/quiz/:id", s.quizCurrent)
	e.GET("/quiz/:id/q/:n", s.quizQuestion)
	s.mutating(http.MethodPost, "/quiz/:id/answer", s.answerQuiz)
	e.GET("/quiz/:id/result", s.quizResult)
	e.GET("/review", s.review)
	s.mutating(http.MethodPost, "/review", s.rateCard)
	e.GET("/progress", s.progress)
	e.GET("/progress/export.json", s.exportJSON)
	e.GET("/progress/export.csv", s.exportCSV)
	s.mutating(http.MethodPost, "/progress/import", s.importJSON)
	s.mutating(http.MethodPost, "/progress/delete", s.deleteData)
	e.GET("/lab", s.labIndex)
	e.GET("/lab/free-play", s.labFreePlay)
	e.GET("/lab/:scenario", s.labScenario)
	s.mutating(http.MethodPost, "/lab/free-play", s.labStart)
	s.mutating(http.MethodPost, "/lab/:scenario", s.labStart)
	e.GET("/lab/s/:id", s.labLive)
	e.GET("/lab/s/:id/ws", s.labSocket)
	s.mutating(http.MethodPost, "/lab/s/:id/stop", s.labStop)

	e.GET("/static/*", s.assets.handler)
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler())
}

// mutating registers a state-changing route behind the CSRF check.
func (s *Server) mutating(method, path string, h echo.HandlerFunc) {
	s.echo.Add(method, path, h, s.checkCSRF)
}
