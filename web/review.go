package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"microlab/internal/humanize"
	"microlab/quiz"
	"microlab/store"
	"microlab/web/views"
)

// dueCards returns the learner's cards that are due at now, earliest
// first (new cards count as due), and how many cards there are in all.
func (s *Server) dueCards(c echo.Context, now time.Time) ([]views.DueCard, error) {
	var stored map[string]quiz.Card
	if id := s.learnerID(c); id != "" {
		var err error
		if stored, err = s.store.Cards(c.Request().Context(), id); err != nil {
			return nil, err
		}
	}
	var due []views.DueCard
	for _, fc := range s.cards {
		card := stored[fc.ID] // the zero Card is a new card
		if card.State == quiz.StateNew || !card.Due.After(now) {
			due = append(due, views.DueCard{Flashcard: fc, Card: card})
		}
	}
	// Cards seen before and now due come first, earliest first; new cards
	// after them in deck order.
	slices.SortStableFunc(due, func(a, b views.DueCard) int {
		an, bn := a.Card.State == quiz.StateNew, b.Card.State == quiz.StateNew
		switch {
		case an != bn:
			if an {
				return 1
			}
			return -1
		case an:
			return 0
		}
		return a.Card.Due.Compare(b.Card.Due)
	})
	return due, nil
}

// review serves GET /review: the first card due now, front up, with its
// answer behind a <details> so revealing needs no JavaScript.
func (s *Server) review(c echo.Context) error {
	now := s.now()
	due, err := s.dueCards(c, now)
	if err != nil {
		return err
	}
	v := views.ReviewView{Due: len(due), Total: len(s.cards), CSRF: csrfToken(c)}
	if len(due) > 0 {
		v.Card = &due[0]
		v.Intervals = s.previewIntervals(due[0].Card, now)
	} else if id := s.learnerID(c); id != "" {
		cards, err := s.store.Cards(c.Request().Context(), id)
		if err != nil {
			return err
		}
		for _, card := range cards {
			if v.NextDue.IsZero() || card.Due.Before(v.NextDue) {
				v.NextDue = card.Due
			}
		}
	}
	return s.page(c, views.ReviewPage(s.frame(c, "Review", "Flashcards of the interview questions and patterns, on a spaced-repetition schedule."), v))
}

// previewIntervals says when the card would come back for each rating.
func (s *Server) previewIntervals(card quiz.Card, now time.Time) [4]string {
	var out [4]string
	for r := quiz.Again; r <= quiz.Easy; r++ {
		next, _ := s.scheduler.Review(card, r, now)
		out[r-1] = humanize.Duration(next.Due.Sub(now))
	}
	return out
}

// rateCard handles POST /review: card, rating (1 to 4) and the card's due
// time as it was shown, so a resubmitted form cannot rate a card twice.
func (s *Server) rateCard(c echo.Context) error {
	fc, ok := s.cardByID(c.FormValue("card"))
	if !ok {
		return errorf(http.StatusBadRequest, "There is no flashcard “%s”.", humanize.Truncate(c.FormValue("card"), maxSlugLen))
	}
	rating, err := quiz.ParseRating(c.FormValue("rating"))
	if err != nil {
		return errorf(http.StatusBadRequest, "Rate the card 1 (again), 2 (hard), 3 (good) or 4 (easy).")
	}
	shown, err := strconv.ParseInt(c.FormValue("shown_due"), 10, 64)
	if err != nil {
		return errorf(http.StatusBadRequest, "The review form is incomplete; reload the page and try again.")
	}
	learner := s.ensureLearner(c)
	ctx := c.Request().Context()
	card, _, err := s.store.Card(ctx, learner, fc.ID)
	if err != nil {
		return err
	}
	// A stale form is refused here without a write; a rating that races
	// another past this check is refused by SaveReview, which checks that
	// the card is still the one read here in the transaction that saves.
	if views.DueMillis(card) != shown {
		return errorf(http.StatusConflict, "You have already rated this card; your first rating stands.")
	}
	next, log := s.scheduler.Review(card, rating, s.now())
	if err := s.store.SaveReview(ctx, learner, fc.ID, next, log); err != nil {
		if errors.Is(err, store.ErrAlreadyAnswered) {
			return errorf(http.StatusConflict, "You have already rated this card; your first rating stands.")
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/review")
}
