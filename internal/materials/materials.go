// Package materials loads everything a learner uses — the pages, the quiz
// banks and the lab scenarios — and checks them against each other: every
// lab link names a scenario, every quiz link a bank, every bank a page and
// every predict question a scenario. The server, its tests and the load
// generator all start from here, so they all run on checked material.
package materials

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"microlab/content"
	"microlab/interview"
	"microlab/quiz"
	"microlab/simulator"
)

// Load loads and cross-checks the embedded pages and quiz banks. The two
// load side by side: the banks are checked against the page slugs, which
// are the pages' file names (content rejects a file whose slug differs).
func Load() (*content.Library, *quiz.Catalog, error) {
	var labs []string
	for _, sc := range simulator.Scenarios() {
		labs = append(labs, sc.Slug)
	}
	files := content.Files()
	topics, err := stems(files, "quiz/*.yaml")
	if err != nil {
		return nil, nil, err
	}
	var slugs []string
	for _, k := range content.Kinds() {
		s, err := stems(files, k.Dir()+"/*.md")
		if err != nil {
			return nil, nil, err
		}
		slugs = append(slugs, s...)
	}

	var (
		catalog    *quiz.Catalog
		catalogErr error
		done       = make(chan struct{})
	)
	go func() {
		defer close(done)
		catalog, catalogErr = quiz.LoadCatalog(files, "quiz", slugs, labs)
	}()
	lib, err := content.Load(files, content.Options{Labs: labs, QuizTopics: topics})
	<-done
	if err != nil {
		return nil, nil, fmt.Errorf("content: %w", err)
	}
	if catalogErr != nil {
		return nil, nil, fmt.Errorf("quiz banks: %w", catalogErr)
	}
	if err := checkClaims(catalog); err != nil {
		return nil, nil, fmt.Errorf("quiz banks: %w", err)
	}
	return lib, catalog, nil
}

// checkClaims runs the simulation behind every claim a question makes and
// refuses a question whose keyed option asserts another outcome than the
// simulator shows, so a quiz can never key what the lab contradicts (as
// saga-02 once keyed "refund" for a failure after the pivot).
func checkClaims(catalog *quiz.Catalog) error {
	decided := map[string]string{}
	var problems []string
	for _, q := range catalog.Questions() {
		if q.Claim == "" {
			continue
		}
		outcome, seen := decided[q.Claim]
		if !seen {
			var ok bool
			if outcome, ok = simulator.DecideClaim(q.Claim); !ok {
				problems = append(problems, fmt.Sprintf("%s: claim %q is not one the simulator decides", q.ID, q.Claim))
				continue
			}
			decided[q.Claim] = outcome
		}
		if got := q.KeyedOutcome(); got != outcome {
			problems = append(problems, fmt.Sprintf("%s: the keyed option says %s %q, but the simulator shows %q", q.ID, q.Claim, got, outcome))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// Deck loads the atomic flashcards of content/cards and checks them
// against lib's pages (each card's section is a heading of its page, and
// every key point of a page is taught by a card that lists it in points)
// and catalog's questions.
func Deck(lib *content.Library, catalog *quiz.Catalog) ([]quiz.Fact, error) {
	facts, err := quiz.LoadDeck(content.Files(), "cards", quiz.DeckSource{
		Sections: func(topic string) ([]string, bool) {
			p, ok := lib.BySlug(topic)
			if !ok {
				return nil, false
			}
			ids := make([]string, len(p.TOC))
			for i, h := range p.TOC {
				ids[i] = h.ID
			}
			return ids, true
		},
		Question: func(id string) bool { _, ok := catalog.Question(id); return ok },
		KeyPoints: func(topic string) []string {
			if p, ok := lib.BySlug(topic); ok {
				return p.KeyPoints
			}
			return nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("flashcards: %w", err)
	}
	return facts, nil
}

// stems lists the names, without their extension, of the files matching
// pattern, leaving out README.md.
func stems(fsys fs.FS, pattern string) ([]string, error) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		base := path.Base(n)
		if base == "README.md" {
			continue
		}
		out = append(out, strings.TrimSuffix(base, path.Ext(base)))
	}
	return out, nil
}

// Designs loads the mock interview's system-design prompts and checks each
// rubric line's section against lib.
func Designs(lib *content.Library) ([]interview.Design, error) {
	designs, err := interview.LoadDesigns(content.Files(), "interview/design.yaml", lib)
	if err != nil {
		return nil, fmt.Errorf("interview designs: %w", err)
	}
	return designs, nil
}
