package web

import (
	"fmt"
	"time"

	"github.com/labstack/echo/v4"

	"microlab/quiz"
	"microlab/web/views"
)

// statsDays is how far back and ahead the statistics look.
const statsDays = 30

// reviewStats serves GET /review/stats: reviews per day over the last 30
// days, true retention against the scheduler's target, and the cards due
// on each of the next 30 days, on the learner's clock.
func (s *Server) reviewStats(c echo.Context) error {
	now, loc := s.now(), learnerZone(c)
	today := dayStart(now, loc)
	v := views.ReviewStatsView{Days: statsDays, Target: s.scheduler.DesiredRetention, Zone: zoneName(loc)}
	day := func(i int) time.Time { return today.AddDate(0, 0, i) }
	// dayOf counts the learner's days from today to t (negative before),
	// by the calendar, so a day with a clock change is still one day.
	dayOf := func(t time.Time) int {
		i := int(t.Sub(today) / (24 * time.Hour))
		for day(i).After(t) {
			i--
		}
		for !day(i + 1).After(t) {
			i++
		}
		return i
	}
	for i := -statsDays + 1; i <= 0; i++ {
		v.PerDay = append(v.PerDay, views.Bar{Label: day(i).Format("2 Jan")})
	}
	for i := 0; i < statsDays; i++ {
		v.Forecast = append(v.Forecast, views.Bar{Label: day(i).Format("2 Jan")})
	}
	if id := s.learnerID(c); id != "" {
		ctx := c.Request().Context()
		logs, err := s.store.ReviewLogsSince(ctx, id, day(-statsDays+1))
		if err != nil {
			return err
		}
		for _, l := range logs {
			i := dayOf(l.Reviewed) + statsDays - 1
			if i >= 0 && i < statsDays {
				v.PerDay[i].Value++
			}
			v.Reviews++
			// True retention, as Anki counts it: of the reviews of cards
			// already learned, the share not forgotten.
			if l.State == quiz.StateReview {
				v.Judged++
				if l.Rating != quiz.Again {
					v.Retained++
				}
			}
		}
		cards, err := s.store.Cards(ctx, id)
		if err != nil {
			return err
		}
		suspended, err := s.store.SuspendedCards(ctx, id)
		if err != nil {
			return err
		}
		for cid, card := range cards {
			if card.Reps == 0 || suspended[cid] {
				continue
			}
			if _, ok := s.cardByID(cid); !ok {
				continue // a card of an older deck
			}
			v.Studied++
			if i := max(0, dayOf(card.Due)); i < statsDays {
				v.Forecast[i].Value++
			}
		}
	}
	for i := range v.PerDay {
		v.PerDay[i].Note = fmt.Sprintf("%d reviews", v.PerDay[i].Value)
	}
	for i := range v.Forecast {
		v.Forecast[i].Note = fmt.Sprintf("%d cards due", v.Forecast[i].Value)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.page(c, views.ReviewStatsPage(s.frame(c, "Review statistics", "Your reviews per day, retention and the cards coming due."), v))
}
