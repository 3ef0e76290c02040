package web

import (
	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"microlab/web/views"
)

const (
	homeTitle       = "Learn microservices by breaking them"
	homeDescription = "Microlab teaches microservice architecture: read the patterns, test yourself, and watch a simulated shop react to failures live."
)

// home serves /. A visitor with no learner id gets the cached page; a
// learner also gets a summary of their progress and where to continue.
func (s *Server) home(c echo.Context) error {
	learner := s.learnerID(c)
	if learner == "" {
		return s.cached(c, homeTitle, homeDescription, func(f views.Frame) templ.Component { return views.Home(f, nil) })
	}
	p, err := s.progressData(c)
	if err != nil {
		return err
	}
	sum := &views.HomeSummary{Due: p.Due, Started: p.Started, Topics: len(p.Topics)}
	for _, a := range p.Attempts {
		if a.FinishedAt == nil {
			a := a
			sum.Unfinished = &a
			break
		}
	}
	var total float64
	for _, m := range p.Topics {
		total += m.Level
	}
	if len(p.Topics) > 0 {
		sum.Mastery = total / float64(len(p.Topics))
	}
	return s.page(c, views.Home(s.frame(c, homeTitle, homeDescription), sum))
}
