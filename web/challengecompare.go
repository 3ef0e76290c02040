package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"microlab/internal/humanize"
	"microlab/simulator"
	"microlab/web/views"
)

// A comparison plays one challenge twice, on the same seed and so on the
// same traffic (Sim.Arrivals), with two designs, and shows them side by
// side. Its page is a GET form, so the URL is the comparison: shared, it
// shows the same runs to anyone (the simulation is deterministic).

// compareSides are the two designs' field prefixes.
var compareSides = [2]string{"a.", "b."}

// challengeCompare serves GET /lab/challenges/{slug}/compare: with no
// query, the form with both designs at the defaults; with one, both runs.
func (s *Server) challengeCompare(c echo.Context) error {
	ch, err := s.challengeOf(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	v := views.CompareView{Challenge: ch, PatternTitle: s.pageTitle(ch.Pattern)}
	sent := [2]url.Values{{}, {}}
	for k, vs := range q {
		side := -1
		for i, p := range compareSides {
			if strings.HasPrefix(k, p) {
				side = i
				sent[i][strings.TrimPrefix(k, p)] = vs
			}
		}
		if side < 0 {
			v.Problem = "“" + humanize.Truncate(k, 40) + "” is not a knob of either design: name them a.<knob> and b.<knob>."
		}
	}
	var settings [2]simulator.Settings
	for i := range sent {
		st, err := simulator.ParseSettings(ch, sent[i])
		if err != nil && v.Problem == "" {
			v.Problem = "Design " + string(rune('A'+i)) + ": " + asSentence(err.Error())
		}
		settings[i] = st
		v.Values[i] = keptValues(ch, sent[i])
		if err == nil {
			v.Values[i] = st.Values()
		}
	}
	f := s.challengeFrame(c, "Compare two designs: "+ch.Title, "One challenge, two designs, the same traffic, side by side.")
	if v.Problem != "" {
		return s.render(c, http.StatusBadRequest, views.ComparePage(f, v))
	}
	if len(q) == 0 {
		return s.page(c, views.ComparePage(f, v))
	}
	var res [2]simulator.ChallengeResult
	if err := s.labs.Evaluate(func() {
		for i := range res {
			res[i] = simulator.Evaluate(ch, settings[i], challengeSeed)
		}
	}); err != nil {
		return s.challengeBusy(c, err)
	}
	v.Results = &res
	v.ShareURL = s.publicURL(c, c.Request().URL.RequestURI())
	return s.page(c, views.ComparePage(f, v))
}

// compareURL is the comparison of settings a against b.
func compareURL(slug string, a, b url.Values) string {
	q := url.Values{}
	for i, vals := range []url.Values{a, b} {
		for k, vs := range vals {
			q[compareSides[i]+k] = vs
		}
	}
	return "/lab/challenges/" + slug + "/compare?" + q.Encode()
}
