package quiz

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// pointsSource is deckSource with key points: saga has three, bulkhead
// none.
var pointsSource = DeckSource{
	Sections: func(topic string) ([]string, bool) {
		switch topic {
		case "saga":
			return []string{"compensation", "pivot"}, true
		case "bulkhead":
			return nil, true
		}
		return nil, false
	},
	KeyPoints: func(topic string) []string {
		if topic == "saga" {
			return []string{
				"A saga is a sequence of local transactions.",
				"Each step has a compensation that undoes it semantically, such as a refund.",
				"After the pivot the saga can only go forward.",
			}
		}
		return nil
	},
}

const sagaWithPoints = `topic: saga
cards:
  - id: saga/what-is-a-saga
    front: What is a saga?
    back: A sequence of local transactions.
    points: [1]
  - id: saga/compensation-and-pivot
    front: What undoes a step, and when can nothing be undone?
    back: A compensation; after the pivot.
    points: [3, 2]
  - id: saga/no-point
    front: What is an orchestrator?
    back: The service that tells each step what to do.
`

func TestLoadDeckReturnsEachCardsPoints(t *testing.T) {
	facts, err := LoadDeck(fstest.MapFS{"cards/saga.yaml": {Data: []byte(sagaWithPoints)}}, "cards", pointsSource)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]int
	for _, f := range facts {
		got = append(got, f.Points)
	}
	want := [][]int{{1}, {3, 2}, nil}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("points = %v, want %v", got, want)
	}
}

func TestLoadDeckRefusesPointsThatAreNotThePages(t *testing.T) {
	// card returns a saga deck whose first card lists points and whose
	// second teaches the rest, so that only the first can be wrong.
	card := func(points string) string {
		return "topic: saga\ncards:\n  - id: saga/a\n    front: A?\n    back: b\n    points: " + points +
			"\n  - id: saga/b\n    front: B?\n    back: c\n    points: [1, 2, 3]\n"
	}
	for _, c := range []struct{ name, file, yaml, want string }{
		{"a point above the last", "cards/saga.yaml", card("[4]"), "cards/saga.yaml: saga/a: point 4 is not a key point of the page; it has 3"},
		{"point zero", "cards/saga.yaml", card("[0]"), "point 0 is not a key point"},
		{"a point listed twice", "cards/saga.yaml", card("[2, 2]"), "saga/a: point 2 is listed twice"},
		{"a key point no card teaches", "cards/saga.yaml",
			"topic: saga\ncards:\n  - id: saga/a\n    front: A?\n    back: b\n    points: [1, 3]\n",
			"cards/saga.yaml: key point 2 (Each step has a compensation that…) is taught by no card"},
		{"points on a page without key points", "cards/bulkhead.yaml",
			"topic: bulkhead\ncards:\n  - id: bulkhead/a\n    front: A?\n    back: b\n    points: [1]\n",
			"bulkhead/a: the page has no key points"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadDeck(fstest.MapFS{c.file: {Data: []byte(c.yaml)}}, "cards", pointsSource)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}

func TestLoadDeckReportsEveryUntaughtKeyPoint(t *testing.T) {
	_, err := LoadDeck(fstest.MapFS{"cards/saga.yaml": {Data: []byte("topic: saga\ncards: []\n")}}, "cards", pointsSource)
	if err == nil {
		t.Fatal("a deck that teaches none of the page's key points loaded")
	}
	for _, n := range []string{"key point 1 ", "key point 2 ", "key point 3 "} {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("error %v does not name %q", err, n)
		}
	}
}

func TestLoadDeckWithoutKeyPointsSkipsTheChecks(t *testing.T) {
	src := pointsSource
	src.KeyPoints = nil
	facts, err := LoadDeck(fstest.MapFS{"cards/saga.yaml": {Data: []byte("topic: saga\ncards:\n  - id: saga/a\n    front: A?\n    back: b\n    points: [9]\n")}}, "cards", src)
	if err != nil || len(facts) != 1 || !slices.Equal(facts[0].Points, []int{9}) {
		t.Errorf("facts, err = %+v, %v; want the card with its points and no error", facts, err)
	}
}

func TestFactsForPoint(t *testing.T) {
	facts, err := LoadDeck(fstest.MapFS{"cards/saga.yaml": {Data: []byte(sagaWithPoints)}}, "cards", pointsSource)
	if err != nil {
		t.Fatal(err)
	}
	facts = append(facts, Fact{ID: "bulkhead/x", Topic: "bulkhead", Points: []int{2}})
	ids := func(fs []Fact) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.ID)
		}
		return out
	}
	for _, c := range []struct {
		point int
		want  []string
	}{
		{1, []string{"saga/what-is-a-saga"}},
		{2, []string{"saga/compensation-and-pivot"}},
		{3, []string{"saga/compensation-and-pivot"}},
		{4, nil},
	} {
		if got := ids(FactsForPoint(facts, "saga", c.point)); !slices.Equal(got, c.want) {
			t.Errorf("FactsForPoint(saga, %d) = %v, want %v", c.point, got, c.want)
		}
	}
}
