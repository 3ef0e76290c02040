package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzForms posts whatever the fuzzer makes up, as a form with a good CSRF
// token and a learner's cookies, to every form handler: each must answer
// with a status a person can act on, never a 5xx.
func FuzzForms(f *testing.F) {
	ts := newTestServer(f)
	hs := httptest.NewServer(ts)
	f.Cleanup(func() { ts.Close(); hs.Close() })
	le := newLearner(f, hs.URL)
	quizID := startQuiz(&testing.T{}, le, url.Values{"topic": {"saga"}, "length": {"5"}})
	targets := []string{"/theme", "/quiz", "/quiz/" + quizID + "/answer", "/review", "/progress/delete", "/lab/free-play", "/lab/dead-instance"}
	for i := range targets {
		for _, body := range []string{
			"", "theme=dark&return=/", "theme=%ff&return=/\t/evil.example", "topic=saga&length=5", "topic=saga&topic=saga&length=999",
			"question=saga-01&q=0&option=0&option=0", "question=saga-01&q=0&order=1&order=1&order=9", "q=-1&question=nope",
			"card=q/saga&rating=5&shown_due=x", "card=%00&rating=1", "confirm=yes", "a=b&a=b&a=b", "%zz", strings.Repeat("x=1&", 500),
		} {
			f.Add(uint8(i), body)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		target := targets[int(which)%len(targets)]
		form, err := url.ParseQuery(body)
		if err != nil {
			form = url.Values{"raw": {body}}
		}
		form.Set(csrfField, le.token(t))
		res := le.post(t, target, form)
		if res.StatusCode >= 500 {
			t.Fatalf("POST %s with %q = %d", target, body, res.StatusCode)
		}
		if res.StatusCode == http.StatusSeeOther && strings.HasPrefix(target, "/lab/") {
			// A lab started: end it, so the learner's three places stay free.
			loc := res.Header.Get("Location")
			le.post(t, loc+"/stop", url.Values{csrfField: {le.token(t)}})
		}
	})
}
