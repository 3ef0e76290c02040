package content

import (
	"cmp"
	"embed"
	"io/fs"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// embedded holds the content tree. The quiz banks and the flashcards ride
// along for package quiz, and the design prompts for package interview;
// this package never parses them.
//
//go:embed patterns questions guides diagrams quiz cards interview
var embedded embed.FS

// Files returns the embedded content tree: patterns/, questions/, guides/,
// diagrams/, quiz/, cards/ and interview/, each at the root of the returned
// file system.
func Files() fs.FS { return embedded }

// Kind says what sort of page a Page is. It is also the folder the page's
// file lives in and the first segment of its URL, in the plural.
type Kind string

// The kinds of page, in the order the site lists them.
const (
	KindPattern  Kind = "pattern"
	KindQuestion Kind = "question"
	KindGuide    Kind = "guide"
)

// Kinds returns every kind of page, in the order the site lists them.
func Kinds() []Kind { return []Kind{KindPattern, KindQuestion, KindGuide} }

// Dir returns the folder of the kind's files, which is also the first
// segment of its pages' URLs: "patterns" for KindPattern.
func (k Kind) Dir() string { return string(k) + "s" }

// rank orders kinds the way Kinds lists them.
func (k Kind) rank() int { return slices.Index(Kinds(), k) }

// Page is one rendered page: its front matter, its HTML and what the site
// needs around it (table of contents, URL). Pages belong to a Library and
// must not be modified.
type Page struct {
	Title    string
	Slug     string
	Kind     Kind
	Order    int       // position in its kind's index and for previous/next
	Summary  string    // plain text, at most 200 characters
	Related  []string  // slugs of other pages, of any kind
	Lab      string    // patterns only: the simulator scenario that shows it
	Tags     []string  // lower-case, hyphenated
	Reviewed time.Time // when the text was last checked (a date, UTC)

	// Patterns and questions: the page's key ideas, 5 to 8, the back of its
	// flashcard and its self-grading rubric. Each may hold inline Markdown,
	// rendered in KeyPointsHTML (no wrapping <p>).
	KeyPoints     []string
	KeyPointsHTML []string

	// Questions only. Question is plain text; the follow-ups' text may hold
	// inline Markdown, rendered in each FollowUp's QHTML and AHTML.
	Question  string
	FollowUps []FollowUp

	// Questions only: what lifts a correct answer to a strong one, 2 to 4
	// entries of inline Markdown as written, rendered in StrongHTML (no
	// wrapping <p>). The mock interview shows them after the rubric.
	Strong     []string
	StrongHTML []string

	HTML   string    // the body, rendered; trusted (no raw HTML gets through)
	TOC    []Heading // the body's h2 and h3 headings, in order
	Words  int       // words of prose in the body, code blocks excluded
	Source string    // file path inside the content tree: "patterns/saga.md"
	URL    string    // "/patterns/saga"
}

// Heading is an entry in a page's table of contents.
type Heading struct {
	Level int    // 2 or 3
	ID    string // the id attribute of the heading, for "#" links
	Text  string // plain text
}

// FollowUp is a follow-up question an interviewer may ask, with a short
// answer. Q and A are the Markdown from the front matter; QHTML and AHTML are
// rendered inline (no wrapping <p>).
type FollowUp struct {
	Q, A         string
	QHTML, AHTML string
}

// Options tell Load what exists outside the content, so links to it can be
// checked.
type Options struct {
	// Labs lists the simulator scenario slugs. When nil, /lab/{slug} links
	// and the lab field are not checked; when empty, none resolves.
	Labs []string
	// QuizTopics lists the topics of the quiz banks. When nil,
	// /quiz?topic={topic} links are not checked.
	QuizTopics []string
}

// Library is the loaded, validated and rendered content. It is immutable and
// safe for concurrent use.
type Library struct {
	all      []*Page                    // by kind, then order
	byKind   map[Kind][]*Page           // each by order
	bySlug   map[string]*Page           // slugs are unique across kinds
	anchors  map[string]map[string]bool // slug → every heading id of its body
	diagrams map[string][]byte
	css      string
	index    *searchIndex
}

// comparePages orders pages the way the site lists them: by kind, then by
// order.
func comparePages(a, b *Page) int {
	return cmp.Or(cmp.Compare(a.Kind.rank(), b.Kind.rank()), cmp.Compare(a.Order, b.Order),
		strings.Compare(a.Slug, b.Slug))
}

// Pages returns the pages of one kind, by order. The slice is the caller's.
func (l *Library) Pages(kind Kind) []*Page {
	return slices.Clone(l.byKind[kind])
}

// Page returns the page of the given kind and slug.
func (l *Library) Page(kind Kind, slug string) (*Page, bool) {
	p, ok := l.bySlug[slug]
	if !ok || p.Kind != kind {
		return nil, false
	}
	return p, true
}

// BySlug returns the page with the given slug, of any kind (slugs are
// unique across kinds).
func (l *Library) BySlug(slug string) (*Page, bool) {
	p, ok := l.bySlug[slug]
	return p, ok
}

// All returns every page: patterns, then questions, then guides, each by
// order. The slice is the caller's.
func (l *Library) All() []*Page {
	return slices.Clone(l.all)
}

// Related returns the pages p lists in its related field, in that order.
func (l *Library) Related(p *Page) []*Page {
	var out []*Page
	for _, s := range p.Related {
		if r, ok := l.bySlug[s]; ok {
			out = append(out, r)
		}
	}
	return out
}

// Neighbours returns the pages before and after p in its kind's order; either
// is nil at the ends, and both are nil for a page not in the library.
func (l *Library) Neighbours(p *Page) (prev, next *Page) {
	if p == nil {
		return nil, nil
	}
	pages := l.byKind[p.Kind]
	i := slices.Index(pages, p)
	if i < 0 {
		return nil, nil
	}
	if i > 0 {
		prev = pages[i-1]
	}
	if i+1 < len(pages) {
		next = pages[i+1]
	}
	return prev, next
}

// Diagram returns the SVG file diagrams/{name}, as referenced by
// /diagrams/{name}.
func (l *Library) Diagram(name string) ([]byte, bool) {
	b, ok := l.diagrams[name]
	return b, ok
}

// HighlightCSS returns the stylesheet for highlighted code blocks: a light
// palette by default, and a dark one under html[data-theme="dark"] and,
// unless the reader chose the light theme, under
// @media (prefers-color-scheme: dark).
func (l *Library) HighlightCSS() string { return l.css }

// maxNearestQuery bounds the work Nearest does for one query.
const maxNearestQuery = 100

// Nearest returns up to n pages whose slug or title is close to query, best
// first: for a 404 page, "did you mean". query may be a mistyped slug or a
// whole path ("/patterns/circut-breaker"); the last path segment is used.
// Pages that resemble it in neither spelling nor words are left out, so the
// result may be empty.
func (l *Library) Nearest(query string, n int) []*Page {
	if n <= 0 {
		return nil
	}
	q := strings.ToLower(strings.Trim(query, "/ "))
	if i := strings.LastIndexByte(q, '/'); i >= 0 {
		q = q[i+1:]
	}
	if i := strings.IndexAny(q, "?#"); i >= 0 {
		q = q[:i]
	}
	if utf8.RuneCountInString(q) > maxNearestQuery {
		q = string([]rune(q)[:maxNearestQuery])
	}
	qWords := tokenize(q)
	if len(qWords) == 0 {
		return nil
	}
	qSlug := strings.Join(qWords, "-")

	type scored struct {
		p     *Page
		score float64
	}
	var cands []scored
	for _, p := range l.all {
		// Spelling: how much of the slug survives the edit distance.
		longest := max(utf8.RuneCountInString(qSlug), utf8.RuneCountInString(p.Slug))
		spelling := 1 - float64(levenshtein(qSlug, p.Slug))/float64(longest)
		// Words: the share of the query's words found in the slug or title.
		words := make(map[string]bool)
		for _, w := range tokenize(p.Slug + " " + p.Title) {
			words[w] = true
		}
		shared := 0
		for _, w := range qWords {
			if words[w] || (len(w) >= 3 && hasPrefixWord(words, w)) {
				shared++
			}
		}
		overlap := float64(shared) / float64(len(qWords))
		if spelling < 0.5 && overlap == 0 {
			continue
		}
		cands = append(cands, scored{p, spelling + overlap})
	}
	slices.SortStableFunc(cands, func(a, b scored) int {
		return cmp.Or(cmp.Compare(b.score, a.score), comparePages(a.p, b.p))
	})
	var out []*Page
	for _, c := range cands[:min(n, len(cands))] {
		out = append(out, c.p)
	}
	return out
}

// hasPrefixWord reports whether some word in words starts with w, so that a
// truncated "circ" still finds "circuit".
func hasPrefixWord(words map[string]bool, w string) bool {
	for x := range words {
		if strings.HasPrefix(x, w) {
			return true
		}
	}
	return false
}

// levenshtein is the edit distance between a and b, in runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
