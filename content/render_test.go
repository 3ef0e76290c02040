package content

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark/text"
)

// TestRawHTMLIsNotRendered checks the renderer on its own: even if
// validation were skipped, raw HTML would not reach a page.
func TestRawHTMLIsNotRendered(t *testing.T) {
	src := []byte("<script>alert(1)</script>\n\nA <b onclick=\"x()\">bold</b> claim and [a link](javascript:alert(1)).\n")
	md := newMarkdown()
	out, err := render(md, md.Parser().Parse(text.NewReader(src)), src)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<b", "onclick", "javascript:"} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "bold") {
		t.Errorf("the text around raw HTML is lost:\n%s", out)
	}
}

func TestSplitFrontMatter(t *testing.T) {
	tests := []struct {
		name, in string
		fm, body string
		bodyLine int
		wantErr  bool
	}{
		{"fields and body", "---\na: 1\nb: 2\n---\nbody\n", "a: 1\nb: 2\n", "body\n", 5, false},
		{"no body", "---\na: 1\n---", "a: 1\n", "", 4, false},
		{"empty front matter", "---\n---\nbody", "", "body", 3, false},
		{"not closed", "---\na: 1\nbody\n", "", "", 0, true},
		{"no front matter", "body\n", "", "", 0, true},
		{"a rule inside the body is not the end", "---\na: 1\n---\nx\n---\ny\n", "a: 1\n", "x\n---\ny\n", 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fm, body, line, err := splitFrontMatter([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			if string(fm) != tt.fm || string(body) != tt.body || line != tt.bodyLine {
				t.Errorf("got %q, %q, line %d; want %q, %q, line %d", fm, body, line, tt.fm, tt.body, tt.bodyLine)
			}
		})
	}
}

func TestStem(t *testing.T) {
	for in, want := range map[string]string{
		"services": "service", "retries": "retry", "process": "process", "status": "status",
		"analysis": "analysis", "bus": "bus", "breakers": "breaker", "api": "api", "is": "is",
	} {
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLongCodeNamesBreakBetweenWords: a long name in inline code gets
// break opportunities between its words, a short one none, and the code
// is still escaped and joined across a line end.
func TestLongCodeNamesBreakBetweenWords(t *testing.T) {
	for _, c := range []struct{ md, want string }{
		{"Set `slowCallDurationThreshold` low.", "<code>slow<wbr>Call<wbr>Duration<wbr>Threshold</code>"},
		{"See `resilience4j.circuitbreaker.instances`.", "<code>resilience4j.<wbr>circuitbreaker.<wbr>instances</code>"},
		{"Use `maxAttempts`.", "<code>maxAttempts</code>"},
		{"Read `<T> value_of_a_thing`.", "<code>&lt;T&gt; value_<wbr>of_<wbr>a_<wbr>thing</code>"},
		{"Split `permittedNumber\nOfCalls` here.", "<code>permitted<wbr>Number Of<wbr>Calls</code>"},
	} {
		src := []byte(c.md)
		md := newMarkdown()
		out, err := render(md, md.Parser().Parse(text.NewReader(src)), src)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, c.want) {
			t.Errorf("%q renders as %s, want %s", c.md, out, c.want)
		}
	}
}
