package content

import (
	"slices"
	"strings"
	"testing"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		k    int
		want int
	}{
		{"", "", 2, 0},
		{"saga", "saga", 2, 0},
		{"sagga", "saga", 2, 1},     // a letter too many
		{"circut", "circuit", 2, 1}, // one missing
		{"breakar", "breaker", 2, 1},
		{"bulkhaed", "bulkhead", 2, 1}, // two letters swapped
		{"fuatl", "fault", 2, 2},       // two swaps
		{"café", "cafe", 2, 1},         // runes, not bytes
		{"naïve", "naive", 1, 1},
		{"abc", "", 3, 3},
		{"", "abc", 3, 3},
		// The restricted distance does not edit a swapped pair again, so
		// a swap with a letter slipped between costs three, not two.
		{"ca", "abc", 3, 3},
		// Past k, the answer is k+1, however far the words are.
		{"fuatl", "fault", 1, 2},
		{"abcdefgh", "zyxwvuts", 2, 3},
		{"ab", "abcdef", 2, 3},
	}
	for _, tt := range tests {
		if got := editDistance([]rune(tt.a), []rune(tt.b), tt.k); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.k, got, tt.want)
		}
		if got := editDistance([]rune(tt.b), []rune(tt.a), tt.k); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.b, tt.a, tt.k, got, tt.want)
		}
	}
}

// testIndex is an index of the given terms alone, the i-th held by i+1 docs,
// enough for the typo search.
func testIndex(terms ...string) *searchIndex {
	slices.Sort(terms)
	ix := &searchIndex{terms: terms, postings: make([][]posting, len(terms))}
	for i := range terms {
		for d := range i + 1 {
			ix.postings[i] = append(ix.postings[i], posting{doc: int32(d)})
		}
	}
	ix.fuzzy = newFuzzyDict(ix)
	return ix
}

// fixTerms lists the terms of corrections, in order.
func fixTerms(ix *searchIndex, fixes []fix) []string {
	var out []string
	for _, f := range fixes {
		out = append(out, ix.terms[f.term])
	}
	return out
}

func TestCorrections(t *testing.T) {
	long := strings.Repeat("a", maxFuzzyBytes)
	ix := testIndex("abxd", "bacd", "abc", "abcde", "xbcd", "abcx", "axcd", "wxyz",
		"cat", "http2", long+"b", "bulkhead", "bulkheda", "bulk")
	tests := []struct {
		name, word string
		want       []string
	}{
		{"closest first, then the ones more docs hold, at most maxFixes", "abcd",
			[]string{"xbcd", "bacd", "axcd", "abxd", "abcx"}},
		{"fewer edits before more", "bulkhaed", []string{"bulkhead", "bulkheda"}},
		{"no edit to a word under four letters", "car", nil},
		{"no edit to a word with a digit", "http3", nil},
		{"no edit to a word over maxFuzzyBytes", long + "c", nil},
		{"up to maxFuzzyBytes is fine", long[1:] + "b", []string{long + "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fixTerms(ix, ix.corrections(tt.word)); !slices.Equal(got, tt.want) {
				t.Errorf("corrections(%.12q) = %.12q, want %.12q", tt.word, got, tt.want)
			}
		})
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		q       string
		words   []string
		prefix  int
		phrases [][]int
	}{
		{"saga", []string{"saga"}, 0, nil},
		{"saga ", []string{"saga"}, -1, nil},
		{"half-open state", []string{"half", "open", "state"}, 2, [][]int{{0, 1}}},
		{`"half open" state `, []string{"half", "open", "state"}, -1, [][]int{{0, 1}}},
		{`the "circuit breaker`, []string{"the", "circuit", "breaker"}, 2, [][]int{{1, 2}}},
		{`"saga"`, []string{"saga"}, -1, nil},
		{`"saga saga" saga-saga`, []string{"saga"}, 0, [][]int{{0, 0}}},
		{"a-b c-d a-b", []string{"a", "b", "c", "d"}, 1, [][]int{{0, 1}, {2, 3}}},
		{"a - b", []string{"a", "b"}, 1, nil},
		{"a b c d e f g h i-j", []string{"a", "b", "c", "d", "e", "f", "g", "h"}, -1, nil},
		{"a-b-c-d-e-f-g-h-i-j", []string{"a", "b", "c", "d", "e", "f", "g", "h"}, -1, [][]int{{0, 1, 2, 3, 4, 5, 6, 7}}},
		{`"`, nil, -1, nil},
	}
	for _, tt := range tests {
		qu := parseQuery(tt.q)
		if !slices.Equal(qu.words, tt.words) || qu.prefix != tt.prefix ||
			!slices.EqualFunc(qu.phrases, tt.phrases, slices.Equal) {
			t.Errorf("parseQuery(%q) = %q, prefix %d, phrases %v; want %q, %d, %v",
				tt.q, qu.words, qu.prefix, qu.phrases, tt.words, tt.prefix, tt.phrases)
		}
	}
	// Phrases are bounded in number as words are.
	if qu := parseQuery(strings.Repeat("a-b b-a ", 10) + "a-a b-b c-c"); len(qu.phrases) != maxQueryPhrases {
		t.Errorf("parseQuery kept %d phrases, want %d", len(qu.phrases), maxQueryPhrases)
	}
}
