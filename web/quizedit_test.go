package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"microlab/quiz"
)

// A bank edit can give a question more or fewer options than it had when a
// learner's quiz was stored. The stored option order then no longer fits:
// the page must show the question's current options, once each, and take
// and grade an answer, where it used to index past the end and answer 500.
func TestAQuizStoredBeforeABankEditStillWorks(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	alice := newLearner(t, srv.URL)
	startQuiz(t, alice, url.Values{"topic": {"saga"}, "length": {"5"}}) // makes alice a learner

	var single, ordering quiz.Question
	for _, q := range ts.catalog.Questions() {
		switch {
		case single.ID == "" && q.Type == quiz.TypeSingle && len(q.Options) >= 4:
			single = q
		case ordering.ID == "" && q.Type == quiz.TypeOrdering && len(q.Options) >= 4:
			ordering = q
		}
	}
	const id = "0123456789abcdef0123456789abcdef"
	err := ts.db.CreateQuiz(t.Context(), alice.id(), quiz.NewAttempt{
		ID: id, Spec: quiz.Spec{Length: 5},
		Items: []quiz.Item{
			{QuestionID: single.ID, Order: []int{1, 0}},                     // planned with two options
			{QuestionID: ordering.ID, Order: []int{6, 5, 4, 3, 2, 1, 0, 7}}, // planned with eight
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for n, q := range []quiz.Question{single, ordering} {
		page := "/quiz/" + id + "/q/" + strconv.Itoa(n+1)
		doc := mustDoc(t, wantStatus(t, alice.get(t, page), http.StatusOK))
		shown := map[string]int{}
		doc.Find("li[data-option], input[name=choice]").Each(func(_ int, s *goquery.Selection) {
			shown[s.AttrOr("data-option", s.AttrOr("value", ""))]++
		})
		if len(shown) != len(q.Options) {
			t.Errorf("%s shows %d distinct options, want the %d it has now", page, len(shown), len(q.Options))
		}
		for opt, k := range shown {
			if k != 1 {
				t.Errorf("%s shows option %s %d times", page, opt, k)
			}
		}
		wantStatus(t, alice.submit(t, "/quiz/"+id+"/answer", answerFor(q, n+1, true)), http.StatusSeeOther)
		again := mustDoc(t, wantStatus(t, alice.get(t, page), http.StatusOK))
		if got := again.Find("[data-testid=quiz-card]").AttrOr("data-state", ""); got != "correct" {
			t.Errorf("%s after a right answer shows state %q", page, got)
		}
	}
	wantStatus(t, alice.get(t, "/quiz/"+id+"/result"), http.StatusOK)
}
