package quiz

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Bank is the questions of one topic, in the order its file lists them.
type Bank struct {
	// Topic is the slug of the page the bank tests, and its file's name.
	Topic     string
	Questions []Question
}

// Catalog is every loaded bank, with lookups by question id and by topic.
// Its order is stable: banks follow the topic list given to LoadCatalog,
// questions follow their file. A Catalog is read-only once loaded; the
// slices it returns must not be modified.
type Catalog struct {
	banks   []Bank
	byTopic map[string]int
	byID    map[string]qref
	count   int
}

// qref locates a question inside a Catalog.
type qref struct{ bank, index int }

// Banks returns the banks in catalog order.
func (c *Catalog) Banks() []Bank { return slices.Clone(c.banks) }

// Topics returns the topics that have a bank, in catalog order.
func (c *Catalog) Topics() []string {
	ts := make([]string, len(c.banks))
	for i, b := range c.banks {
		ts[i] = b.Topic
	}
	return ts
}

// Bank returns the bank of topic, if there is one.
func (c *Catalog) Bank(topic string) (Bank, bool) {
	i, ok := c.byTopic[topic]
	if !ok {
		return Bank{}, false
	}
	return c.banks[i], true
}

// Question returns the question with the given id, if there is one.
func (c *Catalog) Question(id string) (Question, bool) {
	r, ok := c.byID[id]
	if !ok {
		return Question{}, false
	}
	return c.banks[r.bank].Questions[r.index], true
}

// Questions returns every question in catalog order.
func (c *Catalog) Questions() []Question {
	qs := make([]Question, 0, c.count)
	for _, b := range c.banks {
		qs = append(qs, b.Questions...)
	}
	return qs
}

// Len returns the number of questions in all banks.
func (c *Catalog) Len() int { return c.count }

// BankError is one problem found while loading the banks. LoadCatalog joins
// all of them into the error it returns; use errors.As to get the first, or
// unwrap the joined error (interface{ Unwrap() []error }) to list them all.
type BankError struct {
	// File is the bank's path inside the fs.FS, like "quiz/saga.yaml".
	File string
	// ID is the question's id, or "" when the problem concerns the whole
	// file or the question has no id.
	ID string
	// Index is the question's position in its file, counted from 1, or 0
	// when the problem concerns the whole file.
	Index int
	// Problem says what is wrong, in words a content author understands.
	Problem string
}

// Error names the file and the question, then the problem.
func (e *BankError) Error() string {
	switch {
	case e.ID != "":
		return fmt.Sprintf("%s: %s: %s", e.File, e.ID, e.Problem)
	case e.Index > 0:
		return fmt.Sprintf("%s: question %d: %s", e.File, e.Index, e.Problem)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Problem)
}

// The shape of a bank file. Correct is a pointer so that an ordering
// question that sets it at all, even to false, can be told off.
type (
	bankFile struct {
		Topic     string         `yaml:"topic"`
		Questions []questionFile `yaml:"questions"`
	}
	questionFile struct {
		ID         string       `yaml:"id"`
		Type       Type         `yaml:"type"`
		Difficulty Difficulty   `yaml:"difficulty"`
		Prompt     string       `yaml:"prompt"`
		Scenario   string       `yaml:"scenario"`
		Claim      string       `yaml:"claim"`
		Options    []optionFile `yaml:"options"`
	}
	optionFile struct {
		Text    string `yaml:"text"`
		Correct *bool  `yaml:"correct"`
		Why     string `yaml:"why"`
		Outcome string `yaml:"outcome"`
	}
)

// LoadCatalog reads every dir/*.yaml in fsys as a question bank, validates
// it against the rules in content/quiz/README.md and returns the catalog.
//
// topics are the page slugs a bank may be about: a bank's file is named
// after its topic and must be one of them. scenarios are the lab scenario
// slugs a predict question may name. Besides each question's own rules
// (see Question.Validate), LoadCatalog checks that the file name matches the
// topic field, that the topic is known, that ids are unique across all
// banks, that ordering questions mark no option correct, that scenarios
// resolve, and that no field is misspelt or unknown.
//
// It reports every problem it finds, not just the first: the error joins one
// *BankError per problem, each naming the file and the question. Files not
// ending in .yaml (such as README.md) are ignored, except .yml, which is
// reported because it would otherwise be skipped silently.
func LoadCatalog(fsys fs.FS, dir string, topics, scenarios []string) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("quiz: read banks: %w", err)
	}
	l := loader{
		topics:    topics,
		scenarios: scenarios,
		firstSeen: make(map[string]string),
	}
	loaded := make(map[string]Bank)
	for _, e := range entries { // fs.ReadDir sorts by name
		name := e.Name()
		file := path.Join(dir, name)
		if e.IsDir() {
			continue
		}
		if strings.HasSuffix(name, ".yml") {
			l.fileProblem(file, "bank files end in .yaml, not .yml; this one would be ignored")
			continue
		}
		topic, ok := strings.CutSuffix(name, ".yaml")
		if !ok {
			continue
		}
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			l.fileProblem(file, "cannot read: "+err.Error())
			continue
		}
		if b, ok := l.parse(file, topic, data); ok {
			loaded[topic] = b
		}
	}
	if len(l.errs) > 0 {
		return nil, errors.Join(l.errs...)
	}

	c := &Catalog{byTopic: make(map[string]int), byID: make(map[string]qref)}
	for _, t := range topics {
		b, ok := loaded[t]
		if !ok {
			continue
		}
		if _, dup := c.byTopic[t]; dup {
			continue // the topic list named it twice
		}
		c.byTopic[t] = len(c.banks)
		for i, q := range b.Questions {
			c.byID[q.ID] = qref{bank: len(c.banks), index: i}
		}
		c.count += len(b.Questions)
		c.banks = append(c.banks, b)
	}
	return c, nil
}

// loader collects problems across all the files of one LoadCatalog call.
type loader struct {
	topics, scenarios []string
	firstSeen         map[string]string // question id → file that used it first
	errs              []error
}

func (l *loader) fileProblem(file, problem string) {
	l.errs = append(l.errs, &BankError{File: file, Problem: problem})
}

func (l *loader) problem(file string, index int, id, problem string) {
	l.errs = append(l.errs, &BankError{File: file, ID: id, Index: index, Problem: problem})
}

// parse decodes and validates one bank file. It reports false when the file
// could not be turned into a bank at all; other problems are only recorded.
func (l *loader) parse(file, topic string, data []byte) (Bank, bool) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		l.fileProblem(file, "not valid YAML: "+strings.TrimPrefix(err.Error(), "yaml: "))
		return Bank{}, false
	}
	if root.Kind == 0 {
		l.fileProblem(file, "the file is empty")
		return Bank{}, false
	}
	spans := questionSpans(&root)

	var bf bankFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&bf); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			l.fileProblem(file, "cannot decode: "+strings.TrimPrefix(err.Error(), "yaml: "))
			return Bank{}, false
		}
		// A TypeError is not fatal: yaml.v3 decodes what it can, so report
		// each message against its question and validate the rest.
		for _, msg := range te.Errors {
			index, id := spans.at(lineOf(msg))
			l.problem(file, index, id, plainTypeNames(msg))
		}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		l.fileProblem(file, "holds more than one YAML document; a bank is a single document")
	}

	switch {
	case bf.Topic == "":
		l.fileProblem(file, fmt.Sprintf("topic is missing; it must be %q, the file's name", topic))
	case bf.Topic != topic:
		l.fileProblem(file, fmt.Sprintf("topic %q does not match the file name; it must be %q", bf.Topic, topic))
	}
	if !slices.Contains(l.topics, topic) {
		l.fileProblem(file, fmt.Sprintf("%q is not the slug of a page; a bank's file is named after a page in patterns/, questions/ or guides/", topic))
	}
	if len(bf.Questions) == 0 {
		l.fileProblem(file, "the bank has no questions")
	}

	b := Bank{Topic: topic, Questions: make([]Question, 0, len(bf.Questions))}
	for i, qf := range bf.Questions {
		index := i + 1
		q := Question{
			ID:         qf.ID,
			Topic:      topic,
			Type:       qf.Type,
			Difficulty: qf.Difficulty,
			Prompt:     qf.Prompt,
			Scenario:   qf.Scenario,
			Claim:      qf.Claim,
			Options:    make([]Option, len(qf.Options)),
		}
		for j, of := range qf.Options {
			q.Options[j] = Option{Text: of.Text, Why: of.Why, Correct: of.Correct != nil && *of.Correct, Outcome: of.Outcome}
			switch {
			case q.Claim != "" && of.Outcome == "":
				l.problem(file, index, q.ID, fmt.Sprintf("option %d has no outcome; every option of a question with a claim names the outcome it asserts", j+1))
			case q.Claim == "" && of.Outcome != "":
				l.problem(file, index, q.ID, fmt.Sprintf("option %d has an outcome but the question makes no claim", j+1))
			}
			if qf.Type == TypeOrdering && of.Correct != nil {
				l.problem(file, index, q.ID, fmt.Sprintf("option %d has a correct field; ordering questions have none: their options are listed in the correct order", j+1))
			}
		}
		for _, p := range q.problems() {
			l.problem(file, index, q.ID, p)
		}
		if q.Claim != "" && q.Type != TypeSingle && q.Type != TypePredict {
			l.problem(file, index, q.ID, "only single and predict questions can make a claim: their key is one option")
		}
		if q.Type == TypePredict && q.Scenario != "" && !slices.Contains(l.scenarios, q.Scenario) {
			l.problem(file, index, q.ID, fmt.Sprintf("scenario %q is not a lab scenario; known: %s", q.Scenario, strings.Join(l.scenarios, ", ")))
		}
		if q.ID != "" {
			if other, dup := l.firstSeen[q.ID]; dup {
				where := "earlier in this file"
				if other != file {
					where = "in " + other
				}
				l.problem(file, index, q.ID, "id is already used "+where+"; ids must be unique across all banks")
			} else {
				l.firstSeen[q.ID] = file
			}
		}
		b.Questions = append(b.Questions, q)
	}
	return b, true
}

// spans maps source lines to the questions that contain them, so a decoding
// message carrying only a line number can name its question.
type spans []struct {
	line int
	id   string
}

// questionSpans finds where each question of a bank starts, in file order.
func questionSpans(root *yaml.Node) spans {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil
	}
	var s spans
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value != "questions" || doc.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		for _, qn := range doc.Content[i+1].Content {
			id := ""
			if qn.Kind == yaml.MappingNode {
				for k := 0; k+1 < len(qn.Content); k += 2 {
					if qn.Content[k].Value == "id" {
						id = qn.Content[k+1].Value
					}
				}
			}
			s = append(s, struct {
				line int
				id   string
			}{qn.Line, id})
		}
	}
	return s
}

// at returns the position (from 1) and id of the question containing line,
// or 0 and "" when the line lies outside every question.
func (s spans) at(line int) (index int, id string) {
	for i, q := range s {
		if line >= q.line {
			index, id = i+1, q.id
		}
	}
	return index, id
}

// lineOf extracts N from a yaml.v3 message that starts "line N: ".
func lineOf(msg string) int {
	rest, ok := strings.CutPrefix(msg, "line ")
	if !ok {
		return 0
	}
	num, _, _ := strings.Cut(rest, ":")
	n, err := strconv.Atoi(num)
	if err != nil {
		return 0
	}
	return n
}

// plainTypeNames replaces this package's Go type names in a yaml.v3 message
// with the words a bank author knows.
func plainTypeNames(msg string) string {
	return strings.NewReplacer(
		"type quiz.bankFile", "a bank",
		"type quiz.questionFile", "a question",
		"type quiz.optionFile", "an option",
		"quiz.Type", "a question type",
		"quiz.Difficulty", "a difficulty",
	).Replace(msg)
}
