package store

import (
	"errors"
	"fmt"

	"microlab/quiz"
)

// The errors below join ErrNotFound (store.go) as the expected failures of
// the store. Methods wrap them with context, so test for them with
// errors.Is; the web layer turns each into a status a person can read.
var (
	// ErrInvalid is returned when an argument or an import breaks a rule
	// of the store: a malformed id, an out-of-range value, an export of an
	// unsupported version. Nothing is written.
	ErrInvalid = errors.New("store: invalid")
	// ErrAlreadyAnswered is returned when a quiz question or a flashcard
	// review is saved a second time. The first one stands and nothing is
	// written; for a quiz answer the error is an *AlreadyAnsweredError
	// carrying the answer that stands.
	ErrAlreadyAnswered = errors.New("store: already answered")
	// ErrOutOfOrder is returned when a quiz question is answered while an
	// earlier one is still unanswered.
	ErrOutOfOrder = errors.New("store: answered out of order")
	// ErrRevoked is returned when a write names a learner who deleted
	// their data; nothing is written.
	ErrRevoked = errors.New("store: learner revoked")
	// ErrFull is returned, as a *FullError, when a write would leave a
	// learner holding more than MaxQuizzes or MaxReviewLogs.
	ErrFull = errors.New("store: learner full")
)

// AlreadyAnsweredError is the error SaveAnswer returns, wrapped with
// context, when the item already has an answer. It matches
// ErrAlreadyAnswered with errors.Is, and errors.As gives the answer that
// stands, read in the same transaction.
type AlreadyAnsweredError struct {
	// First is the answer that stands.
	First quiz.AnswerRecord
}

// Error returns the text of ErrAlreadyAnswered.
func (e *AlreadyAnsweredError) Error() string { return ErrAlreadyAnswered.Error() }

// Unwrap returns ErrAlreadyAnswered.
func (e *AlreadyAnsweredError) Unwrap() error { return ErrAlreadyAnswered }

// InvalidError is the error behind every ErrInvalid: it matches ErrInvalid
// with errors.Is, and errors.As gives the reason alone, which is written
// for the person who sent the value (an import's author, say), without
// the context the store wraps around it for its logs, such as a learner id.
type InvalidError struct {
	// Reason says what is wrong, like "quizzes[1]: the id is not 32
	// lower-case hex digits".
	Reason string
}

// Error returns the text of ErrInvalid and the reason.
func (e *InvalidError) Error() string { return ErrInvalid.Error() + ": " + e.Reason }

// Unwrap returns ErrInvalid.
func (e *InvalidError) Unwrap() error { return ErrInvalid }

// invalidf returns an *InvalidError whose message says what is wrong,
// after the ErrInvalid text: "store: invalid: learner id ...".
func invalidf(format string, args ...any) error {
	return &InvalidError{Reason: fmt.Sprintf(format, args...)}
}

// reason is what an error says to the person who sent the value: an
// *InvalidError's reason without the ErrInvalid text, else the message.
func reason(err error) string {
	var inv *InvalidError
	if errors.As(err, &inv) {
		return inv.Reason
	}
	return err.Error()
}
