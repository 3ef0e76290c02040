package content

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on the typo search. A word is compared with every term, but most
// terms are ruled out by their length and letters before any distance is
// worked out, and only words of up to maxFuzzyBytes are tried at all.
const (
	maxFixes      = 5                 // corrections kept for one word, the closest
	maxFuzzyBytes = 32                // longer words are taken as typed
	maxFuzzyRunes = maxFuzzyBytes + 2 // the longest term a word can be corrected to
)

// fix is a term that a query word may have been meant as, and how many
// edits apart the two are.
type fix struct {
	term int32
	dist int8
}

// fuzzyDict is what the typo search keeps of each term, by term id.
type fuzzyDict struct {
	lens  []uint8  // length in runes, up to 255
	masks []uint64 // the characters in it, as a set of runeBit
	// spellings are how each term is written in the text, lower-cased:
	// the term itself wherever it occurs as such, else the first form seen
	// ("kubernetes" for the stem "kubernete").
	spellings []string
}

// newFuzzyDict indexes the terms of a built index for the typo search.
func newFuzzyDict(ix *searchIndex) fuzzyDict {
	f := fuzzyDict{
		lens:      make([]uint8, len(ix.terms)),
		masks:     make([]uint64, len(ix.terms)),
		spellings: make([]string, len(ix.terms)),
	}
	for t, term := range ix.terms {
		n := 0
		for _, r := range term {
			f.masks[t] |= runeBit(r)
			n++
		}
		f.lens[t] = uint8(min(n, 255))
	}
	spell := func(s *indexSection) {
		for _, tok := range s.toks {
			w, term := s.text[tok.start:tok.end], ix.terms[tok.term]
			switch cur := f.spellings[tok.term]; {
			case cur == "":
				f.spellings[tok.term] = strings.ToLower(w)
			case cur != term && strings.EqualFold(w, term):
				f.spellings[tok.term] = term
			}
		}
	}
	for i := range ix.docs {
		d := &ix.docs[i]
		spell(&d.meta)
		for j := range d.sections {
			spell(&d.sections[j])
		}
	}
	for t, s := range f.spellings {
		if s == "" { // a word only of titles or headings
			f.spellings[t] = ix.terms[t]
		}
	}
	return f
}

// runeBit is the bit of a character in a term's mask: one each for the
// letters a to z and the digits, the rest sharing the remaining 28 bits.
// Two terms whose masks differ in more than k bits either way are more
// than k edits apart, as each edit brings in or takes away one character.
func runeBit(r rune) uint64 {
	switch {
	case 'a' <= r && r <= 'z':
		return 1 << (r - 'a')
	case '0' <= r && r <= '9':
		return 1 << (26 + r - '0')
	}
	return 1 << (36 + uint(r)%28)
}

// maxEdits is how many edits a query word of n letters may be from a term
// and still be taken for it: a typo in a short word is usually another word
// ("cat", "car").
func maxEdits(n int) int {
	switch {
	case n >= 8:
		return 2
	case n >= 4:
		return 1
	}
	return 0
}

// corrections returns the terms within maxEdits of w, for a word that
// matches no term as typed: closest first, then those more pages hold, at
// most maxFixes of them. A word with a digit in it is not corrected: a
// version or a port number is not a typo.
func (ix *searchIndex) corrections(w string) []fix {
	if len(w) > maxFuzzyBytes {
		return nil
	}
	var wordBuf, termBuf [maxFuzzyRunes]rune
	word := wordBuf[:0]
	var mask uint64
	for _, r := range w {
		if unicode.IsDigit(r) {
			return nil
		}
		word = append(word, r)
		mask |= runeBit(r)
	}
	k := maxEdits(len(word))
	if k == 0 {
		return nil
	}
	var fixes []fix
	for t, term := range ix.terms {
		if n := int(ix.fuzzy.lens[t]); n < len(word)-k || n > len(word)+k {
			continue
		}
		m := ix.fuzzy.masks[t]
		if bits.OnesCount64(mask&^m) > k || bits.OnesCount64(m&^mask) > k {
			continue
		}
		cand := termBuf[:0]
		for _, r := range term {
			cand = append(cand, r)
		}
		if d := editDistance(word, cand, k); d <= k {
			fixes = append(fixes, fix{int32(t), int8(d)})
		}
	}
	slices.SortFunc(fixes, func(a, b fix) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist),
			cmp.Compare(len(ix.postings[b.term]), len(ix.postings[a.term])), cmp.Compare(a.term, b.term))
	})
	return fixes[:min(len(fixes), maxFixes)]
}

// editDistance counts the edits that turn a into b, each inserting,
// deleting or replacing one rune or swapping two neighbours, or returns
// k+1 as soon as it is sure to be more than k. It is the restricted form of
// the Damerau–Levenshtein distance, which never edits a swapped pair again:
// it can only overcount a typo that both swaps two letters and slips a
// third between them. Neither a nor b may be longer than maxFuzzyRunes.
func editDistance(a, b []rune, k int) int {
	if len(a)-len(b) > k || len(b)-len(a) > k {
		return k + 1
	}
	// Three rows of the table of distances between prefixes of a and b:
	// the one being filled, the one before and the one before that, which
	// a swap looks back to.
	var rows [3][maxFuzzyRunes + 1]int
	older, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := range len(b) + 1 {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		least := i
		for j := 1; j <= len(b); j++ {
			change := 1
			if a[i-1] == b[j-1] {
				change = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+change)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, older[j-2]+1)
			}
			cur[j] = d
			least = min(least, d)
		}
		// No later row can come back under the least of this one: a swap
		// reaching back past it costs as much as a step through it.
		if least > k {
			return k + 1
		}
		older, prev, cur = prev, cur, older
	}
	return min(prev[len(b)], k+1)
}

// correct returns q with each word that was corrected spelt as its closest
// correction, the rest as typed.
func (ix *searchIndex) correct(q string, qu *query, words []termSet) string {
	var b strings.Builder
	pos := 0
	for _, sp := range qu.spans {
		if sp.word < 0 || len(words[sp.word].fixes) == 0 {
			continue
		}
		typed := q[sp.start:sp.end]
		fixed := ix.fuzzy.spellings[words[sp.word].fixes[0].term]
		if r, _ := utf8.DecodeRuneInString(typed); unicode.IsUpper(r) {
			first, size := utf8.DecodeRuneInString(fixed)
			fixed = string(unicode.ToUpper(first)) + fixed[size:]
		}
		b.WriteString(q[pos:sp.start])
		b.WriteString(fixed)
		pos = sp.end
	}
	b.WriteString(q[pos:])
	return b.String()
}
