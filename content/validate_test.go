package content_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"microlab/content"
)

func TestValidFixtureLoads(t *testing.T) {
	lib := mustLoad(t, validFixture(), fixtureOptions())
	if got := len(lib.All()); got != 3 {
		t.Errorf("len(All()) = %d, want 3", got)
	}
}

// TestValidationRules breaks one rule at a time in an otherwise valid tree
// and checks that Load reports it against the right file.
func TestValidationRules(t *testing.T) {
	const (
		pattern  = "patterns/retry.md"
		question = "questions/why-retry.md"
		guide    = "guides/basics.md"
	)
	tests := []struct {
		name   string
		break_ func(tb testing.TB, fsys fstest.MapFS)
		opts   *content.Options // nil: fixtureOptions()
		file   string
		want   string // substring of the problem's message
		line   string // when set, the problem is on the line holding this text
	}{
		{
			name:   "a missing required field",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, guide, "summary: The idea behind retries.\n", "") },
			file:   guide, want: `"summary" is required`,
		},
		{
			name:   "a misspelt field",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, guide, "tags:", "tagz:") },
			file:   guide, want: `unknown front matter field "tagz"`, line: "tagz:",
		},
		{
			name:   "a slug that is not the file name",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, guide, "slug: basics", "slug: basic") },
			file:   guide, want: "does not match the file name", line: "slug: basic",
		},
		{
			name: "a slug used twice across kinds",
			break_: func(tb testing.TB, f fstest.MapFS) {
				f["guides/retry.md"] = &fstest.MapFile{Data: []byte(strings.NewReplacer(
					"slug: basics", "slug: retry", "order: 1", "order: 2", "## The idea", "## Another idea",
				).Replace(fixtureGuide()))}
			},
			file: "guides/retry.md", want: `slug "retry" is already used by patterns/retry.md`,
		},
		{
			name: "an order used twice in a kind",
			break_: func(tb testing.TB, f fstest.MapFS) {
				f["guides/more.md"] = &fstest.MapFile{Data: []byte(strings.ReplaceAll(fixtureGuide(), "basics", "more"))}
			},
			file: "guides/more.md", want: "order 1 is already used by guides/basics.md",
		},
		{
			name:   "a kind that does not match the folder",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, guide, "kind: guide", "kind: pattern") },
			file:   guide, want: "does not match the folder",
		},
		{
			name: "a summary over 200 characters",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, guide, "The idea behind retries.", strings.Repeat("x", 201))
			},
			file: guide, want: "summary is 201 characters",
		},
		{
			name:   "a related page that does not exist",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, guide, "related: [retry]", "related: [retry, nope]") },
			file:   guide, want: `related page "nope" does not exist`,
		},
		{
			name:   "an empty related list",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, guide, "related: [retry]", "related: []") },
			file:   guide, want: "related must list at least one page",
		},
		{
			name:   "a reviewed date that is not a date",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, guide, "reviewed: 2026-11-28", "reviewed: last week") },
			file:   guide, want: "is not a date",
		},
		{
			name:   "a file without front matter",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, guide, "---\ntitle", "title") },
			file:   guide, want: "must start with front matter",
		},
		{
			name: "a link to a page that does not exist",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, pattern, "(/questions/why-retry)", "(/questions/why-retryy)")
			},
			file: pattern, want: "there is no page questions/why-retryy.md", line: "/questions/why-retryy",
		},
		{
			name: "a link to a page under the wrong kind",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, pattern, "(/questions/why-retry)", "(/guides/why-retry)")
			},
			file: pattern, want: "there is no page guides/why-retry.md",
		},
		{
			name: "an anchor missing on another page",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, pattern, "/guides/basics#the-idea", "/guides/basics#the-ideas")
			},
			file: pattern, want: `guides/basics.md has no heading with the id "the-ideas"`, line: "#the-ideas",
		},
		{
			name:   "an anchor missing on the same page",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, pattern, "(#the-problem)", "(#the-problems)") },
			file:   pattern, want: `no heading on this page has the id "the-problems"`,
		},
		{
			name: "a link to an unknown top-level path",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, guide, "## The idea\n", "## The idea\n\nSee [this](/foo/bar).\n")
			},
			file: guide, want: "unknown path: the site has no /foo",
		},
		{
			name: "a relative link",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, guide, "## The idea\n", "## The idea\n\nSee [this](../patterns/retry).\n")
			},
			file: guide, want: "internal links are absolute paths",
		},
		{
			name: "an image of a missing diagram",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, pattern, "(/diagrams/retry.svg", "(/diagrams/retries.svg")
			},
			file: pattern, want: "there is no diagrams/retries.svg", line: "/diagrams/retries.svg",
		},
		{
			name: "an image outside the diagrams",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, pattern, "(/diagrams/retry.svg", "(https://example.com/x.png")
			},
			file: pattern, want: "must point at a diagram",
		},
		{
			name: "an image without alt text",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, pattern, "![The client calls, fails, waits and calls again.]", "![]")
			},
			file: pattern, want: "has no alt text",
		},
		{
			name: "a raw HTML block",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, guide, "## The idea\n", "## The idea\n\n<div class=\"x\">boxed</div>\n")
			},
			file: guide, want: "raw HTML is not allowed", line: `<div class="x">`,
		},
		{
			name: "inline raw HTML",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, guide, "## The idea\n", "## The idea\n\nA <span>word</span> here.\n")
			},
			file: guide, want: "raw HTML is not allowed", line: "<span>",
		},
		{
			name:   "raw HTML in a key point",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, question, "Budget retries", "Budget <b>retries</b>") },
			file:   question, want: "key_points[3]: raw HTML is not allowed", line: "<b>retries",
		},
		{
			name: "a broken link in a follow-up answer",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, question, "So that clients", "So that [clients](/patterns/nope)")
			},
			file: question, want: "follow_ups[1].a: link \"/patterns/nope\"",
		},
		{
			name: "a lab link to an unknown scenario",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, guide, "## The idea\n", "## The idea\n\nTry [the lab](/lab/retry-storms).\n")
			},
			file: guide, want: `"retry-storms" is not a known simulator scenario`,
		},
		{
			name:   "a lab field naming an unknown scenario",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, pattern, "lab: retry-storm", "lab: retry-storms") },
			file:   pattern, want: `lab "retry-storms" is not a known simulator scenario`, line: "lab: retry-storms",
		},
		{
			name: "a quiz link to an unknown topic",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, guide, "## The idea\n", "## The idea\n\nTake [the quiz](/quiz?topic=retries).\n")
			},
			file: guide, want: `there is no quiz bank for topic "retries"`,
		},
		{
			name:   "a lab field on a guide",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, guide, "tags:", "lab: retry-storm\ntags:") },
			file:   guide, want: `"lab" is not allowed here`,
		},
		{
			name: "a question without its two-minute answer",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, question, "## The two-minute answer\n\n"+filler(300)+"\n\n", "")
			},
			file: question, want: `starts with "## The two-minute answer"`,
		},
		{
			name:   "a two-minute answer that runs on",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, question, filler(300), filler(500)) },
			file:   question, want: "the two-minute answer has 500 words",
		},
		{
			name: "too few key points",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, question, "  - Never retry into an open breaker.\n", "")
			},
			file: question, want: "key_points has 4 entries, want 5 to 8",
		},
		{
			name: "too many follow-ups",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, question, "follow_ups:\n", "follow_ups:\n"+strings.Repeat("  - q: Why?\n    a: Because.\n", 3))
			},
			file: question, want: "follow_ups has 5 entries, want 2 to 4",
		},
		{
			name: "a question without its strong answer",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, question, "strong_answer:\n  - Names the numbers of the budget, such as a 10% limit on retries per client.\n", "strong_answer:\n")
				edit(tb, f, question, "strong_answer:\n  - Says how a retry storm shows up, as requests per second rising while successes fall; see [the pattern](/patterns/retry#how-it-works).\n", "")
			},
			file: question, want: `"strong_answer" is required`,
		},
		{
			name: "a strong answer of one entry",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, question, "  - Names the numbers of the budget, such as a 10% limit on retries per client.\n", "")
			},
			file: question, want: "strong_answer has 1 entries, want 2 to 4", line: "strong_answer:",
		},
		{
			name: "a strong answer of five entries",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, question, "strong_answer:\n", "strong_answer:\n"+strings.Repeat("  - One more.\n", 3))
			},
			file: question, want: "strong_answer has 5 entries, want 2 to 4",
		},
		{
			name: "a strong answer entry over 300 characters",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, question, "such as a 10% limit", "such as a 10% limit"+strings.Repeat(" and more", 30))
			},
			file: question, want: "strong_answer[0] is 345 characters, at most 300", line: "such as a 10% limit",
		},
		{
			name: "a broken link in a strong answer",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, question, "(/patterns/retry#how-it-works).\n---", "(/patterns/retry#how-it-work).\n---")
			},
			file: question, want: `strong_answer[1]: link "/patterns/retry#how-it-work"`, line: "#how-it-work)",
		},
		{
			name: "a strong answer on a pattern",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, pattern, "tags:", "strong_answer:\n  - More.\n  - Yet more.\ntags:")
			},
			file: pattern, want: `"strong_answer" is not allowed here: only question pages have it`, line: "strong_answer:",
		},
		{
			name:   "a strong answer on a guide",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, guide, "tags:", "strong_answer: [a, b]\ntags:") },
			file:   guide, want: `"strong_answer" is not allowed here`,
		},
		{
			name: "a question without its question",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, question, "question: When should a service retry a failed call?\n", "")
			},
			file: question, want: `"question" is required`,
		},
		{
			name:   "a pattern without key points",
			break_: func(tb testing.TB, f fstest.MapFS) { cutKeyPoints(tb, f, pattern) },
			file:   pattern, want: `"key_points" is required`,
		},
		{
			name: "too few key points on a pattern",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, pattern, "  - Never retry into an open breaker.\n", "")
			},
			file: pattern, want: "key_points has 4 entries, want 5 to 8", line: "key_points:",
		},
		{
			name: "too many key points on a pattern",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, pattern, "key_points:\n", "key_points:\n"+strings.Repeat("  - One more idea.\n", 4))
			},
			file: pattern, want: "key_points has 9 entries, want 5 to 8",
		},
		{
			name: "a broken link in a pattern's key point",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, pattern, "#the-short-answer)", "#the-short-answers)")
			},
			file: pattern, want: `key_points[1]: link "/questions/why-retry#the-short-answers": questions/why-retry.md has no heading`,
			line: "#the-short-answers)",
		},
		{
			name:   "a question on a pattern",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, pattern, "tags:", "question: Why retry?\ntags:") },
			file:   pattern, want: `"question" is not allowed here`, line: "question: Why retry?",
		},
		{
			name: "follow-ups on a pattern",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, pattern, "tags:", "follow_ups:\n  - q: Why?\n    a: Because.\ntags:")
			},
			file: pattern, want: `"follow_ups" is not allowed here`,
		},
		{
			name:   "key points on a guide",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, guide, "tags:", "key_points: [a]\ntags:") },
			file:   guide, want: `"key_points" is not allowed here`,
		},
		{
			name: "a key point that is not one paragraph",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, question, "  - Budget retries across the fleet.", "  - \"# Budget retries across the fleet.\"")
			},
			file: question, want: "key_points[3] must be one paragraph",
		},
		{
			name: "a pattern section missing",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, pattern, "## When not to use it", "## When to avoid it")
			},
			file: pattern, want: `the section "## When not to use it"`,
		},
		{
			name: "pattern sections out of order",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, pattern, "## The problem", "## Swap")
				edit(tb, f, pattern, "## Trade-offs and failure modes", "## The problem")
				edit(tb, f, pattern, "## Swap", "## Trade-offs and failure modes")
			},
			file: pattern, want: "sections are out of order", line: "## Trade-offs and failure modes",
		},
		{
			name:   "an interview subsection missing",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, pattern, "### Weak answers", "### Poor answers") },
			file:   pattern, want: `the subsection "### Weak answers"`,
		},
		{
			name: "a pattern without its diagram",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, pattern, `![The client calls, fails, waits and calls again.](/diagrams/retry.svg "A retried call")`, "")
			},
			file: pattern, want: "needs the pattern's diagram",
		},
		{
			name:   "a pattern that is too short",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, pattern, filler(120), "Short.") },
			file:   pattern, want: "at least 900 words",
		},
		{
			name:   "a question answer that is too short",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, question, filler(60), "Short.") },
			file:   question, want: "at least 350 words",
		},
		{
			name:   "an empty page",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, guide, "## The idea\n\n"+filler(80), "") },
			file:   guide, want: "the page has no body",
		},
		{
			name:   "a code block without a language",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, pattern, "```go\n", "```\n") },
			file:   pattern, want: "must name its language",
		},
		{
			name:   "an h1 in the body",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, guide, "## The idea", "# The idea") },
			file:   guide, want: "start sections at ##",
		},
		{
			name: "a diagram with a script",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, "diagrams/retry.svg", "<rect", "<script>alert(1)</script><rect")
			},
			file: "diagrams/retry.svg", want: "<script> is not allowed",
		},
		{
			name:   "a diagram with a style attribute",
			break_: func(tb testing.TB, f fstest.MapFS) { edit(tb, f, "diagrams/retry.svg", `rx="8"`, `style="fill:red"`) },
			file:   "diagrams/retry.svg", want: "style attributes are not allowed",
		},
		{
			name: "a diagram without a desc",
			break_: func(tb testing.TB, f fstest.MapFS) {
				edit(tb, f, "diagrams/retry.svg", "<desc id=\"d\">The client calls, fails, waits and calls again.</desc>", "")
			},
			file: "diagrams/retry.svg", want: "needs a <desc>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is reported", func(t *testing.T) {
			fsys := validFixture()
			tt.break_(t, fsys)
			opts := fixtureOptions()
			if tt.opts != nil {
				opts = *tt.opts
			}
			lib, err := content.Load(fsys, opts)
			if err == nil {
				t.Fatalf("Load succeeded with %d pages, want a problem %q in %s", len(lib.All()), tt.want, tt.file)
			}
			if !strings.Contains(err.Error(), tt.file) {
				t.Errorf("error does not name %s:\n%v", tt.file, err)
			}
			var found *content.Error
			for _, p := range problems(t, err) {
				if p.File == tt.file && strings.Contains(p.Msg, tt.want) {
					found = p
					break
				}
			}
			if found == nil {
				t.Fatalf("no problem in %s containing %q; got:\n%v", tt.file, tt.want, err)
			}
			if tt.line != "" {
				if want := lineOf(t, fsys, tt.file, tt.line); found.Line != want {
					t.Errorf("problem on line %d, want %d: %v", found.Line, want, found)
				}
			}
		})
	}
}

func TestUncheckedReferencesWhenOptionsAreNil(t *testing.T) {
	fsys := validFixture()
	edit(t, fsys, guide(), "## The idea\n", "## The idea\n\n[Lab](/lab/anything) and [quiz](/quiz?topic=anything).\n")
	edit(t, fsys, "patterns/retry.md", "lab: retry-storm", "lab: some-other-lab")
	mustLoad(t, fsys, content.Options{})
}

// A pattern the simulator cannot show has no lab; it loads with an empty Lab.
func TestAPatternMayHaveNoLab(t *testing.T) {
	fsys := validFixture()
	edit(t, fsys, "patterns/retry.md", "lab: retry-storm\n", "")
	lib := mustLoad(t, fsys, fixtureOptions())
	p, ok := lib.Page(content.KindPattern, "retry")
	if !ok {
		t.Fatal("the pattern is missing")
	}
	if p.Lab != "" {
		t.Errorf("Lab = %q, want empty", p.Lab)
	}
}

func TestEveryProblemIsReported(t *testing.T) {
	fsys := validFixture()
	edit(t, fsys, "guides/basics.md", "tags:", "tagz:")
	edit(t, fsys, "patterns/retry.md", "(/questions/why-retry)", "(/questions/nope)")
	_, err := content.Load(fsys, fixtureOptions())
	files := map[string]bool{}
	for _, p := range problems(t, err) {
		files[p.File] = true
	}
	if !files["guides/basics.md"] || !files["patterns/retry.md"] {
		t.Errorf("problems name %v, want both broken files:\n%v", files, err)
	}
}

// cutKeyPoints removes the key_points field, its entries included, from the
// front matter of file.
func cutKeyPoints(tb testing.TB, fsys fstest.MapFS, file string) {
	tb.Helper()
	data := string(fsys[file].Data)
	start := strings.Index(data, "\nkey_points:\n")
	if start < 0 {
		tb.Fatalf("fixture %s has no key_points", file)
	}
	end := start + len("\nkey_points:")
	for strings.HasPrefix(data[end:], "\n  - ") {
		end += 1 + strings.IndexByte(data[end+1:], '\n')
	}
	fsys[file] = &fstest.MapFile{Data: []byte(data[:start] + data[end:])}
}

// guide is the fixture guide's file name.
func guide() string { return "guides/basics.md" }
