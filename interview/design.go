package interview

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"microlab/content"
)

// Design is a system-design prompt of the mock interview's round.
type Design struct {
	ID         string // lower-case words joined by hyphens; never changes once published
	Prompt     string // plain text, one or two sentences
	Speaking   time.Duration
	Points     []Point
	Strong     []string // inline Markdown as written
	StrongHTML []string
	FollowUps  []content.FollowUp
}

// Point is one rubric line: what to cover and the page section that teaches it.
type Point struct {
	Text, HTML string
	Page       string // page slug, "circuit-breaker"
	Section    string // heading id on that page
}

// URL is the address of the section that teaches the point:
// "/patterns/circuit-breaker#how-it-works". It is empty for a page the
// library does not hold, which LoadDesigns never returns.
func (p Point) URL(lib *content.Library) string {
	page, ok := lib.BySlug(p.Page)
	if !ok {
		return ""
	}
	return page.URL + "#" + p.Section
}

// The bounds of a design prompt. strong_answer shares its bounds with the
// question pages'.
const (
	minSpeaking     = 2 * time.Minute
	maxSpeaking     = 10 * time.Minute
	minPoints       = 5
	maxPoints       = 8
	maxPointChars   = 240
	minFollowUps    = 1
	maxFollowUps    = 3
	maxAnswerChars  = 600
	maxPromptSents  = 2
	maxIDCharacters = 60
)

// designFile is the YAML of design.yaml.
type designFile struct {
	Designs []designYAML `yaml:"designs"`
}

type designYAML struct {
	ID           string         `yaml:"id"`
	Prompt       string         `yaml:"prompt"`
	Speaking     string         `yaml:"speaking"`
	KeyPoints    []pointYAML    `yaml:"key_points"`
	StrongAnswer []string       `yaml:"strong_answer"`
	FollowUps    []followUpYAML `yaml:"follow_ups"`
}

type pointYAML struct {
	Text    string `yaml:"text"`
	Section string `yaml:"section"`
}

type followUpYAML struct {
	Q string `yaml:"q"`
	A string `yaml:"a"`
}

// LoadDesigns reads file from fsys and checks every design against lib
// (pages and their headings). It reports every problem, joined, each naming the design.
func LoadDesigns(fsys fs.FS, file string, lib *content.Library) ([]Design, error) {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("interview: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var df designFile
	if err := dec.Decode(&df); err != nil {
		return nil, fmt.Errorf("interview: %s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("interview: %s: holds more than one YAML document; the prompts are one document", file)
	}
	if len(df.Designs) == 0 {
		return nil, fmt.Errorf("interview: %s: no designs", file)
	}

	var problems []error
	seen := make(map[string]int)
	designs := make([]Design, 0, len(df.Designs))
	for i, dy := range df.Designs {
		name := fmt.Sprintf("designs[%d]", i)
		if dy.ID != "" {
			name = fmt.Sprintf("design %q", dy.ID)
		}
		c := &checker{lib: lib}
		d := c.design(dy)
		if j, ok := seen[dy.ID]; ok && dy.ID != "" {
			c.add("id %q is already used by designs[%d]", dy.ID, j)
		}
		seen[dy.ID] = i
		for _, p := range c.problems {
			problems = append(problems, fmt.Errorf("interview: %s: %s: %w", file, name, p))
		}
		designs = append(designs, d)
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return designs, nil
}

// checker collects the problems of one design.
type checker struct {
	lib      *content.Library
	problems []error
}

func (c *checker) add(format string, args ...any) {
	c.problems = append(c.problems, fmt.Errorf(format, args...))
}

// design checks one design and converts it.
func (c *checker) design(dy designYAML) Design {
	d := Design{ID: dy.ID, Prompt: strings.TrimSpace(dy.Prompt)}
	if !content.IsSlug(dy.ID) || len(dy.ID) > maxIDCharacters {
		c.add("id %q must be lower-case letters, digits and single hyphens, at most %d characters", dy.ID, maxIDCharacters)
	}
	c.prompt(d.Prompt)
	d.Speaking = c.speaking(dy.Speaking)

	if n := len(dy.KeyPoints); n < minPoints || n > maxPoints {
		c.add("key_points has %d entries, want %d to %d", n, minPoints, maxPoints)
	}
	for i, kp := range dy.KeyPoints {
		field := fmt.Sprintf("key_points[%d]", i)
		p := Point{Text: strings.TrimSpace(kp.Text)}
		if n := utf8.RuneCountInString(p.Text); n > maxPointChars {
			c.add("%s.text is %d characters, at most %d", field, n, maxPointChars)
		}
		p.HTML = c.inline(field+".text", p.Text)
		p.Page, p.Section = c.section(field+".section", kp.Section)
		d.Points = append(d.Points, p)
	}

	if n := len(dy.StrongAnswer); n < content.MinStrong || n > content.MaxStrong {
		c.add("strong_answer has %d entries, want %d to %d", n, content.MinStrong, content.MaxStrong)
	}
	for i, s := range dy.StrongAnswer {
		field := fmt.Sprintf("strong_answer[%d]", i)
		s = strings.TrimSpace(s)
		if n := utf8.RuneCountInString(s); n > content.MaxStrongChars {
			c.add("%s is %d characters, at most %d", field, n, content.MaxStrongChars)
		}
		d.Strong = append(d.Strong, s)
		d.StrongHTML = append(d.StrongHTML, c.inline(field, s))
	}

	if n := len(dy.FollowUps); n < minFollowUps || n > maxFollowUps {
		c.add("follow_ups has %d entries, want %d to %d", n, minFollowUps, maxFollowUps)
	}
	for i, f := range dy.FollowUps {
		field := fmt.Sprintf("follow_ups[%d]", i)
		fu := content.FollowUp{Q: strings.TrimSpace(f.Q), A: strings.TrimSpace(f.A)}
		if n := utf8.RuneCountInString(fu.A); n > maxAnswerChars {
			c.add("%s.a is %d characters, at most %d", field, n, maxAnswerChars)
		}
		fu.QHTML = c.inline(field+".q", fu.Q)
		fu.AHTML = c.inline(field+".a", fu.A)
		d.FollowUps = append(d.FollowUps, fu)
	}
	return d
}

// prompt checks the prompt: one or two sentences, ending with . or ?.
func (c *checker) prompt(p string) {
	switch {
	case p == "":
		c.add("prompt is empty")
		return
	case !strings.HasSuffix(p, ".") && !strings.HasSuffix(p, "?"):
		c.add("prompt must end with . or ?")
	case strings.Contains(p, "\n\n"):
		c.add("prompt must be one paragraph")
	}
	ends := 0
	for i, r := range p {
		if (r == '.' || r == '?' || r == '!') && (i+1 == len(p) || p[i+1] == ' ') {
			ends++
		}
	}
	if ends > maxPromptSents {
		c.add("prompt has %d sentences, at most %d", ends, maxPromptSents)
	}
}

// speaking parses the speaking time, "5m", within its bounds.
func (c *checker) speaking(s string) time.Duration {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	switch {
	case err != nil:
		c.add("speaking %q is not a duration such as 5m", s)
	case d < minSpeaking || d > maxSpeaking:
		c.add("speaking is %s, want %s to %s", d, minSpeaking, maxSpeaking)
	}
	return d
}

// inline renders a field through the pages' inline renderer, which also
// checks its links.
func (c *checker) inline(field, src string) string {
	out, err := c.lib.Inline(src)
	if err != nil {
		c.add("%s: %v", field, err)
	}
	return out
}

// section checks a "/patterns/slug#heading-id" reference and returns its
// slug and heading id.
func (c *checker) section(field, ref string) (slug, id string) {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil || u.Fragment == "" || u.RawQuery != "" {
		c.add("%s %q must be a page path with a heading id, such as /patterns/circuit-breaker#how-it-works", field, ref)
		return "", ""
	}
	dir, slug, ok := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	page, found := c.lib.BySlug(slug)
	switch {
	case !strings.HasPrefix(u.Path, "/") || !ok:
		c.add("%s %q must be a page path with a heading id, such as /patterns/circuit-breaker#how-it-works", field, ref)
	case !found || page.Kind.Dir() != dir:
		c.add("%s %q: there is no page %s/%s.md", field, ref, dir, slug)
	case !c.lib.HasSection(slug, u.Fragment):
		c.add("%s %q: %s has no heading with the id %q", field, ref, page.Source, u.Fragment)
	}
	return slug, u.Fragment
}
