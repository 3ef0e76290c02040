package quiz

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Fact is an atomic flashcard: one question, one short answer, and where
// the page teaches it. Facts live in content/cards/{topic}.yaml, one file
// per page (see content/cards/README.md).
type Fact struct {
	// ID is "{topic}/{fact}", unique across the deck; it names the card in
	// the learner's schedule, so it must never change once published.
	ID    string
	Topic string // the slug of the page the fact comes from
	// Section is the id of the heading the fact is taught under, or ""
	// when it is one of the page's key points and no section fits.
	Section string
	Front   string // plain text, a question
	Back    string // plain text
	// Quiz names the quiz questions that test this fact: a wrong answer to
	// one of them brings the fact back for review.
	Quiz []string
	// Points are the 1-based indices, in the page's key_points list, of the
	// key points this fact teaches: a key point marked missed in a mock
	// interview brings these facts back for review. Empty when the page has
	// no key points or the fact teaches none of them.
	Points []int
}

// Bounds on a fact's text, so that a card stays a card.
const (
	maxFactFront = 160
	maxFactBack  = 300
	maxFactSlug  = 60
)

type (
	deckFile struct {
		Topic string     `yaml:"topic"`
		Cards []factFile `yaml:"cards"`
	}
	factFile struct {
		ID      string   `yaml:"id"`
		Section string   `yaml:"section"`
		Front   string   `yaml:"front"`
		Back    string   `yaml:"back"`
		Quiz    []string `yaml:"quiz"`
		Points  []int    `yaml:"points"`
	}
)

// DeckSource is what LoadDeck checks facts against: the pages there are
// and the headings each has, and the quiz questions.
type DeckSource struct {
	// Sections returns the heading ids of the page topic, and false when
	// there is no such page.
	Sections func(topic string) ([]string, bool)
	// Question reports whether a quiz question id exists; nil skips the
	// check.
	Question func(id string) bool
	// KeyPoints returns the key points of the page topic, in order (none
	// when it has none); nil skips the checks on points.
	KeyPoints func(topic string) []string
}

// LoadDeck reads every dir/*.yaml in fsys as the facts of one page and
// checks them: the file is named after a page; ids are "{topic}/{slug}"
// with a slug of lower-case letters, digits and hyphens, unique across the
// deck; the section is a heading of that page; fronts are questions of at
// most 160 characters, backs at most 300; quiz ids exist; points are
// key points of the page, 1-based and none repeated on a card, and every
// key point of a page is taught by at least one of its cards; and no field
// is unknown. It reports every problem, joined, each naming file and card.
// The facts come in file-name order, then file order.
func LoadDeck(fsys fs.FS, dir string, src DeckSource) ([]Fact, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("quiz: read cards: %w", err)
	}
	var (
		facts []Fact
		errs  []error
		seen  = map[string]string{} // id → file
	)
	for _, e := range entries {
		name := e.Name()
		topic, ok := strings.CutSuffix(name, ".yaml")
		if e.IsDir() || !ok {
			continue
		}
		file := path.Join(dir, name)
		bad := func(id, format string, args ...any) {
			where := file
			if id != "" {
				where += ": " + id
			}
			errs = append(errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
		}
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			bad("", "cannot read: %v", err)
			continue
		}
		var df deckFile
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&df); err != nil {
			bad("", "cannot decode: %s", strings.TrimPrefix(err.Error(), "yaml: "))
			continue
		}
		var extra yaml.Node
		if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
			bad("", "holds more than one YAML document")
		}
		if df.Topic != topic {
			bad("", "topic %q does not match the file name; it must be %q", df.Topic, topic)
			continue
		}
		sections, ok := src.Sections(topic)
		if !ok {
			bad("", "%q is not the slug of a page", topic)
			continue
		}
		var keyPoints []string
		if src.KeyPoints != nil {
			keyPoints = src.KeyPoints(topic)
		}
		taught := make([]bool, len(keyPoints))
		for i, f := range df.Cards {
			id := f.ID
			if id == "" {
				id = fmt.Sprintf("card %d", i+1)
			}
			slug, ok := strings.CutPrefix(f.ID, topic+"/")
			switch {
			case !ok || !validFactSlug(slug):
				bad(id, "the id must be %q followed by up to %d lower-case letters, digits and hyphens", topic+"/", maxFactSlug)
			case seen[f.ID] != "":
				bad(id, "the id is used already, in %s", seen[f.ID])
			}
			seen[f.ID] = file
			if f.Section != "" && !slices.Contains(sections, f.Section) {
				bad(id, "section %q is not a heading of the page", f.Section)
			}
			front, back := strings.TrimSpace(f.Front), strings.TrimSpace(f.Back)
			switch n := utf8.RuneCountInString(front); {
			case n == 0 || !strings.HasSuffix(front, "?"):
				bad(id, "the front must be a question, ending in \"?\"")
			case n > maxFactFront:
				bad(id, "the front is %d characters; at most %d", n, maxFactFront)
			}
			switch n := utf8.RuneCountInString(back); {
			case n == 0:
				bad(id, "the back is empty")
			case n > maxFactBack:
				bad(id, "the back is %d characters; at most %d", n, maxFactBack)
			}
			if strings.ContainsAny(front+back, "<>") {
				bad(id, "cards are plain text: no < or >")
			}
			for _, q := range f.Quiz {
				if src.Question != nil && !src.Question(q) {
					bad(id, "quiz question %q does not exist", q)
				}
			}
			if src.KeyPoints != nil {
				checkPoints(f.Points, taught, func(format string, args ...any) { bad(id, format, args...) })
			}
			facts = append(facts, Fact{ID: f.ID, Topic: topic, Section: f.Section, Front: front, Back: back, Quiz: f.Quiz, Points: f.Points})
		}
		for n, ok := range taught {
			if !ok {
				bad("", "key point %d (%s) is taught by no card", n+1, firstWords(keyPoints[n], 6))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return facts, nil
}

// checkPoints checks one card's points against its page's key points,
// whose count is len(taught), and marks in taught the ones it teaches.
func checkPoints(points []int, taught []bool, bad func(format string, args ...any)) {
	if len(points) > 0 && len(taught) == 0 {
		bad("the page has no key points, so the card can teach none: drop points")
		return
	}
	for i, n := range points {
		switch {
		case n < 1 || n > len(taught):
			bad("point %d is not a key point of the page; it has %d, numbered from 1", n, len(taught))
		case slices.Contains(points[:i], n):
			bad("point %d is listed twice", n)
		default:
			taught[n-1] = true
		}
	}
}

// firstWords returns the first n words of s, followed by "…" when s has
// more.
func firstWords(s string, n int) string {
	words := strings.Fields(s)
	if len(words) <= n {
		return strings.Join(words, " ")
	}
	return strings.Join(words[:n], " ") + "…"
}

// FactsForPoint returns the facts of page topic that teach its key point
// point (1-based), in deck order: the cards to bring back for review when
// a learner misses that point.
func FactsForPoint(facts []Fact, topic string, point int) []Fact {
	var out []Fact
	for _, f := range facts {
		if f.Topic == topic && slices.Contains(f.Points, point) {
			out = append(out, f)
		}
	}
	return out
}

func validFactSlug(s string) bool {
	if s == "" || len(s) > maxFactSlug {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
