package quiz

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"microlab/simulator"
)

// realPages are the slugs of the site's pages of one kind, read from
// the content folder: the files are the pages.
func realPages(tb testing.TB, dir string) []string {
	tb.Helper()
	files, err := fs.Glob(os.DirFS("../content"), dir+"/*.md")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no pages in content/%s: %v", dir, err)
	}
	for i, f := range files {
		files[i] = strings.TrimSuffix(path.Base(f), ".md")
	}
	return files
}

func realTopics(tb testing.TB) []string {
	var ts []string
	for _, dir := range []string{"patterns", "guides", "questions"} {
		ts = append(ts, realPages(tb, dir)...)
	}
	return ts
}

func realScenarios() []string {
	var slugs []string
	for _, sc := range simulator.Scenarios() {
		slugs = append(slugs, sc.Slug)
	}
	return slugs
}

// validSaga is a correct bank with one question of each type. Test cases
// break it one rule at a time.
const validSaga = `topic: saga
questions:
  - id: saga-01
    type: single
    difficulty: easy
    prompt: Single prompt?
    options:
      - text: Single A
        correct: true
        why: Single A is right.
      - text: Single B
        why: Single B is wrong.
      - text: Single C
        why: Single C is wrong.
  - id: saga-02
    type: multiple
    difficulty: medium
    prompt: Multiple prompt?
    options:
      - text: Multiple A
        correct: true
        why: Multiple A is right.
      - text: Multiple B
        correct: true
        why: Multiple B is right.
      - text: Multiple C
        why: Multiple C is wrong.
  - id: saga-03
    type: ordering
    difficulty: hard
    prompt: Ordering prompt?
    options:
      - text: Ordering A
        why: Ordering A comes first.
      - text: Ordering B
        why: Ordering B comes second.
      - text: Ordering C
        why: Ordering C comes third.
  - id: saga-04
    type: predict
    difficulty: medium
    scenario: saga-compensation
    prompt: Predict prompt?
    options:
      - text: Predict A
        correct: true
        why: Predict A happens.
      - text: Predict B
        why: Predict B does not.
      - text: Predict C
        why: Predict C does not.
`

const validBulkhead = `topic: bulkhead
questions:
  - id: bulkhead-01
    type: single
    difficulty: easy
    prompt: Bulkhead prompt?
    options:
      - text: Bulkhead A
        correct: true
        why: Bulkhead A is right.
      - text: Bulkhead B
        why: Bulkhead B is wrong.
      - text: Bulkhead C
        why: Bulkhead C is wrong.
`

var (
	fixtureTopics    = []string{"bulkhead", "saga", "sidecar"}
	fixtureScenarios = []string{"saga-compensation", "bulkhead-isolation"}
)

// edit replaces the one occurrence of old in s, failing the test if old does
// not occur exactly once, so a fixture edit cannot silently miss.
func edit(tb testing.TB, s, old, new string) string {
	tb.Helper()
	if n := strings.Count(s, old); n != 1 {
		tb.Fatalf("fixture edit: %q occurs %d times, want 1", old, n)
	}
	return strings.Replace(s, old, new, 1)
}

// options returns n option entries for an edited question.
func options(n int, correct ...int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "      - text: Option %d\n", i+1)
		for _, c := range correct {
			if c == i {
				b.WriteString("        correct: true\n")
			}
		}
		fmt.Fprintf(&b, "        why: Because of %d.\n", i+1)
	}
	return b.String()
}

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{"quiz/README.md": {Data: []byte("# not a bank\n")}}
	for name, data := range files {
		m["quiz/"+name] = &fstest.MapFile{Data: []byte(data)}
	}
	return m
}

// bankErrors unwraps the joined error LoadCatalog returns.
func bankErrors(tb testing.TB, err error) []*BankError {
	tb.Helper()
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var bes []*BankError
	for _, e := range errs {
		var be *BankError
		if !errors.As(e, &be) {
			tb.Fatalf("error %q is not a *BankError", e)
		}
		bes = append(bes, be)
	}
	return bes
}

func TestLoadCatalogValidFixture(t *testing.T) {
	c, err := LoadCatalog(mapFS(map[string]string{"saga.yaml": validSaga, "bulkhead.yaml": validBulkhead}), "quiz", fixtureTopics, fixtureScenarios)
	if err != nil {
		t.Fatalf("LoadCatalog: %v", err)
	}
	if got, want := strings.Join(c.Topics(), ","), "bulkhead,saga"; got != want {
		t.Errorf("Topics() = %s, want %s (the order of the topic list)", got, want)
	}
	if got, want := c.Len(), 5; got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	q, ok := c.Question("saga-04")
	if !ok {
		t.Fatal("Question(saga-04) not found")
	}
	if q.Topic != "saga" || q.Type != TypePredict || q.Difficulty != DifficultyMedium || q.Scenario != "saga-compensation" {
		t.Errorf("saga-04 = %+v, want topic saga, predict, medium, scenario saga-compensation", q)
	}
	if got, want := q.Correct(), []int{0}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("saga-04 Correct() = %v, want %v", got, want)
	}
	ord, _ := c.Question("saga-03")
	for i, o := range ord.Options {
		if o.Correct {
			t.Errorf("saga-03 option %d is marked correct; ordering options never are", i)
		}
	}
	if b, ok := c.Bank("saga"); !ok || len(b.Questions) != 4 || b.Questions[1].ID != "saga-02" {
		t.Errorf("Bank(saga) = %+v, %v; want 4 questions in file order", b, ok)
	}
	if _, ok := c.Bank("sidecar"); ok {
		t.Error("Bank(sidecar) found, but there is no sidecar.yaml")
	}
	if _, ok := c.Question("saga-99"); ok {
		t.Error("Question(saga-99) found, but it does not exist")
	}
	if got := len(c.Questions()); got != 5 {
		t.Errorf("len(Questions()) = %d, want 5", got)
	}
}

func TestLoadCatalogRules(t *testing.T) {
	long := strings.Repeat("x", MaxPromptLen+1)
	tests := []struct {
		name  string
		files map[string]string
		// the problem that must be reported
		file, id string
		want     string
	}{
		{
			name:  "a topic field that does not match the file name is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "topic: saga", "topic: sidecar")},
			file:  "quiz/saga.yaml", want: `topic "sidecar" does not match the file name`,
		},
		{
			name:  "a missing topic field is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "topic: saga\n", "")},
			file:  "quiz/saga.yaml", want: "topic is missing",
		},
		{
			name:  "a bank whose file is not named after a page is refused",
			files: map[string]string{"sagas.yaml": strings.ReplaceAll(validSaga, "saga", "sagas")},
			file:  "quiz/sagas.yaml", want: `"sagas" is not the slug of a page`,
		},
		{
			name:  "a misspelt question field is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "    difficulty: hard\n", "    difficulty: hard\n    dificulty: hard\n")},
			file:  "quiz/saga.yaml", id: "saga-03", want: "field dificulty not found in a question",
		},
		{
			name:  "an unknown option field is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "        why: Predict B does not.\n", "        why: Predict B does not.\n        explanation: more\n")},
			file:  "quiz/saga.yaml", id: "saga-04", want: "field explanation not found in an option",
		},
		{
			name:  "an unknown top-level field is refused",
			files: map[string]string{"saga.yaml": "title: Saga\n" + validSaga},
			file:  "quiz/saga.yaml", want: "field title not found in a bank",
		},
		{
			name:  "a duplicate id in one file is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "id: saga-02", "id: saga-01")},
			file:  "quiz/saga.yaml", id: "saga-01", want: "already used earlier in this file",
		},
		{
			name: "a duplicate id across files is refused",
			files: map[string]string{
				"saga.yaml":     validSaga,
				"bulkhead.yaml": edit(t, validBulkhead, "id: bulkhead-01", "id: saga-01"),
			},
			file: "quiz/saga.yaml", id: "saga-01", want: "already used in quiz/bulkhead.yaml",
		},
		{
			name:  "an id of another topic is refused",
			files: map[string]string{"bulkhead.yaml": edit(t, validBulkhead, "id: bulkhead-01", "id: saga-01")},
			file:  "quiz/bulkhead.yaml", id: "saga-01", want: "must be the topic followed by a dash and two digits",
		},
		{
			name:  "an id with one digit is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "id: saga-02", "id: saga-2")},
			file:  "quiz/saga.yaml", id: "saga-2", want: "two digits",
		},
		{
			name:  "an id with three digits is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "id: saga-02", "id: saga-002")},
			file:  "quiz/saga.yaml", id: "saga-002", want: "two digits",
		},
		{
			name:  "a question without an id is named by its position",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "  - id: saga-02\n    type: multiple", "  - type: multiple")},
			file:  "quiz/saga.yaml", id: "", want: `id "" must be`,
		},
		{
			name:  "an unknown type is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "type: single", "type: choice")},
			file:  "quiz/saga.yaml", id: "saga-01", want: `type "choice" is not one of`,
		},
		{
			name:  "an unknown difficulty is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "difficulty: easy", "difficulty: trivial")},
			file:  "quiz/saga.yaml", id: "saga-01", want: `difficulty "trivial" is not one of`,
		},
		{
			name:  "an empty prompt is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "prompt: Single prompt?", `prompt: "  "`)},
			file:  "quiz/saga.yaml", id: "saga-01", want: "prompt is empty",
		},
		{
			name:  "a prompt over 600 characters is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "prompt: Single prompt?", "prompt: "+long)},
			file:  "quiz/saga.yaml", id: "saga-01", want: "prompt is 601 characters long; the limit is 600",
		},
		{
			name:  "an option over 300 characters is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "text: Single B", "text: "+long[:MaxOptionLen+1])},
			file:  "quiz/saga.yaml", id: "saga-01", want: "option 2 is 301 characters long; the limit is 300",
		},
		{
			name:  "an option without text is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "text: Single C", `text: ""`)},
			file:  "quiz/saga.yaml", id: "saga-01", want: "option 3 has no text",
		},
		{
			name:  "an option without a why is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "        why: Multiple C is wrong.\n", "")},
			file:  "quiz/saga.yaml", id: "saga-02", want: "option 3 has no why",
		},
		{
			name:  "two options with the same text are refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "text: Single C", "text: Single A")},
			file:  "quiz/saga.yaml", id: "saga-01", want: "options 1 and 3 have the same text",
		},
		{
			name:  "a single question with two options is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "      - text: Single C\n        why: Single C is wrong.\n", "")},
			file:  "quiz/saga.yaml", id: "saga-01", want: "a single question needs 3 to 6 options; it has 2",
		},
		{
			name:  "a single question with seven options is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "      - text: Single C\n        why: Single C is wrong.\n", options(5))},
			file:  "quiz/saga.yaml", id: "saga-01", want: "a single question needs 3 to 6 options; it has 7",
		},
		{
			name:  "a single question with no correct option is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "      - text: Single A\n        correct: true\n", "      - text: Single A\n")},
			file:  "quiz/saga.yaml", id: "saga-01", want: "a single question needs exactly one correct option; it has 0",
		},
		{
			name:  "a single question with two correct options is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "      - text: Single B\n", "      - text: Single B\n        correct: true\n")},
			file:  "quiz/saga.yaml", id: "saga-01", want: "a single question needs exactly one correct option; it has 2",
		},
		{
			name:  "a multiple question with one correct option is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "      - text: Multiple B\n        correct: true\n", "      - text: Multiple B\n")},
			file:  "quiz/saga.yaml", id: "saga-02", want: "at least two correct options; it has 1",
		},
		{
			name:  "a multiple question with every option correct is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "      - text: Multiple C\n", "      - text: Multiple C\n        correct: true\n")},
			file:  "quiz/saga.yaml", id: "saga-02", want: "at least one wrong option",
		},
		{
			name:  "an ordering option with correct: true is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "      - text: Ordering A\n", "      - text: Ordering A\n        correct: true\n")},
			file:  "quiz/saga.yaml", id: "saga-03", want: "option 1 has a correct field",
		},
		{
			name:  "an ordering option with correct: false is refused too",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "      - text: Ordering B\n", "      - text: Ordering B\n        correct: false\n")},
			file:  "quiz/saga.yaml", id: "saga-03", want: "option 2 has a correct field",
		},
		{
			name:  "an ordering question with eight items is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "      - text: Ordering C\n        why: Ordering C comes third.\n", options(6))},
			file:  "quiz/saga.yaml", id: "saga-03", want: "an ordering question needs 3 to 7 options; it has 8",
		},
		{
			name:  "a predict question without a scenario is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "    scenario: saga-compensation\n", "")},
			file:  "quiz/saga.yaml", id: "saga-04", want: "a predict question needs a scenario",
		},
		{
			name:  "a predict question naming an unknown scenario is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "scenario: saga-compensation", "scenario: saga-rollback")},
			file:  "quiz/saga.yaml", id: "saga-04", want: `scenario "saga-rollback" is not a lab scenario`,
		},
		{
			name:  "a predict question with six options is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "      - text: Predict C\n        why: Predict C does not.\n", options(4))},
			file:  "quiz/saga.yaml", id: "saga-04", want: "a predict question needs 3 to 5 options; it has 6",
		},
		{
			name:  "a predict question with two correct options is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "      - text: Predict B\n", "      - text: Predict B\n        correct: true\n")},
			file:  "quiz/saga.yaml", id: "saga-04", want: "a predict question needs exactly one correct option; it has 2",
		},
		{
			name:  "a scenario on a question that is not predict is refused",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "    type: single\n", "    type: single\n    scenario: saga-compensation\n")},
			file:  "quiz/saga.yaml", id: "saga-01", want: "only predict questions name a scenario",
		},
		{
			name:  "a file that is not YAML is refused",
			files: map[string]string{"saga.yaml": "topic: saga\nquestions: [\n"},
			file:  "quiz/saga.yaml", want: "not valid YAML",
		},
		{
			name:  "an empty file is refused",
			files: map[string]string{"saga.yaml": ""},
			file:  "quiz/saga.yaml", want: "the file is empty",
		},
		{
			name:  "a bank without questions is refused",
			files: map[string]string{"saga.yaml": "topic: saga\nquestions: []\n"},
			file:  "quiz/saga.yaml", want: "the bank has no questions",
		},
		{
			name:  "a second YAML document is refused",
			files: map[string]string{"saga.yaml": validSaga + "---\n" + validSaga},
			file:  "quiz/saga.yaml", want: "more than one YAML document",
		},
		{
			name:  "a .yml file is reported, not skipped",
			files: map[string]string{"saga.yml": validSaga},
			file:  "quiz/saga.yml", want: "end in .yaml, not .yml",
		},
		{
			name:  "a wrongly typed value is refused and named",
			files: map[string]string{"saga.yaml": edit(t, validSaga, "      - text: Predict A\n        correct: true\n", "      - text: Predict A\n        correct: [yes]\n")},
			file:  "quiz/saga.yaml", id: "saga-04", want: "cannot unmarshal",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCatalog(mapFS(tt.files), "quiz", fixtureTopics, fixtureScenarios)
			if err == nil {
				t.Fatal("LoadCatalog succeeded; want an error")
			}
			for _, be := range bankErrors(t, err) {
				if be.File == tt.file && be.ID == tt.id && strings.Contains(be.Problem, tt.want) {
					if !strings.Contains(be.Error(), tt.file) {
						t.Errorf("message %q does not name the file", be.Error())
					}
					return
				}
			}
			t.Errorf("no problem with file %q, id %q and text %q; got:\n%v", tt.file, tt.id, tt.want, err)
		})
	}
}

func TestLoadCatalogReportsEveryProblem(t *testing.T) {
	saga := edit(t, validSaga, "difficulty: easy", "difficulty: trivial")
	saga = edit(t, saga, "        why: Multiple C is wrong.\n", "")
	bulkhead := edit(t, validBulkhead, "type: single", "type: choice")
	_, err := LoadCatalog(mapFS(map[string]string{"saga.yaml": saga, "bulkhead.yaml": bulkhead}), "quiz", fixtureTopics, fixtureScenarios)
	if err == nil {
		t.Fatal("LoadCatalog succeeded; want an error")
	}
	var got []string
	for _, be := range bankErrors(t, err) {
		got = append(got, be.File+" "+be.ID)
	}
	want := []string{"quiz/bulkhead.yaml bulkhead-01", "quiz/saga.yaml saga-01", "quiz/saga.yaml saga-02"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("problems reported for %q, want %q (one each, files in name order)", got, want)
	}
	if !strings.Contains(err.Error(), "quiz/saga.yaml: saga-02: option 3 has no why") {
		t.Errorf("error text %q does not read file: id: problem", err)
	}
}

func TestLoadCatalogMissingDir(t *testing.T) {
	if _, err := LoadCatalog(fstest.MapFS{}, "quiz", fixtureTopics, fixtureScenarios); err == nil {
		t.Error("LoadCatalog of a missing directory succeeded; want an error")
	}
}

// TestRealBanks loads content/quiz with the site's real topics and scenarios
// and checks the counts the issue asks for.
func TestRealBanks(t *testing.T) {
	c, err := LoadCatalog(os.DirFS("../content"), "quiz", realTopics(t), realScenarios())
	if err != nil {
		t.Fatalf("the real banks do not load:\n%v", err)
	}
	count := func(topic string) int {
		b, _ := c.Bank(topic)
		return len(b.Questions)
	}
	for _, group := range []struct {
		kind   string
		topics []string
		min    int
	}{
		{"pattern", realPages(t, "patterns"), 8},
		{"guide", realPages(t, "guides"), 4},
		{"interview question", realPages(t, "questions"), 1},
	} {
		for _, topic := range group.topics {
			if n := count(topic); n < group.min {
				t.Errorf("%s %s has %d questions, want at least %d", group.kind, topic, n, group.min)
			}
		}
	}
	if n := c.Len(); n < 260 {
		t.Errorf("the banks hold %d questions in all, want at least 260", n)
	}
	types := map[Type]int{}
	for _, q := range c.Questions() {
		types[q.Type]++
	}
	for _, ty := range Types() {
		if types[ty] == 0 {
			t.Errorf("no %s question in any bank; the issue asks for every type", ty)
		}
	}
	t.Logf("%d questions in %d banks; by type %v", c.Len(), len(c.Banks()), types)
}
