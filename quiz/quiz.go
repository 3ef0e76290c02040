package quiz

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Lengths returns the quiz lengths a learner can choose, shortest first.
func Lengths() []int { return []int{5, 10, 20} }

// Spec is what a learner asks for when building a quiz.
type Spec struct {
	// Topics to draw from; empty means every topic in the catalog.
	Topics []string
	// Length is the number of questions: 5, 10 or 20 (see Lengths).
	Length int
	// Difficulty keeps only questions of that difficulty; "" accepts any.
	Difficulty Difficulty
	// OnlyIDs, when not empty, keeps only these questions: "retry the ones I
	// missed" and "only the ones I missed". Ids no longer in the catalog
	// (a bank changed since) are skipped. Topics and Difficulty still apply.
	OnlyIDs []string
}

// Planned is one question of a built quiz and the order to show its options.
type Planned struct {
	Question Question
	// Order lists option indices (bank order) in the order to present them:
	// Order[0] is shown first. Answers still use bank indices.
	Order []int
}

// Presented returns the question's options in presentation order.
func (p Planned) Presented() []Option {
	opts := make([]Option, len(p.Order))
	for k, i := range p.Order {
		opts[k] = p.Question.Options[i]
	}
	return opts
}

// ErrNoQuestions is wrapped by the SpecError Build returns when nothing in
// the catalog matches the spec.
var ErrNoQuestions = errors.New("quiz: no questions match")

// SpecError is a Spec that Build cannot satisfy. Its message is meant for
// the learner.
type SpecError struct {
	Reason string
	err    error
}

// Error returns the reason.
func (e *SpecError) Error() string { return e.Reason }

// Unwrap returns ErrNoQuestions when that is the cause, else nil.
func (e *SpecError) Unwrap() error { return e.err }

// seedStream is PCG's second seed word; any fixed value works, it only has
// to stay the same so a stored seed keeps giving the same quiz.
const seedStream = 0x9e3779b97f4a7c15

// Build picks the questions of a quiz and the order to show each one's
// options, deterministically from seed: the same catalog, spec and seed give
// the same quiz, on any Go release (it draws raw numbers from a PCG and
// shuffles with its own Fisher–Yates, not math/rand's helpers, whose
// algorithms may change).
//
// Questions are spread across the chosen topics as evenly as their banks
// allow (round robin over the topics in a shuffled order), then shuffled.
// If fewer questions match than Length, Build returns all that match, so a
// quiz may be shorter than asked: that is the normal case for "retry the
// ones I missed". Options of every type are shuffled; an ordering
// question's items are never presented already in the correct order.
//
// Build returns a *SpecError for an unknown topic, a length other than 5, 10
// or 20, an unknown difficulty, or when no question matches (then it also
// wraps ErrNoQuestions).
func Build(c *Catalog, spec Spec, seed uint64) ([]Planned, error) {
	if !slices.Contains(Lengths(), spec.Length) {
		return nil, &SpecError{Reason: fmt.Sprintf("A quiz has 5, 10 or 20 questions, not %d.", spec.Length)}
	}
	if spec.Difficulty != "" && !spec.Difficulty.Valid() {
		return nil, &SpecError{Reason: fmt.Sprintf("%q is not a difficulty; choose easy, medium or hard, or any.", spec.Difficulty)}
	}
	for _, t := range spec.Topics {
		if _, ok := c.Bank(t); !ok {
			return nil, &SpecError{Reason: fmt.Sprintf("There is no quiz on %q.", t)}
		}
	}
	var only map[string]bool
	if len(spec.OnlyIDs) > 0 {
		only = make(map[string]bool, len(spec.OnlyIDs))
		for _, id := range spec.OnlyIDs {
			only[id] = true
		}
	}

	// Pools per topic in catalog order, so the order of spec.Topics (or
	// repeats in it) does not change the quiz.
	var pools [][]Question
	for _, b := range c.banks {
		if len(spec.Topics) > 0 && !slices.Contains(spec.Topics, b.Topic) {
			continue
		}
		var pool []Question
		for _, q := range b.Questions {
			if spec.Difficulty != "" && q.Difficulty != spec.Difficulty {
				continue
			}
			if only != nil && !only[q.ID] {
				continue
			}
			pool = append(pool, q)
		}
		if len(pool) > 0 {
			pools = append(pools, pool)
		}
	}
	if len(pools) == 0 {
		return nil, &SpecError{Reason: noMatchReason(spec), err: ErrNoQuestions}
	}

	r := newShuffler(seed)
	for _, p := range pools {
		r.shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
	}
	r.shuffle(len(pools), func(i, j int) { pools[i], pools[j] = pools[j], pools[i] })

	var picked []Question
	for round := 0; len(picked) < spec.Length; round++ {
		took := false
		for _, p := range pools {
			if round < len(p) && len(picked) < spec.Length {
				picked = append(picked, p[round])
				took = true
			}
		}
		if !took {
			break // every pool is exhausted
		}
	}
	r.shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })

	plan := make([]Planned, len(picked))
	for k, q := range picked {
		plan[k] = Planned{Question: q, Order: r.presentation(q)}
	}
	return plan, nil
}

// noMatchReason says, for the learner, which filters left nothing.
func noMatchReason(spec Spec) string {
	var with []string
	if spec.Difficulty != "" {
		with = append(with, string(spec.Difficulty)+" difficulty")
	}
	if len(spec.Topics) > 0 {
		with = append(with, "these topics")
	}
	if len(spec.OnlyIDs) > 0 {
		with = append(with, "the questions you missed")
	}
	if len(with) == 0 {
		return "There are no quiz questions yet."
	}
	return "No questions match " + strings.Join(with, " and ") + "; widen the choice."
}

// shuffler draws from a PCG directly so the outcome for a seed does not
// depend on the algorithms behind math/rand/v2's Rand methods.
type shuffler struct{ src *rand.PCG }

func newShuffler(seed uint64) shuffler { return shuffler{src: rand.NewPCG(seed, seedStream)} }

// intN returns a uniform integer in [0, n), n > 0, by rejection sampling.
func (s shuffler) intN(n int) int {
	un := uint64(n)
	threshold := -un % un // 2^64 mod n: values below it would bias the result
	for {
		if v := s.src.Uint64(); v >= threshold {
			return int(v % un)
		}
	}
}

// shuffle is Fisher–Yates over n elements.
func (s shuffler) shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		swap(i, s.intN(i+1))
	}
}

// presentation returns a shuffled order of q's options. An ordering
// question's items are never left in the correct (bank) order: if the
// shuffle happens to produce it, the first two are swapped.
func (s shuffler) presentation(q Question) []int {
	order := make([]int, len(q.Options))
	for i := range order {
		order[i] = i
	}
	s.shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	if q.Type == TypeOrdering && len(order) >= 2 && isIdentity(order) {
		order[0], order[1] = order[1], order[0]
	}
	return order
}

func isIdentity(order []int) bool {
	for i, v := range order {
		if i != v {
			return false
		}
	}
	return true
}
