package content

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// The limits of content/README.md.
const (
	maxSummary         = 200
	minPatternWords    = 900
	minQuestionWords   = 350
	minKeyPoints       = 5
	maxKeyPoints       = 8
	minFollowUps       = 2
	maxFollowUps       = 4
	reviewedDateLayout = "2006-01-02"

	// The bounds of a strong_answer list, exported because package
	// interview holds its design prompts to the same ones.
	MinStrong      = 2
	MaxStrong      = 4
	MaxStrongChars = 300

	frontMatterDelim    = "---"
	frontMatterFirstRow = 2 // the file line of the front matter's first field
)

// requiredSection is a heading a page of some kind must have.
type requiredSection struct {
	id, text string
}

// patternSections are the h2 sections every pattern page has, in order.
func patternSections() []requiredSection {
	return []requiredSection{
		{"the-problem", "The problem"},
		{"how-it-works", "How it works"},
		{"a-worked-example-in-the-shop", "A worked example in the shop"},
		{"knobs-and-defaults", "Knobs and defaults"},
		{"trade-offs-and-failure-modes", "Trade-offs and failure modes"},
		{"when-not-to-use-it", "When not to use it"},
		{"in-the-interview", "In the interview"},
		{"related-patterns", "Related patterns"},
	}
}

// interviewSubsections are the h3s under a pattern's "In the interview".
func interviewSubsections() []requiredSection {
	return []requiredSection{
		{"what-interviewers-probe", "What interviewers probe"},
		{"weak-answers", "Weak answers"},
		{"a-strong-60-second-answer", "A strong 60-second answer"},
	}
}

// checkAcross checks what needs every page at once: unique slugs and
// orders. It also fills the slug index the link checks use.
func (ld *loader) checkAcross() {
	orders := make(map[Kind]map[int]*draft)
	for _, d := range ld.drafts {
		slug := d.page.Slug
		if other, ok := ld.bySlug[slug]; ok {
			ld.add(d.file, d.keys["slug"], "slug %q is already used by %s: slugs must be unique across kinds so related stays unambiguous", slug, other.file)
		} else {
			ld.bySlug[slug] = d
		}
		if d.broken || d.page.Order < 1 {
			continue
		}
		if orders[d.page.Kind] == nil {
			orders[d.page.Kind] = make(map[int]*draft)
		}
		if other, ok := orders[d.page.Kind][d.page.Order]; ok {
			ld.add(d.file, d.keys["order"], "order %d is already used by %s", d.page.Order, other.file)
		} else {
			orders[d.page.Kind][d.page.Order] = d
		}
	}
}

// checkPage checks one page against the others: related pages, links,
// anchors, images, structure and length.
func (ld *loader) checkPage(d *draft) {
	if d.broken {
		return
	}
	for i, s := range d.page.Related {
		if _, ok := ld.bySlug[s]; !ok && IsSlug(s) {
			ld.add(d.file, ld.itemLine(d, "related", i), "related page %q does not exist", s)
		}
	}
	ld.checkMarkdown(d, d.doc, d.body, d.bodyLineOf, "")
	for _, s := range d.snippets {
		line := s.line
		ld.checkMarkdown(d, s.doc, s.source, func(int) int { return line }, s.field+": ")
	}

	words := 0
	for _, s := range d.sections {
		words += countWords(s.prose)
	}
	d.page.Words = words
	switch {
	case words == 0:
		ld.add(d.file, d.bodyLine, "the page has no body")
	case d.page.Kind == KindPattern && words < minPatternWords:
		ld.add(d.file, 0, "a pattern page needs at least %d words of prose, this one has %d", minPatternWords, words)
	case d.page.Kind == KindQuestion && words < minQuestionWords:
		ld.add(d.file, 0, "a question's model answer needs at least %d words, this one has %d", minQuestionWords, words)
	}
	if d.page.Kind == KindPattern {
		ld.checkPatternShape(d)
	}
	if d.page.Kind == KindQuestion {
		ld.checkTwoMinuteAnswer(d)
	}
}

// A question's model answer opens with what a candidate would say in two
// minutes, about 300 words (at 130 to 160 words a minute, spoken), before
// the deep dive.
const (
	twoMinuteID       = "the-two-minute-answer"
	minTwoMinuteWords = 240
	maxTwoMinuteWords = 360
)

// checkTwoMinuteAnswer reports a question page whose body does not start
// with "## The two-minute answer", or whose answer is too short or too long
// to say in two minutes.
func (ld *loader) checkTwoMinuteAnswer(d *draft) {
	secs := d.sections
	if len(secs) < 2 || secs[0].prose != "" || secs[1].id != twoMinuteID {
		ld.add(d.file, d.bodyLine, "a question's body starts with \"## The two-minute answer\" (see content/README.md)")
		return
	}
	if n := countWords(secs[1].prose); n < minTwoMinuteWords || n > maxTwoMinuteWords {
		ld.add(d.file, d.bodyLine, "the two-minute answer has %d words; two minutes of speech hold about 300 (%d to %d)",
			n, minTwoMinuteWords, maxTwoMinuteWords)
	}
}

// checkMarkdown walks a parsed tree and reports raw HTML, bad headings and
// code blocks, and every link or image that does not resolve. lineOf maps a
// byte offset in source to a file line; prefix names the front matter field
// for snippets.
func (ld *loader) checkMarkdown(d *draft, doc ast.Node, source []byte, lineOf func(int) int, prefix string) {
	at := func(n ast.Node) int { return lineOf(nodeOffset(n)) }
	rawLines := make(map[int]bool) // one raw HTML report a line: not one per tag
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.HTMLBlock, *ast.RawHTML:
			if line := at(n); !rawLines[line] {
				rawLines[line] = true
				ld.add(d.file, line, "%sraw HTML is not allowed (it is not rendered): %s", prefix, clip(rawText(n, source)))
			}
		case *ast.Heading:
			if n.Level == 1 {
				ld.add(d.file, at(n), "%sstart sections at ##: the page title is the only h1", prefix)
			}
		case *ast.FencedCodeBlock:
			switch lang := string(n.Language(source)); {
			case lang == "":
				ld.add(d.file, at(n), "%sa code block must name its language (```go, ```yaml, ```text)", prefix)
			case lexers.Get(lang) == nil:
				ld.add(d.file, at(n), "%scode block language %q is unknown to the highlighter", prefix, lang)
			}
		case *ast.CodeBlock:
			ld.add(d.file, at(n), "%suse a fenced code block that names its language, not an indented one", prefix)
		case *ast.Link:
			ld.checkLink(d, at(n), prefix, string(n.Destination))
		case *ast.AutoLink:
			ld.checkLink(d, at(n), prefix, string(n.URL(source)))
		case *ast.Image:
			ld.checkImage(d, at(n), prefix, string(n.Destination), inlinePlain(n, source))
		}
		return ast.WalkContinue, nil
	})
}

// rawText returns the source of a raw HTML node.
func rawText(n ast.Node, source []byte) string {
	var b strings.Builder
	switch n := n.(type) {
	case *ast.HTMLBlock:
		for i := 0; i < n.Lines().Len(); i++ {
			seg := n.Lines().At(i)
			b.Write(seg.Value(source))
		}
	case *ast.RawHTML:
		for i := 0; i < n.Segments.Len(); i++ {
			seg := n.Segments.At(i)
			b.Write(seg.Value(source))
		}
	}
	return b.String()
}

// clip shortens s to one line of at most 60 characters for a message.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + "…"
	}
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return strconv.Quote(s)
}

// nodeOffset is the byte offset where a node's text starts, or -1.
func nodeOffset(n ast.Node) int {
	if off := ownOffset(n); off >= 0 {
		return off
	}
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock && p.Lines().Len() > 0 {
			return p.Lines().At(0).Start
		}
	}
	return -1
}

// ownOffset is the first source offset inside n, or -1.
func ownOffset(n ast.Node) int {
	switch n := n.(type) {
	case *ast.Text:
		return n.Segment.Start
	case *ast.RawHTML:
		if n.Segments.Len() > 0 {
			return n.Segments.At(0).Start
		}
	}
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return n.Lines().At(0).Start
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if off := ownOffset(c); off >= 0 {
			return off
		}
	}
	return -1
}

// checkImage checks that an image is one of our diagrams, with alt text.
func (ld *loader) checkImage(d *draft, line int, prefix, dest, alt string) {
	name, ok := strings.CutPrefix(dest, "/diagrams/")
	switch {
	case !ok || name == "" || strings.ContainsAny(name, "/?#"):
		ld.add(d.file, line, "%simage %q must point at a diagram: /diagrams/{file}.svg", prefix, dest)
	case ld.diagrams[name] == nil:
		ld.add(d.file, line, "%simage %q: there is no diagrams/%s", prefix, dest, name)
	}
	if strings.TrimSpace(alt) == "" {
		ld.add(d.file, line, "%simage %q has no alt text: describe what the figure shows", prefix, dest)
	}
}

// checkLink checks that a link leaves the site with http(s) or resolves
// inside it: pages and their anchors, diagrams, labs, quiz topics, and the
// site's other top-level routes.
func (ld *loader) checkLink(d *draft, line int, prefix, dest string) {
	bad := func(format string, args ...any) {
		ld.add(d.file, line, "%slink %q: %s", prefix, dest, fmt.Sprintf(format, args...))
	}
	if dest == "" {
		bad("empty link target")
		return
	}
	lower := strings.ToLower(dest)
	switch {
	case strings.HasPrefix(lower, "https://"), strings.HasPrefix(lower, "http://"):
		if u, err := url.Parse(dest); err != nil || u.Host == "" {
			bad("not a valid URL")
		}
		return
	case strings.HasPrefix(lower, "mailto:"):
		return
	case strings.HasPrefix(dest, "#"):
		if !d.anchors[dest[1:]] {
			bad("no heading on this page has the id %q", dest[1:])
		}
		return
	case strings.HasPrefix(dest, "//"):
		bad("write external links with https://")
		return
	case !strings.HasPrefix(dest, "/"):
		bad("internal links are absolute paths such as /patterns/saga; external ones start with https://")
		return
	}

	u, err := url.Parse(dest)
	if err != nil {
		bad("not a valid URL")
		return
	}
	segs := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	if u.Path != "/" && slices.Contains(segs, "") {
		bad("empty path segment or trailing slash")
		return
	}
	switch root := segs[0]; {
	case u.Path == "/":
		return
	case root == KindPattern.Dir() || root == KindQuestion.Dir() || root == KindGuide.Dir():
		ld.checkPageLink(d, line, prefix, dest, root, segs, u.Fragment)
	case root == "diagrams":
		if len(segs) != 2 || ld.diagrams[segs[1]] == nil {
			bad("there is no such diagram")
		}
	case root == "lab":
		switch {
		case len(segs) > 2:
			bad("lab links are /lab or /lab/{scenario}")
		case len(segs) == 2 && ld.labs != nil && !ld.labs[segs[1]]:
			bad("%q is not a known simulator scenario", segs[1])
		}
	case root == "quiz":
		if len(segs) > 1 {
			bad("quiz links are /quiz or /quiz?topic={topic}")
			return
		}
		if topic, ok := u.Query()["topic"]; ok && ld.topics != nil {
			for _, t := range topic {
				if !ld.topics[t] {
					bad("there is no quiz bank for topic %q", t)
				}
			}
		}
	case root == "search" || root == "review" || root == "progress":
		if len(segs) > 1 {
			bad("unknown path")
		}
	default:
		bad("unknown path: the site has no /%s", root)
	}
}

// checkPageLink checks a link to a page (or an index) and its anchor.
func (ld *loader) checkPageLink(d *draft, line int, prefix, dest, root string, segs []string, fragment string) {
	bad := func(format string, args ...any) {
		ld.add(d.file, line, "%slink %q: %s", prefix, dest, fmt.Sprintf(format, args...))
	}
	if len(segs) == 1 {
		if root == KindGuide.Dir() {
			bad("the site has no guide index; link a guide")
		}
		return
	}
	if len(segs) > 2 {
		bad("page links are /%s/{slug}", root)
		return
	}
	target, ok := ld.bySlug[segs[1]]
	if !ok || target.page.Kind.Dir() != root {
		bad("there is no page %s/%s.md", root, segs[1])
		return
	}
	if fragment != "" && !target.broken && !target.anchors[fragment] {
		bad("%s has no heading with the id %q", target.file, fragment)
	}
}

// checkPatternShape checks a pattern page's required sections, their order,
// and what two of them must hold (a diagram, a table).
func (ld *loader) checkPatternShape(d *draft) {
	type h2 struct {
		id   string
		node *ast.Heading
	}
	var h2s []h2
	for n := d.doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level == 2 {
			h2s = append(h2s, h2{headingID(h), h})
		}
	}
	find := func(id string) int {
		return slices.IndexFunc(h2s, func(h h2) bool { return h.id == id })
	}
	// sectionNodes returns the blocks between the h2 at i and the next h2.
	sectionNodes := func(i int) []ast.Node {
		var out []ast.Node
		for n := h2s[i].node.NextSibling(); n != nil; n = n.NextSibling() {
			if h, ok := n.(*ast.Heading); ok && h.Level == 2 {
				break
			}
			out = append(out, n)
		}
		return out
	}

	// Order: the required sections, as they appear, must follow the
	// README's order. One message shows the whole order: a swap of two
	// sections would otherwise read as several problems.
	var found []string
	firstWrong := -1
	for _, h := range h2s {
		if slices.ContainsFunc(patternSections(), func(r requiredSection) bool { return r.id == h.id }) {
			found = append(found, h.id)
		}
	}
	var want []string
	for _, r := range patternSections() {
		if slices.Contains(found, r.id) {
			want = append(want, r.id)
		}
	}
	for i := range min(len(found), len(want)) {
		if found[i] != want[i] {
			firstWrong = find(found[i])
			break
		}
	}
	if firstWrong >= 0 {
		ld.add(d.file, d.bodyLineOf(nodeOffset(h2s[firstWrong].node)),
			"sections are out of order: found %s; want %s (see content/README.md)",
			strings.Join(found, ", "), strings.Join(want, ", "))
	}

	for _, want := range patternSections() {
		i := find(want.id)
		if i < 0 {
			ld.add(d.file, 0, "pattern pages need the section \"## %s\" (see content/README.md)", want.text)
			continue
		}
		nodes := sectionNodes(i)
		switch want.id {
		case "how-it-works":
			if !containsKind(nodes, ast.KindImage) {
				ld.add(d.file, d.bodyLineOf(nodeOffset(h2s[i].node)), "\"## %s\" needs the pattern's diagram", want.text)
			}
		case "knobs-and-defaults":
			if !containsKind(nodes, east.KindTable) {
				ld.add(d.file, d.bodyLineOf(nodeOffset(h2s[i].node)), "\"## %s\" needs a table comparing the reference systems with the simulator", want.text)
			}
		case "in-the-interview":
			var h3s []string
			for _, n := range nodes {
				if h, ok := n.(*ast.Heading); ok && h.Level == 3 {
					h3s = append(h3s, headingID(h))
				}
			}
			lastSub := -1
			for _, sub := range interviewSubsections() {
				j := slices.Index(h3s, sub.id)
				switch {
				case j < 0:
					ld.add(d.file, d.bodyLineOf(nodeOffset(h2s[i].node)), "\"## %s\" needs the subsection \"### %s\"", want.text, sub.text)
				case j < lastSub:
					ld.add(d.file, d.bodyLineOf(nodeOffset(h2s[i].node)), "subsection \"### %s\" is out of order", sub.text)
				default:
					lastSub = j
				}
			}
		}
	}
}

// containsKind reports whether any of the nodes holds a node of kind k.
func containsKind(nodes []ast.Node, k ast.NodeKind) bool {
	found := false
	for _, n := range nodes {
		_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
			if entering && c.Kind() == k {
				found = true
				return ast.WalkStop, nil
			}
			return ast.WalkContinue, nil
		})
	}
	return found
}
