package web

import (
	"microlab/content"
	"microlab/quiz"
	"microlab/web/views"
)

// buildCards makes the deck: the atomic facts of content/cards, page by
// page in reading order, and one "explain aloud" card per interview
// question, whose id is the page's slug (the id its one card has had
// since the first deck, so schedules carry over).
func (s *Server) buildCards(facts []quiz.Fact) []views.Flashcard {
	byTopic := map[string][]quiz.Fact{}
	for _, f := range facts {
		byTopic[f.Topic] = append(byTopic[f.Topic], f)
	}
	var cards []views.Flashcard
	for _, p := range s.content.All() {
		if p.Kind == content.KindQuestion {
			cards = append(cards, views.Flashcard{ID: p.Slug, Deck: p.Slug, Page: p, Front: p.Question, Aloud: true})
		}
		for _, f := range byTopic[p.Slug] {
			cards = append(cards, views.Flashcard{ID: f.ID, Deck: p.Slug, Page: p, Section: f.Section,
				Front: f.Front, Back: f.Back, Quiz: f.Quiz, Points: f.Points})
		}
	}
	return cards
}

// indexCards fills the lookups over s.cards.
func (s *Server) indexCards() {
	s.cardIndex = make(map[string]int, len(s.cards))
	s.cardsByQuestion = map[string][]string{}
	for i, c := range s.cards {
		s.cardIndex[c.ID] = i
		for _, q := range c.Quiz {
			s.cardsByQuestion[q] = append(s.cardsByQuestion[q], c.ID)
		}
	}
}

// cardByID finds a card of the deck.
func (s *Server) cardByID(id string) (views.Flashcard, bool) {
	i, ok := s.cardIndex[id]
	if !ok {
		return views.Flashcard{}, false
	}
	return s.cards[i], true
}
