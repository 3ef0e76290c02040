package web

import (
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"microlab/simulator"
)

// The naive settings fail with their figures, par passes with a score, the
// best is kept and the form comes back with the last settings; pattern
// pages link to their challenges.
func TestAChallengeScoredThroughItsForm(t *testing.T) {
	_, hs := newLabTestServer(t, nil)
	le := newLearner(t, hs.URL)
	ch, _ := simulator.ChallengeBySlug("dead-instance")
	path := "/lab/challenges/" + ch.Slug

	doc := mustDoc(t, wantStatus(t, le.get(t, path), http.StatusOK))
	for _, k := range ch.Knobs {
		if got := doc.Find("[name=" + k.Name + "]").Length(); got != 1 {
			t.Errorf("the form has %d fields for knob %s", got, k.Name)
		}
	}
	naive := ch.Naive.Values()
	naive.Set("action", "run")
	doc = mustDoc(t, wantStatus(t, le.submit(t, path, naive), http.StatusOK))
	if got := doc.Find("[data-testid=challenge-result]").AttrOr("data-pass", ""); got != "false" {
		t.Errorf("naive settings: pass %q", got)
	}
	if got := doc.Find("[data-testid=challenge-outcomes] li.fail").Text(); !strings.Contains(got, "goal") {
		t.Errorf("the failed objectives read %q, want their figures against the goal", got)
	}
	if n := doc.Find(".challenge-chart svg path.line").Length(); n != 3 {
		t.Errorf("%d charts of the run, want 3", n)
	}
	par := ch.Par.Values()
	doc = mustDoc(t, wantStatus(t, le.submit(t, path, par), http.StatusOK))
	if got := doc.Find("[data-testid=challenge-result]").AttrOr("data-pass", ""); got != "true" {
		t.Fatalf("par settings: pass %q: %s", got, doc.Find("[data-testid=challenge-outcomes]").Text())
	}
	want := simulator.Evaluate(ch, ch.Par, challengeSeed)
	if got := doc.Find("#result-h").Text(); !strings.Contains(got, "score "+strconv.Itoa(want.Score)+" of 1000") {
		t.Errorf("the result says %q, want score %d", got, want.Score)
	}
	// A worse run later does not lower the best; the form keeps the last.
	wantStatus(t, le.submit(t, path, naive), http.StatusOK)
	idx := mustDoc(t, wantStatus(t, le.get(t, "/lab/challenges"), http.StatusOK))
	if got := idx.Find("[data-testid=challenges]").Text(); !strings.Contains(got, "best score "+strconv.Itoa(want.Score)) {
		t.Errorf("the list does not show the best score %d: %q", want.Score, got)
	}
	doc = mustDoc(t, wantStatus(t, le.get(t, path), http.StatusOK))
	for _, st := range ch.Naive.List {
		if got := fieldValue(doc, st.Knob); got != st.Value {
			t.Errorf("knob %s shows %q, want the last run's %q", st.Knob, got, st.Value)
		}
	}
	cb := mustDoc(t, wantStatus(t, le.get(t, "/patterns/"+ch.Pattern), http.StatusOK))
	if cb.Find(`[data-testid=challenge-link][href="`+path+`"]`).Length() == 0 {
		t.Errorf("/patterns/%s does not link to its challenge", ch.Pattern)
	}
}

// Bad settings get a 400 that names the knob, with the form as sent and
// nothing stored; a busy simulator gets a 503 and runs nothing; "watch it
// live" opens the same run as a lab.
func TestChallengeBadInputBusyAndLive(t *testing.T) {
	ts, hs := newLabTestServer(t, nil)
	le := newLearner(t, hs.URL)
	ch, _ := simulator.ChallengeBySlug("slow-payment")
	path := "/lab/challenges/" + ch.Slug
	k := ch.Knobs[0]
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"warp-drive": {"on"}}, `unknown knob "warp-drive"`},
		{url.Values{k.Name: {"999999999"}}, "out of range"},
		{url.Values{k.Name: {"1", "2"}}, "given 2 times"},
		{url.Values{k.Name: {strings.Repeat("9", 100)}}, k.Name},
		{url.Values{"action": {"explode"}}, "run the challenge or to watch it live"},
	} {
		res := le.submit(t, path, tc.form)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%v: status %d, want 400", tc.form, res.StatusCode)
			continue
		}
		body := mustDoc(t, res).Text()
		if !strings.Contains(strings.ToLower(body), strings.ToLower(tc.want)) {
			t.Errorf("%v: the page does not say %q", tc.form, tc.want)
		}
	}
	if le.id() != "" {
		if runs, _ := ts.store.ChallengeBests(t.Context(), le.id()); len(runs) != 0 {
			t.Errorf("refused forms stored %d runs", len(runs))
		}
	}

	// Busy: every evaluation slot held by a run that waits.
	slots := max(1, int(ts.labs.Limits().CPUShare*float64(runtime.GOMAXPROCS(0))))
	release, held := make(chan struct{}), make(chan struct{})
	for range slots {
		go ts.labs.Evaluate(func() { held <- struct{}{}; <-release })
		<-held
	}
	res := le.submit(t, path, ch.Par.Values())
	close(release)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Errorf("with the simulator busy: %d, Retry-After %q; want 503 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}

	live := ch.Par.Values()
	live.Set("action", "live")
	res = wantStatus(t, le.submit(t, path, live), http.StatusSeeOther)
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "/lab/s/") {
		t.Fatalf("watch it live went to %q", loc)
	}
	doc := mustDoc(t, wantStatus(t, le.get(t, loc), http.StatusOK))
	if got := doc.Find("h1").Text(); got != ch.Title {
		t.Errorf("the live lab's title is %q, want %q", got, ch.Title)
	}
}

// fieldValue is the value a form field shows: an input's value or a
// select's chosen option.
func fieldValue(doc *goquery.Document, name string) string {
	f := doc.Find("[name=" + name + "]")
	if goquery.NodeName(f) == "select" {
		return f.Find("option[selected]").AttrOr("value", "")
	}
	return f.AttrOr("value", "")
}

// The best run of each challenge is on the progress page.
func TestChallengeBestsOnProgress(t *testing.T) {
	_, hs := newLabTestServer(t, nil)
	le := newLearner(t, hs.URL)
	ch, _ := simulator.ChallengeBySlug("broker-outage")
	wantStatus(t, le.submit(t, "/lab/challenges/"+ch.Slug, ch.Par.Values()), http.StatusOK)
	doc := mustDoc(t, wantStatus(t, le.get(t, "/progress"), http.StatusOK))
	row := doc.Find(`[data-testid=challenge-bests] tr:has(a[href="/lab/challenges/` + ch.Slug + `"])`).Text()
	if want := simulator.Evaluate(ch, ch.Par, challengeSeed).Score; !strings.Contains(row, "best score "+strconv.Itoa(want)) {
		t.Errorf("progress shows %q for %s, want best score %d", row, ch.Slug, want)
	}
}
