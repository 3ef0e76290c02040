package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// The slugs the content pages and quiz banks quote.
var labSlugs = []string{"dead-instance", "gateway-rate-limit", "payment-outage", "bulkhead-isolation", "slow-consumer",
	"saga-compensation", "sidecar-retries", "cascading-failure", "retry-storm", "outbox-broker-outage", "duplicate-delivery"}

var patternSlugs = map[string]bool{"service-discovery": true, "api-gateway": true, "circuit-breaker": true,
	"event-driven": true, "saga": true, "sidecar": true, "bulkhead": true, "transactional-outbox": true}

func TestScenarioCatalogue(t *testing.T) {
	scs := Scenarios()
	var slugs []string
	covered := map[string]bool{}
	for _, sc := range scs {
		slugs = append(slugs, sc.Slug)
		covered[sc.Pattern] = true
		if !patternSlugs[sc.Pattern] {
			t.Errorf("%s: pattern %q is not a pattern page", sc.Slug, sc.Pattern)
		}
		if sc.Title == "" || sc.Narrative == "" || len(sc.Checks) == 0 || len(sc.Timeline) == 0 || sc.Duration <= 0 {
			t.Errorf("%s: incomplete", sc.Slug)
		}
		if n := strings.Count(sc.Narrative, ". ") + 1; n < 2 || n > 4 {
			t.Errorf("%s: narrative has %d sentences, want 2–4", sc.Slug, n)
		}
		if n := strings.Count(sc.Setup, ". ") + 1; sc.Setup == "" || n > 3 {
			t.Errorf("%s: the set-up has %d sentences, want 1–3", sc.Slug, n)
		}
		// Everything a learner may read before a question is answered: the
		// set-up, and every stage's title and instructions (the page lists
		// them all).
		before := sc.Setup
		questions := []Question{sc.Question}
		for _, st := range sc.Stages {
			before += " " + st.Title + ". " + st.Say
			if st.Question != nil {
				before += " " + st.Question.Prompt
				questions = append(questions, *st.Question)
			}
		}
		for _, q := range questions {
			correct := 0
			for _, o := range q.Options {
				if run := sharedRun(before, o.Text+" "+o.Explanation, 5); o.Correct && run != "" {
					t.Errorf("%s: what is read before the prediction gives the answer away: %q", sc.Slug, run)
				}
				if o.Correct {
					correct++
				}
				if o.Text == "" || o.Explanation == "" {
					t.Errorf("%s: an option without text or explanation", sc.Slug)
				}
			}
			if len(q.Options) < 3 || len(q.Options) > 4 || correct != 1 || q.Prompt == "" {
				t.Errorf("%s: question with %d options, %d correct", sc.Slug, len(q.Options), correct)
			}
		}
		checkStages(t, sc)
		for _, st := range sc.Timeline {
			b, _ := MarshalCommand(st.Command)
			if _, err := DecodeCommand(b); err != nil {
				t.Errorf("%s: timeline command %s: %v", sc.Slug, b, err)
			}
		}
		if got, ok := ScenarioBySlug(sc.Slug); !ok || got.Title != sc.Title {
			t.Errorf("ScenarioBySlug(%q) failed", sc.Slug)
		}
	}
	if fmt.Sprint(slugs) != fmt.Sprint(labSlugs) {
		t.Fatalf("slugs %v, want %v", slugs, labSlugs)
	}
	for p := range patternSlugs {
		if !covered[p] {
			t.Errorf("no lab for pattern %s", p)
		}
	}
	if _, ok := ScenarioBySlug("nope"); ok {
		t.Error("ScenarioBySlug found a scenario that does not exist")
	}
}

// checkStages holds a scenario's guide to its rules: stages in time order
// from 0 within the run, each with words; at least one "now you try" stage,
// each pointing at its own check marked Yours, and every such check
// pointed at; the labs the issue names ask two questions or more.
func checkStages(t *testing.T, sc Scenario) {
	t.Helper()
	if len(sc.Stages) < 2 || sc.Stages[0].At != 0 {
		t.Errorf("%s: %d stages, the first at %v; want two or more from 0 s", sc.Slug, len(sc.Stages), sc.Stages[0].At)
		return
	}
	questions, tries := 1, map[int]bool{}
	for i, st := range sc.Stages {
		if st.Title == "" || st.Say == "" || st.At > sc.Duration || i > 0 && st.At <= sc.Stages[i-1].At {
			t.Errorf("%s: stage %d (%q at %v) is empty, out of order or past the end", sc.Slug, i, st.Title, st.At)
		}
		if st.Question != nil {
			questions++
		}
		if st.Try != nil {
			k := *st.Try
			if k < 0 || k >= len(sc.Checks) || !sc.Checks[k].Yours || tries[k] {
				t.Errorf("%s: stage %d's try points at check %d, which is not its own check marked Yours", sc.Slug, i, k)
			}
			tries[k] = true
		}
	}
	for k, c := range sc.Checks {
		if c.Yours && !tries[k] {
			t.Errorf("%s: check %q is marked Yours but no stage asks for it", sc.Slug, c.Name)
		}
	}
	if len(tries) == 0 {
		t.Errorf("%s: no \"now you try\" stage", sc.Slug)
	}
	switch sc.Pattern {
	case "circuit-breaker", "saga", "service-discovery":
		if sc.Slug != "cascading-failure" && questions < 2 {
			t.Errorf("%s: %d predictions across the run, want two or more", sc.Slug, questions)
		}
	}
}

// Run as nobody plays it, every check holds but the ones on what a learner
// tries, and those fail: a try that passes untouched would prove nothing.
func TestEveryScenarioHoldsForSeveralSeeds(t *testing.T) {
	for _, sc := range Scenarios() {
		for seed := uint64(1); seed <= 5; seed++ {
			t.Run(fmt.Sprintf("%s seed %d", sc.Slug, seed), func(t *testing.T) {
				res := RunScenario(sc, seed, 0)
				for _, v := range res.Checks {
					if v.Pass == v.Yours {
						t.Errorf("%s (yours: %v): pass %v: %s", v.Name, v.Yours, v.Pass, v.Detail)
					}
				}
				for _, e := range res.Events {
					if e.Kind == "command-error" {
						t.Errorf("timeline command rejected: %s", e.Message)
					}
				}
				if !res.Pass {
					t.Error("result not marked as passing")
				}
			})
		}
	}
}

func TestRunCLI(t *testing.T) {
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := RunCLI(args, &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, _ := run("--list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != len(labSlugs) || lines[0] != "dead-instance\tAn instance dies without a goodbye" {
		t.Fatalf("--list: exit %d, first line %q of %d", code, lines[0], len(lines))
	}
	code, out, _ = run("--scenario", "dead-instance", "--seed", "2")
	if code != 0 || !strings.Contains(out, "PASS  catalog-2 receives no request later than 5 s after it was killed") ||
		!strings.Contains(out, "all 4 checks hold") || !strings.Contains(out, "key figures:") {
		t.Fatalf("run: exit %d\n%s", code, out)
	}
	// Cut short, the checks scheduled after the end fail: exit 1.
	code, out, _ = run("--scenario", "payment-outage", "--for", "12s")
	if code != 1 || !strings.Contains(out, "FAIL") {
		t.Fatalf("short run: exit %d\n%s", code, out)
	}
	code, out, _ = run("--scenario", "gateway-rate-limit", "--json")
	var res Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || len(res.Events) == 0 || res.Snapshot.AtMS != 40000 {
		t.Fatalf("--json: exit %d, err %v, %d events, at %v", code, err, len(res.Events), res.Snapshot.AtMS)
	}
	for _, args := range [][]string{{}, {"--scenario", "nope"}, {"--bogus"}, {"--list", "--scenario", "x"}, {"extra"}, {"--scenario", "dead-instance", "--for", "-1s"}} {
		if code, _, errs := run(args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d with stderr %q, want 2 and a message", args, code, errs)
		}
	}
}

func TestRunScenarioDurationOverride(t *testing.T) {
	sc, _ := ScenarioBySlug("dead-instance")
	res := RunScenario(sc, 1, 20*time.Second)
	if res.DurationMS != 20000 || res.Snapshot.AtMS != 20000 {
		t.Fatalf("ran %v ms", res.DurationMS)
	}
}

// sharedRun returns the first run of n words of b that a also has, "" if
// none: a cheap test that one text does not repeat another.
func sharedRun(a, b string, n int) string {
	norm := func(s string) []string {
		return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '%')
		})
	}
	have := " " + strings.Join(norm(a), " ") + " "
	w := norm(b)
	for i := 0; i+n <= len(w); i++ {
		if run := strings.Join(w[i:i+n], " "); strings.Contains(have, " "+run+" ") {
			return run
		}
	}
	return ""
}

// Check details say durations as people do.
func TestVerdictSpeaksDurations(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{12732673 * time.Microsecond, "opened at 12.7 s"},
		{940 * time.Millisecond, "opened at 940 ms"},
		{30 * time.Second, "opened at 30 s"},
		{-1, "opened at never"},
	} {
		if _, got := verdict(true, "opened at %v", tc.d); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.d, got, tc.want)
		}
	}
}
