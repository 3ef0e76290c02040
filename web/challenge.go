package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"microlab/lab"
	"microlab/simulator"
	"microlab/store"
	"microlab/web/views"
)

// Challenges (/lab/challenges): a fault script and objectives the learner
// meets by setting the shop's knobs before the run. The server plays the
// whole run flat out (simulator.Evaluate) inside the labs' CPU share, scores
// it, keeps the learner's runs, and can open the same run as a live lab.

// challengeSeed is the seed every evaluation plays: the same settings get
// the same score, so scores compare across learners and attempts.
const challengeSeed = simulator.ScenarioSeed

// challengeIndex serves GET /lab/challenges.
func (s *Server) challengeIndex(c echo.Context) error {
	bests := map[string]store.ChallengeRun{}
	if id := s.learnerID(c); id != "" {
		var err error
		if bests, err = s.store.ChallengeBests(c.Request().Context(), id); err != nil {
			return err
		}
	}
	var v views.ChallengeIndex
	for _, ch := range simulator.Challenges() {
		item := views.ChallengeItem{Challenge: ch, PatternTitle: s.pageTitle(ch.Pattern)}
		if b, ok := bests[ch.Slug]; ok {
			item.Best = &b
		}
		v.Items = append(v.Items, item)
	}
	return s.page(c, views.ChallengeIndexPage(s.challengeFrame(c, "Challenges", "Configure the shop before the faults come, then see whether it meets its objectives: scored runs of the simulator."), v))
}

func (s *Server) pageTitle(slug string) string {
	if p, ok := s.content.BySlug(slug); ok {
		return p.Title
	}
	return slug
}

// challengeOf finds the challenge in the path.
func (s *Server) challengeOf(c echo.Context) (simulator.Challenge, error) {
	ch, ok := simulator.ChallengeBySlug(c.Param("slug"))
	if !ok {
		return ch, errorf(http.StatusNotFound, "There is no such challenge. The list on /lab/challenges has them all.")
	}
	return ch, nil
}

// challengePage serves GET /lab/challenges/{slug}: the brief, the
// objectives and the form, filled with the learner's last settings.
func (s *Server) challengePage(c echo.Context) error {
	ch, err := s.challengeOf(c)
	if err != nil {
		return err
	}
	v := views.ChallengeView{Challenge: ch, PatternTitle: s.pageTitle(ch.Pattern), Values: defaultValues(ch)}
	if id := s.learnerID(c); id != "" {
		ctx := c.Request().Context()
		if last, ok, err := s.store.LastChallengeRun(ctx, id, ch.Slug); err != nil {
			return err
		} else if ok {
			if form, err := url.ParseQuery(last.Settings); err == nil {
				if st, err := simulator.ParseSettings(ch, form); err == nil {
					v.Values = st.Values() // a knob since renamed leaves the defaults
				}
			}
		}
		if err := s.fillBest(c, &v); err != nil {
			return err
		}
	}
	return s.page(c, views.ChallengePage(s.challengeFrame(c, "Challenge: "+ch.Title, ch.Brief), v))
}

func (s *Server) fillBest(c echo.Context, v *views.ChallengeView) error {
	bests, err := s.store.ChallengeBests(c.Request().Context(), s.learnerID(c))
	if err != nil {
		return err
	}
	if b, ok := bests[v.Challenge.Slug]; ok {
		v.Best = &b
	}
	return nil
}

func defaultValues(ch simulator.Challenge) url.Values {
	v := url.Values{}
	for _, k := range ch.Knobs {
		v.Set(k.Name, k.Default)
	}
	return v
}

// challengeSubmit serves POST /lab/challenges/{slug}: the learner's knobs,
// scored (action "run", the default) or opened as a live lab ("live").
// Settings that do not parse get a 400 with the form as sent and nothing
// stored; a busy simulator gets a 503 and nothing run.
func (s *Server) challengeSubmit(c echo.Context) error {
	ch, err := s.challengeOf(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return errorf(http.StatusBadRequest, "The form could not be read.")
	}
	action := form.Get("action")
	knobs := url.Values{}
	for k, vs := range form {
		if k != csrfField && k != "action" {
			knobs[k] = vs
		}
	}
	v := views.ChallengeView{Challenge: ch, PatternTitle: s.pageTitle(ch.Pattern), Values: knobs}
	settings, err := simulator.ParseSettings(ch, knobs)
	if err != nil {
		v.Problem = asSentence(err.Error())
		v.Values = keptValues(ch, knobs)
		return s.render(c, http.StatusBadRequest, views.ChallengePage(s.challengeFrame(c, "Challenge: "+ch.Title, ""), v))
	}
	v.Values = settings.Values()
	learner := s.ensureLearner(c)
	ctx := c.Request().Context()
	switch action {
	case "live":
		var sc simulator.Scenario
		if err := s.labs.Evaluate(func() { sc = ch.Scenario(settings) }); err != nil {
			return s.challengeBusy(c, err)
		}
		l, err := s.labs.Start(learner, clientKey(c), &sc)
		if err != nil {
			return s.labRefusal(err, learner)
		}
		return c.Redirect(http.StatusSeeOther, "/lab/s/"+l.Info().ID)
	case "", "run":
	default:
		return errorf(http.StatusBadRequest, "Choose to run the challenge or to watch it live.")
	}
	var res simulator.ChallengeResult
	if err := s.labs.Evaluate(func() { res = simulator.Evaluate(ch, settings, challengeSeed) }); err != nil {
		return s.challengeBusy(c, err)
	}
	run := store.ChallengeRun{Challenge: ch.Slug, Settings: settings.Values().Encode(), Pass: res.Pass, Score: res.Score, At: s.now()}
	if err := s.store.SaveChallengeRun(ctx, learner, run); err != nil {
		switch {
		case errors.Is(err, store.ErrFull):
			return errorf(http.StatusConflict, "You hold as many challenge runs as one learner may (%d). Delete your data on the progress page to start afresh.", store.MaxChallengeRuns)
		case errors.Is(err, store.ErrRevoked):
			return errorf(http.StatusConflict, "This browser's data was deleted. Reload the page to start afresh.")
		}
		return err
	}
	v.Result = &res
	v.CompareURL = compareURL(ch.Slug, settings.Values(), defaultValues(ch))
	if err := s.fillBest(c, &v); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.page(c, views.ChallengePage(s.challengeFrame(c, "Challenge: "+ch.Title+" · result", ""), v))
}

// keptValues is what a refused form shows back: each known knob's value
// as sent (cut to the bound), or its default. Unknown fields are dropped.
func keptValues(ch simulator.Challenge, sent url.Values) url.Values {
	v := defaultValues(ch)
	for _, k := range ch.Knobs {
		if vs := sent[k.Name]; len(vs) > 0 {
			v.Set(k.Name, strings.ToValidUTF8(vs[0][:min(len(vs[0]), simulator.MaxSettingValue)], ""))
		}
	}
	return v
}

func (s *Server) challengeBusy(c echo.Context, err error) error {
	if errors.Is(err, lab.ErrBusy) {
		c.Response().Header().Set("Retry-After", "5")
		return errorf(http.StatusServiceUnavailable, "The simulator is busy with other runs and labs right now. Try again in a few seconds; nothing was run or stored.")
	}
	return err
}

// challengeFrame is the frame of the challenge pages: the lab's stylesheet,
// no htmx.
func (s *Server) challengeFrame(c echo.Context, title, description string) views.Frame {
	f := s.frame(c, title, description)
	f.Styles = []string{"css/lab.css"}
	f.NoHTMX = true
	return f
}
