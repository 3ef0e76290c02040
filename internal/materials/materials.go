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
	"microlab/quiz"
	"microlab/simulator"
)

// Load loads and cross-checks the embedded pages and quiz banks.
func Load() (*content.Library, *quiz.Catalog, error) {
	var labs []string
	for _, sc := range simulator.Scenarios() {
		labs = append(labs, sc.Slug)
	}
	banks, err := fs.Glob(content.Files(), "quiz/*.yaml")
	if err != nil {
		return nil, nil, err
	}
	var topics []string
	for _, b := range banks {
		topics = append(topics, strings.TrimSuffix(path.Base(b), ".yaml"))
	}
	lib, err := content.Default(content.Options{Labs: labs, QuizTopics: topics})
	if err != nil {
		return nil, nil, fmt.Errorf("content: %w", err)
	}
	var slugs []string
	for _, p := range lib.All() {
		slugs = append(slugs, p.Slug)
	}
	catalog, err := quiz.LoadCatalog(content.Files(), "quiz", slugs, labs)
	if err != nil {
		return nil, nil, fmt.Errorf("quiz banks: %w", err)
	}
	return lib, catalog, nil
}
