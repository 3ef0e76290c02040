package interview_test

import (
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"microlab/content"
	"microlab/internal/materials"
	"microlab/interview"
)

// library is the real, checked library, loaded once for every test.
var library = sync.OnceValues(func() (*content.Library, error) {
	lib, _, err := materials.Load()
	return lib, err
})

func mustLibrary(tb testing.TB) *content.Library {
	tb.Helper()
	lib, err := library()
	if err != nil {
		tb.Fatalf("the real content does not load: %v", err)
	}
	return lib
}

// fixture is a valid design file of one design, in the shop.
const fixture = `designs:
  - id: checkout-under-payment-faults
    prompt: Design checkout so that the shop keeps taking orders while payment is down.
    speaking: 5m
    key_points:
      - text: A timeout on every call to payment, shorter than the caller's deadline.
        section: /guides/idempotency-and-retries#deadlines-and-their-propagation
      - text: A circuit breaker that fails fast; see [the pattern](/patterns/circuit-breaker#how-it-works).
        section: /patterns/circuit-breaker#how-it-works
      - text: A bulkhead that caps concurrent calls to ` + "`payment`" + `.
        section: /patterns/bulkhead#how-it-works
      - text: Retries at one layer only, under a budget.
        section: /guides/idempotency-and-retries#retry-at-one-layer-only
      - text: An idempotency key per charge.
        section: /guides/idempotency-and-retries#idempotency-keys
    strong_answer:
      - Quotes Resilience4j's defaults, a window of 100 calls and 60 s open.
      - Names the fallback's failure mode.
    follow_ups:
      - q: Why not a 30 s timeout?
        a: Because the waiting moves **upstream**.
`

func load(tb testing.TB, data string) ([]interview.Design, error) {
	tb.Helper()
	fsys := fstest.MapFS{"interview/design.yaml": {Data: []byte(data)}}
	return interview.LoadDesigns(fsys, "interview/design.yaml", mustLibrary(tb))
}

func TestAValidFileLoads(t *testing.T) {
	ds, err := load(t, fixture)
	if err != nil {
		t.Fatalf("LoadDesigns: %v", err)
	}
	if len(ds) != 1 {
		t.Fatalf("got %d designs, want 1", len(ds))
	}
	d := ds[0]
	if d.ID != "checkout-under-payment-faults" || d.Speaking != 5*time.Minute || len(d.Points) != 5 {
		t.Errorf("design = %q, %s, %d points; want checkout-under-payment-faults, 5m, 5", d.ID, d.Speaking, len(d.Points))
	}
	p := d.Points[1]
	if p.Page != "circuit-breaker" || p.Section != "how-it-works" {
		t.Errorf("Points[1] = page %q, section %q; want circuit-breaker, how-it-works", p.Page, p.Section)
	}
	if got, want := p.URL(mustLibrary(t)), "/patterns/circuit-breaker#how-it-works"; got != want {
		t.Errorf("Points[1].URL = %q, want %q", got, want)
	}
	if got := p.HTML; !strings.Contains(got, `<a href="/patterns/circuit-breaker#how-it-works">the pattern</a>`) || strings.HasPrefix(got, "<p>") {
		t.Errorf("Points[1].HTML = %q", got)
	}
	if got, want := d.Points[2].HTML, "A bulkhead that caps concurrent calls to <code>payment</code>."; got != want {
		t.Errorf("Points[2].HTML = %q, want %q", got, want)
	}
	if len(d.Strong) != 2 || len(d.StrongHTML) != 2 || !strings.Contains(d.StrongHTML[0], "Resilience4j") {
		t.Errorf("Strong = %q, StrongHTML = %q", d.Strong, d.StrongHTML)
	}
	if got, want := d.FollowUps[0].AHTML, "Because the waiting moves <strong>upstream</strong>."; got != want {
		t.Errorf("FollowUps[0].AHTML = %q, want %q", got, want)
	}
}

func TestEveryRuleIsChecked(t *testing.T) {
	r := strings.NewReplacer // brevity: each case rewrites the valid fixture
	tests := []struct {
		name string
		data string
		want string // substring of the error
	}{
		{"an unknown field", r("    speaking:", "    speeking:").Replace(fixture), "field speeking not found"},
		{"a second document", fixture + "---\ndesigns: []\n", "more than one YAML document"},
		{"no designs", "designs: []\n", "no designs"},
		{"an id that is not a slug", r("id: checkout-under-payment-faults", "id: Checkout_Faults").Replace(fixture), `id "Checkout_Faults" must be lower-case`},
		{"an id used twice", fixture + strings.TrimPrefix(fixture, "designs:\n"), `id "checkout-under-payment-faults" is already used by designs[0]`},
		{"an empty prompt", r("    prompt: Design checkout so that the shop keeps taking orders while payment is down.\n", "    prompt: \"\"\n").Replace(fixture), "prompt is empty"},
		{"a prompt without its full stop", r("payment is down.\n", "payment is down\n").Replace(fixture), "prompt must end with . or ?"},
		{"a prompt of three sentences", r("payment is down.\n", "payment is down. Go on. And on.\n").Replace(fixture), "prompt has 3 sentences, at most 2"},
		{"a speaking time that is not a duration", r("speaking: 5m", "speaking: five").Replace(fixture), `speaking "five" is not a duration`},
		{"too short a speaking time", r("speaking: 5m", "speaking: 90s").Replace(fixture), "speaking is 1m30s, want 2m0s to 10m0s"},
		{"too long a speaking time", r("speaking: 5m", "speaking: 11m").Replace(fixture), "speaking is 11m0s, want 2m0s to 10m0s"},
		{"too few key points", r("      - text: An idempotency key per charge.\n        section: /guides/idempotency-and-retries#idempotency-keys\n", "").Replace(fixture), "key_points has 4 entries, want 5 to 8"},
		{"too many key points", r("    strong_answer:", strings.Repeat("      - text: One more.\n        section: /patterns/bulkhead#how-it-works\n", 4)+"    strong_answer:").Replace(fixture), "key_points has 9 entries, want 5 to 8"},
		{"a key point over 240 characters", r("An idempotency key per charge.", "An idempotency key"+strings.Repeat(" per charge", 22)+".").Replace(fixture), "key_points[4].text is 261 characters, at most 240"},
		{"an empty key point", r("text: An idempotency key per charge.", `text: ""`).Replace(fixture), "key_points[4].text: empty"},
		{"a key point of two paragraphs", r("text: An idempotency key per charge.", `text: "One.\n\n    Two."`).Replace(fixture), "key_points[4].text: must be one paragraph"},
		{"raw HTML in a key point", r("An idempotency key per charge.", "An <b>idempotency</b> key.").Replace(fixture), "key_points[4].text: raw HTML"},
		{"a broken link in a key point", r("[the pattern](/patterns/circuit-breaker#how-it-works)", "[the pattern](/patterns/circuit-breakers)").Replace(fixture), "key_points[1].text: link \"/patterns/circuit-breakers\": there is no page"},
		{"a section without a heading id", r("section: /patterns/bulkhead#how-it-works", "section: /patterns/bulkhead").Replace(fixture), `key_points[2].section "/patterns/bulkhead" must be a page path with a heading id`},
		{"a section on a page that does not exist", r("section: /patterns/bulkhead#how-it-works", "section: /patterns/bulkheads#how-it-works").Replace(fixture), "there is no page patterns/bulkheads.md"},
		{"a section under the wrong kind", r("section: /patterns/bulkhead#how-it-works", "section: /guides/bulkhead#how-it-works").Replace(fixture), "there is no page guides/bulkhead.md"},
		{"a section whose heading does not exist", r("section: /patterns/bulkhead#how-it-works", "section: /patterns/bulkhead#how-it-work").Replace(fixture), `patterns/bulkhead.md has no heading with the id "how-it-work"`},
		{"a relative section", r("section: /patterns/bulkhead#how-it-works", "section: bulkhead#how-it-works").Replace(fixture), "must be a page path"},
		{"a strong answer of one entry", r("      - Names the fallback's failure mode.\n", "").Replace(fixture), "strong_answer has 1 entries, want 2 to 4"},
		{"a strong answer of five entries", r("    strong_answer:\n", "    strong_answer:\n"+strings.Repeat("      - More.\n", 3)).Replace(fixture), "strong_answer has 5 entries, want 2 to 4"},
		{"a strong answer over 300 characters", r("Names the fallback's failure mode.", "Names the fallback's failure mode"+strings.Repeat(" again", 50)+".").Replace(fixture), "strong_answer[1] is 334 characters, at most 300"},
		{"a broken link in a strong answer", r("Names the fallback's failure mode.", "Names [the fallback](/questions/nope).").Replace(fixture), "strong_answer[1]: link \"/questions/nope\""},
		{"no follow-ups", r("    follow_ups:\n      - q: Why not a 30 s timeout?\n        a: Because the waiting moves **upstream**.\n", "").Replace(fixture), "follow_ups has 0 entries, want 1 to 3"},
		{"four follow-ups", fixture + strings.Repeat("      - q: Why?\n        a: Because.\n", 3), "follow_ups has 4 entries, want 1 to 3"},
		{"a follow-up answer over 600 characters", r("Because the waiting moves **upstream**.", "Because"+strings.Repeat(" it waits", 70)+".").Replace(fixture), "follow_ups[0].a is 638 characters, at most 600"},
		{"a follow-up without its question", r("q: Why not a 30 s timeout?", `q: ""`).Replace(fixture), "follow_ups[0].q: empty"},
	}
	for _, tt := range tests {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			ds, err := load(t, tt.data)
			if err == nil {
				t.Fatalf("LoadDesigns succeeded with %d designs, want an error containing %q", len(ds), tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant one containing %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "interview/design.yaml") {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

func TestEveryProblemIsReportedNamingItsDesign(t *testing.T) {
	second := strings.NewReplacer("id: checkout-under-payment-faults", "id: order-events", "speaking: 5m", "speaking: 1m").
		Replace(strings.TrimPrefix(fixture, "designs:\n"))
	data := strings.Replace(fixture, "speaking: 5m", "speaking: 20m", 1) + second
	_, err := load(t, data)
	if err == nil {
		t.Fatal("LoadDesigns succeeded, want two problems")
	}
	for _, want := range []string{
		`design "checkout-under-payment-faults": speaking is 20m0s`,
		`design "order-events": speaking is 1m0s`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q:\n%v", want, err)
		}
	}
}

func TestAMissingFile(t *testing.T) {
	_, err := interview.LoadDesigns(fstest.MapFS{}, "interview/design.yaml", mustLibrary(t))
	if err == nil || !strings.Contains(err.Error(), "interview/design.yaml") {
		t.Errorf("error = %v, want one naming interview/design.yaml", err)
	}
}

// The published prompts load against the real pages: every section they
// cite exists and every text renders.
func TestThePublishedDesignsLoad(t *testing.T) {
	ds, err := interview.LoadDesigns(content.Files(), "interview/design.yaml", mustLibrary(t))
	if err != nil {
		t.Fatalf("content/interview/design.yaml: %v", err)
	}
	if len(ds) != 5 {
		t.Errorf("got %d designs, want 5", len(ds))
	}
	for _, d := range ds {
		for i, p := range d.Points {
			if p.HTML == "" || p.Page == "" || p.Section == "" {
				t.Errorf("%s: Points[%d] = %+v, want text, page and section", d.ID, i, p)
			}
		}
	}
}
