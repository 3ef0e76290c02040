package quiz

import "fmt"

// RulePartialCredit is how a multiple-choice question is scored, in the
// words the quiz page shows next to it.
const RulePartialCredit = "Tick every option you think is right. Each option counts equally: " +
	"you earn its share by ticking it if it is right or by leaving it unticked if it is wrong. " +
	"Your score is the share of options you got right; the answer counts as correct only when every option is right."

// RuleOrdering is how an ordering question is scored, in the words the quiz
// page shows next to it.
const RuleOrdering = "Put the items in order. Each item counts equally: you earn its share when it sits in its correct position. " +
	"The answer counts as correct only when the whole order is right."

// Answer is a learner's answer to one question. Choices holds option
// indices in the bank's order (Question.Options), whatever order the options
// were shown in. For single, multiple and predict questions they are the
// options picked; for an ordering question they are all the items, in the
// order the learner put them: Choices[0] is the item placed first.
type Answer struct {
	Choices []int
}

// Result is the grade of one answer.
type Result struct {
	// Score is the credit earned, from 0 to 1.
	Score float64
	// Correct is true only for a fully right answer.
	Correct bool
	// Marks has one entry per option, in bank order, for the feedback view.
	Marks []Mark
}

// Mark is how one option fared in an answer.
type Mark struct {
	// Chosen: the learner picked this option (single, multiple, predict).
	Chosen bool
	// Expected: this option is a correct one (single, multiple, predict).
	Expected bool
	// Position is where the learner put this item, from 0, in an ordering
	// question; its correct position is its index. -1 for other types.
	Position int
	// Right: this option earned its share — picked or left alone as it
	// should be, or put in its correct position.
	Right bool
}

// AnswerError is an answer that does not fit its question. Its message is
// meant for the learner.
type AnswerError struct {
	Reason string
}

// Error returns the reason.
func (e *AnswerError) Error() string { return e.Reason }

func answerErr(format string, args ...any) error {
	return &AnswerError{Reason: fmt.Sprintf(format, args...)}
}

// ValidateAnswer reports whether a fits q: every index names an option, none
// is repeated, and the count suits the type — exactly one for single and
// predict, at least one for multiple, every item exactly once for ordering.
// The error is an *AnswerError whose message a learner can act on.
func ValidateAnswer(q Question, a Answer) error {
	n := len(q.Options)
	seen := make([]bool, n)
	for _, c := range a.Choices {
		if c < 0 || c >= n {
			return answerErr("The answer names an option this question does not have.")
		}
		if seen[c] {
			return answerErr("The answer picks the same option more than once.")
		}
		seen[c] = true
	}
	k := len(a.Choices)
	switch q.Type {
	case TypeSingle, TypePredict:
		if k == 0 {
			return answerErr("Pick one of the options, then submit.")
		}
		if k > 1 {
			return answerErr("Pick only one option: this answer picks %d.", k)
		}
	case TypeMultiple:
		if k == 0 {
			return answerErr("Tick at least one option.")
		}
	case TypeOrdering:
		if k != n {
			return answerErr("Put all %d items in order (the answer places %d).", n, k)
		}
	default:
		return answerErr("This question has an unknown type %q and cannot be answered.", q.Type)
	}
	return nil
}

// Grade scores a against q. It is pure and total: an answer that fails
// ValidateAnswer scores 0 and is not correct, with Marks showing only what
// was expected.
//
// Single and predict score 1 or 0. Multiple earns partial credit as
// RulePartialCredit states: the share of options classified right. Ordering
// earns the share of items in their correct position (RuleOrdering). In
// every case Correct means a score of exactly 1.
func Grade(q Question, a Answer) Result {
	n := len(q.Options)
	res := Result{Marks: make([]Mark, n)}
	for i, o := range q.Options {
		res.Marks[i] = Mark{Expected: o.Correct, Position: -1}
	}
	if n == 0 || ValidateAnswer(q, a) != nil {
		return res
	}

	right := 0
	if q.Type == TypeOrdering {
		for pos, item := range a.Choices {
			m := &res.Marks[item]
			m.Position = pos
			m.Right = pos == item
			if m.Right {
				right++
			}
		}
	} else {
		for _, c := range a.Choices {
			res.Marks[c].Chosen = true
		}
		for i := range res.Marks {
			m := &res.Marks[i]
			m.Right = m.Chosen == m.Expected
			if m.Right {
				right++
			}
		}
	}

	switch q.Type {
	case TypeSingle, TypePredict:
		if res.Marks[a.Choices[0]].Expected {
			res.Score = 1
		}
	default:
		res.Score = float64(right) / float64(n)
	}
	res.Correct = res.Score == 1
	return res
}

// RatingFor turns a graded quiz answer into a review rating for the
// scheduler: a fully correct answer counts as Good, anything else — a wrong
// answer or partial credit — as Again.
func RatingFor(r Result) Rating {
	if r.Correct {
		return Good
	}
	return Again
}
