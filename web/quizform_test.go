package web

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"microlab/quiz"
)

// TestARefusedAnswerKeepsTheForm walks a whole saga quiz, sending every
// question a bad answer before the right one: the refusal is a 400 that
// shows the question again with the reason and the form, keeping what was
// chosen, as a page without JavaScript and as the card for htmx.
func TestARefusedAnswerKeepsTheForm(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	alice := newLearner(t, srv.URL)
	id := startQuiz(t, alice, url.Values{"topic": {"saga"}, "length": {"20"}, "short": {"ok"}})
	state, err := ts.db.Quiz(t.Context(), alice.id(), id)
	if err != nil {
		t.Fatal(err)
	}
	sawOrdering := false
	for n := 1; n <= len(state.Items); n++ {
		q := question(t, ts, alice, id, n)
		bad := answerFor(q, n, true)
		var reason, kept string
		if q.Type == quiz.TypeOrdering {
			sawOrdering = true
			for i := range q.Options {
				bad.Set("pos-"+strconv.Itoa(i), "2")
			}
			bad.Set("pos-0", "1")
			reason, kept = "Two items share position 2", `select[name="pos-0"] option[value="1"][selected]`
		} else {
			bad["choice"] = []string{"0", "99"}
			reason, kept = "does not exist", `input[name=choice][value="0"][checked]`
		}

		res := wantStatus(t, alice.submit(t, "/quiz/"+id+"/answer", bad), http.StatusBadRequest)
		doc := mustDoc(t, res)
		if got := doc.Find("[data-testid=answer-problem][role=alert]").Text(); !strings.Contains(got, reason) {
			t.Errorf("question %d (%s): the refusal says %q, want %q", n, q.Type, got, reason)
		}
		if doc.Find("[data-testid=answer-form]").Length() != 1 || doc.Find(kept).Length() != 1 {
			t.Errorf("question %d (%s): the refusal does not show the form keeping the choice (%s)", n, q.Type, kept)
		}
		if doc.Find("main").Length() != 1 {
			t.Errorf("question %d: without JavaScript the refusal is not a whole page", n)
		}

		hx := hxPost(t, alice, "/quiz/"+id+"/answer", bad)
		if hx.status != http.StatusBadRequest || !strings.Contains(hx.body, reason) ||
			!strings.Contains(hx.body, `data-testid="answer-form"`) || strings.Contains(hx.body, "<main") {
			t.Errorf("question %d: htmx gets %d %.200q, want a 400 card with the reason and the form", n, hx.status, hx.body)
		}
		if want := fmt.Sprintf("<title>Question %d of %d · Microlab</title>", n, len(state.Items)); !strings.HasPrefix(hx.body, want) {
			t.Errorf("question %d: the htmx card does not start with %s", n, want)
		}

		// Nothing was recorded: the right answer is still taken.
		wantStatus(t, alice.submit(t, "/quiz/"+id+"/answer", answerFor(q, n, true)), http.StatusSeeOther)
	}
	if !sawOrdering {
		t.Error("the saga quiz had no ordering question; the test covered only choices")
	}

	// A page from before the result was a plain link asks for it through
	// htmx: it is sent to the page instead of nesting one in the card.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/quiz/"+id+"/result", nil)
	req.Header.Set("HX-Request", "true")
	res, err := alice.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("HX-Redirect") != "/quiz/"+id+"/result" || len(body) != 0 {
		t.Errorf("htmx asking for the result = %d, HX-Redirect %q, %d bytes; want 200, a redirect to the page and no body",
			res.StatusCode, res.Header.Get("HX-Redirect"), len(body))
	}
}

type hxResponse struct {
	status int
	body   string
}

// hxPost posts form as htmx does, with the learner's CSRF token in its
// header.
func hxPost(t *testing.T, le *learner, path string, form url.Values) hxResponse {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, le.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", le.token(t))
	req.Header.Set("Origin", le.base)
	res, err := le.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return hxResponse{res.StatusCode, string(body)}
}

// TestQuizBuilderSaysWhenTooFewMatch asks for 20 hard saga questions when
// fewer exist: the builder says how many there are, keeps the choice, and
// starts the shorter quiz only when asked to.
func TestQuizBuilderSaysWhenTooFewMatch(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	alice := newLearner(t, srv.URL)
	bank, _ := ts.catalog.Bank("saga")
	hard := 0
	for _, q := range bank.Questions {
		if q.Difficulty == quiz.DifficultyHard {
			hard++
		}
	}
	if hard == 0 || hard >= 20 {
		t.Fatalf("the saga bank has %d hard questions; the test needs between 1 and 19", hard)
	}
	form := url.Values{"topic": {"saga"}, "length": {"20"}, "difficulty": {"hard"}}
	doc := mustDoc(t, wantStatus(t, alice.submit(t, "/quiz", form), http.StatusUnprocessableEntity))
	noun := "questions"
	if hard == 1 {
		noun = "question"
	}
	if got, want := doc.Find("[data-testid=short-quiz]").Text(), fmt.Sprintf("Only %d hard %s in these topics, not 20.", hard, noun); !strings.Contains(got, want) {
		t.Errorf("the builder says %q, want %q", got, want)
	}
	if doc.Find(`input[name=topic][value=saga][checked]`).Length() != 1 || doc.Find(`#difficulty option[value=hard][selected]`).Length() != 1 ||
		doc.Find(`input[name=length][value="20"][checked]`).Length() != 1 {
		t.Error("the builder does not keep the choice it refused")
	}
	form.Set("short", "ok")
	id := startQuiz(t, alice, form)
	state, err := ts.db.Quiz(t.Context(), alice.id(), id)
	if err != nil || len(state.Items) != hard {
		t.Errorf("the quiz started with short=ok has %d items (%v), want %d", len(state.Items), err, hard)
	}
	// A choice that holds enough starts at once.
	startQuiz(t, alice, url.Values{"topic": {"saga"}, "length": {"5"}})
}

// TestQuizBuilderListsATopicOnce: a guide and an interview question with
// the same title are one topic in the builder, whose checkbox draws from
// both banks.
func TestQuizBuilderListsATopicOnce(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	alice := newLearner(t, srv.URL)
	doc := mustDoc(t, wantStatus(t, alice.get(t, "/quiz"), http.StatusOK))
	seen := map[string]int{}
	doc.Find(".topic-list .topic-name").Each(func(_ int, l *goquery.Selection) {
		title := strings.TrimSpace(l.Contents().Not("span").Text())
		seen[title]++
	})
	for title, n := range seen {
		if n > 1 {
			t.Errorf("the builder lists %q %d times", title, n)
		}
	}
	box := doc.Find(`input[name=topic][value~="advantages"]`)
	if v := box.AttrOr("value", ""); v != "advantages-of-microservices advantages" {
		t.Fatalf("the Advantages checkbox sends %q, want both banks", v)
	}
	id := startQuiz(t, alice, url.Values{"topic": {box.AttrOr("value", "")}, "length": {"10"}})
	state, _ := ts.db.Quiz(t.Context(), alice.id(), id)
	topics := map[string]bool{}
	for _, it := range state.Items {
		q, _ := ts.catalog.Question(it.QuestionID)
		topics[q.Topic] = true
	}
	if !topics["advantages"] || !topics["advantages-of-microservices"] || len(topics) != 2 {
		t.Errorf("the quiz drew from %v, want both advantages banks and nothing else", topics)
	}
	// The ?topic= of either page ticks the one box.
	for _, slug := range []string{"advantages", "advantages-of-microservices"} {
		doc := mustDoc(t, alice.get(t, "/quiz?topic="+slug))
		if doc.Find(`input[name=topic][checked]`).AttrOr("value", "") != "advantages-of-microservices advantages" {
			t.Errorf("/quiz?topic=%s does not tick the shared box", slug)
		}
	}
}

// TestAWrongAnswerBringsItsCardsBack: a miss rates Again the studied
// cards that test the question (and the topic's explain-aloud card), and
// leaves cards never studied alone.
func TestAWrongAnswerBringsItsCardsBack(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	for _, topic := range []string{"what-are-microservices", "saga"} {
		alice := newLearner(t, srv.URL)
		id := startQuiz(t, alice, url.Values{"topic": {topic}, "length": {"20"}, "short": {"ok"}})
		state, _ := ts.db.Quiz(t.Context(), alice.id(), id)
		// The first question some card tests; the ones before it right.
		var q quiz.Question
		var cards []string
		for n := 1; n <= len(state.Items) && len(cards) == 0; n++ {
			q = question(t, ts, alice, id, n)
			cards = slices.Clone(ts.cardsByQuestion[q.ID])
			if fc, ok := ts.cardByID(topic); ok && fc.Aloud {
				cards = append(cards, fc.ID)
			}
			if len(cards) == 0 {
				wantStatus(t, alice.submit(t, "/quiz/"+id+"/answer", answerFor(q, n, true)), http.StatusSeeOther)
			}
		}
		if len(cards) == 0 {
			t.Fatalf("%s: no card tests any of its questions; the quiz cannot feed review", topic)
		}
		// Study the first card; leave the rest new.
		studied := cards[0]
		wantStatus(t, alice.submit(t, "/review", url.Values{"card": {studied}, "rating": {"4"}, "shown_due": {"0"}}), http.StatusSeeOther)
		before, _, _ := ts.db.Card(t.Context(), alice.id(), studied)
		at, _ := ts.db.Quiz(t.Context(), alice.id(), id)
		wantStatus(t, alice.submit(t, "/quiz/"+id+"/answer", answerFor(q, len(at.Answers)+1, false)), http.StatusSeeOther)
		after, _, _ := ts.db.Card(t.Context(), alice.id(), studied)
		if after.Reps != before.Reps+1 || !after.Due.Before(before.Due) {
			t.Errorf("%s: after missing %s, card %s went from %+v to %+v; want it rated Again", topic, q.ID, studied, before, after)
		}
		for _, other := range cards[1:] {
			if _, ok, _ := ts.db.Card(t.Context(), alice.id(), other); ok {
				t.Errorf("%s: the miss introduced %s, a card never studied", topic, other)
			}
		}
	}
}

// checkAnkiCSV reads the Anki export: Anki's header lines, then a row a
// card of front, back, deck and tags, whose backs link absolutely.
func checkAnkiCSV(t *testing.T, ts *testServer, res *http.Response, base string) {
	t.Helper()
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	text := string(body)
	header := "#separator:comma\n#html:true\n#columns:Front,Back,Deck,Tags\n#deck column:3\n#tags column:4\n"
	if !strings.HasPrefix(text, header) {
		t.Fatalf("the CSV does not start with Anki's header lines: %.200q", text)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, header))).ReadAll()
	if err != nil || len(rows) != len(ts.cards) {
		t.Fatalf("CSV: %d rows, %v; want one a card, %d", len(rows), err, len(ts.cards))
	}
	for i, r := range rows {
		fc := ts.cards[i]
		if len(r) != 4 || r[0] != fc.Front || !strings.HasPrefix(r[2], "Microlab::") || !strings.Contains(r[3], fc.Deck) {
			t.Errorf("row %d = %q, want the front, back, deck and tags of %s", i, r, fc.ID)
			continue
		}
		if strings.Contains(r[1], `href="/`) || strings.Contains(r[1], "<h2") || !strings.Contains(r[1], `href="`+base+fc.Page.URL) {
			t.Errorf("row %d's back has site-relative links or headings, or no link to %s: %.300s", i, fc.Page.URL, r[1])
		}
	}
}
