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
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"microlab/quiz"
	"microlab/store"
)

// uploadExport posts body as the export file to import, asking for JSON so
// that the refusal's message can be read; it returns the status and the
// message, "" for a success.
func uploadExport(t *testing.T, le *learner, body []byte) (int, string) {
	t.Helper()
	res, msg := uploadFile(t, le, "/progress/import", "file", body)
	return res.StatusCode, msg
}

// uploadFile posts body as the form's file field to path, with the
// learner's CSRF token, asking for JSON; it returns the response and a
// refusal's message.
func uploadFile(t *testing.T, le *learner, path, field string, body []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField(csrfField, le.token(t))
	fw, _ := w.CreateFormFile(field, "upload.json")
	fw.Write(body)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, le.base+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", le.base)
	res, err := le.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	var reply struct {
		Error struct{ Message string } `json:"error"`
	}
	json.Unmarshal(data, &reply)
	return res, reply.Error.Message
}

// exportOf is the learner's data as the export page serves it.
func exportOf(t *testing.T, le *learner) []byte {
	t.Helper()
	res := wantStatus(t, le.get(t, "/progress/export.json"), 200)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// studied is a learner who has answered two questions of a saga quiz, the
// second wrongly (so its topic's card lapsed), and rated a card: an export
// with quizzes, answers, cards and review logs.
func studied(t *testing.T, ts *testServer, srv *httptest.Server) (*learner, string) {
	t.Helper()
	le := newLearner(t, srv.URL)
	id := startQuiz(t, le, url.Values{"topic": {"saga"}, "length": {"5"}})
	for n, right := range []bool{true, false} {
		q := question(t, ts, le, id, n+1)
		wantStatus(t, le.submit(t, "/quiz/"+id+"/answer", answerFor(q, n+1, right)), http.StatusSeeOther)
	}
	doc := mustDoc(t, wantStatus(t, le.get(t, "/review"), 200))
	card := doc.Find("[data-testid=flashcard]").AttrOr("data-card", "")
	shown := doc.Find("input[name=shown_due]").AttrOr("value", "")
	wantStatus(t, le.submit(t, "/review", url.Values{"card": {card}, "rating": {"3"}, "shown_due": {shown}}), http.StatusSeeOther)
	return le, id
}

// importScene is a server with a learner, alice, who has studied on it
// (see studied), and her export file.
type importScene struct {
	ts     *testServer
	srv    *httptest.Server
	alice  *learner
	quizID string
	file   []byte
}

func newImportScene(t *testing.T) importScene { return newImportSceneWith(t, nil) }

// newImportSceneWith is newImportScene on a server whose Config mod
// changes.
func newImportSceneWith(t *testing.T, mod func(*Config)) importScene {
	t.Helper()
	ts := newConfiguredServer(t, mod)
	srv := httptest.NewServer(ts)
	t.Cleanup(srv.Close)
	alice, id := studied(t, ts, srv)
	return importScene{ts: ts, srv: srv, alice: alice, quizID: id, file: exportOf(t, alice)}
}

// edited is the export file data changed by edit, which works on the
// file's JSON as a tree, so that it can break the file in ways the Go
// types cannot hold.
func edited(t *testing.T, data []byte, edit func(file map[string]any)) []byte {
	t.Helper()
	var file map[string]any
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	edit(file)
	out, err := json.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// at walks a JSON tree by object keys and array indices.
func at(v any, path ...any) map[string]any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v.(map[string]any)
}

// badImport is a file to import and the start of the problem its refusal
// must name, after "cannot be imported: ".
type badImport struct {
	name string
	body []byte
	want string
}

// badImports are the files of issue 10's items 5 and 6, made from file.
func badImports(t *testing.T, file []byte) []badImport {
	t.Helper()
	var e quiz.Export
	if err := json.Unmarshal(file, &e); err != nil {
		t.Fatal(err)
	}
	if options := len(e.Quizzes[0].Items[0].Order); options >= 16 {
		t.Fatalf("the first question has %d options; the 16-position case needs fewer", options)
	}
	sixteen := make([]any, 16)
	for i := range sixteen {
		sixteen[i] = i
	}
	longAgo := e.Quizzes[0].CreatedAt.AddDate(-30, 0, 0).Format(time.RFC3339)
	due := e.Cards[0].Due

	return []badImport{
		{"an order of 16 positions for a question of fewer", edited(t, file, func(f map[string]any) {
			at(f, "quizzes", 0, "items", 0)["order"] = sixteen
		}), "quizzes[0].items[0].order: "},
		{"an order of one position", edited(t, file, func(f map[string]any) {
			at(f, "quizzes", 0, "items", 0)["order"] = []any{0}
		}), "quizzes[0].items[0].order: "},
		{"a question the catalog does not have", edited(t, file, func(f map[string]any) {
			at(f, "quizzes", 0, "items", 0)["question_id"] = "saga-99"
			at(f, "quizzes", 0, "answers", 0)["question_id"] = "saga-99"
		}), "quizzes[0].items[0].question_id: "},
		{"an answer naming an option its question does not have", edited(t, file, func(f map[string]any) {
			// Not "one choice too many": the quiz's questions are drawn at
			// random, and an ordering question may have seven options.
			at(f, "quizzes", 0, "answers", 1)["choices"] = []any{0, 99}
		}), "quizzes[0].answers[1].choices: "},
		{"an answer given decades before its quiz", edited(t, file, func(f map[string]any) {
			at(f, "quizzes", 0, "answers", 1)["answered_at"] = longAgo
		}), "quizzes[0].answers[1].answered_at: "},
		{"a card last reviewed after it was due", edited(t, file, func(f map[string]any) {
			at(f, "cards", 0)["last_review"] = due.Add(time.Hour).Format(time.RFC3339)
		}), "cards[0].last_review: "},
		{"a number given as text", edited(t, file, func(f map[string]any) {
			at(f, "cards", 0)["stability"] = "high"
		}), "cards[0].stability: expected a number"},
		{"a field the format does not have", edited(t, file, func(f map[string]any) {
			at(f, "quizzes", 0, "items", 1)["weight"] = 2
		}), `quizzes[0].items[1].weight: `},
		{"a time that is not one", edited(t, file, func(f map[string]any) {
			at(f, "quizzes", 0, "answers", 0)["answered_at"] = "yesterday"
		}), "quizzes[0].answers[0].answered_at: expected a time"},
		{"a seed that is not a number", edited(t, file, func(f map[string]any) {
			at(f, "quizzes", 0)["seed"] = "abc"
		}), "quizzes[0].seed: "},
		{"a malformed quiz id", edited(t, file, func(f map[string]any) {
			at(f, "quizzes", 0)["id"] = "XYZ"
		}), "quizzes[0]"},
		{"bytes after the export", append(slices.Clone(file), []byte(`{"format":"microlab-export"}`)...), "line "},
		{"malformed JSON", bytes.Replace(file, []byte(`"cards": [`), []byte(`"cards": [,`), 1), "line "},
	}
}

func TestABadImportIsRefusedNamingTheFieldAndChangesNothing(t *testing.T) {
	sc := newImportScene(t)
	ts, file := sc.ts, sc.file
	bob, _ := studied(t, ts, sc.srv)
	bobBefore, err := ts.db.Export(t.Context(), bob.id())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range badImports(t, file) {
		t.Run(tc.name, func(t *testing.T) {
			status, msg := uploadExport(t, bob, tc.body)
			if status != http.StatusBadRequest {
				t.Fatalf("status = %d (%q), want 400", status, msg)
			}
			if _, problem, _ := strings.Cut(msg, "cannot be imported: "); !strings.HasPrefix(problem, tc.want) {
				t.Errorf("message %q does not name %q first", msg, tc.want)
			}
			for _, internal := range []string{bob.id(), "store:", "invalid:", "Go ", "struct", "Export", "quiz."} {
				if strings.Contains(msg, internal) {
					t.Errorf("message %q shows %q", msg, internal)
				}
			}
			after, err := ts.db.Export(t.Context(), bob.id())
			after.ExportedAt = bobBefore.ExportedAt
			if err != nil || !reflect.DeepEqual(after, bobBefore) {
				t.Errorf("a refused import changed bob's data (err %v)", err)
			}
		})
	}
}

func TestAnImportedAnswerIsGradedAgainAndItsFeedbackShows(t *testing.T) {
	sc := newImportScene(t)
	ts, alice, id := sc.ts, sc.alice, sc.quizID
	// Alice's second answer was wrong; the forged file calls it right.
	forged := edited(t, sc.file, func(f map[string]any) {
		a := at(f, "quizzes", 0, "answers", 1)
		a["score"], a["correct"] = 1, true
	})
	bob := newLearner(t, sc.srv.URL)
	if status, msg := uploadExport(t, bob, forged); status != http.StatusOK && status != http.StatusSeeOther {
		t.Fatalf("import = %d %q, want it accepted", status, msg)
	}
	attempts, err := ts.db.Attempts(t.Context(), bob.id(), 10)
	if err != nil || len(attempts) != 1 {
		t.Fatalf("bob has %+v, %v; want one quiz", attempts, err)
	}
	original, err := ts.db.Attempts(t.Context(), alice.id(), 10)
	if err != nil || len(original) != 1 {
		t.Fatalf("alice has %+v, %v; want one quiz", original, err)
	}
	if attempts[0].Score != original[0].Score {
		t.Errorf("the imported quiz scores %v, want alice's %v: the forged answer graded again", attempts[0].Score, original[0].Score)
	}
	if alice.id() == bob.id() {
		t.Fatal("alice and bob are one learner")
	}
	// Bob's copy of the quiz has its own id, listed on his progress page.
	doc := mustDoc(t, wantStatus(t, bob.get(t, "/progress"), 200))
	href := doc.Find("[data-testid=attempts] tbody tr a").AttrOr("href", "")
	if href == "" || strings.Contains(href, id) {
		t.Fatalf("bob's quiz links to %q", href)
	}
	copyID := strings.Split(strings.TrimPrefix(href, "/quiz/"), "/")[0]
	for n := 1; n <= 2; n++ {
		wantStatus(t, bob.get(t, "/quiz/"+copyID+"/q/"+strconv.Itoa(n)), http.StatusOK)
	}
}

func TestAnExportImportsIntoAFreshLearnerAsTheSameData(t *testing.T) {
	sc := newImportScene(t)
	file := sc.file
	bob := newLearner(t, sc.srv.URL)
	if status, msg := uploadExport(t, bob, file); status != http.StatusSeeOther {
		t.Fatalf("import = %d %q, want 303", status, msg)
	}
	var want, got quiz.Export
	json.Unmarshal(file, &want)
	json.Unmarshal(exportOf(t, bob), &got)
	// Bob keeps alice's quizzes under ids of his own; all else is equal.
	for i := range got.Quizzes {
		if got.Quizzes[i].ID == want.Quizzes[i].ID {
			t.Errorf("bob's quiz %d has alice's id", i)
		}
		got.Quizzes[i].ID = want.Quizzes[i].ID
	}
	got.ExportedAt = want.ExportedAt
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("bob's data\n%s\nwant alice's\n%s", g, w)
	}
}

// spentImporter is a new learner who has made as many imports this minute
// as one may, each of them accepted.
func spentImporter(t *testing.T, sc importScene) *learner {
	t.Helper()
	le := newLearner(t, sc.srv.URL)
	for i := range importsPerLearner {
		if code, msg := uploadExport(t, le, sc.file); code != http.StatusSeeOther {
			t.Fatalf("import %d: %d %q", i+1, code, msg)
		}
	}
	return le
}

// Issue 10, item 4: imports are rated per learner and per address, since
// each holds the database's one writer; a refused import changes nothing.
func TestImportsAreRated(t *testing.T) {
	sc := newImportScene(t)
	bob := spentImporter(t, sc)
	data := func() map[string]any {
		var file map[string]any
		json.Unmarshal(exportOf(t, bob), &file)
		delete(file, "exported_at")
		return file
	}
	before := data()
	if code, _ := uploadExport(t, bob, sc.file); code != http.StatusTooManyRequests {
		t.Errorf("import %d in a minute = %d, want 429", importsPerLearner+1, code)
	}
	if after := data(); !reflect.DeepEqual(before, after) {
		t.Error("a refused import changed bob's data")
	}
	// Other learners on the same address share its rate.
	codes := map[int]int{}
	for range 4 {
		le := newLearner(t, sc.srv.URL)
		for range importsPerLearner {
			code, _ := uploadExport(t, le, sc.file)
			codes[code]++
		}
	}
	if got, want := codes[http.StatusSeeOther], importsPerAddress-importsPerLearner; got != want {
		t.Errorf("after bob's %d, %d more imports from the address went through (%v), want %d", importsPerLearner, got, codes, want)
	}
}

// A client past a rate is refused before its file is read: a looping
// importer gets no free parsing, whatever it sends.
func TestASpentImporterIsRefusedBeforeItsFileIsRead(t *testing.T) {
	sc := newImportScene(t)
	bob := spentImporter(t, sc)
	if code, msg := uploadExport(t, bob, []byte("not a file at all")); code != http.StatusTooManyRequests {
		t.Errorf("a spent learner's broken file = %d %q, want 429 before the file is read", code, msg)
	}
	// A learner with a rate left still hears what is wrong with the file.
	if code, _ := uploadExport(t, newLearner(t, sc.srv.URL), []byte("not a file at all")); code != http.StatusBadRequest {
		t.Errorf("a fresh learner's broken file = %d, want 400", code)
	}
}

// An address may import a bounded number of files a day, however many
// learners it makes and however slowly: each new learner's import adds
// rows, so this is what bounds the disk one address fills by importing.
func TestAnAddressImportsABoundedNumberOfFilesADay(t *testing.T) {
	sc := newImportSceneWith(t, func(c *Config) { c.ImportsPerAddress, c.ImportsPerAddressDay = 1000, 5 })
	codes := map[int]int{}
	var refusal string
	for range 7 {
		code, msg := uploadExport(t, newLearner(t, sc.srv.URL), sc.file)
		codes[code]++
		if code == http.StatusTooManyRequests {
			refusal = msg
		}
	}
	if codes[http.StatusSeeOther] != 5 || codes[http.StatusTooManyRequests] != 2 {
		t.Errorf("7 imports from one address with a day's bound of 5: %v, want 5 accepted and 2 refused", codes)
	}
	if !strings.Contains(refusal, "5 files today") {
		t.Errorf("the refusal says %q; it should say the day's bound", refusal)
	}
}

// A learner who holds as much as one may gets a 409 that says so.
func TestAFullLearnerIsToldSo(t *testing.T) {
	sc := newImportScene(t)
	for n := range store.MaxQuizzes {
		q := quiz.NewAttempt{ID: fmt.Sprintf("%032x", n+1), Spec: quiz.Spec{Topics: []string{"saga"}, Length: 5}, Seed: 1,
			Items: []quiz.Item{{QuestionID: "saga-01", Order: []int{0, 1, 2, 3}}}}
		if err := sc.ts.db.CreateQuiz(t.Context(), sc.alice.id(), q); err != nil {
			if errors.Is(err, store.ErrFull) {
				break
			}
			t.Fatal(err)
		}
	}
	res := sc.alice.submit(t, "/quiz", url.Values{"topic": {"saga"}, "length": {"5"}})
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusConflict || !strings.Contains(string(body), "1000 quizzes") {
		t.Errorf("a quiz past the bound = %d %.200s, want 409 saying why", res.StatusCode, body)
	}
}
