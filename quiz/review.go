package quiz

// CardReview is one logged review of one card: a ReviewLog with the id of
// the card it belongs to, as a learner's review history lists them.
type CardReview struct {
	CardID string
	ReviewLog
}
