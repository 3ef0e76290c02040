package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"microlab/content"
	"microlab/internal/humanize"
	"microlab/lab"
	"microlab/simulator"
	"microlab/store"
	"microlab/web/views"
)

// reportSeed is the seed of the headless run a lab page reports: the seed
// live labs of a scenario start with, so they reach the same verdicts when
// left alone.
const reportSeed = lab.ScenarioSeed

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

// maxListedRuns is how many recorded runs the lab index lists.
const maxListedRuns = 10

// ago says how long a duration is, as "started … ago" wants it.
func ago(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	return humanize.Duration(d)
}

// runLength says how much simulated time a run covers: tenths of a
// second under a minute, then as a duration.
func runLength(d time.Duration) string {
	if d < time.Minute {
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
	return humanize.Duration(d)
}

func (s *Server) patternTitle(slug string) string {
	if p, ok := s.content.Page(content.KindPattern, slug); ok {
		return p.Title
	}
	return slug
}

// labIndex lists the labs, and above them the learner's running labs and
// the one just ended. A learner with neither gets the cached page.
func (s *Server) labIndex(c echo.Context) error {
	var cards []views.LabCard
	for _, sc := range simulator.Scenarios() {
		cards = append(cards, views.LabCard{Scenario: sc, PatternTitle: s.patternTitle(sc.Pattern)})
	}
	var mine views.LabIndexMine
	var runs []store.LabRun
	if id := s.learnerID(c); id != "" {
		var err error
		if runs, err = s.store.LabRuns(c.Request().Context(), id, s.now()); err != nil {
			return err
		}
		for i, r := range runs {
			if i == maxListedRuns {
				mine.More = len(runs) - i
				break
			}
			mine.Runs = append(mine.Runs, views.RecordedRun{Title: r.Title, URL: "/lab/r/" + r.ID,
				Age: ago(s.now().Sub(r.Created)), Length: runLength(time.Duration(r.EndNS)), Commands: r.Commands})
		}
		for _, l := range s.labs.Owned(id) {
			mine.Running = append(mine.Running, views.RunningLab{Title: l.Title, URL: "/lab/s/" + l.ID,
				StopURL: "/lab/s/" + l.ID + "/stop", Age: ago(time.Since(l.Created))})
		}
	}
	if slug := c.QueryParam("ended"); slug != "" {
		if sc, ok := simulator.ScenarioBySlug(slug); ok {
			mine.Ended = &views.EndedLab{Title: sc.Title, Slug: sc.Slug}
		} else if slug == "free-play" {
			mine.Ended = &views.EndedLab{Title: "Free play", Slug: slug}
		}
		run := c.QueryParam("run")
		for _, r := range runs {
			if mine.Ended != nil && r.ID == run {
				mine.Ended.RunURL = "/lab/r/" + r.ID
			}
		}
	}
	const title, description = "Labs", "Break a simulated shop's services live, and watch the patterns react."
	if len(mine.Running) == 0 && mine.Ended == nil && len(mine.Runs) == 0 {
		return s.cached(c, title, description, func(f views.Frame) templ.Component { return views.LabIndex(f, cards, mine) })
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.page(c, views.LabIndex(s.frame(c, title, description), cards, mine))
}

// labScenario introduces a scenario; its form starts the lab.
func (s *Server) labScenario(c echo.Context) error {
	sc, ok := simulator.ScenarioBySlug(c.Param("scenario"))
	if !ok {
		return s.notFoundWithHints(c.Param("scenario"))
	}
	r := views.LabReport{Scenario: sc, PatternTitle: s.patternTitle(sc.Pattern)}
	return s.cached(c, sc.Title, sc.Setup, func(f views.Frame) templ.Component {
		f.Prefetch = s.labPrefetch()
		return views.LabScenarioPage(f, r)
	})
}

// labRecorded tells what a headless run of a scenario showed: the answer,
// on its own page, so that the scenario's page gives nothing away.
func (s *Server) labRecorded(c echo.Context) error {
	sc, ok := simulator.ScenarioBySlug(c.Param("scenario"))
	if !ok {
		return s.notFoundWithHints(c.Param("scenario"))
	}
	r := views.LabReport{Scenario: sc, PatternTitle: s.patternTitle(sc.Pattern), Seed: reportSeed, Result: s.reports.get(sc)}
	return s.cached(c, sc.Title+": a recorded run", sc.Setup, func(f views.Frame) templ.Component { return views.LabRecordedPage(f, r) })
}

func (s *Server) labFreePlay(c echo.Context) error {
	return s.cached(c, "Free play", "The simulated shop with every control and no script.",
		func(f views.Frame) templ.Component { return views.LabFreePlayPage(f) })
}

// labStart creates a lab owned by the learner and sends them to it.
func (s *Server) labStart(c echo.Context) error {
	var sc *simulator.Scenario
	if slug := c.Param("scenario"); slug != "" {
		found, ok := simulator.ScenarioBySlug(slug)
		if !ok {
			return s.notFoundWithHints(slug)
		}
		sc = &found
	}
	owner := s.ensureLearner(c)
	l, err := s.labs.Start(owner, clientKey(c), sc)
	if err != nil {
		return s.labRefusal(err, owner)
	}
	return c.Redirect(http.StatusSeeOther, "/lab/s/"+l.Info().ID)
}

// labRefusal turns the lab hub's refusals into the status and the words a
// learner sees; learner is who asked.
func (s *Server) labRefusal(err error, learner string) error {
	limits := s.labs.Limits()
	idle := humanize.Duration(limits.Idle)
	switch {
	case errors.Is(err, lab.ErrTooMany):
		var mine []views.Link
		for _, l := range s.labs.Owned(learner) {
			mine = append(mine, views.Link{Title: l.Title + " (started " + l.Created.Format("15:04") + ")", URL: "/lab/s/" + l.ID})
		}
		return &Error{Status: http.StatusTooManyRequests, Hints: mine, Message: fmt.Sprintf(
			"You already have %d labs running, the most one person may run at once. Open one of them below and end it, or wait: a lab nobody watches stops after %s.",
			len(mine), idle)}
	case errors.Is(err, lab.ErrAddressLabs):
		return errorf(http.StatusTooManyRequests,
			"%d labs started from your network are running, the most one address may run at once. End one, or wait: a lab nobody watches stops after %s.",
			limits.PerAddress, idle)
	case errors.Is(err, lab.ErrStartRate):
		return errorf(http.StatusTooManyRequests,
			"Your network started %d labs in the last minute, the most one address may. Wait a minute and try again.", limits.StartsPerMinute)
	case errors.Is(err, lab.ErrAddressSockets):
		return errorf(http.StatusTooManyRequests,
			"Your network holds %d lab connections, the most one address may. Close a few lab tabs and try again.", limits.SocketsPerAddress)
	case errors.Is(err, lab.ErrSockets):
		return errorf(http.StatusServiceUnavailable,
			"The server holds as many lab connections (%d) as it takes. Try again in a few minutes.", limits.Sockets)
	case errors.Is(err, lab.ErrFull):
		return errorf(http.StatusServiceUnavailable,
			"All %d lab places on this server are taken. Labs nobody watches stop after %s, so try again in a few minutes.", limits.Total, idle)
	case errors.Is(err, lab.ErrClosing):
		return errorf(http.StatusServiceUnavailable, "The server is shutting down, so it starts no new labs. Try again in a minute.")
	case errors.Is(err, lab.ErrCrowded):
		return errorf(http.StatusServiceUnavailable, "This lab already has %d viewers, the most one lab takes.", lab.MaxViewers)
	case errors.Is(err, lab.ErrEnded):
		return errLabNotRunning()
	}
	return err
}

func errLabNotRunning() error {
	e := errorf(http.StatusNotFound, "This lab is not running. It may have ended — a lab stops after a while with nobody watching, and when the server restarts — or the link may be mistyped.")
	e.Hints = []views.Link{{Title: "Start a lab", URL: "/lab"}}
	return e
}

// labStyles are the stylesheets of a live lab's page.
var labStyles = []string{"vendor/uplot/uPlot.min.css", "css/lab.css"}

// labPrefetch names what a live lab's page loads besides itself, for the
// scenario page to fetch while its reader reads: its stylesheets, its
// modules and the chart library. Their URLs are content hashes, so the
// cached copies are the ones the lab page asks for.
func (s *Server) labPrefetch() []string {
	return slices.Concat(labStyles, s.assets.Modules("js/lab"), []string{"vendor/uplot/uPlot.iife.min.js"})
}

// labLive is the page of one running lab, for its owner and its viewers.
func (s *Server) labLive(c echo.Context) error {
	l := s.labs.Get(c.Param("id"))
	if l == nil {
		return errLabNotRunning()
	}
	info := l.Info()
	topo := s.labs.Topology()
	v := views.LabLive{
		ID: info.ID, Title: info.Title, Scenario: info.Scenario, Owner: s.learnerID(c) == info.Owner,
		ShareURL: s.publicURL(c, "/lab/s/"+info.ID), Topology: topo,
	}
	if info.Scenario != nil {
		v.PatternTitle = s.patternTitle(info.Scenario.Pattern)
	}
	f := s.labFrame(c, info.Title+" · live", "A live simulation of the shop.", "/lab/s/"+info.ID+"/ws")
	return s.page(c, views.LabLivePage(f, v))
}

// labFrame is the frame of a page that draws a lab from socket: its
// styles and modules, no htmx, and never cached.
func (s *Server) labFrame(c echo.Context, title, description, socket string) views.Frame {
	f := s.frame(c, title, description)
	f.Styles = labStyles
	f.Modules = s.assets.Modules("js/lab")
	f.NoHTMX = true
	f.PaintAfter = "announce"
	f.Socket = socket
	c.Response().Header().Set("Cache-Control", "no-store")
	return f
}

// labReveal is the part of a scenario's lab that tells what the run will
// show: served only once the owner has locked in the prediction, so that
// neither the page nor its source gives the answer away before.
func (s *Server) labReveal(c echo.Context) error {
	l := s.labs.Get(c.Param("id"))
	if l == nil {
		return errLabNotRunning()
	}
	info := l.Info()
	if info.Scenario == nil {
		return errorf(http.StatusNotFound, "Free play has no script, so there is nothing to reveal.")
	}
	if !l.Predicted() {
		return errorf(http.StatusConflict, "Predict first: what the run will show appears once the prediction is locked in.")
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if raw := c.QueryParam("stage"); raw != "" {
		return s.stageReveal(c, l, raw)
	}
	v := views.LabLive{ID: info.ID, Title: info.Title, Scenario: info.Scenario, PatternTitle: s.patternTitle(info.Scenario.Pattern)}
	return s.page(c, views.LabReveal(v))
}

// stageReveal explains the question of one stage (?stage=i), once the
// owner has answered it.
func (s *Server) stageReveal(c echo.Context, l *lab.Lab, raw string) error {
	stages := l.Info().Scenario.Stages
	i, err := strconv.Atoi(raw)
	if err != nil || i < 0 || i >= len(stages) || len(raw) > 3 {
		return errorf(http.StatusBadRequest, "stage must be a stage's number, 0 to %d.", len(stages)-1)
	}
	if !stages[i].Asks() {
		return errorf(http.StatusNotFound, "Stage %d asks no question, so there is nothing to explain.", i)
	}
	if !l.Answered(i) {
		return errorf(http.StatusConflict, "Answer first: the question's explanations appear once the answer is locked in.")
	}
	return s.page(c, views.LabStageReveal(stages[i].Question))
}

// labStop ends a lab; only its owner may.
func (s *Server) labStop(c echo.Context) error {
	l := s.labs.Get(c.Param("id"))
	if l == nil {
		return errLabNotRunning()
	}
	if s.learnerID(c) != l.Info().Owner {
		return errorf(http.StatusForbidden, "Only the person who started this lab can end it.")
	}
	run := l.RunID()
	l.End(lab.CloseNormal, "The owner ended this lab.")
	<-l.Done()
	s.runs.flush() // its last save, so the page can link to the run
	return c.Redirect(http.StatusSeeOther, "/lab?ended="+l.Info().Slug()+"&run="+run)
}

// publicURL is the absolute URL of path on this site.
func (s *Server) publicURL(c echo.Context, path string) string {
	if s.baseURL != nil {
		return s.baseURL.Scheme + "://" + s.baseURL.Host + path
	}
	scheme := "http"
	if c.Request().TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request().Host + path
}
