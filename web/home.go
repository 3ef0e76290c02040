package web

import (
	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"microlab/web/views"
)

func (s *Server) home(c echo.Context) error {
	return s.cached(c, "Learn microservices by breaking them",
		"Microlab teaches microservice architecture: read the patterns, test yourself, and watch a simulated shop react to failures live.",
		views.Home)
}

// upcoming describes the sections that later work fills in, so their
// pages can say plainly what is coming instead of pretending to work.
var upcoming = map[string]views.Upcoming{
	"/quiz":     {Title: "Quiz", What: "Quizzes on every topic with an explanation for every option, and a result page that lets you retry the ones you missed."},
	"/review":   {Title: "Review", What: "The interview questions as flashcards, scheduled by FSRS so each comes back just before you would forget it."},
	"/progress": {Title: "Progress", What: "Your mastery per topic, the cards due, your history, and an export of all your data."},
}

func (s *Server) comingSoon(c echo.Context) error {
	u := upcoming[c.Path()]
	return s.cached(c, u.Title, u.What, func(f views.Frame) templ.Component { return views.ComingSoon(f, u) })
}
