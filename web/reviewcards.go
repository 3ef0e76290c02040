package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"microlab/content"
	"microlab/internal/humanize"
	"microlab/quiz"
	"microlab/store"
	"microlab/web/views"
)

// deckChoices lists every deck (a page with cards) in reading order, with
// its card count, marking those in chosen.
func (s *Server) deckChoices(chosen []string) []views.DeckChoice {
	var out []views.DeckChoice
	for _, sec := range views.LearnSections {
		for _, p := range s.content.Pages(sec.Kind) {
			n := 0
			for _, c := range s.cards {
				if c.Deck == p.Slug {
					n++
				}
			}
			if n > 0 {
				out = append(out, views.DeckChoice{Slug: p.Slug, Title: p.Title, Group: kindLabel(p.Kind), Cards: n, Chosen: slices.Contains(chosen, p.Slug)})
			}
		}
	}
	return out
}

func kindLabel(k content.Kind) string {
	switch k {
	case content.KindPattern:
		return "pattern"
	case content.KindQuestion:
		return "interview question"
	}
	return "guide"
}

// reviewSettings serves GET /review/settings.
func (s *Server) reviewSettings(c echo.Context) error {
	set := store.DefaultReviewSettings
	if id := s.learnerID(c); id != "" {
		var err error
		if set, err = s.store.ReviewSettings(c.Request().Context(), id); err != nil {
			return err
		}
	}
	v := views.ReviewSettingsView{Decks: s.deckChoices(set.Decks), NewPerDay: strconv.Itoa(set.NewPerDay),
		ReviewsPerDay: strconv.Itoa(set.ReviewsPerDay), Saved: c.QueryParam("saved") != ""}
	return s.showSettings(c, http.StatusOK, v)
}

func (s *Server) showSettings(c echo.Context, status int, v views.ReviewSettingsView) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, status, views.ReviewSettingsPage(s.frame(c, "Decks and limits", "Choose the decks you study and how many cards a day."), v))
}

// saveReviewSettings handles POST /review/settings. A refusal shows the
// form again, as sent, with the reason.
func (s *Server) saveReviewSettings(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return errorf(http.StatusBadRequest, "The form could not be read.")
	}
	decks := form["deck"]
	v := views.ReviewSettingsView{NewPerDay: form.Get("new_per_day"), ReviewsPerDay: form.Get("reviews_per_day")}
	refuse := func(why string) error {
		var kept []string
		for _, d := range decks {
			if _, ok := s.content.BySlug(d); ok {
				kept = append(kept, d)
			}
		}
		v.Decks, v.Problem = s.deckChoices(kept), why
		return s.showSettings(c, http.StatusBadRequest, v)
	}
	if len(decks) > len(s.content.All()) {
		return refuse("Too many decks in the form.")
	}
	for _, d := range decks {
		if _, ok := s.content.BySlug(d); !ok {
			return refuse("“" + humanize.Truncate(d, maxSlugLen) + "” is not a deck; tick decks from the list.")
		}
	}
	np, err1 := strconv.Atoi(strings.TrimSpace(v.NewPerDay))
	rp, err2 := strconv.Atoi(strings.TrimSpace(v.ReviewsPerDay))
	switch {
	case err1 != nil || np < 0 || np > 999:
		return refuse("New cards a day is a whole number from 0 to 999.")
	case err2 != nil || rp < 0 || rp > 9999:
		return refuse("Reviews a day is a whole number from 0 to 9999.")
	}
	set := store.ReviewSettings{Decks: decks, NewPerDay: np, ReviewsPerDay: rp}
	if err := s.store.SaveReviewSettings(c.Request().Context(), s.ensureLearner(c), set); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/review/settings?saved=1")
}

// browserPage is how many cards the browser lists at once.
const browserPage = 50

// cardBrowser serves GET /review/cards?q=&deck=&state=&page=: the deck's
// cards that match, with the learner's schedule for each and the actions
// on them.
func (s *Server) cardBrowser(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	deck, state := c.QueryParam("deck"), c.QueryParam("state")
	if utf8.RuneCountInString(q) > maxQueryRunes || !utf8.ValidString(q) {
		return errorf(http.StatusBadRequest, "That search is too long, or not text; the limit is %d characters.", maxQueryRunes)
	}
	if deck != "" {
		if _, ok := s.content.BySlug(deck); !ok {
			return errorf(http.StatusBadRequest, "There is no deck “%s”.", humanize.Truncate(deck, maxSlugLen))
		}
	}
	if !slices.Contains([]string{"", "new", "learning", "review", "suspended"}, state) {
		return errorf(http.StatusBadRequest, "Pick a state from the list: new, learning, review or suspended.")
	}
	page := 1
	if p := c.QueryParam("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1000 {
			return errorf(http.StatusBadRequest, "There is no page “%s” of cards.", humanize.Truncate(p, maxSlugLen))
		}
		page = n
	}
	stored, suspended := map[string]quiz.Card{}, map[string]bool{}
	if id := s.learnerID(c); id != "" {
		var err error
		if stored, err = s.store.Cards(c.Request().Context(), id); err != nil {
			return err
		}
		if suspended, err = s.store.SuspendedCards(c.Request().Context(), id); err != nil {
			return err
		}
	}
	now, loc := s.now(), learnerZone(c)
	needle := strings.ToLower(q)
	var rows []views.BrowsedCard
	for _, fc := range s.cards {
		if deck != "" && fc.Deck != deck {
			continue
		}
		if needle != "" && !strings.Contains(strings.ToLower(fc.Front+"\n"+fc.Back), needle) {
			continue
		}
		card := stored[fc.ID]
		row := views.BrowsedCard{Flashcard: fc, DeckTitle: fc.Page.Title, State: stateLabel(card), Suspended: suspended[fc.ID]}
		if card.Reps > 0 {
			row.Due = when(card.Due, now, loc)
		}
		if !stateMatches(state, row) {
			continue
		}
		rows = append(rows, row)
	}
	v := views.CardBrowserView{Query: q, Deck: deck, State: state, Decks: s.deckChoices(nil), Matched: len(rows), Page: page, CSRF: csrfToken(c)}
	from := (page - 1) * browserPage
	if from < len(rows) {
		v.Cards = rows[from:min(len(rows), from+browserPage)]
	}
	link := func(p int) string {
		u := url.Values{}
		for k, val := range map[string]string{"q": q, "deck": deck, "state": state} {
			if val != "" {
				u.Set(k, val)
			}
		}
		if p > 1 {
			u.Set("page", strconv.Itoa(p))
		}
		if len(u) == 0 {
			return "/review/cards"
		}
		return "/review/cards?" + u.Encode()
	}
	v.ReturnURL = link(page)
	if page > 1 {
		v.PrevURL = link(page - 1)
	}
	if from+browserPage < len(rows) {
		v.NextURL = link(page + 1)
	}
	switch c.QueryParam("done") {
	case "suspended":
		v.Notice = "Suspended: the card stays out of your reviews until you unsuspend it."
	case "unsuspended":
		v.Notice = "Unsuspended: the card is back in your reviews, on its old schedule."
	case "reset":
		v.Notice = "Reset: the card is new again; its history stays in your statistics."
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.page(c, views.CardBrowserPage(s.frame(c, "Browse cards", "Search the flashcards, suspend or reset them."), v))
}

func stateLabel(c quiz.Card) string {
	if c.Reps == 0 {
		return "New"
	}
	switch c.State {
	case quiz.StateLearning:
		return "Learning"
	case quiz.StateRelearning:
		return "Relearning"
	}
	return "Review"
}

func stateMatches(want string, r views.BrowsedCard) bool {
	switch want {
	case "new":
		return r.State == "New"
	case "learning":
		return r.State == "Learning" || r.State == "Relearning"
	case "review":
		return r.State == "Review"
	case "suspended":
		return r.Suspended
	}
	return true
}

// browserReturn is where a browser action goes back to: the browser
// listing it came from, never anywhere else.
func browserReturn(c echo.Context, done string) string {
	ret := c.FormValue("return")
	if ret != "/review/cards" && !strings.HasPrefix(ret, "/review/cards?") || strings.ContainsAny(ret, "\\\r\n") || len(ret) > 600 {
		ret = "/review/cards"
	}
	sep := "?"
	if strings.Contains(ret, "?") {
		sep = "&"
	}
	return ret + sep + "done=" + done
}

// suspendCard handles POST /review/cards/suspend (suspend=1 or 0).
func (s *Server) suspendCard(c echo.Context) error {
	fc, ok := s.cardByID(c.FormValue("card"))
	if !ok {
		return errorf(http.StatusBadRequest, "There is no flashcard “%s”.", humanize.Truncate(c.FormValue("card"), maxSlugLen))
	}
	on := c.FormValue("suspend")
	if on != "0" && on != "1" {
		return errorf(http.StatusBadRequest, "Say whether to suspend the card (1) or not (0).")
	}
	if err := s.store.SetSuspended(c.Request().Context(), s.ensureLearner(c), fc.ID, on == "1"); err != nil {
		return err
	}
	done := "suspended"
	if on == "0" {
		done = "unsuspended"
	}
	return c.Redirect(http.StatusSeeOther, browserReturn(c, done))
}

// resetCard handles POST /review/cards/reset.
func (s *Server) resetCard(c echo.Context) error {
	fc, ok := s.cardByID(c.FormValue("card"))
	if !ok {
		return errorf(http.StatusBadRequest, "There is no flashcard “%s”.", humanize.Truncate(c.FormValue("card"), maxSlugLen))
	}
	learner := s.learnerID(c)
	if learner == "" {
		return c.Redirect(http.StatusSeeOther, browserReturn(c, "reset"))
	}
	if err := s.store.ResetCard(c.Request().Context(), learner, fc.ID); err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return errorf(http.StatusBadRequest, "That card cannot be reset.")
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, browserReturn(c, "reset"))
}
