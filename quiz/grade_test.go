package quiz

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// question builds a question of type t with n options; correct lists the
// indices marked correct.
func question(t Type, n int, correct ...int) Question {
	q := Question{ID: "saga-01", Topic: "saga", Type: t, Difficulty: DifficultyEasy, Prompt: "?"}
	for i := range n {
		o := Option{Text: fmt.Sprintf("option %d", i), Why: "because"}
		for _, c := range correct {
			o.Correct = o.Correct || c == i
		}
		q.Options = append(q.Options, o)
	}
	return q
}

func TestGrade(t *testing.T) {
	single := question(TypeSingle, 4, 2)
	predict := question(TypePredict, 3, 0)
	multiple := question(TypeMultiple, 5, 0, 2, 3) // right: 0, 2, 3; wrong: 1, 4
	ordering := question(TypeOrdering, 4)          // correct order 0, 1, 2, 3

	tests := []struct {
		name    string
		q       Question
		choices []int
		score   float64
		correct bool
		right   []bool // per option, bank order
	}{
		{"single: the correct option scores 1", single, []int{2}, 1, true, []bool{true, true, true, true}},
		{"single: a wrong option scores 0", single, []int{0}, 0, false, []bool{false, true, false, true}},
		{"predict: the correct outcome scores 1", predict, []int{0}, 1, true, []bool{true, true, true}},
		{"predict: a wrong outcome scores 0", predict, []int{1}, 0, false, []bool{false, false, true}},

		{"multiple: exactly the right options score 1", multiple, []int{3, 0, 2}, 1, true, []bool{true, true, true, true, true}},
		{"multiple: one right option missed scores 4/5", multiple, []int{0, 2}, 0.8, false, []bool{true, true, true, false, true}},
		{"multiple: one wrong option ticked too scores 4/5", multiple, []int{0, 1, 2, 3}, 0.8, false, []bool{true, false, true, true, true}},
		{"multiple: one right and one wrong ticked scores 2/5", multiple, []int{0, 4}, 0.4, false, []bool{true, true, false, false, false}},
		{"multiple: ticking everything scores the share of right options, 3/5", multiple, []int{0, 1, 2, 3, 4}, 0.6, false, []bool{true, false, true, true, false}},
		{"multiple: only the wrong options ticked scores 0", multiple, []int{1, 4}, 0, false, []bool{false, false, false, false, false}},

		{"ordering: the exact order scores 1", ordering, []int{0, 1, 2, 3}, 1, true, []bool{true, true, true, true}},
		{"ordering: two items swapped scores 2/4", ordering, []int{0, 2, 1, 3}, 0.5, false, []bool{true, false, false, true}},
		{"ordering: reversed scores 0", ordering, []int{3, 2, 1, 0}, 0, false, []bool{false, false, false, false}},
		{"ordering: rotated by one scores 0", ordering, []int{1, 2, 3, 0}, 0, false, []bool{false, false, false, false}},
		{"ordering: three out of place scores 1/4", ordering, []int{0, 2, 3, 1}, 0.25, false, []bool{true, false, false, false}},

		{"an invalid answer scores 0", single, []int{0, 2}, 0, false, []bool{false, false, false, false}},
		{"an empty answer scores 0", multiple, nil, 0, false, []bool{false, false, false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Grade(tt.q, Answer{Choices: tt.choices})
			if got.Score != tt.score || got.Correct != tt.correct {
				t.Errorf("Grade = score %v, correct %v; want score %v, correct %v", got.Score, got.Correct, tt.score, tt.correct)
			}
			if len(got.Marks) != len(tt.q.Options) {
				t.Fatalf("len(Marks) = %d, want one per option (%d)", len(got.Marks), len(tt.q.Options))
			}
			for i, m := range got.Marks {
				if m.Right != tt.right[i] {
					t.Errorf("option %d: Right = %v, want %v", i, m.Right, tt.right[i])
				}
				if m.Expected != tt.q.Options[i].Correct {
					t.Errorf("option %d: Expected = %v, want %v", i, m.Expected, tt.q.Options[i].Correct)
				}
			}
		})
	}
}

func TestGradeMarks(t *testing.T) {
	t.Run("choices are marked chosen, in bank order", func(t *testing.T) {
		got := Grade(question(TypeMultiple, 4, 0, 1), Answer{Choices: []int{3, 1}})
		want := []bool{false, true, false, true}
		for i, m := range got.Marks {
			if m.Chosen != want[i] || m.Position != -1 {
				t.Errorf("option %d: Chosen %v, Position %d; want %v, -1", i, m.Chosen, m.Position, want[i])
			}
		}
	})
	t.Run("ordering items carry the position the learner gave them", func(t *testing.T) {
		got := Grade(question(TypeOrdering, 3), Answer{Choices: []int{2, 0, 1}})
		want := []int{1, 2, 0} // item 0 was put second, item 1 third, item 2 first
		for i, m := range got.Marks {
			if m.Position != want[i] || m.Chosen {
				t.Errorf("item %d: Position %d, Chosen %v; want %d, false", i, m.Position, m.Chosen, want[i])
			}
		}
	})
}

func TestValidateAnswer(t *testing.T) {
	tests := []struct {
		name    string
		q       Question
		choices []int
		want    string // "" for valid; else a fragment of the message
	}{
		{"single: one option is valid", question(TypeSingle, 3, 0), []int{1}, ""},
		{"single: no option is refused", question(TypeSingle, 3, 0), nil, "Pick one of the options"},
		{"single: two options are refused", question(TypeSingle, 3, 0), []int{0, 1}, "Pick only one option: this answer picks 2"},
		{"predict: two options are refused", question(TypePredict, 3, 0), []int{0, 2}, "Pick only one option"},
		{"multiple: any number from one is valid", question(TypeMultiple, 4, 0, 1), []int{0, 1, 2, 3}, ""},
		{"multiple: nothing ticked is refused", question(TypeMultiple, 4, 0, 1), []int{}, "Tick at least one option"},
		{"ordering: a permutation of all items is valid", question(TypeOrdering, 3), []int{2, 0, 1}, ""},
		{"ordering: a missing item is refused", question(TypeOrdering, 3), []int{2, 0}, "Put all 3 items in order (the answer places 2)"},
		{"ordering: a repeated item is refused", question(TypeOrdering, 3), []int{2, 0, 2}, "the same option more than once"},
		{"a negative index is refused", question(TypeSingle, 3, 0), []int{-1}, "an option this question does not have"},
		{"an index past the last option is refused", question(TypeMultiple, 3, 0, 1), []int{0, 3}, "an option this question does not have"},
		{"a duplicate choice is refused", question(TypeMultiple, 3, 0, 1), []int{1, 1}, "the same option more than once"},
		{"an unknown question type is refused", question(Type("essay"), 3), []int{0}, "unknown type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateAnswer(tt.q, Answer{Choices: tt.choices})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidateAnswer = %v, want nil", err)
				}
				return
			}
			var ae *AnswerError
			if !errors.As(err, &ae) {
				t.Fatalf("ValidateAnswer = %v, want an *AnswerError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ValidateAnswer = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestRatingFor(t *testing.T) {
	q := question(TypeMultiple, 4, 0, 1)
	for _, tt := range []struct {
		name    string
		choices []int
		want    Rating
	}{
		{"a correct answer counts as Good", []int{0, 1}, Good},
		{"partial credit counts as Again", []int{0}, Again},
		{"a wrong answer counts as Again", []int{2, 3}, Again},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := RatingFor(Grade(q, Answer{Choices: tt.choices})); got != tt.want {
				t.Errorf("RatingFor = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRulesAreStated(t *testing.T) {
	for name, rule := range map[string]string{"RulePartialCredit": RulePartialCredit, "RuleOrdering": RuleOrdering} {
		if !strings.Contains(rule, "share") || !strings.Contains(rule, "correct only when") {
			t.Errorf("%s = %q; it should say how shares are earned and when an answer is correct", name, rule)
		}
	}
}
