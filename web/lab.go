package web

import (
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"microlab/content"
	"microlab/simulator"
	"microlab/web/views"
)

// reportSeed is the seed of the headless run a lab page reports.
const reportSeed = 1

// labReports runs each scenario once, on first request, and keeps the
// result: a run is deterministic, so it never needs to run again.
type labReports struct {
	mu   sync.Mutex
	done map[string]simulator.Result
}

func (r *labReports) get(sc simulator.Scenario) simulator.Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	if res, ok := r.done[sc.Slug]; ok {
		return res
	}
	if r.done == nil {
		r.done = map[string]simulator.Result{}
	}
	res := simulator.RunScenario(sc, reportSeed, 0)
	r.done[sc.Slug] = res
	return res
}

func (s *Server) patternTitle(slug string) string {
	if p, ok := s.content.Page(content.KindPattern, slug); ok {
		return p.Title
	}
	return slug
}

func (s *Server) labIndex(c echo.Context) error {
	var cards []views.LabCard
	for _, sc := range simulator.Scenarios() {
		cards = append(cards, views.LabCard{Scenario: sc, PatternTitle: s.patternTitle(sc.Pattern)})
	}
	return s.cached(c, "Labs", "Scripted failures in a simulated shop, and what the patterns do about them.",
		func(f views.Frame) templ.Component { return views.LabIndex(f, cards) })
}

func (s *Server) labScenario(c echo.Context) error {
	sc, ok := simulator.ScenarioBySlug(c.Param("scenario"))
	if !ok {
		return s.notFoundWithHints(c.Param("scenario"))
	}
	r := views.LabReport{Scenario: sc, PatternTitle: s.patternTitle(sc.Pattern), Seed: reportSeed, Result: s.reports.get(sc)}
	return s.cached(c, sc.Title, sc.Narrative, func(f views.Frame) templ.Component { return views.LabReportPage(f, r) })
}
