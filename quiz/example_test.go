package quiz_test

import (
	"fmt"
	"time"

	"microlab/quiz"
)

// A new flashcard goes through the learning steps, graduates to a schedule in
// days, lapses once and relearns.
func ExampleScheduler_Review() {
	s := quiz.DefaultScheduler()
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	var card quiz.Card // the zero Card is new

	for _, r := range []quiz.Rating{quiz.Good, quiz.Good, quiz.Good, quiz.Again, quiz.Good} {
		card, _ = s.Review(card, r, now)
		fmt.Printf("%-5v → %-10v due in %-8v S=%.2f D=%.2f\n",
			r, card.State, card.Due.Sub(now), card.Stability, card.Difficulty)
		now = card.Due // review exactly when due
	}
	// Output:
	// good  → learning   due in 10m0s    S=2.31 D=2.12
	// good  → review     due in 48h0m0s  S=2.31 D=2.11
	// good  → review     due in 264h0m0s S=10.97 D=2.10
	// again → relearning due in 10m0s    S=1.54 D=7.39
	// good  → review     due in 48h0m0s  S=1.57 D=7.38
}
