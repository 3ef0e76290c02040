package materials_test

import (
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"microlab/internal/materials"
)

var update = flag.Bool("update", false, "add the ids of new questions and cards to testdata/published.txt")

// TestNothingPublishedIsRemoved keeps every quiz question and flashcard id
// that was ever published. Learners' stored quizzes name questions by id and
// their schedules name cards by id, so a question dropped from a bank would
// leave their quizzes pointing at nothing, and a renamed card forgets
// everyone's progress on it. New ids are added to the list with
// `go test ./internal/materials -run TestNothingPublished -update`; an id
// never leaves it.
func TestNothingPublishedIsRemoved(t *testing.T) {
	lib, catalog, err := materials.Load()
	if err != nil {
		t.Fatal(err)
	}
	facts, err := materials.Deck(lib, catalog)
	if err != nil {
		t.Fatal(err)
	}
	var now []string
	for _, q := range catalog.Questions() {
		now = append(now, "question "+q.ID)
	}
	for _, f := range facts {
		now = append(now, "card "+f.ID)
	}
	slices.Sort(now)

	const file = "testdata/published.txt"
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var published []string
	for _, line := range strings.Split(string(raw), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			published = append(published, line)
		}
	}
	for _, id := range published {
		if _, found := slices.BinarySearch(now, id); !found {
			t.Errorf("%s was published and is gone: restore it (learners' quizzes and schedules name it)", id)
		}
	}
	var added []string
	for _, id := range now {
		if !slices.Contains(published, id) {
			added = append(added, id)
		}
	}
	if len(added) == 0 {
		return
	}
	if !*update {
		t.Errorf("%d new ids are not in %s yet (first: %s); run with -update to add them", len(added), file, added[0])
		return
	}
	all := append(published, added...)
	slices.Sort(all)
	header := "# Every quiz question and flashcard id ever published; see TestNothingPublishedIsRemoved.\n"
	if err := os.WriteFile(file, []byte(header+strings.Join(all, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}
