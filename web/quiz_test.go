package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"microlab/quiz"
	"microlab/store"
)

// browser is an HTTP client with its own cookies, like one learner's
// browser; it does not follow redirects, so tests see them.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: srv.URL, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) *http.Response {
	b.t.Helper()
	res, err := b.client.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return res
}

func (b *browser) csrf() string {
	b.t.Helper()
	u, _ := url.Parse(b.base)
	for _, ck := range b.client.Jar.Cookies(u) {
		if ck.Name == csrfCookie {
			return ck.Value
		}
	}
	b.get("/").Body.Close()
	return b.csrf()
}

func (b *browser) post(path string, form url.Values) *http.Response {
	b.t.Helper()
	form.Set(csrfField, b.csrf())
	res, err := b.client.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return res
}

func wantStatus(t *testing.T, res *http.Response, status int) *http.Response {
	t.Helper()
	if res.StatusCode != status {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("%s %s = %d, want %d: %.300s", res.Request.Method, res.Request.URL.Path, res.StatusCode, status, body)
	}
	return res
}

// startQuiz builds a quiz and returns its id.
func (b *browser) startQuiz(form url.Values) string {
	b.t.Helper()
	res := wantStatus(b.t, b.post("/quiz", form), http.StatusSeeOther)
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "/quiz/") || len(loc) != len("/quiz/")+32 {
		b.t.Fatalf("new quiz redirects to %q", loc)
	}
	return strings.TrimPrefix(loc, "/quiz/")
}

// currentQuestion reads question n's id and shown order from its page.
func (b *browser) question(quizID string, n int) (id string, values []string) {
	b.t.Helper()
	doc := mustDoc(b.t, wantStatus(b.t, b.get("/quiz/"+quizID+"/q/"+strconv.Itoa(n)), 200))
	id = doc.Find("input[name=question]").AttrOr("value", "")
	return id, nil
}

// answerFor builds the form that answers q right (or wrong).
func answerFor(q quiz.Question, n int, right bool) url.Values {
	f := url.Values{"n": {strconv.Itoa(n)}, "question": {q.ID}}
	if q.Type == quiz.TypeOrdering {
		for i := range q.Options {
			pos := i + 1
			if !right {
				pos = len(q.Options) - i // reversed: never the right order for n ≥ 2
			}
			f.Set("pos-"+strconv.Itoa(i), strconv.Itoa(pos))
		}
		return f
	}
	correct := q.Correct()
	if right {
		for _, c := range correct {
			f.Add("choice", strconv.Itoa(c))
		}
		return f
	}
	for i := range q.Options {
		if !contains(correct, i) {
			f.Set("choice", strconv.Itoa(i))
			break
		}
	}
	return f
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestQuizFlow(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	alice := newBrowser(t, srv)

	doc := mustDoc(t, wantStatus(t, alice.get("/quiz?topic=saga"), 200))
	if doc.Find(`input[name=topic][value=saga][checked]`).Length() != 1 {
		t.Error("/quiz?topic=saga does not tick the saga topic")
	}
	wantStatus(t, alice.get("/quiz?topic=nope"), http.StatusBadRequest)

	id := alice.startQuiz(url.Values{"topic": {"saga"}, "length": {"5"}})
	res := wantStatus(t, alice.get("/quiz/"+id), http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/quiz/"+id+"/q/1" {
		t.Fatalf("quiz redirects to %q, want its first question", loc)
	}

	// Question 1 right, question 2 wrong.
	qid1, _ := alice.question(id, 1)
	q1, _ := ts.catalog.Question(qid1)
	wantStatus(t, alice.post("/quiz/"+id+"/answer", answerFor(q1, 1, true)), http.StatusSeeOther)
	fb := mustDoc(t, wantStatus(t, alice.get("/quiz/"+id+"/q/1"), 200))
	if fb.Find("[data-testid=quiz-card]").AttrOr("data-state", "") != "correct" {
		t.Errorf("feedback for a right answer shows state %q", fb.Find("[data-testid=quiz-card]").AttrOr("data-state", ""))
	}
	if n := fb.Find("ol.options.explained > li p").Length(); n != len(q1.Options) {
		t.Errorf("feedback explains %d options, want all %d", n, len(q1.Options))
	}

	t.Run("a second answer is refused and the first stands", func(t *testing.T) {
		res := wantStatus(t, alice.post("/quiz/"+id+"/answer", answerFor(q1, 1, false)), http.StatusConflict)
		doc := mustDoc(t, res)
		if !strings.Contains(doc.Find("[data-testid=quiz-notice]").Text(), "first answer stands") {
			t.Error("the double submit is not explained")
		}
		if doc.Find("[data-testid=quiz-card]").AttrOr("data-state", "") != "correct" {
			t.Error("the first (right) answer no longer shows")
		}
	})
	t.Run("out of order is refused", func(t *testing.T) {
		qid3 := ""
		state, _ := ts.db.Quiz(t.Context(), alice.learner(), id)
		qid3 = state.Items[2].QuestionID
		q3, _ := ts.catalog.Question(qid3)
		wantStatus(t, alice.post("/quiz/"+id+"/answer", answerFor(q3, 3, true)), http.StatusConflict)
	})
	t.Run("an answer for another question or a missing option is a 400", func(t *testing.T) {
		qid2, _ := alice.question(id, 2)
		q2, _ := ts.catalog.Question(qid2)
		f := answerFor(q2, 2, true)
		f.Set("question", "saga-99")
		wantStatus(t, alice.post("/quiz/"+id+"/answer", f), http.StatusBadRequest)
		if q2.Type != quiz.TypeOrdering {
			f = answerFor(q2, 2, true)
			f.Set("choice", "99")
			wantStatus(t, alice.post("/quiz/"+id+"/answer", f), http.StatusBadRequest)
		}
		wantStatus(t, alice.post("/quiz/"+id+"/answer", url.Values{"n": {"abc"}}), http.StatusBadRequest)
	})
	t.Run("another learner cannot see or answer it", func(t *testing.T) {
		bob := newBrowser(t, srv)
		wantStatus(t, bob.get("/quiz/"+id+"/q/1"), http.StatusNotFound)
		wantStatus(t, bob.post("/quiz/"+id+"/answer", answerFor(q1, 1, true)), http.StatusNotFound)
		wantStatus(t, bob.get("/quiz/"+strings.Repeat("0", 32)), http.StatusNotFound)
	})

	qid2, _ := alice.question(id, 2)
	q2, _ := ts.catalog.Question(qid2)
	wantStatus(t, alice.post("/quiz/"+id+"/answer", answerFor(q2, 2, false)), http.StatusSeeOther)
	// The miss scheduled the saga flashcard as Again.
	card, ok, err := ts.db.Card(t.Context(), alice.learner(), "saga")
	if g := quiz.Grade(q2, mustParse(t, q2, answerFor(q2, 2, false))); g.Correct {
		t.Fatalf("the 'wrong' answer to %s grades as correct", q2.ID)
	}
	if err != nil || !ok || card.Lapses+card.Reps == 0 {
		t.Errorf("after a wrong saga answer the saga card = %+v, %v, %v; want it reviewed as Again", card, ok, err)
	}
	for n := 3; n <= 5; n++ {
		qid, _ := alice.question(id, n)
		q, _ := ts.catalog.Question(qid)
		wantStatus(t, alice.post("/quiz/"+id+"/answer", answerFor(q, n, true)), http.StatusSeeOther)
	}
	res = wantStatus(t, alice.get("/quiz/"+id), http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/quiz/"+id+"/result" {
		t.Fatalf("a finished quiz redirects to %q", loc)
	}
	result := mustDoc(t, wantStatus(t, alice.get("/quiz/"+id+"/result"), 200))
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

	retry := alice.startQuiz(url.Values{"retry": {id}, "length": {"20"}})
	state, err := ts.db.Quiz(t.Context(), alice.learner(), retry)
	if err != nil || len(state.Items) != 1 || state.Items[0].QuestionID != qid2 {
		t.Errorf("retry quiz = %+v, %v; want only the missed %s", state.Items, err, qid2)
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

// learner is the learner id in the browser's cookie.
func (b *browser) learner() string {
	u, _ := url.Parse(b.base)
	for _, ck := range b.client.Jar.Cookies(u) {
		if ck.Name == learnerCookie {
			id, _, _ := strings.Cut(ck.Value, ".")
			return id
		}
	}
	return ""
}

func TestReviewSchedulesCards(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	b := newBrowser(t, srv)
	doc := mustDoc(t, wantStatus(t, b.get("/review"), 200))
	card := doc.Find("[data-testid=flashcard]").AttrOr("data-card", "")
	shown := doc.Find("input[name=shown_due]").AttrOr("value", "")
	if card == "" || shown != "0" {
		t.Fatalf("first card %q shown_due %q; want a new card", card, shown)
	}
	if n := doc.Find("[data-testid=card-back] .rubric li").Length(); n < 5 {
		t.Errorf("the card's rubric has %d key points, want at least 5", n)
	}
	form := url.Values{"card": {card}, "rating": {"3"}, "shown_due": {shown}}
	wantStatus(t, b.post("/review", form), http.StatusSeeOther)
	wantStatus(t, b.post("/review", form), http.StatusConflict)
	got, ok, err := ts.db.Card(t.Context(), b.learner(), card)
	if err != nil || !ok || got.Reps != 1 || got.State != quiz.StateLearning {
		t.Errorf("after one Good the card is %+v", got)
	}
	next := mustDoc(t, b.get("/review")).Find("[data-testid=flashcard]").AttrOr("data-card", "")
	if next == card {
		t.Error("the rated card is still the first due")
	}
	wantStatus(t, b.post("/review", url.Values{"card": {"nope"}, "rating": {"3"}, "shown_due": {"0"}}), http.StatusBadRequest)
	wantStatus(t, b.post("/review", url.Values{"card": {next}, "rating": {"7"}, "shown_due": {"0"}}), http.StatusBadRequest)
}

func TestProgressExportImportAndDelete(t *testing.T) {
	ts := newTestServer(t)
	srv := httptest.NewServer(ts)
	defer srv.Close()
	alice := newBrowser(t, srv)
	id := alice.startQuiz(url.Values{"topic": {"bulkhead"}, "length": {"5"}})
	qid, _ := alice.question(id, 1)
	q, _ := ts.catalog.Question(qid)
	wantStatus(t, alice.post("/quiz/"+id+"/answer", answerFor(q, 1, true)), http.StatusSeeOther)

	prog := mustDoc(t, wantStatus(t, alice.get("/progress"), 200))
	if v := prog.Find(`tr[data-topic=bulkhead] meter`).AttrOr("value", ""); v != "1.000" {
		t.Errorf("bulkhead mastery = %q, want 1.000 after one right answer", v)
	}
	if prog.Find("[data-testid=attempts] tbody tr").Length() != 1 {
		t.Error("the attempt is not in the history")
	}
	if mustDoc(t, alice.get("/")).Find("[data-testid=home-summary]").Length() != 1 {
		t.Error("the home page has no summary for a returning learner")
	}

	res := wantStatus(t, alice.get("/progress/export.json"), 200)
	exported, _ := io.ReadAll(res.Body)
	var e store.Export
	if err := json.Unmarshal(exported, &e); err != nil || len(e.Quizzes) != 1 || len(e.Quizzes[0].Answers) != 1 {
		t.Fatalf("export = %v, %+v", err, e)
	}

	bob := newBrowser(t, srv)
	upload := func(b *browser, name string, body []byte) *http.Response {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField(csrfField, b.csrf())
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
		"other version": {bytes.Replace(exported, []byte(`"version": 1`), []byte(`"version": 9`), 1), 400},
		"too large":     {bytes.Repeat([]byte(" "), maxImport+10), 413},
	} {
		t.Run(name, func(t *testing.T) {
			wantStatus(t, upload(bob, "x.json", tc.body), tc.status)
			if id := bob.learner(); id != "" {
				if got, _ := ts.db.Attempts(t.Context(), id, 10); len(got) != 0 {
					t.Error("a refused import changed data")
				}
			}
		})
	}
	wantStatus(t, upload(bob, "p.json", exported), http.StatusSeeOther)
	wantStatus(t, upload(bob, "p.json", exported), http.StatusSeeOther)
	got, err := ts.db.Attempts(t.Context(), bob.learner(), 10)
	if err != nil || len(got) != 1 || got[0].Answered != 1 {
		t.Errorf("after importing twice bob has %+v, %v; want the one quiz once", got, err)
	}

	csvRes := wantStatus(t, alice.get("/progress/export.csv"), 200)
	rows, err := csv.NewReader(csvRes.Body).ReadAll()
	if err != nil || len(rows) != len(ts.cards) || len(rows[0]) != 3 {
		t.Errorf("CSV: %d rows, err %v; want %d rows of front, back, tags", len(rows), err, len(ts.cards))
	}

	aliceID := alice.learner()
	res = wantStatus(t, alice.post("/progress/delete", url.Values{}), http.StatusSeeOther)
	if left, _ := ts.db.Attempts(t.Context(), aliceID, 10); len(left) != 0 {
		t.Error("alice's quizzes survived 'delete my data'")
	}
	if alice.learner() != "" {
		t.Error("the learner cookie was not cleared")
	}
	if left, _ := ts.db.Attempts(t.Context(), bob.learner(), 10); len(left) != 1 {
		t.Error("deleting alice's data touched bob's")
	}
}
