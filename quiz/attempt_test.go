package quiz

import (
	"reflect"
	"testing"
)

// A question page shows an item with the progress of its whole quiz, and
// its answer only once it has one.
func TestAttemptItemView(t *testing.T) {
	a := Attempt{
		Items:   []Item{{QuestionID: "saga-01", Order: []int{1, 0, 2}}, {QuestionID: "saga-02", Order: []int{2, 1, 0}}},
		Answers: []AnswerRecord{{QuestionID: "saga-01", Choices: []int{0}, Score: 1, Correct: true}},
	}
	answered := a.ItemView(0)
	want := ItemView{Item: a.Items[0], Total: 2, Answered: 1, Answer: &a.Answers[0]}
	if !reflect.DeepEqual(answered, want) {
		t.Errorf("ItemView(0) = %+v, want %+v", answered, want)
	}
	if open := a.ItemView(1); open.Answer != nil || open.Item.QuestionID != "saga-02" || open.Total != 2 || open.Answered != 1 {
		t.Errorf("ItemView(1) = %+v, want saga-02 without an answer, 1 of 2 answered", open)
	}
}

// The stored form of a spec must give the spec back, or a stored quiz could
// not be explained or retried as it was built.
func TestSpecRecordRoundTrip(t *testing.T) {
	s := Spec{Topics: []string{"saga", "bulkhead"}, Length: 10, Difficulty: DifficultyHard, OnlyIDs: []string{"saga-01"}}
	if got := s.Record().Spec(); !reflect.DeepEqual(got, s) {
		t.Errorf("Record().Spec() = %+v, want %+v", got, s)
	}
}
