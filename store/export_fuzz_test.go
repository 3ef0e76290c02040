package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"microlab/quiz"
)

// fixtureCatalog is a catalog of the questions the store's fixtures ask:
// three options each, option 0 right, except saga-02, a multiple question
// whose options 0 and 2 are right (so fillRich's answer [1, 0] scores 1/3).
func fixtureCatalog(tb testing.TB) *quiz.Catalog {
	tb.Helper()
	banks := map[string][]string{"saga": {"01", "02", "03"}, "bulkhead": {"01"}, "sidecar": {"01"}}
	fsys := fstest.MapFS{}
	for topic, numbers := range banks {
		var b strings.Builder
		fmt.Fprintf(&b, "topic: %s\nquestions:\n", topic)
		for _, n := range numbers {
			id, typ := topic+"-"+n, "single"
			if id == "saga-02" {
				typ = "multiple"
			}
			fmt.Fprintf(&b, "  - id: %s\n    type: %s\n    difficulty: easy\n    prompt: Question %s?\n    options:\n", id, typ, id)
			for o := range 3 {
				right := o == 0 || (typ == "multiple" && o == 2)
				fmt.Fprintf(&b, "      - text: Option %d\n        correct: %v\n        why: Why %d.\n", o, right, o)
			}
		}
		fsys["quiz/"+topic+".yaml"] = &fstest.MapFile{Data: []byte(b.String())}
	}
	c, err := quiz.LoadCatalog(fsys, "quiz", []string{"saga", "bulkhead", "sidecar"}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// badImports are the files issue 10 found imported or answered with a
// 500, each made from the valid file given. All are refused but the one
// with a forged grade, which is graded again: it comes first.
func badImports(tb testing.TB, valid quiz.Export) [][]byte {
	tb.Helper()
	edit := func(change func(e *quiz.Export)) []byte {
		e := viaJSON(tb, valid)
		change(&e)
		data, err := json.Marshal(e)
		if err != nil {
			tb.Fatal(err)
		}
		return data
	}
	file := edit(func(*quiz.Export) {})
	replace := func(old, new string) []byte {
		if !bytes.Contains(file, []byte(old)) {
			tb.Fatalf("the file has no %s", old)
		}
		return bytes.Replace(file, []byte(old), []byte(new), 1)
	}
	return [][]byte{
		edit(func(e *quiz.Export) { e.Quizzes[0].Answers[2].Score, e.Quizzes[0].Answers[2].Correct = 1, true }),
		edit(func(e *quiz.Export) {
			e.Quizzes[0].Items[0].Order = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
		}),
		edit(func(e *quiz.Export) { e.Quizzes[0].Items[0].Order = []int{0} }),
		edit(func(e *quiz.Export) {
			e.Quizzes[0].Items[0].QuestionID, e.Quizzes[0].Answers[0].QuestionID = "saga-99", "saga-99"
		}),
		edit(func(e *quiz.Export) { e.Quizzes[0].Answers[1].AnsweredAt = e.Quizzes[0].CreatedAt.AddDate(-30, 0, 0) }),
		edit(func(e *quiz.Export) { late := e.Cards[0].Due.Add(time.Hour); e.Cards[0].LastReview = &late }),
		edit(func(e *quiz.Export) { e.Cards[0].Stability = 0 }),
		append(bytes.Clone(file), `{"format":"microlab-export"}`...),
		replace(`"stability":`, `"stability":"high","x":`),
		replace(`"question_id":"saga-01"`, `"question_id":"saga-01","weight":2`),
		replace(`"seed":"42"`, `"seed":"abc"`),
		replace(`"cards":[`, `"cards":[,`),
	}
}

// FuzzImport feeds files to the import path the web layer takes
// (quiz.ParseExport, Export.Check, DB.Import) on a real SQLite file. Nothing
// may panic; a refusal must be a parse or check error, or an ErrInvalid
// from the store, never another error (a 500); and a refused file must
// leave the importing learner's data and the learners as they were.
func FuzzImport(f *testing.F) {
	c := newClock()
	db := mustOpenClock(f, c)
	catalog := fixtureCatalog(f)
	fillRich(f, db, c, learnerA)
	valid := mustExport(f, db, learnerA)
	data, err := json.Marshal(valid)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, bad := range badImports(f, valid) {
		f.Add(bad)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		before := mustExport(t, db, learnerB)
		learners := count(t, db, "SELECT COUNT(*) FROM learners")
		e, err := quiz.ParseExport(data)
		if err == nil {
			err = e.Check(catalog)
		}
		var fileErr *quiz.ExportError
		switch {
		case errors.As(err, &fileErr):
			if msg := fileErr.Error(); strings.Contains(msg, "Go ") || strings.Contains(msg, "json:") {
				t.Errorf("the refusal %q speaks of our types", msg)
			}
		case err != nil:
			t.Fatalf("a refusal that is not an *ExportError: %v", err)
		default:
			_, err = db.Import(ctx, learnerB, e)
			if err == nil {
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Import of a checked file failed, which is not a refusal: %v", err)
			}
		}
		sameData(t, "B's data after a refused import", mustExport(t, db, learnerB), before)
		if n := count(t, db, "SELECT COUNT(*) FROM learners"); n != learners {
			t.Errorf("%d learners, want %d: a refused import created one", n, learners)
		}
	})
}

func TestTheIssuesBadImportsAreRefusedOrGradedAgain(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	fillRich(t, db, c, learnerA)
	catalog := fixtureCatalog(t)
	valid := viaJSON(t, mustExport(t, db, learnerA))
	if err := valid.Check(catalog); err != nil {
		t.Fatalf("the fixture's own export is refused: %v", err)
	}
	for i, data := range badImports(t, valid) {
		e, err := quiz.ParseExport(data)
		if err == nil {
			err = e.Check(catalog)
		}
		if i == 0 { // the forged grade: accepted, and graded again
			if err != nil || e.Quizzes[0].Answers[2].Correct {
				t.Errorf("the forged grade: error %v, answer %+v; want it accepted as wrong", err, e.Quizzes[0].Answers[2])
			}
			continue
		}
		var fileErr *quiz.ExportError
		if !errors.As(err, &fileErr) {
			t.Errorf("bad import %d: error %v, want an *ExportError", i, err)
		}
	}
}
