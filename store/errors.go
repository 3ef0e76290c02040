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

// invalidf returns an error wrapping ErrInvalid whose message says what is
// wrong, after the ErrInvalid text: "store: invalid: learner id ...".
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
