package content

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on the work one query may cause. The web layer rejects long
// queries first; these keep Search safe for any input on its own.
const (
	maxQueryBytes = 1024
	maxQueryTerms = 8
	snippetWidth  = 160 // bytes of body text in a snippet, about as many characters
	snippetLead   = 50  // of which, before the first match
)

// Result is one page that matches a search.
type Result struct {
	Page *Page
	// Section is the id of the heading over the best-matching part of the
	// page ("" for the text before the first heading, or when only the
	// title, summary or front matter matched); SectionTitle is its text.
	Section      string
	SectionTitle string
	// Snippet is about 160 characters of the page's text around the first
	// match, with the matching words marked. It is plain text: escape it.
	Snippet []Fragment
}

// Fragment is a run of snippet text; Hit marks a word that matched the query.
type Fragment struct {
	Text string
	Hit  bool
}

// Search returns the pages that contain every word of q, best first, at most
// limit of them (all when limit <= 0). The last word also matches as a
// prefix, unless q ends in a space, so results follow the reader as they
// type. Pages whose title (or, for a question page, whose question) holds
// the words come first, as a phrase before scattered; then pages with a
// heading that holds them all; then by how many words the title and
// headings hold, and how often the words occur in the text. Plural and
// singular match each other. An empty or wordless q, or one that matches
// nothing, returns nil.
func (l *Library) Search(q string, limit int) []Result {
	if l == nil || l.index == nil {
		return nil
	}
	return l.index.search(q, limit)
}

// searchIndex is an inverted index over every page, built once by Load.
// Terms are numbered in sorted order, so the terms sharing a prefix are one
// contiguous range of ids.
type searchIndex struct {
	terms    []string    // sorted; a term's id is its index
	postings [][]posting // term id → the docs holding it, by doc id
	docs     []indexDoc
}

// posting says that a doc holds a term, and how often in its text (the
// title and headings are counted apart, in indexDoc).
type posting struct {
	doc   int32
	count int32
}

// indexDoc is one page as the index sees it.
type indexDoc struct {
	page *Page
	// titles are the term ids of the title and, for a question, of the
	// question itself: the page's headline either way.
	titles   [][]int32
	sections []indexSection
	meta     indexSection // summary, question, key points, follow-ups
}

// indexSection is the text under one heading, tokenised.
type indexSection struct {
	id, title string
	heading   []int32 // term ids of the heading
	text      string
	toks      []token
}

// token is one word of a section's text: where it is and which term it is.
type token struct {
	start, end int32
	term       int32
}

// span is a word of some text before it has a term id.
type span struct {
	start, end int
	term       string
}

// tokenSpans splits s into lower-cased, stemmed words at every character that
// is neither a letter nor a digit.
func tokenSpans(s string) []span {
	var out []span
	start := -1
	flush := func(end int) {
		if start >= 0 {
			out = append(out, span{start, end, stem(strings.ToLower(s[start:end]))})
			start = -1
		}
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

// tokenize returns the terms of s, in order.
func tokenize(s string) []string {
	spans := tokenSpans(s)
	out := make([]string, len(spans))
	for i, sp := range spans {
		out[i] = sp.term
	}
	return out
}

// stem folds a plural into its singular, crudely but the same way for the
// text and the query: "services" → "service", "retries" → "retry". Words
// ending in -ss, -us and -is keep their s ("process", "status", "analysis").
func stem(w string) string {
	n := len(w)
	switch {
	case n >= 5 && strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case n >= 4 && w[n-1] == 's' && w[n-2] != 's' && w[n-2] != 'u' && w[n-2] != 'i':
		return w[:n-1]
	}
	return w
}

// buildIndex tokenises every page once.
func buildIndex(drafts []*draft, pages []*Page) *searchIndex {
	byPage := make(map[*Page]*draft, len(drafts))
	for _, d := range drafts {
		byPage[d.page] = d
	}

	// First pass: words as strings, and the vocabulary.
	type rawSection struct {
		id, title, text string
		heading         []string
		spans           []span
	}
	type rawDoc struct {
		titles   [][]string
		sections []rawSection
		meta     rawSection
	}
	vocab := make(map[string]bool)
	note := func(terms []string) []string {
		for _, t := range terms {
			vocab[t] = true
		}
		return terms
	}
	noteSpans := func(text string) []span {
		spans := tokenSpans(text)
		for _, sp := range spans {
			vocab[sp.term] = true
		}
		return spans
	}
	raws := make([]rawDoc, len(pages))
	for i, p := range pages {
		d := byPage[p]
		r := rawDoc{titles: [][]string{note(tokenize(p.Title))}}
		if p.Question != "" {
			r.titles = append(r.titles, note(tokenize(p.Question)))
		}
		for _, s := range d.sections {
			r.sections = append(r.sections, rawSection{
				id: s.id, title: s.title, text: s.text,
				heading: note(tokenize(s.title)), spans: noteSpans(s.text),
			})
		}
		r.meta = rawSection{text: d.meta, spans: noteSpans(d.meta)}
		raws[i] = r
	}

	// Second pass: number the terms in sorted order and convert.
	ix := &searchIndex{terms: make([]string, 0, len(vocab))}
	for t := range vocab {
		ix.terms = append(ix.terms, t)
	}
	slices.Sort(ix.terms)
	ids := make(map[string]int32, len(ix.terms))
	for i, t := range ix.terms {
		ids[t] = int32(i)
	}
	ix.postings = make([][]posting, len(ix.terms))
	post := func(doc, term, count int32) {
		ps := ix.postings[term]
		if len(ps) == 0 || ps[len(ps)-1].doc != doc {
			ix.postings[term] = append(ps, posting{doc, count})
			return
		}
		ps[len(ps)-1].count += count
	}
	toIDs := func(doc int32, terms []string) []int32 {
		out := make([]int32, len(terms))
		for i, t := range terms {
			out[i] = ids[t]
			post(doc, out[i], 0)
		}
		return out
	}
	toSection := func(doc int32, r rawSection) indexSection {
		s := indexSection{id: r.id, title: r.title, text: r.text, heading: toIDs(doc, r.heading)}
		s.toks = make([]token, len(r.spans))
		for i, sp := range r.spans {
			s.toks[i] = token{int32(sp.start), int32(sp.end), ids[sp.term]}
			post(doc, s.toks[i].term, 1)
		}
		return s
	}
	for i, r := range raws {
		doc := int32(i)
		d := indexDoc{page: pages[i]}
		for _, t := range r.titles {
			d.titles = append(d.titles, toIDs(doc, t))
		}
		for _, s := range r.sections {
			d.sections = append(d.sections, toSection(doc, s))
		}
		d.meta = toSection(doc, r.meta)
		ix.docs = append(ix.docs, d)
	}
	return ix
}

// termRange is the term ids [lo, hi) one query word matches.
type termRange struct{ lo, hi int32 }

// has reports whether a term id is in the range.
func (r termRange) has(t int32) bool { return r.lo <= t && t < r.hi }

// lookup returns the ids of the term w, or of every term starting with w.
func (ix *searchIndex) lookup(w string, prefix bool) termRange {
	lo := sort.SearchStrings(ix.terms, w)
	if !prefix {
		if lo < len(ix.terms) && ix.terms[lo] == w {
			return termRange{int32(lo), int32(lo + 1)}
		}
		return termRange{}
	}
	hi := lo + sort.Search(len(ix.terms)-lo, func(i int) bool {
		return !strings.HasPrefix(ix.terms[lo+i], w)
	})
	return termRange{int32(lo), int32(hi)}
}

// search answers Library.Search.
func (ix *searchIndex) search(q string, limit int) []Result {
	if len(q) > maxQueryBytes {
		q = q[:maxQueryBytes]
	}
	var words []string
	for _, w := range tokenize(q) {
		if !slices.Contains(words, w) && len(words) < maxQueryTerms {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return nil
	}
	r, _ := utf8.DecodeLastRuneInString(q)
	prefixLast := unicode.IsLetter(r) || unicode.IsDigit(r)

	ranges := make([]termRange, len(words))
	for i, w := range words {
		ranges[i] = ix.lookup(w, prefixLast && i == len(words)-1)
		if ranges[i].lo == ranges[i].hi {
			return nil // AND: one word nowhere means no page
		}
	}

	// Candidates: the docs holding every word, and how often the words
	// occur in each.
	hits := make([]int, len(ix.docs))
	counts := make([]int, len(ix.docs))
	seen := make([]bool, len(ix.docs))
	for _, r := range ranges {
		clear(seen)
		for t := r.lo; t < r.hi; t++ {
			for _, p := range ix.postings[t] {
				counts[p.doc] += int(p.count)
				if !seen[p.doc] {
					seen[p.doc] = true
					hits[p.doc]++
				}
			}
		}
	}

	type scored struct {
		doc *indexDoc
		rank
	}
	var cands []scored
	for i := range ix.docs {
		if hits[i] == len(ranges) {
			cands = append(cands, scored{&ix.docs[i], ix.docs[i].rank(ranges, counts[i])})
		}
	}
	slices.SortFunc(cands, func(a, b scored) int {
		return cmp.Or(compareRanks(a.rank, b.rank), comparePages(a.doc.page, b.doc.page))
	})
	if len(cands) == 0 {
		return nil
	}
	if limit > 0 && len(cands) > limit {
		cands = cands[:limit]
	}

	out := make([]Result, len(cands))
	for i, c := range cands {
		sec := c.doc.bestSection(ranges)
		out[i] = Result{Page: c.doc.page, Section: sec.id, SectionTitle: sec.title, Snippet: sec.snippet(ranges)}
	}
	return out
}

// rank is how well a page matches a query, compared field by field: the
// headline (title or question) before the headings before the body.
type rank struct {
	titlePhrase bool // the words in order, side by side, in the headline
	titleAll    bool // every word somewhere in the headline
	headingAll  bool // every word in one heading
	titleHits   int  // words found in the headline
	headingHits int  // words found in some heading
	count       int  // matching words in the text
}

// compareRanks orders ranks best first.
func compareRanks(a, b rank) int {
	return cmp.Or(compareBool(b.titlePhrase, a.titlePhrase), compareBool(b.titleAll, a.titleAll),
		compareBool(b.headingAll, a.headingAll), cmp.Compare(b.titleHits, a.titleHits),
		cmp.Compare(b.headingHits, a.headingHits), cmp.Compare(b.count, a.count))
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// rank scores the page against the query words' ranges; count is how often
// they occur in its text.
func (d *indexDoc) rank(ranges []termRange, count int) rank {
	r := rank{count: count}
	for _, t := range d.titles {
		r.titlePhrase = r.titlePhrase || hasPhrase(t, ranges)
		r.titleAll = r.titleAll || matched(t, ranges) == len(ranges)
	}
	for _, rg := range ranges {
		if slices.ContainsFunc(d.titles, func(t []int32) bool { return anyIn(t, rg) }) {
			r.titleHits++
		}
		if slices.ContainsFunc(d.sections, func(s indexSection) bool { return anyIn(s.heading, rg) }) {
			r.headingHits++
		}
	}
	for _, s := range d.sections {
		r.headingAll = r.headingAll || matched(s.heading, ranges) == len(ranges)
	}
	return r
}

// hasPhrase reports whether the ranges match consecutive terms, in order.
func hasPhrase(terms []int32, ranges []termRange) bool {
	for i := 0; i+len(ranges) <= len(terms); i++ {
		ok := true
		for j, r := range ranges {
			if !r.has(terms[i+j]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// matched counts the ranges with a term among terms.
func matched(terms []int32, ranges []termRange) int {
	n := 0
	for _, r := range ranges {
		if anyIn(terms, r) {
			n++
		}
	}
	return n
}

// anyIn reports whether any of the terms is in the range.
func anyIn(terms []int32, r termRange) bool {
	return slices.ContainsFunc(terms, r.has)
}

// countIn counts the tokens that match any of the ranges.
func countIn(toks []token, ranges []termRange) int {
	n := 0
	for _, t := range toks {
		for _, r := range ranges {
			if r.has(t.term) {
				n++
				break
			}
		}
	}
	return n
}

// bestSection picks the part of a page to link to and quote: the section
// whose heading matches the most query words, then the one whose text
// matches most often, the earlier on a tie. When no section's text or heading
// matches, the match was in the front matter, and the summary is quoted.
func (d *indexDoc) bestSection(ranges []termRange) *indexSection {
	var best *indexSection
	bestHeading, bestCount := 0, 0
	for i := range d.sections {
		s := &d.sections[i]
		heading, count := matched(s.heading, ranges), countIn(s.toks, ranges)
		if heading == 0 && count == 0 {
			continue
		}
		if best == nil || heading > bestHeading || heading == bestHeading && count > bestCount {
			best, bestHeading, bestCount = s, heading, count
		}
	}
	if best == nil {
		return &d.meta
	}
	return best
}

// snippet quotes about snippetWidth bytes of the section's text, starting a
// little before its first match, with every matching word marked. When only
// the heading matched, it quotes the section's opening.
func (s *indexSection) snippet(ranges []termRange) []Fragment {
	if s.text == "" {
		return nil
	}
	matches := func(t token) bool {
		return slices.ContainsFunc(ranges, func(r termRange) bool { return r.has(t.term) })
	}
	first := slices.IndexFunc(s.toks, matches)

	// Start and end on word boundaries, and keep the first match inside.
	start, end := 0, len(s.text)
	if first >= 0 && int(s.toks[first].start) > snippetLead {
		from := int32(int(s.toks[first].start) - snippetLead)
		i, _ := slices.BinarySearchFunc(s.toks, from, func(t token, off int32) int { return cmp.Compare(t.start, off) })
		start = int(s.toks[i].start)
	}
	if end-start > snippetWidth {
		limit := int32(start + snippetWidth)
		i, _ := slices.BinarySearchFunc(s.toks, limit, func(t token, off int32) int { return cmp.Compare(t.end, off) })
		// s.toks[i-1] is the last word ending before the limit.
		end = start + snippetWidth
		if i > 0 && int(s.toks[i-1].end) > start {
			end = int(s.toks[i-1].end)
		}
		if first >= 0 {
			end = max(end, int(s.toks[first].end))
		}
		end = runeBoundary(s.text, end)
	}

	var frags []Fragment
	add := func(text string, hit bool) {
		if text == "" {
			return
		}
		if n := len(frags); n > 0 && frags[n-1].Hit == hit {
			frags[n-1].Text += text
			return
		}
		frags = append(frags, Fragment{Text: text, Hit: hit})
	}
	if start > 0 {
		add("… ", false)
	}
	pos := start
	for _, t := range s.toks {
		if int(t.start) < start || !matches(t) {
			continue
		}
		if int(t.end) > end {
			break
		}
		add(s.text[pos:t.start], false)
		add(s.text[t.start:t.end], true)
		pos = int(t.end)
	}
	add(s.text[pos:end], false)
	if end < len(s.text) {
		add(" …", false)
	}
	return frags
}

// runeBoundary moves i back to the start of the rune it falls in.
func runeBoundary(s string, i int) int {
	for i > 0 && i < len(s) && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}
