package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"microlab/interview"
	"microlab/quiz"
)

// startInterview posts the format and returns the session's path.
func startInterview(t *testing.T, le *learner, form url.Values) string {
	t.Helper()
	res := wantStatus(t, le.submit(t, "/interview", form), http.StatusSeeOther)
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "/interview/") {
		t.Fatalf("POST /interview went to %q", loc)
	}
	return loc
}

// A whole screen without JavaScript: each question shows its start and end
// times, "done" leads through the follow-up to the rubric, marks lead to
// the next question, and the result scores what was marked. The clock is
// the server's: the times shown are the stored ones.
func TestAScreenInterviewWithoutJavaScript(t *testing.T) {
	ts := newTestServer(t)
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	ts.clock = func() time.Time { return now }
	srv := httptest.NewServer(ts)
	defer srv.Close()
	le := newLearner(t, srv.URL)
	path := startInterview(t, le, url.Values{"format": {"screen"}})

	for n := 0; n < 3; n++ {
		doc := mustDoc(t, wantStatus(t, le.get(t, path), http.StatusOK))
		if got := doc.Find("[data-testid=interview]").AttrOr("data-phase", ""); got != "answering" {
			t.Fatalf("question %d opens in phase %q", n+1, got)
		}
		if got := doc.Find("title").Text(); !strings.HasPrefix(got, "Question "+strconv.Itoa(n+1)+" of 3") {
			t.Errorf("title %q", got)
		}
		if got := doc.Find("[data-testid=iv-timer]").Text(); !strings.Contains(got, "Started at "+now.Format("15:04:05")) || !strings.Contains(got, "ends at "+now.Add(2*time.Minute).Format("15:04:05")) {
			t.Errorf("question %d's timer reads %q", n+1, got)
		}
		now = now.Add(100 * time.Second)
		res := le.submit(t, path+"/done", url.Values{"pos": {strconv.Itoa(n)}, "notes": {"point one"}})
		wantStatus(t, res, http.StatusSeeOther)
		doc = mustDoc(t, wantStatus(t, le.get(t, path), http.StatusOK))
		if doc.Find("[data-testid=iv-followup]").Length() == 1 {
			if got := doc.Find("[data-testid=iv-notes]").Length(); got != 0 {
				t.Errorf("a rubric before the follow-up is answered")
			}
			now = now.Add(30 * time.Second)
			wantStatus(t, le.submit(t, path+"/done", url.Values{"pos": {strconv.Itoa(n)}, "notes": {"point one, two"}}), http.StatusSeeOther)
			doc = mustDoc(t, wantStatus(t, le.get(t, path), http.StatusOK))
		}
		points := doc.Find("[data-testid=iv-rubric] fieldset[data-point]").Length()
		if points < 3 {
			t.Fatalf("question %d's rubric has %d points", n+1, points)
		}
		// A mark missing is refused with the form still there.
		res = le.submit(t, path+"/rate", url.Values{"pos": {strconv.Itoa(n)}})
		if d := mustDoc(t, wantStatus(t, res, http.StatusBadRequest)); d.Find("[data-testid=iv-rubric]").Length() != 1 ||
			!strings.Contains(d.Find("[data-testid=iv-problem]").Text(), "Mark point 1") {
			t.Errorf("a rubric without marks: %q", d.Find("main").Text())
		}
		form := url.Values{"pos": {strconv.Itoa(n)}}
		for k := 0; k < points; k++ {
			form.Set("p"+strconv.Itoa(k), string(rune(interview.TickCovered-byte(k%3))))
		}
		now = now.Add(20 * time.Second)
		wantStatus(t, le.submit(t, path+"/rate", form), http.StatusSeeOther)
		// The same marks again (a second tab) change nothing.
		wantStatus(t, le.submit(t, path+"/rate", form), http.StatusSeeOther)
		now = now.Add(10 * time.Second)
	}
	res := le.get(t, path)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != path+"/result" {
		t.Fatalf("a finished interview goes to %d %q", res.StatusCode, loc)
	}
	doc := mustDoc(t, wantStatus(t, le.get(t, path+"/result"), http.StatusOK))
	if got := doc.Find("[data-testid=iv-questions] tbody tr").Length(); got != 3 {
		t.Errorf("the result lists %d questions", got)
	}
	if got := strings.TrimSpace(doc.Find("[data-testid=iv-score]").Text()); !strings.HasSuffix(got, "%") {
		t.Errorf("the score reads %q", got)
	}
	if doc.Find("[data-testid=most-missed] li").Length() == 0 {
		t.Error("points marked missed are not among the most missed")
	}
	idx := mustDoc(t, wantStatus(t, le.get(t, "/interview"), http.StatusOK))
	if got := idx.Find("[data-testid=interview-history] tbody tr").Length(); got != 1 {
		t.Errorf("the history lists %d interviews", got)
	}
}

// Bad input gets a 4xx and nothing stored; another browser cannot see or
// post into a session; notes over the bound are refused with the form and
// the notes kept.
func TestInterviewBadInput(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	le := newLearner(t, srv.URL)
	for _, form := range []url.Values{{"format": {"marathon"}}, {"format": {"topic"}, "topic": {"no-such-page"}},
		{"format": {"topic"}, "topic": {"tools"}}} { // a guide: no key points
		wantStatus(t, le.submit(t, "/interview", form), http.StatusBadRequest)
	}
	if n, _ := ts.store.Interviews(t.Context(), le.id(), 10); len(n) != 0 {
		t.Errorf("refused forms stored %d interviews", len(n))
	}
	path := startInterview(t, le, url.Values{"format": {"topic"}, "topic": {"circuit-breaker"}})
	doc := mustDoc(t, wantStatus(t, le.get(t, path), http.StatusOK))
	if got := doc.Find("h1").Text(); !strings.Contains(got, "Explain the circuit breaker") && !strings.Contains(got, "Explain circuit breaker") {
		t.Errorf("a topic session opens with %q", got)
	}
	long := strings.Repeat("é", interview.MaxNotes+1)
	res := le.submit(t, path+"/done", url.Values{"pos": {"0"}, "notes": {long}})
	d := mustDoc(t, wantStatus(t, res, http.StatusBadRequest))
	if got := d.Find("textarea[name=notes]").Text(); len([]rune(got)) != interview.MaxNotes {
		t.Errorf("the refused notes come back %d characters long", len([]rune(got)))
	}
	if !strings.Contains(d.Find("[data-testid=iv-problem]").Text(), "at most 4000") {
		t.Errorf("the problem reads %q", d.Find("[data-testid=iv-problem]").Text())
	}

	other := newLearner(t, srv.URL)
	wantStatus(t, other.get(t, path), http.StatusNotFound)
	wantStatus(t, other.submit(t, path+"/done", url.Values{"pos": {"0"}}), http.StatusNotFound)
	wantStatus(t, le.get(t, "/interview/not-an-id"), http.StatusNotFound)
	if doc := mustDoc(t, wantStatus(t, le.get(t, path), http.StatusOK)); doc.Find("[data-testid=interview]").AttrOr("data-phase", "") != "answering" {
		t.Error("the other browser's post moved the session on")
	}
}

// A point marked missed brings the flashcards that teach it to the front
// of review: here, a new learner's first card.
func TestAMissedPointComesBackInReview(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	le := newLearner(t, srv.URL)
	path := startInterview(t, le, url.Values{"format": {"topic"}, "topic": {"circuit-breaker"}})
	le.get(t, path).Body.Close()
	wantStatus(t, le.submit(t, path+"/done", url.Values{"pos": {"0"}}), http.StatusSeeOther)
	doc := mustDoc(t, wantStatus(t, le.get(t, path), http.StatusOK))
	n := doc.Find("[data-testid=iv-rubric] fieldset[data-point]").Length()
	form := url.Values{"pos": {"0"}}
	for k := 0; k < n; k++ {
		form.Set("p"+strconv.Itoa(k), "2")
	}
	form.Set("p"+strconv.Itoa(n-1), "0") // the last point missed
	wantStatus(t, le.submit(t, path+"/rate", form), http.StatusSeeOther)

	var want []string
	for _, f := range quiz.FactsForPoint(deck, "circuit-breaker", n) {
		want = append(want, f.ID)
	}
	if len(want) == 0 {
		t.Fatalf("no card teaches circuit-breaker's key point %d", n)
	}
	first := mustDoc(t, wantStatus(t, le.get(t, "/review"), http.StatusOK)).Find("[data-testid=flashcard]").AttrOr("data-card", "")
	if !slices.Contains(want, first) {
		t.Errorf("after missing point %d the first card in review is %q, want one of %q", n, first, want)
	}
}

// The 30-minute round is six interview questions of two minutes and a
// design question of five, last; the least practised come first, so a
// learner's second screen asks three questions the first did not.
func TestInterviewPlans(t *testing.T) {
	ts := newTestServer(t)
	if len(ts.designs) < 5 {
		t.Fatalf("%d design prompts loaded, want the five of content/interview", len(ts.designs))
	}
	round := ts.planInterview(interview.FormatRound, "", nil, 7)
	if len(round) != 7 {
		t.Fatalf("a round of %d questions, want 7", len(round))
	}
	for i, q := range round {
		kind, _, _ := interview.SplitRef(q.Ref)
		want, speaking := interview.RefQuestion, 2*time.Minute
		if i == 6 {
			want, speaking = interview.RefDesign, 5*time.Minute
		}
		if kind != want || q.Speaking != speaking {
			t.Errorf("question %d is %s for %v, want a %s for %v", i+1, q.Ref, q.Speaking, want, speaking)
		}
	}
	if again := ts.planInterview(interview.FormatRound, "", nil, 7); !slices.Equal(refs(again), refs(round)) {
		t.Errorf("the same seed planned %q, then %q", refs(round), refs(again))
	}
	first := ts.planInterview(interview.FormatScreen, "", nil, 1)
	done := interview.Session{Questions: first}
	for i := range done.Questions {
		done.Questions[i].Ticks = "222"
	}
	second := ts.planInterview(interview.FormatScreen, "", []interview.Session{done}, 1)
	for _, r := range refs(second) {
		if slices.Contains(refs(first), r) {
			t.Errorf("the second screen asks %s again, with seven questions never practised", r)
		}
	}
}

func refs(qs []interview.Question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Ref
	}
	return out
}
