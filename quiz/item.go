package quiz

// ItemView is one question of a quiz with what a question page needs
// around it: how long the quiz is, how far the learner has got, and the
// answer to this question if it has one. The store reads it in one query,
// since a question page is the quiz's hot read.
type ItemView struct {
	Item
	// Total items in the quiz; Answered of them have an answer.
	Total, Answered int
	// Answer is the answer to this item, nil while it has none.
	Answer *AnswerRecord
}

// ItemView is item i of the attempt in the form a question page takes.
func (a Attempt) ItemView(i int) ItemView {
	v := ItemView{Item: a.Items[i], Total: len(a.Items), Answered: len(a.Answers)}
	if i < len(a.Answers) {
		v.Answer = &a.Answers[i]
	}
	return v
}
