package web

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"microlab/simulator"
)

// Naive against par on one challenge: both verdicts, both costs and the
// score's difference, two lines on each chart, and the proof that both
// met the same traffic; the URL is the comparison. Bad designs get a 400
// with the form kept and nothing run.
func TestTwoDesignsComparedOnTheSameTraffic(t *testing.T) {
	_, hs := newLabTestServer(t, nil)
	le := newLearner(t, hs.URL)
	ch, _ := simulator.ChallengeBySlug("dead-instance")
	base := "/lab/challenges/" + ch.Slug + "/compare"

	doc := mustDoc(t, wantStatus(t, le.get(t, base), http.StatusOK))
	if doc.Find("[data-testid=compare-result]").Length() != 0 {
		t.Error("the empty form already shows a result")
	}
	for _, k := range ch.Knobs {
		if doc.Find("[name='a."+k.Name+"']").Length() != 1 || doc.Find("[name='b."+k.Name+"']").Length() != 1 {
			t.Errorf("knob %s lacks a field for each design", k.Name)
		}
	}

	path := compareURL(ch.Slug, ch.Naive.Values(), ch.Par.Values())
	doc = mustDoc(t, wantStatus(t, le.get(t, path), http.StatusOK))
	naive, par := simulator.Evaluate(ch, ch.Naive, challengeSeed), simulator.Evaluate(ch, ch.Par, challengeSeed)
	if naive.Pass || !par.Pass {
		t.Fatalf("the fixture: naive passes %v, par %v", naive.Pass, par.Pass)
	}
	head := doc.Find("#compare-h").Text()
	if !strings.Contains(head, "Design A not passed") || !strings.Contains(head, "design B passed, score "+strconv.Itoa(par.Score)) {
		t.Errorf("the heading reads %q", head)
	}
	if got := doc.Find("[data-testid=compare-score-diff]").Text(); got != "+"+strconv.Itoa(par.Score) {
		t.Errorf("the score's difference reads %q, want +%d", got, par.Score)
	}
	if n := doc.Find(".challenge-chart svg path.line-b").Length(); n != 3 || doc.Find(".challenge-chart svg path.line").Length() != 6 {
		t.Errorf("the charts draw %d second lines, want one on each of 3", n)
	}
	arr := doc.Find("[data-testid=compare-arrivals]").Text()
	if naive.ArrivalDigest != par.ArrivalDigest || !strings.Contains(arr, "the same "+strconv.FormatUint(par.Arrivals, 10)+" requests") || !strings.Contains(arr, par.ArrivalDigest) {
		t.Errorf("the arrivals: naive %s, par %s; the page says %q", naive.ArrivalDigest, par.ArrivalDigest, arr)
	}
	if got, _ := doc.Find("[data-testid=share-link]").Attr("value"); got != hs.URL+path {
		t.Errorf("the share link is %q, want %q", got, hs.URL+path)
	}
	// Shared, it shows the same to someone else.
	other := mustDoc(t, wantStatus(t, newLearner(t, hs.URL).get(t, path), http.StatusOK))
	if other.Find("[data-testid=compare-result]").Text() != doc.Find("[data-testid=compare-result]").Text() {
		t.Error("the same comparison link shows something else to another visitor")
	}

	for name, q := range map[string]string{
		"a value out of range": "?a." + ch.Knobs[0].Name + "=999999999",
		"an unknown knob":      "?b.nope=1",
		"no design prefix":     "?" + ch.Knobs[0].Name + "=100",
		"a knob twice":         "?a." + ch.Knobs[0].Name + "=100&a." + ch.Knobs[0].Name + "=200",
	} {
		doc := mustDoc(t, wantStatus(t, le.get(t, base+q), http.StatusBadRequest))
		if doc.Find("[data-testid=compare-problem]").Text() == "" || doc.Find("[data-testid=compare-form]").Length() != 1 {
			t.Errorf("%s: no message, or no form to fix it in", name)
		}
		if doc.Find("[data-testid=compare-result]").Length() != 0 {
			t.Errorf("%s: a result was shown", name)
		}
	}
	wantStatus(t, le.get(t, "/lab/challenges/no-such-challenge/compare"), http.StatusNotFound)

	// A scored run links to its comparison with the starting settings.
	res := mustDoc(t, wantStatus(t, le.submit(t, "/lab/challenges/"+ch.Slug, ch.Par.Values()), http.StatusOK))
	if href, _ := res.Find("[data-testid=compare-link]").Attr("href"); href != compareURL(ch.Slug, ch.Par.Values(), defaultValues(ch)) {
		t.Errorf("the result's compare link is %q", href)
	}
}
