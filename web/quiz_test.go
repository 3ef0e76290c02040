package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"microlab/internal/quizclient"
	"microlab/quiz"
	"microlab/store"
)

func wantStatus(t *testing.T, res *http.Response, status int) *http.Response {
	t.Helper()
	if res.StatusCode != status {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("%s %s = %d, want %d: %.300s", res.Request.Method, res.Request.URL.Path, res.StatusCode, status, body)
	}
	return res
}

// startQuiz builds a quiz for le and returns its id.
func startQuiz(t *testing.T, le *learner, form url.Values) string {
	t.Helper()
	res := wantStatus(t, le.submit(t, "/quiz", form), http.StatusSeeOther)
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "/quiz/") || len(loc) != len("/quiz/")+32 {
		t.Fatalf("new quiz redirects to %q", loc)
	}
	return strings.TrimPrefix(loc, "/quiz/")
}

// question is the catalog question that le's quiz shows as question n.
func question(t *testing.T, ts *testServer, le *learner, quizID string, n int) quiz.Question {
	t.Helper()
	doc := mustDoc(t, wantStatus(t, le.get(t, "/quiz/"+quizID+"/q/"+strconv.Itoa(n)), 200))
	id := doc.Find("input[name=question]").AttrOr("value", "")
	q, ok := ts.catalog.Question(id)
	if !ok {
		t.Fatalf("question %d shows %q, which is not in the catalog", n, id)
	}
	return q
}

// answerFor builds the form that answers q right (or wrong).
func answerFor(q quiz.Question, n int, right bool) url.Values {
	f, _ := quizclient.RightAnswer(q, n)
	if right {
		return f
	}
	if q.Type == quiz.TypeOrdering {
		for i := range q.Options {
			// Reversed: never the right order for two items or more.
			f.Set("pos-"+strconv.Itoa(i), strconv.Itoa(len(q.Options)-i))
		}
		return f
	}
	for i := range q.Options {
		if !slices.Contains(q.Correct(), i) {
			f["choice"] = []string{strconv.Itoa(i)}
			break
		}
	}
	return f
}

func TestQuizFlow(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	alice := newLearner(t, srv.URL)

	doc := mustDoc(t, wantStatus(t, alice.get(t, "/quiz?topic=saga"), 200))
	if doc.Find(`input[name=topic][value=saga][checked]`).Length() != 1 {
		t.Error("/quiz?topic=saga does not tick the saga topic")
	}
	wantStatus(t, alice.get(t, "/quiz?topic=nope"), http.StatusBadRequest)

	id := startQuiz(t, alice, url.Values{"topic": {"saga"}, "length": {"5"}})
	res := wantStatus(t, alice.get(t, "/quiz/"+id), http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/quiz/"+id+"/q/1" {
		t.Fatalf("quiz redirects to %q, want its first question", loc)
	}

	// Question 1 right, question 2 wrong.
	q1 := question(t, ts, alice, id, 1)
	wantStatus(t, alice.submit(t, "/quiz/"+id+"/answer", answerFor(q1, 1, true)), http.StatusSeeOther)
	fb := mustDoc(t, wantStatus(t, alice.get(t, "/quiz/"+id+"/q/1"), 200))
	if fb.Find("[data-testid=quiz-card]").AttrOr("data-state", "") != "correct" {
		t.Errorf("feedback for a right answer shows state %q", fb.Find("[data-testid=quiz-card]").AttrOr("data-state", ""))
	}
	if n := fb.Find("ol.options.explained > li p").Length(); n != len(q1.Options) {
		t.Errorf("feedback explains %d options, want all %d", n, len(q1.Options))
	}

	t.Run("a second answer is refused and the first stands", func(t *testing.T) {
		res := wantStatus(t, alice.submit(t, "/quiz/"+id+"/answer", answerFor(q1, 1, false)), http.StatusConflict)
		doc := mustDoc(t, res)
		if !strings.Contains(doc.Find("[data-testid=quiz-notice]").Text(), "first answer stands") {
			t.Error("the double submit is not explained")
		}
		if doc.Find("[data-testid=quiz-card]").AttrOr("data-state", "") != "correct" {
			t.Error("the first (right) answer no longer shows")
		}
	})
	t.Run("out of order is refused", func(t *testing.T) {
		state, _ := ts.db.Quiz(t.Context(), alice.id(), id)
		q3, _ := ts.catalog.Question(state.Items[2].QuestionID)
		wantStatus(t, alice.submit(t, "/quiz/"+id+"/answer", answerFor(q3, 3, true)), http.StatusConflict)
	})
	t.Run("an answer for another question or a missing option is a 400", func(t *testing.T) {
		q2 := question(t, ts, alice, id, 2)
		f := answerFor(q2, 2, true)
		f.Set("question", "saga-99")
		wantStatus(t, alice.submit(t, "/quiz/"+id+"/answer", f), http.StatusBadRequest)
		if q2.Type != quiz.TypeOrdering {
			f = answerFor(q2, 2, true)
			f.Set("choice", "99")
			wantStatus(t, alice.submit(t, "/quiz/"+id+"/answer", f), http.StatusBadRequest)
		}
		wantStatus(t, alice.submit(t, "/quiz/"+id+"/answer", url.Values{"n": {"abc"}}), http.StatusBadRequest)
	})
	t.Run("another learner cannot see or answer it", func(t *testing.T) {
		bob := newLearner(t, srv.URL)
		wantStatus(t, bob.get(t, "/quiz/"+id+"/q/1"), http.StatusNotFound)
		wantStatus(t, bob.submit(t, "/quiz/"+id+"/answer", answerFor(q1, 1, true)), http.StatusNotFound)
		wantStatus(t, bob.get(t, "/quiz/"+strings.Repeat("0", 32)), http.StatusNotFound)
	})

	q2 := question(t, ts, alice, id, 2)
	wantStatus(t, alice.submit(t, "/quiz/"+id+"/answer", answerFor(q2, 2, false)), http.StatusSeeOther)
	if g := quiz.Grade(q2, mustParse(t, q2, answerFor(q2, 2, false))); g.Correct {
		t.Fatalf("the 'wrong' answer to %s grades as correct", q2.ID)
	}
	for n := 3; n <= 5; n++ {
		q := question(t, ts, alice, id, n)
		wantStatus(t, alice.submit(t, "/quiz/"+id+"/answer", answerFor(q, n, true)), http.StatusSeeOther)
	}
	res = wantStatus(t, alice.get(t, "/quiz/"+id), http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/quiz/"+id+"/result" {
		t.Fatalf("a finished quiz redirects to %q", loc)
	}
	result := mustDoc(t, wantStatus(t, alice.get(t, "/quiz/"+id+"/result"), 200))
	// Four right answers, plus whatever partial credit the wrong one earned.
	wrong := answerFor(q2, 2, false)
	ans, err := parseAnswer(q2, wrong)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%.1f", 4+quiz.Grade(q2, ans).Score)
	if got := strings.Fields(result.Find("[data-testid=score]").Text())[0]; got != want {
		t.Errorf("score = %s, want %s", got, want)
	}
	if n := result.Find("[data-testid=result-list] > li").Length(); n != 5 {
		t.Errorf("result lists %d questions, want 5", n)
	}

	retry := startQuiz(t, alice, url.Values{"retry": {id}, "length": {"20"}})
	state, err := ts.db.Quiz(t.Context(), alice.id(), retry)
	if err != nil || len(state.Items) != 1 || state.Items[0].QuestionID != q2.ID {
		t.Errorf("retry quiz = %+v, %v; want only the missed %s", state.Items, err, q2.ID)
	}
}

func mustParse(t *testing.T, q quiz.Question, f url.Values) quiz.Answer {
	t.Helper()
	a, err := parseAnswer(q, f)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestReviewSchedulesCards(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	b := newLearner(t, srv.URL)
	doc := mustDoc(t, wantStatus(t, b.get(t, "/review"), 200))
	card := doc.Find("[data-testid=flashcard]").AttrOr("data-card", "")
	shown := doc.Find("input[name=shown_due]").AttrOr("value", "")
	if card == "" || shown != "0" {
		t.Fatalf("first card %q shown_due %q; want a new card", card, shown)
	}
	if fc, ok := ts.cardByID(card); !ok || fc.Aloud || doc.Find("[data-testid=back-text]").Text() != fc.Back {
		t.Errorf("the first card %q does not show its short answer on the back", card)
	}
	form := url.Values{"card": {card}, "rating": {"3"}, "shown_due": {shown}}
	wantStatus(t, b.submit(t, "/review", form), http.StatusSeeOther)
	wantStatus(t, b.submit(t, "/review", form), http.StatusConflict)
	got, ok, err := ts.db.Card(t.Context(), b.id(), card)
	if err != nil || !ok || got.Reps != 1 || got.State != quiz.StateLearning {
		t.Errorf("after one Good the card is %+v", got)
	}
	next := mustDoc(t, b.get(t, "/review")).Find("[data-testid=flashcard]").AttrOr("data-card", "")
	if next == card {
		t.Error("the rated card is still the first due")
	}
	wantStatus(t, b.submit(t, "/review", url.Values{"card": {"nope"}, "rating": {"3"}, "shown_due": {"0"}}), http.StatusBadRequest)
	wantStatus(t, b.submit(t, "/review", url.Values{"card": {next}, "rating": {"7"}, "shown_due": {"0"}}), http.StatusBadRequest)
}

func TestProgressExportImportAndDelete(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	alice := newLearner(t, srv.URL)
	id := startQuiz(t, alice, url.Values{"topic": {"bulkhead"}, "length": {"5"}})
	q := question(t, ts, alice, id, 1)
	wantStatus(t, alice.submit(t, "/quiz/"+id+"/answer", answerFor(q, 1, true)), http.StatusSeeOther)

	prog := mustDoc(t, wantStatus(t, alice.get(t, "/progress"), 200))
	if v := prog.Find(`tr[data-topic=bulkhead] meter`).AttrOr("value", ""); v != "1.000" {
		t.Errorf("bulkhead mastery = %q, want 1.000 after one right answer", v)
	}
	if prog.Find("[data-testid=attempts] tbody tr").Length() != 1 {
		t.Error("the attempt is not in the history")
	}
	if mustDoc(t, alice.get(t, "/")).Find("[data-testid=home-summary]").Length() != 1 {
		t.Error("the home page has no summary for a returning learner")
	}

	res := wantStatus(t, alice.get(t, "/progress/export.json"), 200)
	exported, _ := io.ReadAll(res.Body)
	var e quiz.Export
	if err := json.Unmarshal(exported, &e); err != nil || len(e.Quizzes) != 1 || len(e.Quizzes[0].Answers) != 1 {
		t.Fatalf("export = %v, %+v", err, e)
	}

	bob := newLearner(t, srv.URL)
	upload := func(b *learner, name string, body []byte) *http.Response {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField(csrfField, b.token(t))
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(body)
		w.Close()
		req, _ := http.NewRequest(http.MethodPost, b.base+"/progress/import", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		res, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for name, tc := range map[string]struct {
		body   []byte
		status int
	}{
		"malformed":     {[]byte("{not json"), 400},
		"other version": {bytes.Replace(exported, fmt.Appendf(nil, `"version": %d`, quiz.ExportVersion), []byte(`"version": 9`), 1), 400},
		"too large":     {bytes.Repeat([]byte(" "), maxImport+10), 413},
	} {
		t.Run(name, func(t *testing.T) {
			wantStatus(t, upload(bob, "x.json", tc.body), tc.status)
			if id := bob.id(); id != "" {
				if got, _ := ts.db.Attempts(t.Context(), id, 10); len(got) != 0 {
					t.Error("a refused import changed data")
				}
			}
		})
	}
	wantStatus(t, upload(bob, "p.json", exported), http.StatusSeeOther)
	wantStatus(t, upload(bob, "p.json", exported), http.StatusSeeOther)
	got, err := ts.db.Attempts(t.Context(), bob.id(), 10)
	if err != nil || len(got) != 1 || got[0].Answered != 1 {
		t.Errorf("after importing twice bob has %+v, %v; want the one quiz once", got, err)
	}

	checkAnkiCSV(t, ts, alice.get(t, "/progress/export.csv"), srv.URL)

	aliceID := alice.id()
	// The first step asks and deletes nothing.
	ask := mustDoc(t, wantStatus(t, alice.submit(t, "/progress/delete", url.Values{}), http.StatusOK))
	if !strings.Contains(ask.Find("[data-testid=confirm-delete]").Text(), "1 quiz") || ask.Find(`input[name=confirm][value=yes]`).Length() != 1 {
		t.Errorf("the first step of delete does not ask, with what goes: %q", ask.Find("main").Text())
	}
	if left, _ := ts.db.Attempts(t.Context(), alice.id(), 10); len(left) != 1 {
		t.Error("asking to delete deleted something")
	}
	res = wantStatus(t, alice.submit(t, "/progress/delete", url.Values{"confirm": {"yes"}}), http.StatusSeeOther)
	if left, _ := ts.db.Attempts(t.Context(), aliceID, 10); len(left) != 0 {
		t.Error("alice's quizzes survived 'delete my data'")
	}
	if alice.id() != "" {
		t.Error("the learner cookie was not cleared")
	}
	if left, _ := ts.db.Attempts(t.Context(), bob.id(), 10); len(left) != 1 {
		t.Error("deleting alice's data touched bob's")
	}
}

// Issue 10, item 13: a learner cookie copied before "delete my data" and
// replayed after it does not bring the deleted learner back: the next
// write gets a new learner, and the store refuses the old id outright.
func TestDeletedLearnerStaysDeleted(t *testing.T) {
	ts, hs := newLabTestServer(t, nil)
	alice := newLearner(t, hs.URL)
	startQuiz(t, alice, url.Values{"topic": {"saga"}, "length": {"5"}})
	oldID, oldCookie := alice.id(), alice.cookie(learnerCookie)
	wantStatus(t, alice.submit(t, "/progress/delete", url.Values{"confirm": {"yes"}}), http.StatusSeeOther)

	mallory := newLearner(t, hs.URL)
	u, _ := url.Parse(hs.URL)
	mallory.client.Jar.SetCookies(u, []*http.Cookie{{Name: learnerCookie, Value: oldCookie, Path: "/"}})
	startQuiz(t, mallory, url.Values{"topic": {"saga"}, "length": {"5"}})
	if id := mallory.id(); id == oldID || id == "" {
		t.Errorf("the replayed cookie's write was saved as learner %q, want a new learner", id)
	}
	if err := ts.db.EnsureLearner(t.Context(), oldID); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("the store takes the deleted id back: %v, want ErrRevoked", err)
	}
}
