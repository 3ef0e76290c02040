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

// Presented returns the order in which to show q's options for an item
// planned with order. A bank edit can give a question more or fewer options
// than it had when a stored quiz was planned; such an order is replaced by
// a fresh shuffle drawn from seed, so the page never indexes an option that
// is gone nor hides one that is new.
func Presented(q Question, order []int, seed uint64) []int {
	if isOrderOf(order, len(q.Options)) {
		return order
	}
	return newShuffler(seed).presentation(q)
}
