package simulator

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The challenges' slugs, which the web layer's URLs quote.
var challengeSlugs = []string{"slow-payment", "noisy-client", "inventory-outage", "retry-storm", "dead-instance", "broker-outage"}

func TestChallengeCatalogue(t *testing.T) {
	var slugs []string
	for _, ch := range Challenges() {
		slugs = append(slugs, ch.Slug)
		if !patternSlugs[ch.Pattern] {
			t.Errorf("%s: pattern %q is not a pattern page", ch.Slug, ch.Pattern)
		}
		if ch.Title == "" || ch.Brief == "" || len(ch.Objectives) == 0 || len(ch.Knobs) == 0 || len(ch.Faults) == 0 || ch.Duration <= 0 {
			t.Errorf("%s: incomplete", ch.Slug)
		}
		if n := strings.Count(ch.Brief, ". ") + 1; n > 3 {
			t.Errorf("%s: the brief has %d sentences, want 1–3", ch.Slug, n)
		}
		names := map[string]bool{}
		for _, k := range ch.Knobs {
			if names[k.Name] || k.Name == "" || k.Label == "" || k.Applies == "" || k.command == nil {
				t.Errorf("%s: knob %q is a duplicate or incomplete", ch.Slug, k.Name)
			}
			names[k.Name] = true
			if _, _, err := k.parse(k.Default); err != nil {
				t.Errorf("%s: knob %s's default: %v", ch.Slug, k.Name, err)
			}
		}
		for _, o := range ch.Objectives {
			if o.To < o.From || o.To > ch.Duration || o.measure == nil {
				t.Errorf("%s: objective %q has a window %v..%v outside the run", ch.Slug, o.Name, o.From, o.To)
			}
		}
		for i := 1; i < len(ch.Faults); i++ {
			if ch.Faults[i].At < ch.Faults[i-1].At {
				t.Errorf("%s: fault %d is out of time order", ch.Slug, i)
			}
		}
		if got, ok := ChallengeBySlug(ch.Slug); !ok || got.Title != ch.Title {
			t.Errorf("ChallengeBySlug(%q) failed", ch.Slug)
		}
	}
	if fmt.Sprint(slugs) != fmt.Sprint(challengeSlugs) {
		t.Fatalf("slugs %v, want %v", slugs, challengeSlugs)
	}
	if _, ok := ChallengeBySlug("dead-instance-x"); ok {
		t.Error("ChallengeBySlug found a challenge that does not exist")
	}
	for _, sc := range Scenarios() {
		if _, ok := ChallengeBySlug(sc.Slug); ok && sc.Slug != "dead-instance" && sc.Slug != "retry-storm" {
			t.Errorf("challenge %s shadows a lab", sc.Slug)
		}
	}
}

// Par meets every objective and Naive misses at least one, for several
// seeds: each challenge can be won, and not by leaving the shop alone.
func TestParPassesAndNaiveFails(t *testing.T) {
	for _, ch := range Challenges() {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s seed %d", ch.Slug, seed), func(t *testing.T) {
				par := Evaluate(ch, ch.Par, seed)
				for _, o := range par.Objectives {
					if !o.Pass {
						t.Errorf("par misses %q: %s", o.Name, o.Detail)
					}
				}
				if !par.Pass || par.Score <= 0 || len(par.Refused) > 0 {
					t.Errorf("par: pass %v, score %d, refused %v", par.Pass, par.Score, par.Refused)
				}
				naive := Evaluate(ch, ch.Naive, seed)
				if naive.Pass || naive.Score != 0 || len(naive.Refused) > 0 {
					t.Errorf("naive passes: score %d, %+v, refused %v", naive.Score, naive.Objectives, naive.Refused)
				}
			})
		}
	}
}

func TestEvaluateIsDeterministic(t *testing.T) {
	for _, ch := range Challenges() {
		a, _ := json.Marshal(Evaluate(ch, ch.Par, 7))
		b, _ := json.Marshal(Evaluate(ch, ch.Par, 7))
		if string(a) != string(b) {
			t.Errorf("%s: two evaluations differ:\n%s\n%s", ch.Slug, a, b)
		}
	}
}

func TestParseSettings(t *testing.T) {
	ch, _ := ChallengeBySlug("slow-payment")
	for _, tc := range []struct {
		name string
		form url.Values
		want string // part of the error, "" for none
	}{
		{"an empty form keeps every default", url.Values{}, ""},
		{"a value in range is taken", url.Values{"timeout-orders-payment": {"3000"}, "breaker-orders-payment": {"off"}}, ""},
		{"an unknown knob is refused", url.Values{"timeout": {"3000"}}, `unknown knob "timeout"`},
		{"a value above the range is refused with the range", url.Values{"timeout-orders-payment": {"20000"}},
			`knob "timeout-orders-payment": value "20000" out of range (allowed 100..10000 ms)`},
		{"a value below the range is refused", url.Values{"instances-payment": {"0"}}, `knob "instances-payment": value "0" out of range (allowed 1..6 instances)`},
		{"a malformed number is refused", url.Values{"timeout-orders-payment": {"3s"}}, `knob "timeout-orders-payment": value "3s" is not a whole number (allowed 100..10000 ms)`},
		{"a number with a sign or spaces is malformed", url.Values{"timeout-orders-payment": {" 3000"}}, `is not a whole number`},
		{"a bool takes only on or off", url.Values{"breaker-orders-payment": {"true"}}, `knob "breaker-orders-payment": value "true" is not allowed (allowed "on" or "off")`},
		{"a knob given twice is refused", url.Values{"timeout-orders-payment": {"3000", "4000"}}, `knob "timeout-orders-payment" given 2 times`},
		{"an oversize value is refused", url.Values{"timeout-orders-payment": {strings.Repeat("1", 65)}}, `a value of 65 bytes is longer than the 64 allowed`},
		{"an oversize unknown name is cut short", url.Values{strings.Repeat("k", 500): {"1"}}, `unknown knob "` + strings.Repeat("k", 64) + `…"`},
		{"more fields than knobs are refused", manyFields(len(ch.Knobs) + 1), "settings given"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSettings(ch, tc.form)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			case tc.want == "" && len(s.List) != len(ch.Knobs):
				t.Fatalf("%d settings for %d knobs", len(s.List), len(ch.Knobs))
			}
		})
	}
	dflt, _ := ParseSettings(ch, nil)
	if cmds := ch.Commands(dflt); len(cmds) != 0 {
		t.Errorf("the defaults make commands: %v", cmds)
	}
	choice, _ := ChallengeBySlug("dead-instance")
	if _, err := ParseSettings(choice, url.Values{"lb-gateway-catalog": {"fastest"}}); err == nil ||
		!strings.Contains(err.Error(), "allowed round-robin, least-outstanding, random") {
		t.Errorf("a choice out of the list: %v", err)
	}
}

func manyFields(n int) url.Values {
	v := url.Values{}
	for i := 0; i < n; i++ {
		v.Set(fmt.Sprintf("f%d", i), "1")
	}
	return v
}

// Values gives back a form that parses to the same settings, for every
// challenge's par and naive configurations.
func TestSettingsValuesRoundTrip(t *testing.T) {
	for _, ch := range Challenges() {
		for _, s := range []Settings{ch.Par, ch.Naive} {
			back, err := ParseSettings(ch, s.Values())
			if err != nil {
				t.Fatalf("%s: %v", ch.Slug, err)
			}
			if !reflect.DeepEqual(back, s) {
				t.Errorf("%s: %v came back as %v", ch.Slug, s.List, back.List)
			}
		}
	}
	ch, _ := ChallengeBySlug("slow-payment")
	s, _ := ParseSettings(ch, url.Values{"timeout-orders-payment": {"03000"}})
	if got := s.Values().Get("timeout-orders-payment"); got != "3000" {
		t.Errorf("a value is kept as %q, want the canonical 3000", got)
	}
}

// A challenge's scenario passes what the labs' catalogue holds every lab
// to (TestScenarioCatalogue), but for the "now you try" stage: the whole
// challenge is the learner's try, and its checks are the objectives. Its
// question's answer is what the run at ScenarioSeed shows, and the
// scenario played by the lab's stepper reaches Evaluate's verdicts.
func TestChallengeScenarioValidates(t *testing.T) {
	for _, ch := range Challenges() {
		for _, s := range []Settings{ch.Par, ch.Naive} {
			sc := ch.Scenario(s)
			if sc.Slug != ch.Slug || sc.Title == "" || len(sc.Checks) != len(ch.Objectives) || len(sc.Timeline) == 0 || sc.Duration != ch.Duration {
				t.Errorf("%s: incomplete scenario", ch.Slug)
			}
			if n := strings.Count(sc.Narrative, ". ") + 1; n < 2 || n > 4 {
				t.Errorf("%s: narrative has %d sentences, want 2–4", ch.Slug, n)
			}
			if n := strings.Count(sc.Setup, ". ") + 1; sc.Setup == "" || n > 3 {
				t.Errorf("%s: the set-up has %d sentences, want 1–3", ch.Slug, n)
			}
			before := sc.Setup
			for _, st := range sc.Stages {
				before += " " + st.Title + ". " + st.Say
			}
			q, correct := sc.Question, 0
			for _, o := range q.Options {
				if run := sharedRun(before, o.Text+" "+o.Explanation, 5); o.Correct && run != "" {
					t.Errorf("%s: what is read before the prediction gives the answer away: %q", ch.Slug, run)
				}
				if o.Correct {
					correct++
				}
				if o.Text == "" || o.Explanation == "" {
					t.Errorf("%s: an option without text or explanation", ch.Slug)
				}
			}
			if len(q.Options) < 3 || len(q.Options) > 4 || correct != 1 || q.Prompt == "" {
				t.Errorf("%s: question with %d options, %d correct", ch.Slug, len(q.Options), correct)
			}
			if len(sc.Stages) < 2 || sc.Stages[0].At != 0 {
				t.Errorf("%s: %d stages; want two or more from 0 s", ch.Slug, len(sc.Stages))
			}
			for i, st := range sc.Stages {
				if st.Title == "" || st.Say == "" || st.At > sc.Duration || i > 0 && st.At <= sc.Stages[i-1].At || st.Try != nil || st.Question != nil {
					t.Errorf("%s: stage %d (%q at %v) is empty, out of order, past the end or asks something", ch.Slug, i, st.Title, st.At)
				}
			}
			for _, c := range sc.Checks {
				if c.Yours || c.At <= 0 || c.At > sc.Duration {
					t.Errorf("%s: check %q is the learner's or outside the run", ch.Slug, c.Name)
				}
			}
			for _, st := range sc.Timeline {
				b, _ := MarshalCommand(st.Command)
				if _, err := DecodeCommand(b); err != nil {
					t.Errorf("%s: timeline command %s: %v", ch.Slug, b, err)
				}
			}
			if _, ok := ScenarioBySlug(sc.Slug); ok && sc.Slug != "dead-instance" && sc.Slug != "retry-storm" {
				t.Errorf("%s: a challenge's scenario is listed among the labs", ch.Slug)
			}

			// The lab's stepper, sliced as a live lab slices it, reaches the
			// verdicts Evaluate reached.
			res := Evaluate(ch, s, ScenarioSeed)
			cfg := DefaultConfig()
			cfg.Seed = ScenarioSeed
			script := NewScript(&sc, MustNew(cfg), 0)
			for at := time.Duration(0); !script.Ended(); at += 100 * time.Millisecond {
				script.RunUntil(at)
			}
			for i, v := range script.Verdicts() {
				if v.Pass != res.Objectives[i].Pass || v.Detail != res.Objectives[i].Detail {
					t.Errorf("%s: live check %q: %v %s; Evaluate: %v %s", ch.Slug, v.Name, v.Pass, v.Detail, res.Objectives[i].Pass, res.Objectives[i].Detail)
				}
			}
			want := 0
			if !res.Pass {
				want = 1
				for _, o := range res.Objectives {
					if !o.Pass {
						want++
					}
				}
				want = min(want-1, 2)
			}
			if !q.Options[want].Correct {
				t.Errorf("%s: option %d should be the right answer: %+v", ch.Slug, want, q.Options)
			}
		}
	}
}

// The window is what counts: a figure worked out by hand from the run's
// own per-second numbers equals the objective's. dead-instance's 5xx share
// from 10 s to 20 s is the gateway's failed requests over all its requests
// answered in those ten seconds, read second by second as they happen.
func TestAnObjectivesFigureByHand(t *testing.T) {
	ch, _ := ChallengeBySlug("dead-instance")
	sc := ch.scenario(ch.Naive)
	cfg := DefaultConfig()
	cfg.Seed = 1
	sim := MustNew(cfg)
	script := NewScript(&sc, sim, 0)
	var n0, e0 uint64
	var n, e uint64
	for t := 1; t <= 20; t++ {
		script.RunUntil(sec(float64(t)) - 1)
		st := sim.nodeStats[nodeGateway]
		if t == 10 {
			n0, e0 = st.total, st.errs
		}
		if t == 20 {
			n, e = st.total-n0, st.errs-e0
		}
	}
	script.RunUntil(sc.Duration)
	want := 100 * float64(e) / float64(n)
	res := Evaluate(ch, ch.Naive, 1)
	o := res.Objectives[1]
	if o.Name != "gateway 5xx share < 1 %, from 10 s to 20 s" {
		t.Fatalf("objective 1 is %q", o.Name)
	}
	if diff := o.Value - want; diff > 1e-9 || diff < -1e-9 || n < 900 {
		t.Errorf("5xx share %v %%, by hand %d of %d = %v %%", o.Value, e, n, want)
	}
	if wantDetail := fmt.Sprintf("gateway 5xx share %s (goal < 1 %%)", ch.Objectives[1].amount(want)); o.Detail != wantDetail {
		t.Errorf("detail %q, want %q", o.Detail, wantDetail)
	}
	t.Logf("%s: %d of %d requests failed", o.Detail, e, n)
}

// The score is 0 when an objective fails and 1000 less the cost otherwise,
// and the cost is its items' points.
func TestScoreAndCost(t *testing.T) {
	for _, ch := range Challenges() {
		for _, s := range []Settings{ch.Par, ch.Naive} {
			r := Evaluate(ch, s, 1)
			sum := 0
			for _, it := range r.Cost.Items {
				sum += it.Points
			}
			want := 0
			if r.Pass {
				want = max(0, 1000-r.Cost.Points)
			}
			if sum != r.Cost.Points || r.Score != want {
				t.Errorf("%s: cost %d of items summing to %d, score %d want %d", ch.Slug, r.Cost.Points, sum, r.Score, want)
			}
		}
	}
	// Turning away everyone costs: a rate limit of one request a second
	// passes nothing of noisy-client for free.
	ch, _ := ChallengeBySlug("noisy-client")
	s, _ := ParseSettings(ch, url.Values{"rate-limit": {"on"}, "rate-limit-rate": {"1"}, "rate-limit-burst": {"1"}})
	if r := Evaluate(ch, s, 1); r.Pass || r.Cost.Points <= Evaluate(ch, ch.Par, 1).Cost.Points {
		t.Errorf("a limit that refuses everyone: pass %v, cost %d", r.Pass, r.Cost.Points)
	}
}

// A setting the simulation refuses (a first back-off above the longest)
// is reported, and the run does not pass.
func TestARefusedSettingIsReported(t *testing.T) {
	ch, _ := ChallengeBySlug("inventory-outage")
	s, err := ParseSettings(ch, url.Values{"breaker-orders-inventory": {"on"}, "backoff-orders-inventory": {"1000"}})
	if err != nil {
		t.Fatal(err)
	}
	r := Evaluate(ch, s, 1)
	if r.Pass || len(r.Refused) != 1 || !strings.Contains(r.Refused[0], "retries on orders→inventory") {
		t.Errorf("pass %v, refused %q", r.Pass, r.Refused)
	}
}

func ExampleEvaluate() {
	ch, _ := ChallengeBySlug("dead-instance")
	s, err := ParseSettings(ch, url.Values{"lb-gateway-catalog": {"least-outstanding"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	res := Evaluate(ch, s, 1)
	for _, o := range res.Objectives {
		fmt.Println(o.Pass, o.Detail)
	}
	fmt.Println("score", res.Score)
	// Output:
	// true gateway p99 of reads 39 ms (goal < 300 ms)
	// true gateway 5xx share 0 % (goal < 1 %)
	// score 1000
}

// A form with several unknown knobs is refused naming the first in order,
// whatever order the map holds them in.
func TestParseSettingsNamesTheSameUnknownKnob(t *testing.T) {
	ch, _ := ChallengeBySlug("noisy-client")
	form := url.Values{"zeta": {"1"}, "alpha": {"1"}, "mid": {"1"}}
	for i := 0; i < 20; i++ {
		if _, err := ParseSettings(ch, form); err == nil || err.Error() != `unknown knob "alpha"` {
			t.Fatalf("error %v, want unknown knob \"alpha\"", err)
		}
	}
}

// Settings stored as JSON read back as the same configuration, and make
// the same commands.
func TestSettingsSurviveJSON(t *testing.T) {
	for _, ch := range Challenges() {
		b, err := json.Marshal(ch.Par)
		if err != nil {
			t.Fatal(err)
		}
		var back Settings
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(ch.Commands(back))
		want, _ := json.Marshal(ch.Commands(ch.Par))
		if string(got) != string(want) || len(ch.Commands(back)) == 0 {
			t.Errorf("%s: commands %s after JSON, want %s", ch.Slug, got, want)
		}
	}
}

// The timeline has a sample a second, and shows the naive dead-instance
// run's errors while the dead instance is still in the registry, and none
// before the kill; the marks are the fault script's steps after 0 s.
func TestChallengeTimeline(t *testing.T) {
	ch, _ := ChallengeBySlug("dead-instance")
	res := Evaluate(ch, ch.Naive, 1)
	if got, want := len(res.Timeline), int(ch.Duration/time.Second); got != want {
		t.Fatalf("%d samples, want one a second: %d", got, want)
	}
	var before, during float64
	for _, s := range res.Timeline {
		switch {
		case s.At <= 10:
			before += s.ErrorPct
		case s.At <= 20:
			during += s.ErrorPct
		}
		if s.Requests == 0 {
			t.Errorf("second %v answered nothing", s.At)
		}
	}
	if before != 0 || during == 0 {
		t.Errorf("error share summed %v before the kill and %v in the ten seconds after, want 0 and more", before, during)
	}
	if len(res.Marks) != 2 || res.Marks[0].At != 10 || res.Marks[1].At != 40 {
		t.Errorf("marks %+v, want the kill at 10 s and the restart at 40 s", res.Marks)
	}
}
