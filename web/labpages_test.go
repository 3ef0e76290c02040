package web

import (
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"microlab/simulator"
)

// The lab page's live state needs a real browser; the page itself must
// still be well formed for crawlers and tests.
func TestLabPageStructure(t *testing.T) {
	_, hs := newLabTestServer(t, nil)
	alice := newLearner(t, hs.URL)
	doc := mustDoc(t, alice.get(t, alice.start(t, "payment-outage")))
	for _, sel := range []string{
		"svg#topo", "#br-orders--payment", "#dot-payment-1", "[data-testid=controls][disabled]",
		"[data-testid=predict-form]", "[data-testid=event-log]", "[data-testid=sagas]", "[data-testid=bulkheads] meter",
		"[data-testid=registry]", "[data-testid=traces]", "[data-testid='breaker-orders>payment']",
		"[data-testid=step-1]", "[data-testid=setup]", "#reveal[data-src]",
	} {
		if doc.Find(sel).Length() == 0 {
			t.Errorf("the lab page has no %s", sel)
		}
	}
	ids := map[string]bool{}
	doc.Find("[id]").Each(func(_ int, s *goquery.Selection) {
		id := s.AttrOr("id", "")
		if ids[id] {
			t.Errorf("id %q is used twice", id)
		}
		ids[id] = true
	})
}

// Issue 11: /lab lists the learner's running labs (and only theirs), each
// with a link and an End button; ending one says so and offers to start it
// again; a made-up ?ended= says nothing.
func TestTheLabIndexListsYourLabs(t *testing.T) {
	_, hs := newLabTestServer(t, nil)
	alice, bob := newLearner(t, hs.URL), newLearner(t, hs.URL)
	if doc := mustDoc(t, alice.get(t, "/lab")); doc.Find("[data-testid=my-labs]").Length() != 0 {
		t.Error("a learner with no lab is shown a list of running labs")
	}
	first, second := alice.start(t, "payment-outage"), alice.start(t, "free-play")
	doc := mustDoc(t, alice.get(t, "/lab"))
	var links []string
	doc.Find("[data-testid=my-labs] li a").Each(func(_ int, s *goquery.Selection) { links = append(links, s.AttrOr("href", "")) })
	if !slices.Equal(links, []string{first, second}) {
		t.Errorf("alice's running labs link to %q, want %q", links, []string{first, second})
	}
	if got := doc.Find("[data-testid=my-labs] li").First().Text(); !strings.Contains(got, "Payment goes slow behind a breaker") || !strings.Contains(got, "less than a minute ago") {
		t.Errorf("the first running lab reads %q", got)
	}
	if doc := mustDoc(t, bob.get(t, "/lab")); doc.Find("[data-testid=my-labs]").Length() != 0 {
		t.Error("bob is shown alice's labs")
	}

	stop := doc.Find("[data-testid=my-labs] li form").First().AttrOr("action", "")
	res := alice.post(t, stop, url.Values{"_csrf": {alice.csrf(t, "/lab")}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/lab?ended=payment-outage&run=") {
		t.Fatalf("ending from the list = %d to %q, want 303 to /lab?ended=payment-outage&run=…", res.StatusCode, res.Header.Get("Location"))
	}
	doc = mustDoc(t, alice.get(t, res.Header.Get("Location")))
	if got := doc.Find("[data-testid=lab-ended]").Text(); !strings.Contains(got, "You ended “Payment goes slow behind a breaker”") {
		t.Errorf("after ending, the notice reads %q", got)
	}
	if action := doc.Find("[data-testid=lab-ended] form").AttrOr("action", ""); action != "/lab/payment-outage" {
		t.Errorf("the notice's start-again form posts to %q", action)
	}
	if n := doc.Find("[data-testid=my-labs] li").Length(); n != 1 {
		t.Errorf("after ending one of two, %d labs are listed", n)
	}
	if doc := mustDoc(t, bob.get(t, "/lab?ended=%3Cscript%3E")); doc.Find("[data-testid=lab-ended]").Length() != 0 {
		t.Error("a made-up ?ended= shows a notice")
	}
}

// Issue 11: nothing a learner can read before predicting says what the run
// will show: not the lab index, not the scenario's page, not the live
// lab's page or its source. The story, the checks (whose names say what
// happens) and the options' explanations come from /reveal, which answers
// 409 until the prediction is locked in, and only then gives them.
func TestNothingGivesTheAnswerAwayBeforeThePrediction(t *testing.T) {
	_, hs := newLabTestServer(t, func(c *Config) { c.Labs.PerLearner = 20 })
	alice := newLearner(t, hs.URL)
	body := func(path string) string {
		res := wantStatus(t, alice.get(t, path), http.StatusOK)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return html.UnescapeString(string(b))
	}
	index := body("/lab")
	for _, sc := range simulator.Scenarios() {
		spoilers := []string{sc.Narrative}
		for _, o := range sc.Question.Options {
			spoilers = append(spoilers, o.Explanation)
		}
		// A stage's explanations, not even in /reveal: only in its own,
		// once answered.
		var later []string
		for _, st := range sc.Stages {
			if st.Question != nil {
				for _, o := range st.Question.Options {
					later = append(later, o.Explanation)
				}
			}
		}
		for _, c := range sc.Checks {
			spoilers = append(spoilers, c.Name)
		}
		labPath := alice.start(t, sc.Slug)
		for name, page := range map[string]string{"the lab index": index, "the scenario page": body("/lab/" + sc.Slug), "the live lab": body(labPath)} {
			for _, sp := range append(slices.Clone(spoilers), later...) {
				if strings.Contains(page, sp) {
					t.Errorf("%s: %s, before the prediction, says %q", sc.Slug, name, sp)
				}
			}
			if !strings.Contains(page, sc.Setup) {
				t.Errorf("%s: %s does not tell the set-up", sc.Slug, name)
			}
		}
		if res := alice.get(t, labPath+"/reveal"); res.StatusCode != http.StatusConflict {
			t.Errorf("%s: /reveal before the prediction = %d, want 409", sc.Slug, res.StatusCode)
		}
		c := alice.connect(t, labPath)
		c.send(`{"type":"predict","option":0}`)
		wantReply(t, c.reply(), "ack", "")
		revealed := body(labPath + "/reveal")
		for _, sp := range spoilers {
			if !strings.Contains(revealed, sp) {
				t.Errorf("%s: after the prediction /reveal does not say %q", sc.Slug, sp)
			}
		}
		for _, sp := range later {
			if strings.Contains(revealed, sp) {
				t.Errorf("%s: /reveal explains a later stage's question: %q", sc.Slug, sp)
			}
		}
		c.conn.Close()
		// The recorded run, on its own page, does give it away.
		if rec := body("/lab/" + sc.Slug + "/recorded"); !strings.Contains(rec, sc.Narrative) {
			t.Errorf("%s: the recorded run's page does not tell the story", sc.Slug)
		}
	}
	if res := alice.get(t, alice.start(t, "free-play")+"/reveal"); res.StatusCode != http.StatusNotFound {
		t.Errorf("free play's /reveal = %d, want 404", res.StatusCode)
	}
}

// Labs are bounded per client address, and the address is the connection's
// unless a trusted proxy says otherwise: a client that drops its cookies and
// makes up X-Forwarded-For headers is still one address.
func TestLabAddressLimits(t *testing.T) {
	startFrom := func(tb testing.TB, base, xff string) int {
		le := newLearner(tb, base)
		req, _ := http.NewRequest(http.MethodPost, base+"/lab/free-play", strings.NewReader("_csrf="+le.csrf(tb, "/lab/free-play")))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		req.Header.Set("X-Forwarded-For", xff)
		res, err := le.client.Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	t.Run("no trusted proxy", func(t *testing.T) {
		ts, hs := newLabTestServer(t, func(c *Config) { c.Labs.PerAddress = 3 })
		var codes []int
		for i := range 5 {
			codes = append(codes, startFrom(t, hs.URL, fmt.Sprintf("203.0.113.%d", i+1)))
		}
		if want := []int{303, 303, 303, 429, 429}; !slices.Equal(codes, want) {
			t.Errorf("five cookie-less starts with made-up X-Forwarded-For: %v, want %v", codes, want)
		}
		if n := ts.labs.Count(); n != 3 {
			t.Errorf("%d labs run, want 3", n)
		}
	})
	t.Run("behind a trusted proxy", func(t *testing.T) {
		_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
		_, hs := newLabTestServer(t, func(c *Config) {
			c.Labs.PerAddress = 1
			c.TrustedProxies = []*net.IPNet{loopback}
		})
		if a, b := startFrom(t, hs.URL, "203.0.113.1"), startFrom(t, hs.URL, "203.0.113.2"); a != 303 || b != 303 {
			t.Errorf("two clients behind the proxy: %d, %d; want 303, 303", a, b)
		}
		if c := startFrom(t, hs.URL, "203.0.113.1"); c != 429 {
			t.Errorf("the first client again: %d, want 429", c)
		}
	})
}

// The server holds a bounded number of lab sockets, and /healthz still
// answers when it holds them all.
func TestLabSocketCap(t *testing.T) {
	_, hs := newLabTestServer(t, func(c *Config) { c.Labs.Sockets = 3 })
	alice := newLearner(t, hs.URL)
	path := alice.start(t, "free-play")
	for range 3 {
		c := alice.connect(t, path)
		defer c.conn.Close()
	}
	_, res, err := alice.dial(t, path, hs.URL)
	if err == nil || res == nil || res.StatusCode != http.StatusServiceUnavailable {
		code := 0
		if res != nil {
			code = res.StatusCode
		}
		t.Errorf("a fourth socket: %d (%v), want 503", code, err)
	}
	if res := alice.get(t, "/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("/healthz at the socket cap = %d", res.StatusCode)
	}
}

// A stage's question is explained by /reveal?stage=i only once the owner
// has answered it, which they can only do when the run is held there; a
// stage that asks nothing, or one that does not exist, says so.
func TestAStageIsExplainedOnceAnswered(t *testing.T) {
	_, hs := newLabTestServer(t, nil)
	alice := newLearner(t, hs.URL)
	sc, _ := simulator.ScenarioBySlug("payment-outage")
	ask := -1
	for i, st := range sc.Stages {
		if st.Asks() {
			ask = i
			break
		}
	}
	var right string
	for _, o := range sc.Stages[ask].Question.Options {
		if o.Correct {
			right = o.Explanation
		}
	}
	labPath := alice.start(t, sc.Slug)
	stage := labPath + "/reveal?stage=" + strconv.Itoa(ask)
	wantStatus(t, alice.get(t, stage), http.StatusConflict).Body.Close() // not even predicted
	c := alice.connect(t, labPath)
	c.send(`{"type":"predict","option":1}`)
	wantReply(t, c.reply(), "ack", "")
	wantStatus(t, alice.get(t, stage), http.StatusConflict).Body.Close()
	for q, want := range map[string]int{"0": http.StatusNotFound, "x": http.StatusBadRequest, "-1": http.StatusBadRequest,
		"99": http.StatusBadRequest, "00000000000000000001": http.StatusBadRequest} {
		wantStatus(t, alice.get(t, labPath+"/reveal?stage="+q), want).Body.Close()
	}
	c.send(`{"type":"fast-forward","seconds":600}`)
	wantReply(t, c.reply(), "ack", "")
	c.until("the run to hold at the stage's question", 20*time.Second, func() bool {
		return c.state["run.state"] == "asking" && c.state["sc.ask"] == float64(ask)
	})
	if c.at != float64(sc.Stages[ask].At.Milliseconds()) {
		t.Errorf("held at %.0f ms, want the stage's %d ms", c.at, sc.Stages[ask].At.Milliseconds())
	}
	c.send(`{"type":"resume"}`)
	wantReply(t, c.reply(), "error", "waiting")
	c.send(`{"type":"predict","option":1,"stage":` + strconv.Itoa(ask) + `}`)
	wantReply(t, c.reply(), "ack", "")
	res := wantStatus(t, alice.get(t, stage), http.StatusOK)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(html.UnescapeString(string(b)), right) {
		t.Errorf("the answered stage's reveal does not explain the right option:\n%s", b)
	}
	c.until("the run to go on", 10*time.Second, func() bool {
		return c.state["run.state"] == "running" && c.state["sc.g."+strconv.Itoa(ask)+".ans"] == 1.0
	})
}
