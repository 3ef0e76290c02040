package web

import (
	"microlab/content"
	"microlab/web/views"
)

// buildCards makes the deck: every interview question, and each pattern's
// key ideas. The card id is the page's slug, so a quiz topic and its card
// share an id and a wrong answer can lapse the card (see lapse).
func (s *Server) buildCards() []views.Flashcard {
	var cards []views.Flashcard
	for _, p := range s.content.Pages(content.KindQuestion) {
		cards = append(cards, views.Flashcard{ID: p.Slug, Page: p, Front: p.Question, Kind: "Interview question"})
	}
	for _, p := range s.content.Pages(content.KindPattern) {
		cards = append(cards, views.Flashcard{ID: p.Slug, Page: p, Kind: "Pattern",
			Front: "Explain the " + p.Title + " pattern: the problem it solves, how it works, its key knobs and how it fails."})
	}
	return cards
}

// cardByID finds a card of the deck. The deck is small (a card per question
// and pattern page) and built once, so a scan costs less than keeping a map
// in step with it.
func (s *Server) cardByID(id string) (views.Flashcard, bool) {
	for _, c := range s.cards {
		if c.ID == id {
			return c, true
		}
	}
	return views.Flashcard{}, false
}
