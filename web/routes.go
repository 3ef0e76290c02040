package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
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

	// Pages that later work fills; each says plainly what it will hold.
	e.GET("/patterns", s.comingSoon)
	e.GET("/quiz", s.comingSoon)
	e.GET("/review", s.comingSoon)
	e.GET("/lab", s.comingSoon)
	e.GET("/progress", s.comingSoon)

	e.GET("/static/*", s.assets.handler)
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler())
}

// mutating registers a state-changing route behind the CSRF check.
func (s *Server) mutating(method, path string, h echo.HandlerFunc) {
	s.echo.Add(method, path, h, s.checkCSRF)
}
