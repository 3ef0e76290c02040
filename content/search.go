package content

import (
	"cmp"
	"math/bits"
	"slices"
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
	// occurrence of a phrase of the query or, failing that, the first
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
// type. Plural and singular match each other. A word of four letters or
// more that matches no term is read as the nearest terms a typo away
// ("circut" as "circuit"); see SearchWithInfo. Words in double quotes, or
// joined by hyphens ("half-open"), are a phrase.
//
// Pages that hold the words as typed come before pages found through a
// corrected spelling. Then come pages that hold the phrases word for word;
// then pages whose title (or, for a question page, whose question) holds
// the words, as a phrase before scattered; then pages with a heading that
// holds them all; then by how many words the title and headings hold, and
// how often the words occur in the text. An empty or wordless q, or one
// that matches nothing, returns nil.
func (l *Library) Search(q string, limit int) []Result {
	results, _ := l.SearchWithInfo(q, limit)
	return results
}

// SearchWithInfo is Search that also says how q was read. When a word of q
// matched nothing as typed and was taken for a near spelling, corrected is
// q with each such word replaced by the spelling used ("Circut breaker" →
// "Circuit breaker"), the rest as typed, so the page can say "showing
// results for". It is "" when every word matched as typed, and whenever
// results is nil.
func (l *Library) SearchWithInfo(q string, limit int) (results []Result, corrected string) {
	if l == nil || l.index == nil {
		return nil, ""
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
	fuzzy    fuzzyDict // for correcting typos
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
	ix.fuzzy = newFuzzyDict(ix)
	return ix
}

// search answers Library.SearchWithInfo.
func (ix *searchIndex) search(q string, limit int) ([]Result, string) {
	if len(q) > maxQueryBytes {
		q = q[:runeBoundary(q, maxQueryBytes)]
	}
	qu := parseQuery(q)
	if len(qu.words) == 0 {
		return nil, ""
	}
	m := match{words: make([]termSet, len(qu.words)), phrases: qu.phrases}
	fixed := false
	for i, w := range qu.words {
		s := ix.lookup(w, i == qu.prefix)
		if s.lo == s.hi {
			s.fixes, fixed = ix.corrections(w), true
			if len(s.fixes) == 0 {
				return nil, "" // AND: one word nowhere means no page
			}
		}
		m.words[i] = s
	}
	m.which = make([]uint8, len(ix.terms))
	for i, s := range m.words {
		m.all = append(m.all, i)
		for t := s.lo; t < s.hi; t++ {
			m.which[t] |= 1 << i
		}
		for _, f := range s.fixes {
			m.which[f.term] |= 1 << i
		}
	}

	// Candidates: the docs holding every word, how often the words occur in
	// each, and how many edits the terms they hold are from the words typed.
	n := len(ix.docs)
	hits, counts, fuzz := make([]int, n), make([]int, n), make([]int, n)
	seen := make([]bool, n)
	for _, s := range m.words {
		clear(seen)
		visit := func(t int32, dist int) {
			for _, p := range ix.postings[t] {
				counts[p.doc] += int(p.count)
				if !seen[p.doc] {
					// Corrections come closest first, so this is the
					// nearest spelling the doc holds.
					seen[p.doc] = true
					hits[p.doc]++
					fuzz[p.doc] += dist
				}
			}
		}
		for t := s.lo; t < s.hi; t++ {
			visit(t, 0)
		}
		for _, f := range s.fixes {
			visit(f.term, int(f.dist))
		}
	}

	type scored struct {
		doc *indexDoc
		rank
	}
	var cands []scored
	for i := range ix.docs {
		if hits[i] == len(m.words) {
			r := ix.docs[i].rank(&m, counts[i])
			r.fuzz = fuzz[i]
			cands = append(cands, scored{&ix.docs[i], r})
		}
	}
	slices.SortFunc(cands, func(a, b scored) int {
		return cmp.Or(compareRanks(a.rank, b.rank), comparePages(a.doc.page, b.doc.page))
	})
	if len(cands) == 0 {
		return nil, ""
	}
	if limit > 0 && len(cands) > limit {
		cands = cands[:limit]
	}

	out := make([]Result, len(cands))
	for i, c := range cands {
		sec := c.doc.bestSection(&m)
		out[i] = Result{Page: c.doc.page, Section: sec.id, SectionTitle: sec.title, Snippet: sec.snippet(&m)}
	}
	if !fixed {
		return out, ""
	}
	return out, ix.correct(q, &qu, m.words)
}

// rank is how well a page matches a query, compared field by field: the
// words as typed before corrections, phrases before scattered words, the
// headline (title or question) before the headings before the body.
type rank struct {
	fuzz        int  // edits from the words as typed to the terms the page holds
	phrases     int  // quoted or hyphenated phrases the page holds word for word
	titlePhrase bool // the words in order, side by side, in the headline
	titleAll    bool // every word somewhere in the headline
	headingAll  bool // every word in one heading
	titleHits   int  // words found in the headline
	headingHits int  // words found in some heading
	count       int  // matching words in the text
}

// compareRanks orders ranks best first.
func compareRanks(a, b rank) int {
	return cmp.Or(cmp.Compare(a.fuzz, b.fuzz), cmp.Compare(b.phrases, a.phrases),
		compareBool(b.titlePhrase, a.titlePhrase), compareBool(b.titleAll, a.titleAll),
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

// rank scores the page against the query; count is how often its words
// occur in the page's text. It leaves fuzz to the caller.
func (d *indexDoc) rank(m *match, count int) rank {
	r := rank{count: count}
	for _, ph := range m.phrases {
		if m.docHolds(d, ph) {
			r.phrases++
		}
	}
	var inTitle, inHeading uint8 // the words found there
	for _, t := range d.titles {
		r.titlePhrase = r.titlePhrase || m.termsHold(t, m.all)
		r.titleAll = r.titleAll || m.matched(t) == len(m.words)
		inTitle |= m.union(t)
	}
	for _, s := range d.sections {
		r.headingAll = r.headingAll || m.matched(s.heading) == len(m.words)
		inHeading |= m.union(s.heading)
	}
	r.titleHits, r.headingHits = bits.OnesCount8(inTitle), bits.OnesCount8(inHeading)
	return r
}

// union returns the set of query words that any of the terms matches.
func (m *match) union(terms []int32) uint8 {
	var u uint8
	for _, t := range terms {
		u |= m.which[t]
	}
	return u
}

// matched counts the query words matched by some term among terms.
func (m *match) matched(terms []int32) int { return bits.OnesCount8(m.union(terms)) }

// bestSection picks the part of a page to link to and quote: the section
// holding the most of the query's phrases, then the one whose heading
// matches the most query words, then the one whose text matches most often,
// the earlier on a tie. When no section's text or heading matches, or the
// front matter holds more of the phrases, the summary is quoted.
func (d *indexDoc) bestSection(m *match) *indexSection {
	var best *indexSection
	var bestScore [3]int // phrases, heading words, text matches
	for i := range d.sections {
		s := &d.sections[i]
		count, phrases := m.tally(s)
		score := [3]int{phrases, m.matched(s.heading), count}
		if score[1] == 0 && score[2] == 0 {
			continue
		}
		if best == nil || slices.Compare(score[:], bestScore[:]) > 0 {
			best, bestScore = s, score
		}
	}
	if _, phrases := m.tally(&d.meta); best == nil || phrases > bestScore[0] {
		return &d.meta
	}
	return best
}

// snippet quotes about snippetWidth bytes of the section's text, starting a
// little before the first phrase of the query it holds or, failing that, its
// first match, with every matching word marked. When only the heading
// matched, it quotes the section's opening.
func (s *indexSection) snippet(m *match) []Fragment {
	if s.text == "" {
		return nil
	}
	matches := func(t token) bool { return m.which[t.term] != 0 }
	first, last := -1, -1 // the tokens that must be in the quote
	for _, ph := range m.phrases {
		if i := m.phraseAt(s, ph); i >= 0 && (first < 0 || i < first) {
			first, last = i, i+len(ph)-1
		}
	}
	if first < 0 {
		first = slices.IndexFunc(s.toks, matches)
		last = first
	}

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
			end = max(end, int(s.toks[last].end))
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
