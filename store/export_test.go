package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"microlab/quiz"
)

// fillRich gives a learner a finished quiz, an unfinished one, two cards
// and three reviews, at distinct times.
func fillRich(tb testing.TB, db *DB, c *clock, learnerID string) {
	tb.Helper()
	mustCreateQuiz(tb, db, learnerID, newQuiz(quizID(1), "saga-01", "saga-02", "bulkhead-01"))
	c.Advance(time.Minute)
	mustSaveAnswer(tb, db, learnerID, quizID(1), 0, right("saga-01"))
	c.Advance(time.Minute)
	mustSaveAnswer(tb, db, learnerID, quizID(1), 1, quiz.AnswerRecord{QuestionID: "saga-02", Choices: []int{1, 0}, Score: 1.0 / 3})
	c.Advance(time.Minute)
	mustSaveAnswer(tb, db, learnerID, quizID(1), 2, wrong("bulkhead-01"))

	c.Advance(time.Hour)
	q := newQuiz(quizID(2), "sidecar-01", "saga-03")
	q.Seed = 1<<64 - 3
	mustCreateQuiz(tb, db, learnerID, q)
	c.Advance(time.Minute)
	mustSaveAnswer(tb, db, learnerID, quizID(2), 0, right("sidecar-01"))

	c.Advance(time.Minute)
	mustReview(tb, db, c, learnerID, "saga", quiz.Good)
	c.Advance(10 * time.Minute)
	mustReview(tb, db, c, learnerID, "saga", quiz.Good)
	c.Advance(time.Minute)
	mustReview(tb, db, c, learnerID, "questions/describe-a-project", quiz.Hard)

	// A mock interview, its first question marked and its second shown.
	iv := newInterview(quizID(3), c.Advance(time.Minute))
	iv.Questions[0].StartedAt = c.Advance(time.Second)
	iv.Questions[0].AnsweredAt = c.Advance(time.Minute)
	iv.Questions[0].RevealedAt = c.Advance(30 * time.Second)
	iv.Questions[0].RatedAt = c.Advance(10 * time.Second)
	iv.Questions[0].Notes, iv.Questions[0].Ticks = "breaker first", "201"
	iv.Questions[1].StartedAt = c.Advance(time.Second)
	if err := db.CreateInterview(context.Background(), learnerID, iv); err != nil {
		tb.Fatal(err)
	}
	for i, run := range []ChallengeRun{
		{Challenge: "slow-payment", Settings: "breaker=off", At: c.Advance(time.Minute)},
		{Challenge: "slow-payment", Settings: "breaker=on&timeout-ms=800", Pass: true, Score: 940, At: c.Advance(time.Minute)},
	} {
		if err := db.SaveChallengeRun(context.Background(), learnerID, run); err != nil {
			tb.Fatalf("run %d: %v", i, err)
		}
	}
}

func mustExport(tb testing.TB, db *DB, learnerID string) quiz.Export {
	tb.Helper()
	e, err := db.Export(context.Background(), learnerID)
	if err != nil {
		tb.Fatalf("Export(%s): %v", learnerID, err)
	}
	return e
}

// viaJSON encodes e and decodes it again, as a download and an upload do.
func viaJSON(tb testing.TB, e quiz.Export) quiz.Export {
	tb.Helper()
	data, err := json.Marshal(e)
	if err != nil {
		tb.Fatal(err)
	}
	var out quiz.Export
	if err := json.Unmarshal(data, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// copied is e as learnerID's import of it into a database where e's quizzes
// belong to someone else: the same data, under the copies' ids.
func copied(e quiz.Export, learnerID string) quiz.Export {
	e.Quizzes = append([]quiz.ExportQuiz(nil), e.Quizzes...)
	for i := range e.Quizzes {
		e.Quizzes[i].ID = copyID(learnerID, e.Quizzes[i].ID)
	}
	e.Interviews = append([]quiz.ExportInterview(nil), e.Interviews...)
	for i := range e.Interviews {
		e.Interviews[i].ID = copyID(learnerID, e.Interviews[i].ID)
	}
	return e
}

// sameData fails the test unless got and want hold the same data; the
// time of the export may differ.
func sameData(tb testing.TB, what string, got, want quiz.Export) {
	tb.Helper()
	got.ExportedAt, want.ExportedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		tb.Errorf("%s:\n%s\nwant\n%s", what, g, w)
	}
}

func mustImport(tb testing.TB, db *DB, learnerID string, e quiz.Export) ImportStats {
	tb.Helper()
	stats, err := db.Import(context.Background(), learnerID, e)
	if err != nil {
		tb.Fatalf("Import(%s): %v", learnerID, err)
	}
	return stats
}

func TestExportHoldsEverythingInAStableFormat(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	fillRich(t, db, c, learnerA)
	e := mustExport(t, db, learnerA)
	if len(e.Quizzes) != 2 || len(e.Quizzes[0].Answers) != 3 || len(e.Quizzes[1].Answers) != 1 ||
		len(e.Cards) != 2 || len(e.ReviewLogs) != 3 {
		t.Fatalf("export holds %d quizzes, %d cards, %d logs; want 2 (3 and 1 answers), 2, 3",
			len(e.Quizzes), len(e.Cards), len(e.ReviewLogs))
	}
	if e.Quizzes[0].FinishedAt == nil || e.Quizzes[1].FinishedAt != nil {
		t.Error("the finished quiz should have finished_at and the other not")
	}
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"format":"microlab-export"`, `"version":3`, `"ref":"question:design-patterns"`, `"ticks":"201"`, `"notes":"breaker first"`, `"exported_at":"2026-11-28T13:20:42Z"`, `"challenge_runs":[{"challenge":"slow-payment"`,
		`"seed":"18446744073709551613"`, `"question_id":"saga-01"`, `"order":[2,0,1]`,
		`"choices":[1,0]`, `"answered_at":"2026-11-28T12:01:00Z"`,
		`"card_id":"questions/describe-a-project"`, `"last_review":`, `"interval_ns":600000000000`,
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the JSON has no %s:\n%s", want, data)
		}
	}

	empty := mustExport(t, db, learnerB)
	if data, _ := json.Marshal(empty); !strings.Contains(string(data), `"quizzes":[],"cards":[],"review_logs":[]`) {
		t.Errorf("the export of a learner never seen = %s, want empty lists", data)
	}
}

func TestExportThenImportGivesTheSameData(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "a.db")
	db := mustOpenFile(t, path, c)
	fillRich(t, db, c, learnerA)
	exported := mustExport(t, db, learnerA)
	file := viaJSON(t, exported)
	db.Close()

	t.Run("into another learner of the same, reopened database", func(t *testing.T) {
		db := mustOpenFile(t, path, c)
		defer db.Close()
		stats := mustImport(t, db, learnerB, file)
		if want := (ImportStats{Quizzes: 2, Renamed: 2, Answers: 4, Cards: 2, ReviewLogs: 3, Interviews: 1, ChallengeRuns: 2}); stats != want {
			t.Errorf("stats = %+v, want %+v", stats, want)
		}
		// A's quiz ids are A's: B gets the same quizzes under its own ids.
		sameData(t, "B's data", mustExport(t, db, learnerB), copied(exported, learnerB))
		sameData(t, "A's data", mustExport(t, db, learnerA), exported)

		if again := mustImport(t, db, learnerB, file); again != (ImportStats{}) {
			t.Errorf("a second import added %+v, want nothing", again)
		}
		sameData(t, "B's data after a second import", mustExport(t, db, learnerB), copied(exported, learnerB))
	})

	t.Run("into a fresh database", func(t *testing.T) {
		db := mustOpenFile(t, filepath.Join(t.TempDir(), "fresh.db"), c)
		defer db.Close()
		stats := mustImport(t, db, learnerB, file)
		if want := (ImportStats{Quizzes: 2, Answers: 4, Cards: 2, ReviewLogs: 3, Interviews: 1, ChallengeRuns: 2}); stats != want {
			t.Errorf("stats = %+v, want %+v", stats, want)
		}
		sameData(t, "B's data", mustExport(t, db, learnerB), exported)
		if again := mustImport(t, db, learnerB, file); again != (ImportStats{}) {
			t.Errorf("a second import added %+v, want nothing", again)
		}
		// The imported quiz can be read and answered like any other.
		q := mustQuiz(t, db, learnerB, quizID(2))
		mustSaveAnswer(t, db, learnerB, quizID(2), 1, right("saga-03"))
		if q = mustQuiz(t, db, learnerB, quizID(2)); q.FinishedAt == nil {
			t.Error("answering the imported quiz's last item did not finish it")
		}
	})
}

func TestImportMergesWithoutOverwriting(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	id := quizID(1)
	mustCreateQuiz(t, db, learnerA, newQuiz(id, "saga-01", "saga-02", "saga-03"))
	mustSaveAnswer(t, db, learnerA, id, 0, wrong("saga-01"))
	mustReview(t, db, c, learnerA, "saga", quiz.Good)
	early := viaJSON(t, mustExport(t, db, learnerA))
	c.Advance(time.Minute)
	mustSaveAnswer(t, db, learnerA, id, 1, right("saga-02"))
	c.Advance(time.Minute)
	mustSaveAnswer(t, db, learnerA, id, 2, right("saga-03"))
	c.Advance(time.Hour)
	mustReview(t, db, c, learnerA, "saga", quiz.Good)
	late := viaJSON(t, mustExport(t, db, learnerA))

	t.Run("a later export fills in the answers and cards an earlier one lacked", func(t *testing.T) {
		mustImport(t, db, learnerB, early)
		stats := mustImport(t, db, learnerB, late)
		if want := (ImportStats{Answers: 2, Cards: 1, ReviewLogs: 1}); stats != want {
			t.Errorf("stats = %+v, want %+v", stats, want)
		}
		sameData(t, "B's data", mustExport(t, db, learnerB), copied(late, learnerB))
	})

	t.Run("an earlier export changes nothing", func(t *testing.T) {
		before := mustExport(t, db, learnerA)
		if stats := mustImport(t, db, learnerA, early); stats != (ImportStats{}) {
			t.Errorf("stats = %+v, want nothing added", stats)
		}
		sameData(t, "A's data", mustExport(t, db, learnerA), before)
	})

	t.Run("a different answer to an answered item does not replace it", func(t *testing.T) {
		forged := viaJSON(t, late)
		forged.Quizzes[0].Answers[0] = right("saga-01")
		forged.Quizzes[0].Answers[0].AnsweredAt = c.Now()
		if stats := mustImport(t, db, learnerA, forged); stats != (ImportStats{}) {
			t.Errorf("stats = %+v, want nothing added", stats)
		}
		if q := mustQuiz(t, db, learnerA, id); q.Answers[0].Correct {
			t.Error("the imported answer replaced the first one")
		}
	})

	t.Run("a quiz with the same id but other items is skipped", func(t *testing.T) {
		other := viaJSON(t, late)
		other.Quizzes[0].Items[2].QuestionID = "bulkhead-01"
		other.Quizzes[0].Answers[2].QuestionID = "bulkhead-01"
		if stats := mustImport(t, db, learnerA, other); stats != (ImportStats{Skipped: 1}) {
			t.Errorf("stats = %+v, want one quiz skipped", stats)
		}
		if q := mustQuiz(t, db, learnerA, id); q.Items[2].QuestionID != "saga-03" {
			t.Errorf("item 2 asks %s, want saga-03", q.Items[2].QuestionID)
		}
	})

	t.Run("a card reviewed later than the imported one stays", func(t *testing.T) {
		before, _, _ := db.Card(ctx, learnerA, "saga")
		mustImport(t, db, learnerA, early)
		if after, _, _ := db.Card(ctx, learnerA, "saga"); !reflect.DeepEqual(after, before) {
			t.Errorf("card = %+v, want the later %+v", after, before)
		}
	})
}

func TestImportNeverTouchesAnotherLearnersQuiz(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	id := quizID(1)
	mustCreateQuiz(t, db, learnerA, newQuiz(id, "saga-01", "saga-02"))
	mustSaveAnswer(t, db, learnerA, id, 0, wrong("saga-01"))
	aBefore := mustExport(t, db, learnerA)

	// B forges an export of A's quiz, fully and rightly answered.
	forged := viaJSON(t, aBefore)
	q := &forged.Quizzes[0]
	q.Answers = []quiz.AnswerRecord{right("saga-01"), right("saga-02")}
	q.Answers[0].AnsweredAt, q.Answers[1].AnsweredAt = c.Now(), c.Now()
	end := c.Now()
	q.FinishedAt = &end
	if stats := mustImport(t, db, learnerB, forged); stats != (ImportStats{Quizzes: 1, Renamed: 1, Answers: 2}) {
		t.Errorf("stats = %+v, want one quiz copied", stats)
	}
	sameData(t, "A's data", mustExport(t, db, learnerA), aBefore)
	if _, err := db.Quiz(ctx, learnerB, id); err == nil {
		t.Error("B can read A's quiz after importing its id")
	}
	if q := mustQuiz(t, db, learnerB, copyID(learnerB, id)); len(q.Answers) != 2 {
		t.Errorf("B's copy has %d answers, want 2", len(q.Answers))
	}

	// If the copy's id is taken by yet another learner, the quiz is skipped.
	const learnerC = "cccccccccccccccccccccccccccccccc"
	mustCreateQuiz(t, db, learnerC, newQuiz(copyID(learnerC, id), "sidecar-01"))
	if stats := mustImport(t, db, learnerC, forged); stats != (ImportStats{Skipped: 1}) {
		t.Errorf("stats = %+v, want the quiz skipped", stats)
	}
}

func TestAnInvalidImportChangesNothing(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	fillRich(t, db, c, learnerA)
	valid := viaJSON(t, mustExport(t, db, learnerA))
	// B has data of its own, which must come through untouched.
	mustCreateQuiz(t, db, learnerB, newQuiz(quizID(9), "saga-01"))
	mustReview(t, db, c, learnerB, "bulkhead", quiz.Again)
	bBefore := mustExport(t, db, learnerB)
	learners := count(t, db, "SELECT COUNT(*) FROM learners")

	for _, tc := range []struct {
		name string
		edit func(e *quiz.Export)
		want string // in the error message
	}{
		{"another format", func(e *quiz.Export) { e.Format = "anki" }, "not a Microlab export"},
		{"another version", func(e *quiz.Export) { e.Version = 4 }, "version 4 is not supported; this server reads versions 1 to 3"},
		{"an interview of an unknown format", func(e *quiz.Export) { e.Interviews[0].Format = "marathon" }, "interviews[0]: format"},
		{"an interview id twice", func(e *quiz.Export) { e.Interviews = append(e.Interviews, e.Interviews[0]) }, "interviews[1]: the id appears twice"},
		{"marks on a question never shown", func(e *quiz.Export) { e.Interviews[0].Questions[1].Ticks = "22" }, "interviews[0]"},
		{"version 0", func(e *quiz.Export) { e.Version = 0 }, "version 0 is not supported"},
		{"a malformed quiz id", func(e *quiz.Export) { e.Quizzes[1].ID = "XYZ" }, "quizzes[1]: the id is not 32 lower-case hex digits"},
		{"a quiz id twice", func(e *quiz.Export) { e.Quizzes[1].ID = e.Quizzes[0].ID }, "the id appears twice"},
		{"a malformed question id", func(e *quiz.Export) { e.Quizzes[0].Items[0].QuestionID = "saga" }, "question id"},
		{"a choice the question does not offer", func(e *quiz.Export) { e.Quizzes[1].Answers[0].Choices = []int{7} }, "choices [7]"},
		{"more answers than items", func(e *quiz.Export) {
			e.Quizzes[1].Answers = append(e.Quizzes[1].Answers, right("saga-03"), right("saga-03"))
		}, "3 answers to 2 items"},
		{"a finished quiz without finished_at", func(e *quiz.Export) { e.Quizzes[0].FinishedAt = nil }, "no finished_at"},
		{"an unfinished quiz with finished_at", func(e *quiz.Export) { e.Quizzes[1].FinishedAt = &e.ExportedAt }, "1 of 2 items are answered"},
		{"an answer without a time", func(e *quiz.Export) { e.Quizzes[0].Answers[2].AnsweredAt = time.Time{} }, "answered at"},
		{"a card state of 7", func(e *quiz.Export) { e.Cards[0].State = 7 }, "card state 7"},
		{"a card id twice", func(e *quiz.Export) { e.Cards[1].CardID = e.Cards[0].CardID }, "the id appears twice"},
		{"a bad rating in the last log", func(e *quiz.Export) { e.ReviewLogs[len(e.ReviewLogs)-1].Rating = 0 }, "review_logs[2]: rating 0"},
		{"an empty card id in a log", func(e *quiz.Export) { e.ReviewLogs[0].CardID = "" }, "review_logs[0]: the card id"},
		{"too many cards", func(e *quiz.Export) {
			for len(e.Cards) <= maxImportCards {
				e.Cards = append(e.Cards, e.Cards[0])
			}
		}, "cards: 10001 of them; at most 10000"},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			e := viaJSON(t, valid)
			tc.edit(&e)
			for _, learner := range []string{learnerB, "dddddddddddddddddddddddddddddddd"} {
				_, err := db.Import(ctx, learner, e)
				wantErr(t, "Import", err, ErrInvalid)
				if err != nil && !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %q does not say %q", err, tc.want)
				}
			}
			sameData(t, "B's data", mustExport(t, db, learnerB), bBefore)
			if n := count(t, db, "SELECT COUNT(*) FROM learners"); n != learners {
				t.Errorf("%d learners, want %d: a refused import created one", n, learners)
			}
		})
	}

	t.Run("several problems are reported together", func(t *testing.T) {
		e := viaJSON(t, valid)
		e.Quizzes[0].ID = "one"
		e.Cards[0].State = 7
		_, err := db.Import(ctx, learnerB, e)
		if err == nil || !strings.Contains(err.Error(), "quizzes[0]: the id") || !strings.Contains(err.Error(), "card state 7") {
			t.Errorf("error %v, want both problems named", err)
		}
	})
}
