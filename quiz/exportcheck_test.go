package quiz

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// exportT0 is when validExport's quiz was created.
var exportT0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// validExport is a file Check accepts, for MustCatalog(saga: 4): a quiz of
// saga-01 (single, option 0 right) and saga-03 (ordering), both answered,
// and a card reviewed once.
func validExport() Export {
	finished, last := exportT0.Add(2*time.Minute), exportT0.Add(time.Hour)
	return Export{
		Format: ExportFormat, Version: ExportVersion, ExportedAt: exportT0.Add(2 * time.Hour),
		Quizzes: []ExportQuiz{{
			ID: strings.Repeat("a", 32), Spec: SpecRecord{Topics: []string{"saga"}, Length: 5}, Seed: 7, CreatedAt: exportT0,
			FinishedAt: &finished,
			Items:      []Item{{QuestionID: "saga-01", Order: []int{2, 0, 3, 1}}, {QuestionID: "saga-03", Order: []int{3, 2, 1, 0}}},
			Answers: []AnswerRecord{
				{QuestionID: "saga-01", Choices: []int{1}, AnsweredAt: exportT0.Add(time.Minute)},
				{QuestionID: "saga-03", Choices: []int{0, 1, 3, 2}, Score: 0.5, AnsweredAt: finished},
			},
		}},
		Cards: []ExportCard{{CardID: "saga", State: int(StateLearning), Stability: 2.3, Difficulty: 2.1,
			Due: last.Add(10 * time.Minute), LastReview: &last, Reps: 1}},
		ReviewLogs: []ExportReviewLog{{CardID: "saga", Rating: int(Good), ReviewedAt: last, IntervalNS: int64(10 * time.Minute)}},
	}
}

// deepCopy is e through JSON, so that edits to it leave e alone.
func deepCopy(tb testing.TB, e Export) Export {
	tb.Helper()
	data, err := json.Marshal(e)
	if err != nil {
		tb.Fatal(err)
	}
	var out Export
	if err := json.Unmarshal(data, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestCheckRefusesAFileInconsistentWithTheCatalogOrItself(t *testing.T) {
	c := MustCatalog(t, map[string]int{"saga": 4})
	for _, tc := range []struct {
		name string
		edit func(e *Export)
		path string
	}{
		{"another format", func(e *Export) { e.Format = "anki" }, "format"},
		{"a later version", func(e *Export) { e.Version = ExportVersion + 1 }, "version"},
		{"version 0", func(e *Export) { e.Version = 0 }, "version"},
		{"an order of 16 positions for 4 options", func(e *Export) {
			e.Quizzes[0].Items[0].Order = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
		}, "quizzes[0].items[0].order"},
		{"an order of one position", func(e *Export) { e.Quizzes[0].Items[1].Order = []int{0} }, "quizzes[0].items[1].order"},
		{"an order that repeats an option", func(e *Export) { e.Quizzes[0].Items[0].Order = []int{0, 0, 1, 2} }, "quizzes[0].items[0].order"},
		{"a question the catalog does not have", func(e *Export) {
			e.Quizzes[0].Items[0].QuestionID, e.Quizzes[0].Answers[0].QuestionID = "saga-99", "saga-99"
		}, "quizzes[0].items[0].question_id"},
		{"an answer to another question", func(e *Export) { e.Quizzes[0].Answers[1].QuestionID = "saga-01" }, "quizzes[0].answers[1].question_id"},
		{"two picks for a single question", func(e *Export) { e.Quizzes[0].Answers[0].Choices = []int{0, 1} }, "quizzes[0].answers[0].choices"},
		{"an ordering answer placing one item", func(e *Export) { e.Quizzes[0].Answers[1].Choices = []int{0} }, "quizzes[0].answers[1].choices"},
		{"more answers than items", func(e *Export) {
			e.Quizzes[0].Answers = append(e.Quizzes[0].Answers, e.Quizzes[0].Answers[0])
		}, "quizzes[0].answers"},
		{"an answer decades before its quiz", func(e *Export) {
			e.Quizzes[0].Answers[1].AnsweredAt = exportT0.AddDate(-30, 0, 0)
		}, "quizzes[0].answers[1].answered_at"},
		{"a quiz finished before its last answer", func(e *Export) {
			early := exportT0.Add(30 * time.Second)
			e.Quizzes[0].FinishedAt = &early
		}, "quizzes[0].finished_at"},
		{"a card last reviewed after it was due", func(e *Export) { e.Cards[0].Due = e.Cards[0].LastReview.Add(-time.Hour) }, "cards[0].last_review"},
		{"a reviewed card without a last review", func(e *Export) { e.Cards[0].LastReview = nil }, "cards[0].last_review"},
		{"a reviewed card of no stability", func(e *Export) { e.Cards[0].Stability = 0 }, "cards[0].stability"},
		{"a reviewed card of difficulty 11", func(e *Export) { e.Cards[0].Difficulty = 11 }, "cards[0].difficulty"},
		{"a card of more reviews than minutes in two years", func(e *Export) { e.Cards[0].Reps = math.MaxInt }, "cards[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := deepCopy(t, validExport())
			tc.edit(&e)
			before := deepCopy(t, e)
			err := e.Check(c)
			var ee *ExportError
			if !errors.As(err, &ee) {
				t.Fatalf("Check = %v, want an *ExportError", err)
			}
			if ee.Path != tc.path {
				t.Errorf("the error %q is at %q, want %q", err, ee.Path, tc.path)
			}
			if !strings.HasPrefix(err.Error(), tc.path+": ") || len(ee.Problem) < 10 {
				t.Errorf("message %q does not start with the path and say what is wrong", err)
			}
			if !reflect.DeepEqual(deepCopy(t, e), before) {
				t.Error("a refused export was changed")
			}
		})
	}
}

func TestCheckGradesEveryAnswerAgain(t *testing.T) {
	c := MustCatalog(t, map[string]int{"saga": 4})
	e := validExport()
	// The file says the wrong pick is right and the half-right order wrong.
	e.Quizzes[0].Answers[0].Score, e.Quizzes[0].Answers[0].Correct = 1, true
	e.Quizzes[0].Answers[1].Score = 0
	if err := e.Check(c); err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		score   float64
		correct bool
	}{{0, false}, {0.5, false}} {
		if a := e.Quizzes[0].Answers[i]; a.Score != want.score || a.Correct != want.correct {
			t.Errorf("answer %d graded %v (correct %v), want %v (%v)", i, a.Score, a.Correct, want.score, want.correct)
		}
	}
}

func TestACardCheckAcceptsCanBeReviewedAgain(t *testing.T) {
	c := MustCatalog(t, map[string]int{"saga": 4})
	// The edges of what Check accepts must leave the scheduler finite, or
	// rating such a card would fail to be stored.
	for _, mem := range [][2]float64{{minStability, minDifficulty}, {maxStability, maxDifficulty}} {
		e := validExport()
		card := &e.Cards[0]
		card.State, card.Stability, card.Difficulty, card.Reps = int(StateReview), mem[0], mem[1], maxCardReps
		if err := e.Check(c); err != nil {
			t.Fatalf("stability %v, difficulty %v: %v", mem[0], mem[1], err)
		}
		for r := Again; r <= Easy; r++ {
			for _, after := range []time.Duration{time.Minute, 400 * 24 * time.Hour} {
				next, _ := DefaultScheduler().Review(card.Card(), r, card.Due.Add(after))
				if !(next.Stability >= minStability && next.Stability <= math.MaxFloat64) || math.IsNaN(next.Difficulty) {
					t.Errorf("stability %v, difficulty %v, rated %v after %v: the card becomes %+v", mem[0], mem[1], r, after, next)
				}
			}
		}
	}
}
