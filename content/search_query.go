package content

import (
	"math/bits"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxQueryPhrases bounds the phrases one query may hold; each is at most
// maxQueryTerms words long.
const maxQueryPhrases = 4

// quoteMarks open and close a phrase in a query.
const quoteMarks = "\"“”"

// query is a search as typed, read into words and phrases.
type query struct {
	words   []string // distinct terms, in the order typed; at most maxQueryTerms
	prefix  int      // the word typed last, if it may be unfinished; else -1
	phrases [][]int  // runs of words, by index, that must stand side by side
	spans   []qspan  // every word of q, where it is and which word it is
}

// qspan is one word of a query: q[start:end] is word number word, or -1
// when the query already had maxQueryTerms others.
type qspan struct {
	start, end, word int
}

// parseQuery reads q. The words between a pair of double quotes are a
// phrase, and so are words joined by hyphens outside quotes: "half-open" is
// the phrase "half open". A quote left open runs to the end of q. The last
// word may be unfinished, and match as a prefix, unless q ends in a space or
// some other character that cannot be part of a word, such as a quote.
func parseQuery(q string) query {
	qu := query{prefix: -1}
	quoted := false
	for off := 0; ; {
		i := strings.IndexAny(q[off:], quoteMarks)
		if i < 0 {
			qu.addPart(q, off, len(q), quoted)
			break
		}
		qu.addPart(q, off, off+i, quoted)
		_, size := utf8.DecodeRuneInString(q[off+i:])
		off, quoted = off+i+size, !quoted
	}
	r, _ := utf8.DecodeLastRuneInString(q)
	if n := len(qu.spans); n > 0 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
		qu.prefix = qu.spans[n-1].word
	}
	return qu
}

// addPart reads the words of q[start:end], which holds no quote marks and is
// either all inside quotes or all outside.
func (qu *query) addPart(q string, start, end int, quoted bool) {
	var run []int // the phrase being read
	prevEnd := 0
	part := q[start:end]
	for _, sp := range tokenSpans(part) {
		w := qu.word(sp.term)
		qu.spans = append(qu.spans, qspan{start + sp.start, start + sp.end, w})
		joined := quoted || len(run) > 0 && strings.Trim(part[prevEnd:sp.start], "-") == ""
		if !joined || w < 0 || len(run) == maxQueryTerms {
			qu.addPhrase(run)
			run = run[:0]
		}
		if w >= 0 {
			run = append(run, w)
		}
		prevEnd = sp.end
	}
	qu.addPhrase(run)
}

// word returns the index of the term t among the query's words, adding it if
// there is room, or -1.
func (qu *query) word(t string) int {
	if i := slices.Index(qu.words, t); i >= 0 {
		return i
	}
	if len(qu.words) == maxQueryTerms {
		return -1
	}
	qu.words = append(qu.words, t)
	return len(qu.words) - 1
}

// addPhrase keeps a copy of a run of two or more words, once, if there is
// room.
func (qu *query) addPhrase(run []int) {
	if len(run) < 2 || len(qu.phrases) == maxQueryPhrases ||
		slices.ContainsFunc(qu.phrases, func(p []int) bool { return slices.Equal(p, run) }) {
		return
	}
	qu.phrases = append(qu.phrases, slices.Clone(run))
}

// termSet is the term ids one query word matches: the range [lo, hi) of the
// word as typed (one term, or every term it begins) or, when that range is
// empty, the corrections, closest first.
type termSet struct {
	lo, hi int32
	fixes  []fix
}

// lookup returns the ids of the term w, or of every term starting with w.
func (ix *searchIndex) lookup(w string, prefix bool) termSet {
	lo := sort.SearchStrings(ix.terms, w)
	if !prefix {
		if lo < len(ix.terms) && ix.terms[lo] == w {
			return termSet{lo: int32(lo), hi: int32(lo + 1)}
		}
		return termSet{}
	}
	hi := lo + sort.Search(len(ix.terms)-lo, func(i int) bool {
		return !strings.HasPrefix(ix.terms[lo+i], w)
	})
	return termSet{lo: int32(lo), hi: int32(hi)}
}

// match is a query resolved against the index.
type match struct {
	words   []termSet // the terms each distinct word matches
	phrases [][]int   // runs of words, by index, to find side by side
	all     []int     // every word in order: the whole query as a phrase
	// which is, by term id, the words a term matches: bit i for words[i].
	// Looking tokens up here is the inner loop of ranking and quoting.
	which []uint8
}

// These stop compiling should the bounds outgrow a uint8: match.which holds
// a bit for each query word, and tally one for each phrase.
const (
	_ uint8 = 1 << (maxQueryTerms - 1)
	_ uint8 = 1 << (maxQueryPhrases - 1)
)

// is reports whether the term t matches word w.
func (m *match) is(t int32, w int) bool { return m.which[t]&(1<<w) != 0 }

// docHolds reports whether the page holds the phrase word for word, in its
// headline, a heading or its text.
func (m *match) docHolds(d *indexDoc, ph []int) bool {
	if slices.ContainsFunc(d.titles, func(t []int32) bool { return m.termsHold(t, ph) }) || m.sectionHolds(&d.meta, ph) {
		return true
	}
	for i := range d.sections {
		if m.sectionHolds(&d.sections[i], ph) {
			return true
		}
	}
	return false
}

// sectionHolds reports whether the section's heading or text has the phrase.
func (m *match) sectionHolds(s *indexSection, ph []int) bool {
	return m.termsHold(s.heading, ph) || m.phraseAt(s, ph) >= 0
}

// tally reads the section once, for bestSection: how many of its tokens
// match a query word, and how many of the query's phrases its heading or
// text holds.
func (m *match) tally(s *indexSection) (count, phrases int) {
	var found uint8 // bit p for m.phrases[p]
	for i, t := range s.toks {
		w := m.which[t.term]
		if w == 0 {
			continue
		}
		count++
		for p, ph := range m.phrases {
			if found&(1<<p) == 0 && w&(1<<ph[0]) != 0 && m.phraseFrom(s, i, ph) {
				found |= 1 << p
			}
		}
	}
	for p, ph := range m.phrases {
		if found&(1<<p) == 0 && m.termsHold(s.heading, ph) {
			found |= 1 << p
		}
	}
	return count, bits.OnesCount8(found)
}

// phraseAt returns the index of the token where the phrase first occurs in
// the section's text, or -1.
func (m *match) phraseAt(s *indexSection, ph []int) int {
	first := uint8(1) << ph[0]
	for i, t := range s.toks {
		if m.which[t.term]&first != 0 && m.phraseFrom(s, i, ph) {
			return i
		}
	}
	return -1
}

// phraseFrom reports whether the phrase occurs in the section's text from
// token i on. Its words must follow one another with nothing between them
// that ends a clause: "half-open" and "half open" hold the phrase "half
// open", "half. Open" does not.
func (m *match) phraseFrom(s *indexSection, i int, ph []int) bool {
	if i+len(ph) > len(s.toks) {
		return false
	}
	for j, w := range ph {
		if !m.is(s.toks[i+j].term, w) ||
			j > 0 && strings.ContainsAny(s.text[s.toks[i+j-1].end:s.toks[i+j].start], ".,;:!?") {
			return false
		}
	}
	return true
}

// termsHold reports whether the phrase's words are consecutive terms, in
// order.
func (m *match) termsHold(terms []int32, ph []int) bool {
	for i := 0; i+len(ph) <= len(terms); i++ {
		j := 0
		for j < len(ph) && m.is(terms[i+j], ph[j]) {
			j++
		}
		if j == len(ph) {
			return true
		}
	}
	return false
}
