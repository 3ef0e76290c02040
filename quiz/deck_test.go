package quiz

import (
	"strings"
	"testing"
	"testing/fstest"
)

var deckSource = DeckSource{
	Sections: func(topic string) ([]string, bool) {
		if topic == "saga" {
			return []string{"compensation", "pivot"}, true
		}
		return nil, false
	},
	Question: func(id string) bool { return id == "saga-01" },
}

func TestLoadDeck(t *testing.T) {
	good := `topic: saga
cards:
  - id: saga/what-is-a-compensation
    section: compensation
    front: What is a compensating transaction?
    back: A step that semantically undoes an earlier one, such as a refund for a charge.
    quiz: [saga-01]
  - id: saga/pivot
    section: ""
    front: " What is a saga's pivot? "
    back: The step after which the saga can only go forward.
`
	facts, err := LoadDeck(fstest.MapFS{"cards/saga.yaml": {Data: []byte(good)}, "cards/README.md": {Data: []byte("x")}}, "cards", deckSource)
	if err != nil {
		t.Fatal(err)
	}
	if len(facts) != 2 || facts[0].ID != "saga/what-is-a-compensation" || facts[0].Topic != "saga" || facts[0].Quiz[0] != "saga-01" ||
		facts[1].Front != "What is a saga's pivot?" {
		t.Errorf("facts = %+v", facts)
	}

	for _, c := range []struct{ name, file, yaml, want string }{
		{"unknown page", "cards/nope.yaml", "topic: nope\ncards: []\n", `"nope" is not the slug of a page`},
		{"topic differs from file", "cards/saga.yaml", "topic: bulkhead\n", `must be "saga"`},
		{"unknown field", "cards/saga.yaml", "topic: saga\ncards:\n  - id: saga/a\n    answer: x\n", "field answer not found"},
		{"id without topic", "cards/saga.yaml", "topic: saga\ncards:\n  - id: a\n    front: A?\n    back: b\n", `the id must be "saga/"`},
		{"id with capitals", "cards/saga.yaml", "topic: saga\ncards:\n  - id: saga/Big\n    front: A?\n    back: b\n", "lower-case"},
		{"duplicate id", "cards/saga.yaml", "topic: saga\ncards:\n  - id: saga/a\n    front: A?\n    back: b\n  - id: saga/a\n    front: B?\n    back: c\n", "used already"},
		{"unknown section", "cards/saga.yaml", "topic: saga\ncards:\n  - id: saga/a\n    section: nowhere\n    front: A?\n    back: b\n", `section "nowhere"`},
		{"front not a question", "cards/saga.yaml", "topic: saga\ncards:\n  - id: saga/a\n    front: A statement.\n    back: b\n", "must be a question"},
		{"front too long", "cards/saga.yaml", "topic: saga\ncards:\n  - id: saga/a\n    front: " + strings.Repeat("a", 161) + "?\n    back: b\n", "at most 160"},
		{"empty back", "cards/saga.yaml", "topic: saga\ncards:\n  - id: saga/a\n    front: A?\n    back: ''\n", "the back is empty"},
		{"back too long", "cards/saga.yaml", "topic: saga\ncards:\n  - id: saga/a\n    front: A?\n    back: " + strings.Repeat("b", 301) + "\n", "at most 300"},
		{"markup", "cards/saga.yaml", "topic: saga\ncards:\n  - id: saga/a\n    front: A?\n    back: <b>bold</b>\n", "plain text"},
		{"unknown quiz question", "cards/saga.yaml", "topic: saga\ncards:\n  - id: saga/a\n    front: A?\n    back: b\n    quiz: [saga-99]\n", `"saga-99" does not exist`},
		{"two documents", "cards/saga.yaml", "topic: saga\n---\ntopic: saga\n", "more than one YAML document"},
		{"not YAML", "cards/saga.yaml", "topic: [", "cannot decode"},
	} {
		_, err := LoadDeck(fstest.MapFS{c.file: {Data: []byte(c.yaml)}}, "cards", deckSource)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
}
