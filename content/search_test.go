package content_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"microlab/content"
)

// urls lists the results' page URLs.
func urls(rs []content.Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Page.URL)
	}
	return out
}

// snippetText joins a snippet's fragments.
func snippetText(r content.Result) string {
	var b strings.Builder
	for _, f := range r.Snippet {
		b.WriteString(f.Text)
	}
	return b.String()
}

// hits lists a snippet's matched words, lower-cased.
func hits(r content.Result) []string {
	var out []string
	for _, f := range r.Snippet {
		if f.Hit {
			out = append(out, strings.ToLower(f.Text))
		}
	}
	return out
}

func TestSearchFixture(t *testing.T) {
	lib := mustLoad(t, validFixture(), fixtureOptions())

	t.Run("a title match ranks first", func(t *testing.T) {
		got := lib.Search("retry", 0)
		if len(got) != 3 || got[0].Page.Slug != "retry" {
			t.Fatalf("Search(retry) = %v, want all three with /patterns/retry first", urls(got))
		}
	})
	t.Run("plural and singular match each other", func(t *testing.T) {
		if got := urls(lib.Search("budgets ", 0)); len(got) != 3 {
			t.Errorf("Search(budgets) = %v, want all three pages", got)
		}
	})
	t.Run("every word must match", func(t *testing.T) {
		if got := lib.Search("retry xylophone", 0); got != nil {
			t.Errorf("Search(retry xylophone) = %v, want nil", urls(got))
		}
	})
	t.Run("the last word matches as a prefix while typing", func(t *testing.T) {
		got := lib.Search("jitt", 0)
		if len(got) != 1 || got[0].Page.Slug != "why-retry" {
			t.Errorf("Search(jitt) = %v, want /questions/why-retry", urls(got))
		}
		if got := lib.Search("jitt ", 0); got != nil {
			t.Errorf("Search(%q) = %v, want nil: a finished word is not a prefix", "jitt ", urls(got))
		}
	})
	t.Run("a heading match picks the section", func(t *testing.T) {
		got := lib.Search("knobs", 0)
		if len(got) != 1 || got[0].Section != "knobs-and-defaults" || got[0].SectionTitle != "Knobs and defaults" {
			t.Fatalf("Search(knobs) = %+v", got)
		}
	})
	t.Run("front matter text is searchable", func(t *testing.T) {
		got := lib.Search("idempotent", 0)
		if len(got) != 1 || got[0].Page.Slug != "why-retry" || got[0].Section != "" {
			t.Fatalf("Search(idempotent) = %+v", got)
		}
		if h := hits(got[0]); len(h) == 0 || h[0] != "idempotent" {
			t.Errorf("snippet hits = %v, want idempotent", h)
		}
	})
	t.Run("limit caps the results", func(t *testing.T) {
		if got := lib.Search("retry", 2); len(got) != 2 {
			t.Errorf("len(Search(retry, 2)) = %d", len(got))
		}
	})
}

func TestSearchEmbedded(t *testing.T) {
	lib := mustDefault(t)
	tests := []struct {
		q     string
		first string // URL of the first result
	}{
		{"circuit breaker", "/patterns/circuit-breaker"},
		{"Saga", "/patterns/saga"},
		{"sidec", "/patterns/sidecar"},
		{"service mesh", "/guides/tools"},
		{"What are microservices", "/questions/what-are-microservices"},
	}
	for _, tt := range tests {
		got := lib.Search(tt.q, 10)
		if len(got) == 0 || got[0].Page.URL != tt.first {
			t.Errorf("Search(%q) = %v, want %s first", tt.q, urls(got), tt.first)
			continue
		}
		for _, r := range got {
			if len(r.Snippet) == 0 {
				t.Errorf("Search(%q): %s has no snippet", tt.q, r.Page.URL)
			}
			if n := utf8.RuneCountInString(snippetText(r)); n > 200 {
				t.Errorf("Search(%q): %s snippet is %d characters: %q", tt.q, r.Page.URL, n, snippetText(r))
			}
		}
	}
	// The snippet marks the words that matched.
	r := lib.Search("idempotency", 1)
	if len(r) != 1 {
		t.Fatal("Search(idempotency) found nothing")
	}
	if h := hits(r[0]); len(h) == 0 || h[0] != "idempotency" {
		t.Errorf("Search(idempotency) hits = %v in %q", h, snippetText(r[0]))
	}
}

func TestSearchOddInput(t *testing.T) {
	lib := mustDefault(t)
	for _, q := range []string{"", "   ", "!!!", "—", "\x00\xff\xfe", strings.Repeat("a", 10000),
		strings.Repeat("saga ", 500), "<script>alert(1)</script>", "\u200b", "日本語", "a"} {
		got := lib.Search(q, 5)
		if len(got) > 5 {
			t.Errorf("Search(%.20q, 5) returned %d results", q, len(got))
		}
		for _, r := range got {
			if !utf8.ValidString(snippetText(r)) {
				t.Errorf("Search(%.20q): snippet is not valid UTF-8", q)
			}
		}
	}
	for _, q := range []string{"", "   ", "!!!"} {
		if got := lib.Search(q, 5); got != nil {
			t.Errorf("Search(%q) = %v, want nil", q, urls(got))
		}
	}
	var none *content.Library
	if none.Search("saga", 1) != nil {
		t.Error("Search on a nil library returned results")
	}
}

func FuzzSearch(f *testing.F) {
	lib := mustDefault(f)
	for _, seed := range []string{"saga", "circuit br", "x", "", "ÄÖü ß", "a-b_c", "retries!"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, r := range lib.Search(q, 3) {
			s := snippetText(r)
			if !utf8.ValidString(s) && utf8.ValidString(q) {
				t.Errorf("Search(%q): invalid UTF-8 snippet %q", q, s)
			}
		}
	})
}

// benchQueries are what people type: single words, two words, prefixes
// mid-word, and words that match nothing.
var benchQueries = []string{
	"saga",
	"circuit breaker",
	"kubernetes",
	"idempotency key",
	"retr",
	"service mes",
	"s",
	"event driven architecture",
	"xylophone",
	"saga xylophone",
}

// BenchmarkSearch times each query on its own, then the mix in turn.
func BenchmarkSearch(b *testing.B) {
	lib := mustDefault(b)
	for _, q := range benchQueries {
		b.Run(strings.ReplaceAll(q, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				lib.Search(q, 10)
			}
		})
	}
	b.Run("mix", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			lib.Search(benchQueries[i%len(benchQueries)], 10)
			i++
		}
	})
}
