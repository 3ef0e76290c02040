package content_test

import (
	"fmt"
	"slices"
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

// phraseFixture is the fixture with "half" and "open" put in three ways:
// the phrase "half-open" deep in a section of the retry pattern that opens
// with both words apart; both words apart in the basics guide's title; and
// the two side by side but for a full stop in the guide's text.
func phraseFixture(tb testing.TB) *content.Library {
	tb.Helper()
	fsys := validFixture()
	edit(tb, fsys, "patterns/retry.md", "## A worked example in the shop\n\n",
		"## A worked example in the shop\n\nOpen the shop at half past nine. ")
	edit(tb, fsys, "patterns/retry.md", "- [x] retries bounded",
		"A half-open breaker lets one trial call through.\n\n- [x] retries bounded")
	edit(tb, fsys, "guides/basics.md", "title: Basics", "title: Half the gate stays open")
	edit(tb, fsys, "guides/basics.md", "## The idea\n\n", "## The idea\n\nThe gate was shut by half. Open it wide. ")
	return mustLoad(tb, fsys, fixtureOptions())
}

func TestSearchPhrases(t *testing.T) {
	lib := phraseFixture(t)
	tests := []struct {
		name, q, first string
	}{
		{"words apart rank by the title", "half open ", "basics"},
		{"a quoted phrase ranks the page that holds it first", `"half open"`, "retry"},
		{"a hyphenated word is a phrase", "half-open", "retry"},
		{"a quote left open runs to the end", `"half open`, "retry"},
		{"typographic quotes work too", "“half open”", "retry"},
		{"the phrase may come in any case and spacing", `"HALF   Open" `, "retry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lib.Search(tt.q, 0)
			if len(got) != 2 || got[0].Page.Slug != tt.first {
				t.Errorf("Search(%q) = %v, want both pages, %s first", tt.q, urls(got), tt.first)
			}
		})
	}
	t.Run("the snippet quotes the phrase, not the first word", func(t *testing.T) {
		got := lib.Search(`"half open"`, 1)
		if len(got) != 1 {
			t.Fatalf("Search found %d pages", len(got))
		}
		if s := snippetText(got[0]); !strings.Contains(s, "half-open breaker") {
			t.Errorf("snippet = %q, want it to quote the phrase", s)
		}
		if h := hits(got[0]); !slices.Contains(h, "half") || !slices.Contains(h, "open") {
			t.Errorf("snippet hits = %v, want half and open", h)
		}
	})
	t.Run("a phrase still needs every word", func(t *testing.T) {
		if got := lib.Search(`"half xylophone"`, 0); got != nil {
			t.Errorf("Search = %v, want nil", urls(got))
		}
	})
}

func TestSearchPhrasesEmbedded(t *testing.T) {
	lib := mustDefault(t)
	// The bulkhead page tells of the Titanic: "the iceberg opened more", and
	// "half" elsewhere. The pages about the half-open state come first.
	got := urls(lib.Search("half-open", 0))
	at := slices.Index(got, "/patterns/bulkhead")
	if at < 0 {
		t.Fatalf("Search(half-open) = %v, want the bulkhead page among them", got)
	}
	for _, u := range []string{"/patterns/circuit-breaker", "/questions/design-patterns", "/guides/challenges",
		"/questions/monitoring-and-troubleshooting"} {
		if i := slices.Index(got, u); i < 0 || i > at {
			t.Errorf("Search(half-open) = %v, want %s before /patterns/bulkhead", got, u)
		}
	}
	if len(got) == 0 || got[0] != "/patterns/circuit-breaker" {
		t.Errorf("Search(half-open) = %v, want /patterns/circuit-breaker first", got)
	}
}

func TestSearchTypos(t *testing.T) {
	lib := mustDefault(t)
	tests := []struct {
		q, first, corrected string
	}{
		{"circut", "/patterns/circuit-breaker", "circuit"},
		{"bulkhaed", "/patterns/bulkhead", "bulkhead"},
		{"sagga", "/patterns/saga", "saga"},
		{"Circut breakr", "/patterns/circuit-breaker", "Circuit breaker"},
		{`"circut breaker"`, "/patterns/circuit-breaker", `"circuit breaker"`},
		{"circuit breaker", "/patterns/circuit-breaker", ""},
	}
	for _, tt := range tests {
		got, corrected := lib.SearchWithInfo(tt.q, 10)
		if len(got) == 0 || got[0].Page.URL != tt.first {
			t.Errorf("SearchWithInfo(%q) = %v, want %s first", tt.q, urls(got), tt.first)
		}
		if corrected != tt.corrected {
			t.Errorf("SearchWithInfo(%q) corrected it to %q, want %q", tt.q, corrected, tt.corrected)
		}
	}
	// The index holds the stem "kubernete"; the reader is shown the word.
	if _, corrected := lib.SearchWithInfo("kubernetse ", 10); corrected != "kubernetes " {
		t.Errorf("SearchWithInfo(kubernetse) corrected it to %q, want %q", corrected, "kubernetes ")
	}
}

// typoFixture is the fixture with the basics guide titled "Idempotency
// basics": "idempotentt" is then one edit from "idempotent", in the
// question page's key points, and two from "idempotency", in the guide's
// title.
func typoFixture(tb testing.TB) *content.Library {
	tb.Helper()
	fsys := validFixture()
	edit(tb, fsys, "guides/basics.md", "title: Basics", "title: Idempotency basics")
	return mustLoad(tb, fsys, fixtureOptions())
}

func TestSearchTyposFixture(t *testing.T) {
	lib := typoFixture(t)
	tests := []struct {
		name, q   string
		want      []string // slugs, in order
		corrected string
	}{
		{"a word of three letters is taken as typed", "cat ", nil, ""},
		{"which is not for want of a near word", "cap ", []string{"retry", "why-retry"}, ""},
		{"a word of four letters may be one edit out", "capp ", []string{"retry", "why-retry"}, "cap "},
		{"a swap of two letters is one edit", "fualts ", []string{"retry", "why-retry", "basics"}, "faults "},
		{"two edits are too many for five letters", "fuatl ", nil, ""},
		{"two edits are forgiven from eight letters", "expnentialy ", []string{"retry", "why-retry"}, "exponentially "},
		{"a word spelt as in the text is not corrected", "idempotency ", []string{"basics"}, ""},
		{"nor is one that begins a word of the text", "idempot", []string{"basics", "why-retry"}, ""},
		{"the nearer spelling ranks first, over a title", "idempotentt ", []string{"why-retry", "basics"}, "idempotent "},
		{"a number is not corrected", "1000 ", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, corrected := lib.SearchWithInfo(tt.q, 0)
			var slugs []string
			for _, r := range got {
				slugs = append(slugs, r.Page.Slug)
			}
			if !slices.Equal(slugs, tt.want) || corrected != tt.corrected {
				t.Errorf("SearchWithInfo(%q) = %v, %q; want %v, %q", tt.q, slugs, corrected, tt.want, tt.corrected)
			}
		})
	}
}

func ExampleLibrary_SearchWithInfo() {
	lib, err := content.Default(content.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	results, corrected := lib.SearchWithInfo("circut braker", 1)
	if corrected != "" {
		fmt.Printf("Showing results for %q\n", corrected)
	}
	for _, r := range results {
		fmt.Println(r.Page.URL)
	}
	// Output:
	// Showing results for "circuit breaker"
	// /patterns/circuit-breaker
}

func TestSearchOddInput(t *testing.T) {
	lib := mustDefault(t)
	for _, q := range []string{"", "   ", "!!!", "—", "\x00\xff\xfe", strings.Repeat("a", 10000),
		strings.Repeat("saga ", 500), "<script>alert(1)</script>", "\u200b", "日本語", "a",
		`"`, `""`, `"""`, `"saga`, `saga"`, `sa"ga`, `" "`, "“", "-", "---", "saga-", "-saga",
		"one two three four five six seven eight nine ten", `"one two three four five six seven eight nine ten"`,
		strings.Repeat("circuit-", 200), `"` + strings.Repeat("saga ", 300), strings.Repeat(`"saga breaker" `, 50),
		strings.Repeat("x", 31), strings.Repeat("x", 32), strings.Repeat("x", 33), strings.Repeat("é", 40),
		"circuitbreakercircuitbreakerxx", strings.Repeat("circut ", 20), "2024 http2 v1"} {
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
	if got, corrected := none.SearchWithInfo("sagga", 1); got != nil || corrected != "" {
		t.Error("SearchWithInfo on a nil library returned results")
	}
}

func FuzzSearch(f *testing.F) {
	lib := mustDefault(f)
	for _, seed := range []string{"saga", "circuit br", "x", "", "ÄÖü ß", "a-b_c", "retries!",
		`"half open"`, "half-open", `"circut`, "bulkhaed isolaton", "“”"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got, corrected := lib.SearchWithInfo(q, 3)
		if len(got) > 3 {
			t.Errorf("SearchWithInfo(%q, 3) returned %d results", q, len(got))
		}
		if got == nil && corrected != "" {
			t.Errorf("SearchWithInfo(%q) found nothing but corrected it to %q", q, corrected)
		}
		if !utf8.ValidString(q) {
			return
		}
		if !utf8.ValidString(corrected) {
			t.Errorf("SearchWithInfo(%q): invalid UTF-8 correction %q", q, corrected)
		}
		for _, r := range got {
			if s := snippetText(r); !utf8.ValidString(s) {
				t.Errorf("SearchWithInfo(%q): invalid UTF-8 snippet %q", q, s)
			}
		}
	})
}

// benchQueries are what people type: single words, two words, prefixes
// mid-word, words that match nothing, typos and phrases.
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
	"circut",
	"bulkhaed isolaton",
	`"half open"`,
	"event-driven",
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
