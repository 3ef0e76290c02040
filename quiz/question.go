package quiz

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Type is the kind of a question, which decides how it is answered and graded.
type Type string

// The question types a bank may use.
const (
	// TypeSingle has one correct option; the learner picks one.
	TypeSingle Type = "single"
	// TypeMultiple has two or more correct options; the learner ticks any
	// number and earns partial credit (see RulePartialCredit).
	TypeMultiple Type = "multiple"
	// TypeOrdering lists its options in the correct order; the quiz shuffles
	// them and the learner puts them back (see RuleOrdering).
	TypeOrdering Type = "ordering"
	// TypePredict describes a lab set-up and asks what happens; it has one
	// correct option and names the lab scenario that shows the outcome.
	TypePredict Type = "predict"
)

// Types lists every question type in the order the site presents them.
func Types() []Type {
	return []Type{TypeSingle, TypeMultiple, TypeOrdering, TypePredict}
}

// Valid reports whether t is one of the known question types.
func (t Type) Valid() bool {
	switch t {
	case TypeSingle, TypeMultiple, TypeOrdering, TypePredict:
		return true
	}
	return false
}

// Difficulty is how hard a question is meant to be.
type Difficulty string

// The difficulties a bank may use. A Spec with Difficulty "" accepts any.
const (
	DifficultyEasy   Difficulty = "easy"
	DifficultyMedium Difficulty = "medium"
	DifficultyHard   Difficulty = "hard"
)

// Difficulties lists every difficulty from easiest to hardest.
func Difficulties() []Difficulty {
	return []Difficulty{DifficultyEasy, DifficultyMedium, DifficultyHard}
}

// Valid reports whether d is one of the known difficulties ("" is not).
func (d Difficulty) Valid() bool {
	switch d {
	case DifficultyEasy, DifficultyMedium, DifficultyHard:
		return true
	}
	return false
}

// Option is one answer a question offers, with its own explanation. For an
// ordering question the options are the items, listed in the correct order,
// and Correct is always false.
type Option struct {
	Text    string
	Correct bool
	// Why explains this option: why it is right, why it is wrong, or (for
	// ordering) why it sits at its position.
	Why string
	// Outcome is, for a question that makes a Claim, the outcome this
	// option asserts, in the simulator's words (see simulator.DecideClaim).
	Outcome string
}

// Question is one quiz question as loaded from a bank.
type Question struct {
	// ID is unique across all banks, of the form {topic}-{two digits}.
	ID         string
	Topic      string
	Type       Type
	Difficulty Difficulty
	Prompt     string
	// Options are in the bank's order; answers and presentation orders refer
	// to them by index in this slice.
	Options []Option
	// Scenario is the slug of the lab scenario that shows a predict
	// question's outcome; empty for every other type.
	Scenario string
	// Claim names a statement about the shop that the simulator decides
	// ("saga-pivot"); the keyed option's Outcome must be the simulator's.
	// Empty for most questions.
	Claim string
}

// KeyedOutcome is the Outcome of a claiming question's correct option.
func (q Question) KeyedOutcome() string {
	for _, o := range q.Options {
		if o.Correct {
			return o.Outcome
		}
	}
	return ""
}

// Length limits of a question's text, in characters (runes).
const (
	MaxPromptLen = 600
	MaxOptionLen = 300
)

// optionBounds gives, per type, how many options a question of that type
// may have.
func optionBounds(t Type) (lo, hi int) {
	switch t {
	case TypeSingle, TypeMultiple:
		return 3, 6
	case TypeOrdering:
		return 3, 7
	case TypePredict:
		return 3, 5
	}
	return 0, 0
}

// Validate checks q against the bank rules that concern the question alone
// (content/quiz/README.md): the id's form, a known type and difficulty,
// a prompt, the number of options and of correct options for the type, an
// explanation on every option, length limits, and a scenario exactly when
// the type is predict. Whether the scenario exists and whether the id is
// unique are checked by LoadCatalog, which knows the other banks and the
// scenario catalogue. All problems are reported, joined.
func (q Question) Validate() error {
	var errs []error
	for _, p := range q.problems() {
		errs = append(errs, errors.New(p))
	}
	return errors.Join(errs...)
}

// problems lists what is wrong with q, one message per problem.
func (q Question) problems() []string {
	var ps []string
	add := func(format string, args ...any) { ps = append(ps, fmt.Sprintf(format, args...)) }

	if !validID(q.ID, q.Topic) {
		add("id %q must be the topic followed by a dash and two digits, like %q", q.ID, q.Topic+"-01")
	}
	if !q.Type.Valid() {
		add("type %q is not one of single, multiple, ordering, predict", q.Type)
	}
	if !q.Difficulty.Valid() {
		add("difficulty %q is not one of easy, medium, hard", q.Difficulty)
	}
	if strings.TrimSpace(q.Prompt) == "" {
		add("prompt is empty")
	} else if n := utf8.RuneCountInString(q.Prompt); n > MaxPromptLen {
		add("prompt is %d characters long; the limit is %d", n, MaxPromptLen)
	}

	seen := make(map[string]int, len(q.Options))
	correct := 0
	for i, o := range q.Options {
		n := i + 1 // people count options from 1
		text := strings.TrimSpace(o.Text)
		switch {
		case text == "":
			add("option %d has no text", n)
		case utf8.RuneCountInString(o.Text) > MaxOptionLen:
			add("option %d is %d characters long; the limit is %d", n, utf8.RuneCountInString(o.Text), MaxOptionLen)
		}
		if text != "" {
			if first, dup := seen[text]; dup {
				add("options %d and %d have the same text", first, n)
			} else {
				seen[text] = n
			}
		}
		if strings.TrimSpace(o.Why) == "" {
			add("option %d has no why: every option needs its own explanation", n)
		}
		if o.Correct {
			correct++
		}
	}

	if q.Type.Valid() {
		lo, hi := optionBounds(q.Type)
		if n := len(q.Options); n < lo || n > hi {
			add("%s question needs %d to %d options; it has %d", article(q.Type), lo, hi, n)
		}
		wrong := len(q.Options) - correct
		switch q.Type {
		case TypeSingle, TypePredict:
			if correct != 1 {
				add("%s question needs exactly one correct option; it has %d", article(q.Type), correct)
			}
		case TypeMultiple:
			if correct < 2 {
				add("a multiple question needs at least two correct options; it has %d", correct)
			}
			if wrong < 1 {
				add("a multiple question needs at least one wrong option; every option is correct")
			}
		case TypeOrdering:
			if correct != 0 {
				add("an ordering question lists its options in the correct order and marks none correct; %d are marked", correct)
			}
		}
		if q.Type == TypePredict && strings.TrimSpace(q.Scenario) == "" {
			add("a predict question needs a scenario: the lab that shows the outcome")
		}
		if q.Type != TypePredict && q.Scenario != "" {
			add("only predict questions name a scenario; this one, of type %s, names %q", q.Type, q.Scenario)
		}
	}
	return ps
}

// article puts "a" or "an" before a type's name, for messages.
func article(t Type) string {
	if t == TypeOrdering {
		return "an " + string(t)
	}
	return "a " + string(t)
}

// validID reports whether id is topic, a dash and exactly two digits. It
// does not ask whether topic is a slug: the loader checks the file name
// against the pages, and reports a bad one once, not once per question.
func validID(id, topic string) bool {
	t, ok := splitQuestionID(id)
	return ok && topic != "" && t == topic
}

// maxIDLen bounds a question id and so a topic slug: far above any real
// one, it keeps a stored or imported id from being unreasonable.
const maxIDLen = 100

// ValidTopic reports whether t can name a topic: a page slug of lower-case
// letters, digits and inner dashes, at most 100 bytes. The store checks
// every topic it keeps with it, so a topic that cannot be a page's never
// reaches the database.
func ValidTopic(t string) bool {
	if t == "" || len(t) > maxIDLen || t[0] == '-' || t[len(t)-1] == '-' {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// ValidQuestionID reports whether id is a topic (see ValidTopic), a dash and
// two digits, like "saga-03": the form Question.Validate enforces, checked
// again wherever an id arrives from outside a bank (the store, an import).
func ValidQuestionID(id string) bool {
	t, ok := splitQuestionID(id)
	return ok && len(id) <= maxIDLen && ValidTopic(t)
}

// TopicOf returns a valid question id's topic: the id without its "-NN".
// Answers are summed per topic by it, so it must agree with ValidQuestionID.
func TopicOf(questionID string) string {
	t, _ := splitQuestionID(questionID)
	return t
}

// splitQuestionID cuts the "-NN" off id and returns what is before it, and
// whether id ended so. It is the one place that knows the suffix's form.
func splitQuestionID(id string) (topic string, ok bool) {
	n := len(id)
	if n < 3 || id[n-3] != '-' || !isDigit(id[n-2]) || !isDigit(id[n-1]) {
		return "", false
	}
	return id[:n-3], true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Correct returns the indices, in bank order, of the options marked correct.
// For an ordering question it returns nil: its answer is the bank order.
func (q Question) Correct() []int {
	var idx []int
	for i, o := range q.Options {
		if o.Correct {
			idx = append(idx, i)
		}
	}
	return idx
}
