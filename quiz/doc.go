// Package quiz is the pure logic behind Microlab's "test yourself" side:
// the question model and its validation, loading question banks, grading
// answers, building a quiz from a seed, and scheduling flashcard reviews
// with FSRS. It also defines a learner's quiz history (attempts, answers,
// per-topic sums) and the export file that carries it, with the rules for
// well-formed question ids and topics: the store persists these types and
// checks ids with these rules, so each rule is written once.
//
// Everything here is a function of its inputs. Time is passed in as a
// time.Time, randomness comes from an explicit seed, and banks are read from
// an fs.FS that the caller supplies, so the same inputs always give the same
// outputs and every rule can be tested without a server.
//
// The package must never import net/http, database/sql, the store or web
// packages, or anything else of ours that does I/O; it must not read the
// wall clock (time.Now) or use global randomness (math/rand's top-level
// functions). Its only dependency outside the standard library is
// gopkg.in/yaml.v3, for parsing banks.
package quiz
