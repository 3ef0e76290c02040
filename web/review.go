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

// studyQueue is what a learner has to study now, within the day's limits.
type studyQueue struct {
	reviews, fresh []views.DueCard // seen before and due, earliest first; new, in deck order
	settings       store.ReviewSettings
	reviewsToday   int
	newToday       int
	stored         map[string]quiz.Card
}

// queue builds the learner's study queue at now: the cards of the chosen
// decks that are not suspended, reviews due (up to what is left of the
// day's review limit), then new cards (up to what is left of the new-card
// limit). A visitor who has stored nothing gets the defaults.
func (s *Server) queue(c echo.Context, now time.Time) (studyQueue, error) {
	q := studyQueue{settings: store.DefaultReviewSettings}
	suspended := map[string]bool{}
	var boosted map[string]time.Time // new cards a missed interview point brought forward
	if id := s.learnerID(c); id != "" {
		ctx := c.Request().Context()
		var err error
		if q.settings, err = s.store.ReviewSettings(ctx, id); err != nil {
			return q, err
		}
		if q.stored, err = s.store.Cards(ctx, id); err != nil {
			return q, err
		}
		if suspended, err = s.store.SuspendedCards(ctx, id); err != nil {
			return q, err
		}
		if boosted, err = s.store.BoostedCards(ctx, id); err != nil {
			return q, err
		}
		if q.reviewsToday, q.newToday, err = s.store.ReviewCounts(ctx, id, dayStart(now, learnerZone(c))); err != nil {
			return q, err
		}
	}
	for _, fc := range s.cards {
		if suspended[fc.ID] || len(q.settings.Decks) > 0 && !slices.Contains(q.settings.Decks, fc.Deck) {
			continue
		}
		card := q.stored[fc.ID] // the zero Card is a new card
		switch {
		case card.Reps == 0:
			q.fresh = append(q.fresh, views.DueCard{Flashcard: fc, Card: card})
		case !card.Due.After(now):
			q.reviews = append(q.reviews, views.DueCard{Flashcard: fc, Card: card})
		}
	}
	slices.SortStableFunc(q.reviews, func(a, b views.DueCard) int { return a.Card.Due.Compare(b.Card.Due) })
	// Boosted new cards first, the latest boost first; the rest keep the
	// deck's reading order.
	slices.SortStableFunc(q.fresh, func(a, b views.DueCard) int {
		ta, oka := boosted[a.ID]
		tb, okb := boosted[b.ID]
		switch {
		case oka && okb:
			return tb.Compare(ta)
		case oka:
			return -1
		case okb:
			return 1
		}
		return 0
	})
	q.reviews = q.reviews[:min(len(q.reviews), max(0, q.settings.ReviewsPerDay-q.reviewsToday))]
	q.fresh = q.fresh[:min(len(q.fresh), max(0, q.settings.NewPerDay-q.newToday))]
	return q, nil
}

func (q studyQueue) next() *views.DueCard {
	switch {
	case len(q.reviews) > 0:
		return &q.reviews[0]
	case len(q.fresh) > 0:
		return &q.fresh[0]
	}
	return nil
}

// review serves GET /review: the next card to study, front up, with its
// answer behind a <details> so revealing needs no JavaScript.
func (s *Server) review(c echo.Context) error {
	now := s.now()
	q, err := s.queue(c, now)
	if err != nil {
		return err
	}
	v := views.ReviewView{
		DueReviews: len(q.reviews), DueNew: len(q.fresh), NewToday: q.newToday, ReviewsToday: q.reviewsToday,
		Settings: views.ReviewSettings{Decks: q.settings.Decks, NewPerDay: q.settings.NewPerDay, ReviewsPerDay: q.settings.ReviewsPerDay},
		Total:    len(s.cards), CSRF: csrfToken(c),
	}
	for _, d := range q.settings.Decks {
		v.DeckTitles = append(v.DeckTitles, s.topicTitle(d))
	}
	if c.QueryParam("undone") != "" {
		v.Notice = "Undone: the card is back as it was before that rating."
	}
	if v.Card = q.next(); v.Card != nil {
		v.Intervals = s.previewIntervals(v.Card.Card, now)
	} else {
		var next time.Time
		for _, card := range q.stored {
			if card.Reps > 0 && card.Due.After(now) && (next.IsZero() || card.Due.Before(next)) {
				next = card.Due
			}
		}
		if !next.IsZero() {
			v.NextDue = when(next, now, learnerZone(c))
		}
	}
	if id := s.learnerID(c); id != "" {
		last, ok, err := s.store.Undoable(c.Request().Context(), id)
		if err != nil {
			return err
		}
		if fc, known := s.cardByID(last.CardID); ok && known {
			v.Undo = &views.UndoView{CardID: last.CardID, Front: humanize.Truncate(fc.Front, 80), Rating: views.RatingLabel(last.Rating), Reviewed: last.Reviewed.UnixMilli()}
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.page(c, views.ReviewPage(s.frame(c, "Review", "Flashcards of the patterns and interview questions, on a spaced-repetition schedule."), v))
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

// undoRating handles POST /review/undo: the card and the time of the
// rating the page offered to undo, which must still be the latest.
func (s *Server) undoRating(c echo.Context) error {
	learner := s.learnerID(c)
	ms, err := strconv.ParseInt(c.FormValue("reviewed"), 10, 64)
	if learner == "" || err != nil {
		return errorf(http.StatusBadRequest, "There is no rating to undo.")
	}
	if err := s.store.UndoReview(c.Request().Context(), learner, c.FormValue("card"), time.UnixMilli(ms)); err != nil {
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
			return errorf(http.StatusConflict, "That rating can no longer be undone: it is not your latest, or it was undone already.")
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/review?undone=1")
}
