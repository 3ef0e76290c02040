package content

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"gopkg.in/yaml.v3"
)

// frontMatter is the YAML at the top of a page. Presence is judged from the
// YAML itself (keys), so the zero values here never stand for "missing".
type frontMatter struct {
	Title     string     `yaml:"title"`
	Slug      string     `yaml:"slug"`
	Kind      string     `yaml:"kind"`
	Order     int        `yaml:"order"`
	Summary   string     `yaml:"summary"`
	Related   []string   `yaml:"related"`
	Lab       string     `yaml:"lab"`
	Tags      []string   `yaml:"tags"`
	Reviewed  string     `yaml:"reviewed"`
	Question  string     `yaml:"question"`
	KeyPoints []string   `yaml:"key_points"`
	FollowUps []followUp `yaml:"follow_ups"`
	Strong    []string   `yaml:"strong_answer"`
}

// followUp is one entry of follow_ups.
type followUp struct {
	Q string `yaml:"q"`
	A string `yaml:"a"`
}

// splitFrontMatter separates the YAML between the leading "---" lines from
// the Markdown after them. bodyLine is the file line the body starts on.
func splitFrontMatter(data []byte) (fm, body []byte, bodyLine int, err error) {
	if !bytes.HasPrefix(data, []byte(frontMatterDelim+"\n")) {
		return nil, nil, 0, errors.New(`the file must start with front matter: a line "---", the YAML fields, a line "---"`)
	}
	start := len(frontMatterDelim) + 1
	for pos, line := start, frontMatterFirstRow; pos <= len(data); line++ {
		row, next := data[pos:], len(data)+1
		if end := bytes.IndexByte(row, '\n'); end >= 0 {
			row, next = row[:end], pos+end+1
		}
		if string(bytes.TrimRight(row, " \t")) == frontMatterDelim {
			if next <= len(data) {
				body = data[next:]
			}
			return data[start:pos], body, line + 1, nil
		}
		pos = next
	}
	return nil, nil, 0, errors.New(`the front matter is not closed by a line "---"`)
}

// yamlLine matches the "line N: " yaml.v3 puts in front of each type error.
var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// decodeFrontMatter fills d.fm and the key lines. A misspelt or unknown
// field is a problem; a syntax error makes the front matter unusable and
// the result false.
func (ld *loader) decodeFrontMatter(d *draft, fm []byte) bool {
	var root yaml.Node
	if err := yaml.Unmarshal(fm, &root); err != nil {
		ld.add(d.file, 0, "front matter is not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return false
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		ld.add(d.file, frontMatterFirstRow, "front matter must be a YAML mapping of fields")
		return false
	}
	d.keys = make(map[string]int)
	d.items = make(map[string][]int)
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		d.keys[k.Value] = k.Line + frontMatterFirstRow - 1
		for _, item := range v.Content {
			d.items[k.Value] = append(d.items[k.Value], item.Line+frontMatterFirstRow-1)
		}
	}

	dec := yaml.NewDecoder(bytes.NewReader(fm))
	dec.KnownFields(true)
	err := dec.Decode(&d.fm)
	var te *yaml.TypeError
	switch {
	case errors.As(err, &te):
		for _, msg := range te.Errors {
			line := 0
			if m := yamlLine.FindStringSubmatch(msg); m != nil {
				n, _ := strconv.Atoi(m[1])
				line, msg = n+frontMatterFirstRow-1, m[2]
			}
			if name, ok := strings.CutPrefix(msg, "field "); ok && strings.Contains(name, " not found in type") {
				name, _, _ = strings.Cut(name, " not found in type")
				msg = fmt.Sprintf("unknown front matter field %q (misspelt? see content/README.md)", name)
			}
			ld.add(d.file, line, "%s", msg)
		}
	case err != nil:
		ld.add(d.file, 0, "front matter: %v", err)
		return false
	}
	return true
}

// checkFields checks the front matter of one page on its own and copies it
// into the page.
func (ld *loader) checkFields(d *draft, fileSlug string, kind Kind) {
	fm, p := &d.fm, d.page
	line := func(key string) int {
		if l, ok := d.keys[key]; ok {
			return l
		}
		return frontMatterFirstRow - 1
	}
	has := func(key string) bool { _, ok := d.keys[key]; return ok }
	required := func(key string) bool {
		if !has(key) {
			ld.add(d.file, line(key), "front matter field %q is required", key)
			return false
		}
		return true
	}
	forbidden := func(key, why string) {
		if has(key) {
			ld.add(d.file, line(key), "front matter field %q is not allowed here: %s", key, why)
		}
	}

	if required("title") && strings.TrimSpace(fm.Title) == "" {
		ld.add(d.file, line("title"), "title is empty")
	}
	p.Title = strings.TrimSpace(fm.Title)

	if required("slug") && fm.Slug != fileSlug {
		ld.add(d.file, line("slug"), "slug %q does not match the file name: want slug: %s", fm.Slug, fileSlug)
	}
	if !IsSlug(fileSlug) {
		ld.add(d.file, 0, "the file name must be a slug: lower-case letters, digits and single hyphens")
	}

	if required("kind") && fm.Kind != string(kind) {
		ld.add(d.file, line("kind"), "kind %q does not match the folder %s/: want kind: %s", fm.Kind, kind.Dir(), kind)
	}

	if required("order") && fm.Order < 1 {
		ld.add(d.file, line("order"), "order must be a positive integer, got %d", fm.Order)
	}
	p.Order = fm.Order

	if required("summary") {
		p.Summary = strings.TrimSpace(fm.Summary)
		if n := utf8.RuneCountInString(p.Summary); n == 0 {
			ld.add(d.file, line("summary"), "summary is empty")
		} else if n > maxSummary {
			ld.add(d.file, line("summary"), "summary is %d characters, at most %d", n, maxSummary)
		}
	}

	if required("related") {
		if len(fm.Related) == 0 {
			ld.add(d.file, line("related"), "related must list at least one page")
		}
		ld.checkList(d, "related", fm.Related)
		for i, s := range fm.Related {
			if s == fileSlug {
				ld.add(d.file, ld.itemLine(d, "related", i), "related lists the page itself")
			}
		}
	}
	p.Related = fm.Related

	if required("tags") {
		if len(fm.Tags) == 0 {
			ld.add(d.file, line("tags"), "tags must list at least one tag")
		}
		ld.checkList(d, "tags", fm.Tags)
	}
	p.Tags = fm.Tags

	if required("reviewed") {
		t, err := time.Parse(reviewedDateLayout, strings.TrimSpace(fm.Reviewed))
		if err != nil {
			ld.add(d.file, line("reviewed"), "reviewed %q is not a date like 2026-11-28", fm.Reviewed)
		}
		p.Reviewed = t
	}

	if kind == KindPattern {
		// A lab is optional: some patterns (a strangler fig, a backend for
		// frontends) are about code and teams, which the simulator cannot show.
		if has("lab") {
			switch {
			case !IsSlug(fm.Lab):
				ld.add(d.file, line("lab"), "lab %q is not a scenario slug", fm.Lab)
			case ld.labs != nil && !ld.labs[fm.Lab]:
				ld.add(d.file, line("lab"), "lab %q is not a known simulator scenario", fm.Lab)
			}
		}
		p.Lab = fm.Lab
	} else {
		forbidden("lab", "only pattern pages have a lab")
	}

	if kind == KindPattern || kind == KindQuestion {
		ld.checkKeyPoints(d, required)
	} else {
		forbidden("key_points", "only pattern and question pages have it")
	}

	if kind == KindQuestion {
		ld.checkQuestion(d, required)
	} else {
		for _, key := range []string{"question", "follow_ups", "strong_answer"} {
			forbidden(key, "only question pages have it")
		}
	}

	var meta []string
	meta = append(meta, p.Summary, p.Question)
	for _, s := range d.snippets {
		meta = append(meta, inlinePlain(s.doc.FirstChild(), s.source))
	}
	d.meta = strings.Join(meta, " ")
}

// checkKeyPoints checks and copies key_points, which pattern and question
// pages carry: the back of their flashcard and its self-grading rubric.
func (ld *loader) checkKeyPoints(d *draft, required func(string) bool) {
	fm, p := &d.fm, d.page
	if !required("key_points") {
		return
	}
	if n := len(fm.KeyPoints); n < minKeyPoints || n > maxKeyPoints {
		ld.add(d.file, d.keys["key_points"], "key_points has %d entries, want %d to %d", n, minKeyPoints, maxKeyPoints)
	}
	for i, kp := range fm.KeyPoints {
		ld.addSnippet(d, fmt.Sprintf("key_points[%d]", i), ld.itemLine(d, "key_points", i), kp)
	}
	p.KeyPoints = fm.KeyPoints
}

// checkQuestion checks and copies the fields only question pages have.
func (ld *loader) checkQuestion(d *draft, required func(string) bool) {
	fm, p := &d.fm, d.page
	if required("question") {
		p.Question = strings.TrimSpace(fm.Question)
		if p.Question == "" {
			ld.add(d.file, d.keys["question"], "question is empty")
		}
	}
	if required("follow_ups") {
		if n := len(fm.FollowUps); n < minFollowUps || n > maxFollowUps {
			ld.add(d.file, d.keys["follow_ups"], "follow_ups has %d entries, want %d to %d", n, minFollowUps, maxFollowUps)
		}
		for i, f := range fm.FollowUps {
			line := ld.itemLine(d, "follow_ups", i)
			ld.addSnippet(d, fmt.Sprintf("follow_ups[%d].q", i), line, f.Q)
			ld.addSnippet(d, fmt.Sprintf("follow_ups[%d].a", i), line, f.A)
			p.FollowUps = append(p.FollowUps, FollowUp{Q: f.Q, A: f.A})
		}
	}
	if required("strong_answer") {
		if n := len(fm.Strong); n < MinStrong || n > MaxStrong {
			ld.add(d.file, d.keys["strong_answer"], "strong_answer has %d entries, want %d to %d", n, MinStrong, MaxStrong)
		}
		for i, s := range fm.Strong {
			line := ld.itemLine(d, "strong_answer", i)
			if n := utf8.RuneCountInString(strings.TrimSpace(s)); n > MaxStrongChars {
				ld.add(d.file, line, "strong_answer[%d] is %d characters, at most %d", i, n, MaxStrongChars)
			}
			ld.addSnippet(d, fmt.Sprintf("strong_answer[%d]", i), line, s)
		}
		p.Strong = fm.Strong
	}
}

// addSnippet parses one piece of inline Markdown from the front matter.
func (ld *loader) addSnippet(d *draft, field string, line int, src string) {
	src = strings.TrimSpace(src)
	if src == "" {
		ld.add(d.file, line, "%s is empty", field)
		return
	}
	s := &snippet{field: field, line: line, source: []byte(src)}
	s.doc = ld.md.Parser().Parse(text.NewReader(s.source))
	if s.doc.ChildCount() != 1 || s.doc.FirstChild().Kind() != ast.KindParagraph {
		ld.add(d.file, line, "%s must be one paragraph of inline Markdown", field)
		return
	}
	d.snippets = append(d.snippets, s)
}

// itemLine is the file line of the i-th entry of a list field.
func (ld *loader) itemLine(d *draft, key string, i int) int {
	if lines := d.items[key]; i < len(lines) {
		return lines[i]
	}
	return d.keys[key]
}

// checkList checks a list of slugs or tags: each a slug, none repeated.
func (ld *loader) checkList(d *draft, key string, list []string) {
	seen := make(map[string]bool)
	for i, s := range list {
		switch {
		case !IsSlug(s):
			ld.add(d.file, ld.itemLine(d, key, i), "%s entry %q must be lower-case letters, digits and single hyphens", key, s)
		case seen[s]:
			ld.add(d.file, ld.itemLine(d, key, i), "%s lists %q twice", key, s)
		}
		seen[s] = true
	}
}

// IsSlug reports whether s is lower-case ASCII letters and digits in words
// joined by single hyphens: a page's slug, and the form of other ids that
// appear in URLs (design prompts, challenges).
func IsSlug(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
