package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"microlab/simulator"
)

// newLabTestServer is a real server on a real listener, with cfg changed
// by mod, closed (labs and all) when the test ends.
func newLabTestServer(tb testing.TB, mod func(*Config)) (*testServer, *httptest.Server) {
	tb.Helper()
	ts := newConfiguredServer(tb, mod)
	hs := httptest.NewServer(ts)
	tb.Cleanup(func() {
		ts.Close()
		hs.Close()
		if errs := ts.logs.errors(); len(errs) > 0 {
			tb.Errorf("the server logged errors: %q", errs)
		}
	})
	return ts, hs
}

// labConn is one websocket on a lab, keeping the state its frames describe.
type labConn struct {
	tb    testing.TB
	conn  *websocket.Conn
	hello map[string]any
	keys  []string
	state map[string]any
	at    float64
	seq   float64
	// replies holds acks and errors in arrival order.
	replies []map[string]any
	events  []string
	lastEv  float64
}

func (le *learner) dial(tb testing.TB, labPath, origin string) (*websocket.Conn, *http.Response, error) {
	u := "ws" + strings.TrimPrefix(le.base, "http") + labPath + "/ws"
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	bu, _ := url.Parse(le.base)
	var cookies []string
	for _, c := range le.client.Jar.Cookies(bu) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	if len(cookies) > 0 {
		h.Set("Cookie", strings.Join(cookies, "; "))
	}
	return websocket.DefaultDialer.Dial(u, h)
}

// connect opens the lab's socket and reads the hello and the snapshot.
func (le *learner) connect(tb testing.TB, labPath string) *labConn {
	tb.Helper()
	conn, res, err := le.dial(tb, labPath, le.base)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		tb.Fatalf("dial %s: %v (status %d)", labPath, err, status)
	}
	tb.Cleanup(func() { conn.Close() })
	c := &labConn{tb: tb, conn: conn, state: map[string]any{}}
	c.hello = c.read()
	if c.hello["type"] != "hello" {
		tb.Fatalf("first message is %v, want a hello", c.hello["type"])
	}
	for _, k := range c.hello["keys"].([]any) {
		c.keys = append(c.keys, k.(string))
	}
	snap := c.read()
	if snap["type"] != "snapshot" {
		tb.Fatalf("second message is %v, want a snapshot", snap["type"])
	}
	return c
}

// read returns the next message, applying it to the state.
func (c *labConn) read() map[string]any {
	c.tb.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, data, err := c.conn.ReadMessage()
	if err != nil {
		c.tb.Fatalf("read: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		c.tb.Fatalf("message is not JSON: %v: %.200s", err, data)
	}
	switch m["type"] {
	case "snapshot", "frame":
		if k, ok := m["k"].([]any); ok {
			if len(k) != len(c.keys) {
				c.tb.Fatalf("full vector has %d values for %d keys", len(k), len(c.keys))
			}
			for i, v := range k {
				c.state[c.keys[i]] = v
			}
		}
		if d, ok := m["d"].([]any); ok {
			for i := 0; i+1 < len(d); i += 2 {
				c.state[c.keys[int(d[i].(float64))]] = d[i+1]
			}
		}
		if evs, ok := m["ev"].([]any); ok {
			for _, e := range evs {
				ev := e.([]any)
				if seq := ev[0].(float64); seq > c.lastEv { // key frames repeat a few
					c.lastEv = seq
					c.events = append(c.events, fmt.Sprint(ev[2], " ", ev[3], " ", ev[4]))
				}
			}
		}
		c.at = m["at"].(float64)
		c.seq = m["n"].(float64)
	case "ack", "error":
		c.replies = append(c.replies, m)
	}
	return m
}

// closeCode reads until the server closes the socket and returns the
// close code, or -1 when it ends without a close frame (or not within 5 s).
func (c *labConn) closeCode() int {
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := c.conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		return -1
	}
}

func (c *labConn) send(msg string) {
	c.tb.Helper()
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		c.tb.Fatalf("send %s: %v", msg, err)
	}
}

// reply reads until the next ack or error.
func (c *labConn) reply() map[string]any {
	c.tb.Helper()
	for {
		if m := c.read(); m["type"] == "ack" || m["type"] == "error" {
			return m
		}
	}
}

// until reads until cond holds of the state, or fails after the timeout.
func (c *labConn) until(what string, timeout time.Duration, cond func() bool) {
	c.tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			c.tb.Fatalf("waited %v for %s; at %.0f ms the state has run.state=%v", timeout, what, c.at, c.state["run.state"])
		}
		c.read()
	}
}

func wantReply(tb testing.TB, m map[string]any, typ, code string) {
	tb.Helper()
	if m["type"] != typ || (code != "" && m["code"] != code) {
		tb.Fatalf("reply = %v, want a %s %s", m, typ, code)
	}
}

func TestLabPagesAndStart(t *testing.T) {
	_, hs := newLabTestServer(t, nil)
	alice := newLearner(t, hs.URL)

	doc := mustDoc(t, alice.get(t, "/lab"))
	if n, want := doc.Find("[data-testid=lab-card]").Length(), len(simulator.Scenarios())+2; n != want {
		t.Errorf("/lab shows %d cards, want %d (every scenario, free play and the challenges)", n, want)
	}

	t.Run("starting needs the form's CSRF token", func(t *testing.T) {
		res := alice.post(t, "/lab/payment-outage", url.Values{"_csrf": {"forged"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST with a wrong token = %d, want 403", res.StatusCode)
		}
	})
	t.Run("a GET of a lab page starts nothing", func(t *testing.T) {
		res := alice.get(t, "/lab/payment-outage")
		doc := mustDoc(t, res)
		if res.StatusCode != 200 || doc.Find("form[method=post][action='/lab/payment-outage'] button[data-testid=start-lab]").Length() != 1 {
			t.Errorf("/lab/payment-outage = %d, want 200 with a start form", res.StatusCode)
		}
		// The lab's modules are what the next page needs: fetched ahead.
		if doc.Find(`head link[rel=prefetch][href*="/static/js/lab."][href$="/main.js"]`).Length() != 1 ||
			doc.Find(`head link[rel=prefetch][href^="/static/css/lab."]`).Length() != 1 {
			t.Error("the scenario page does not prefetch the lab's modules and stylesheet")
		}
	})

	path := alice.start(t, "payment-outage")
	doc = mustDoc(t, alice.get(t, path))
	if role, _ := doc.Find("#lab").Attr("data-role"); role != "owner" {
		t.Errorf("the owner's page has data-role %q, want owner", role)
	}
	if share, _ := doc.Find("[data-testid=share-link]").Attr("value"); share != hs.URL+path {
		t.Errorf("share link = %q, want %q", share, hs.URL+path)
	}
	if doc.Find(`script[type=module][src*="/static/js/lab."][src$="/main.js"][nonce]`).Length() != 1 {
		t.Error("the lab page does not load the lab's entry module with a nonce")
	}
	// The socket opens from the head, ahead of the stylesheets (an inline
	// script waits for those above it), at the path the modules use.
	early := doc.Find("head script[data-socket]")
	if ws, _ := doc.Find("#lab").Attr("data-ws"); early.Length() != 1 || early.AttrOr("data-socket", "") != ws ||
		early.AttrOr("nonce", "") == "" || early.PrevAll().Filter("link[rel=stylesheet]").Length() != 0 {
		t.Errorf("the lab page's head has no nonced early socket for %q ahead of its stylesheets", ws)
	}

	bob := newLearner(t, hs.URL)
	doc = mustDoc(t, bob.get(t, path))
	if role, _ := doc.Find("#lab").Attr("data-role"); role != "viewer" {
		t.Errorf("a visitor's page has data-role %q, want viewer", role)
	}
	if doc.Find("[data-testid=read-only]").Length() != 1 {
		t.Error("a visitor is not told the lab is read-only for them")
	}

	t.Run("only the owner can end it", func(t *testing.T) {
		if res := bob.post(t, path+"/stop", url.Values{"_csrf": {bob.csrf(t, path)}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("a visitor ending the lab = %d, want 403", res.StatusCode)
		}
		if res := alice.post(t, path+"/stop", url.Values{"_csrf": {alice.csrf(t, path)}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("the owner ending the lab = %d, want 303", res.StatusCode)
		}
		if res := alice.get(t, path); res.StatusCode != http.StatusNotFound {
			t.Errorf("an ended lab's page = %d, want 404", res.StatusCode)
		}
	})
	if res := alice.get(t, "/lab/s/nosuchlab"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown lab = %d, want 404", res.StatusCode)
	}
}

func TestLabSocket(t *testing.T) {
	_, hs := newLabTestServer(t, nil)
	alice := newLearner(t, hs.URL)
	path := alice.start(t, "payment-outage")
	owner := alice.connect(t, path)

	if owner.hello["role"] != "owner" {
		t.Fatalf("the owner's hello says role %v", owner.hello["role"])
	}
	if owner.state["run.state"] != "waiting" {
		t.Errorf("a scenario starts in state %v, want waiting (for the prediction)", owner.state["run.state"])
	}

	t.Run("the run waits for the prediction", func(t *testing.T) {
		owner.send(`{"type":"resume","id":1}`)
		wantReply(t, owner.reply(), "error", "waiting")
		owner.send(`{"type":"predict","option":1,"id":2}`)
		m := owner.reply()
		wantReply(t, m, "ack", "")
		if m["id"] != 2.0 {
			t.Errorf("ack id = %v, want 2", m["id"])
		}
		owner.until("the run to start", 5*time.Second, func() bool { return owner.state["run.state"] == "running" && owner.at > 0 })
	})

	t.Run("the owner's commands are carried out", func(t *testing.T) {
		owner.send(`{"type":"kill","target":"payment-1","id":"k1"}`)
		m := owner.reply()
		wantReply(t, m, "ack", "")
		if m["id"] != "k1" || !strings.Contains(m["message"].(string), "payment-1") {
			t.Errorf("ack = %v, want id k1 and a message naming payment-1", m)
		}
		owner.until("payment-1 to show as dead", 5*time.Second, func() bool { return owner.state["in.payment-1.st"] == "dead" })
		owner.send(`{"type":"speed","value":5}`)
		wantReply(t, owner.reply(), "ack", "")
		owner.until("the speed to show", 5*time.Second, func() bool { return owner.state["run.speed"] == 5.0 })
	})

	t.Run("a viewer is refused and stays connected", func(t *testing.T) {
		bob := newLearner(t, hs.URL)
		viewer := bob.connect(t, path)
		if viewer.hello["role"] != "viewer" {
			t.Fatalf("a visitor's hello says role %v, want viewer", viewer.hello["role"])
		}
		viewer.send(`{"type":"crash","service":"catalog","id":9}`)
		m := viewer.reply()
		wantReply(t, m, "error", "read-only")
		if !strings.Contains(m["message"].(string), "read-only") {
			t.Errorf("message = %q, want it to say read-only", m["message"])
		}
		seq := viewer.seq
		viewer.until("more frames", 5*time.Second, func() bool { return viewer.seq > seq })
		if viewer.state["svc.catalog.st"] != "up" {
			t.Errorf("catalog is %v after a viewer's crash, want up", viewer.state["svc.catalog.st"])
		}
		if viewer.state["in.payment-1.st"] != "dead" {
			t.Errorf("the viewer sees payment-1 %v, want the owner's state (dead)", viewer.state["in.payment-1.st"])
		}
	})

	t.Run("bad messages get an error and the socket stays", func(t *testing.T) {
		for _, tc := range []struct{ msg, code string }{
			{`{"type":"kill",`, "bad-json"},
			{`[1,2,3]`, "bad-json"},
			{`{"target":"x"}`, "bad-message"},
			{`{"type":"launch-missiles"}`, "unknown-type"},
			{`{"type":"speed","value":100}`, "invalid"},
			{`{"type":"speed"}`, "invalid"},
			{`{"type":"latency","service":"payment","ms":999999}`, "invalid"},
			{`{"type":"kill","target":"payment-9"}`, "invalid"},
			{`{"type":"kill","target":"payment-2","colour":"red"}`, "invalid"},
			{`{"type":"fast-forward","seconds":0}`, "invalid"},
			{`{"type":"step","ms":100}`, "invalid"}, // stepping needs a pause
		} {
			owner.send(tc.msg)
			m := owner.reply()
			if m["type"] != "error" || m["code"] != tc.code {
				t.Errorf("%s → %v, want error %s", tc.msg, m, tc.code)
			}
		}
		owner.send(`{"type":"pause"}`)
		wantReply(t, owner.reply(), "ack", "")
		owner.send(`{"type":"step","ms":250}`)
		wantReply(t, owner.reply(), "ack", "")
	})

	t.Run("a flood of commands is refused", func(t *testing.T) {
		time.Sleep(1100 * time.Millisecond) // a full bucket
		for i := 0; i < 40; i++ {
			owner.send(`{"type":"speed","value":1}`)
		}
		acks, limited := 0, 0
		for i := 0; i < 40; i++ {
			m := owner.reply()
			switch {
			case m["type"] == "ack":
				acks++
			case m["code"] == "rate-limited":
				limited++
			default:
				t.Errorf("unexpected reply %v", m)
			}
		}
		if limited < 15 || acks > 25 {
			t.Errorf("40 commands at once: %d carried out, %d refused; want about 20 of each", acks, limited)
		}
		time.Sleep(200 * time.Millisecond)
		owner.send(`{"type":"resume"}`)
		wantReply(t, owner.reply(), "ack", "")
	})

	t.Run("reconnecting gets a fresh snapshot", func(t *testing.T) {
		owner.until("time to pass", 5*time.Second, func() bool { return owner.at > 1000 })
		again := alice.connect(t, path)
		if again.hello["role"] != "owner" {
			t.Errorf("reconnected as %v, want owner", again.hello["role"])
		}
		if again.at < 1000 || again.state["in.payment-1.st"] != "dead" || again.state["run.state"] != "running" {
			t.Errorf("snapshot after reconnecting: at %v ms, payment-1 %v, state %v; want the live state",
				again.at, again.state["in.payment-1.st"], again.state["run.state"])
		}
	})

	t.Run("a message over 4 KB closes the socket with 1009", func(t *testing.T) {
		c := alice.connect(t, path)
		c.send(`{"type":"kill","target":"` + strings.Repeat("x", 5000) + `"}`)
		if code := c.closeCode(); code != websocket.CloseMessageTooBig {
			t.Fatalf("after an oversized message the socket closed with %d, want 1009", code)
		}
	})

	t.Run("a page of another site cannot connect", func(t *testing.T) {
		for _, origin := range []string{"https://evil.example", ""} {
			_, res, err := alice.dial(t, path, origin)
			if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
				status := 0
				if res != nil {
					status = res.StatusCode
				}
				t.Errorf("dial with Origin %q: err %v, status %d; want 403", origin, err, status)
			}
		}
	})
}

func TestLabLeftAloneMatchesTheRecordedRun(t *testing.T) {
	_, hs := newLabTestServer(t, nil)
	alice := newLearner(t, hs.URL)
	c := alice.connect(t, alice.start(t, "payment-outage"))
	c.send(`{"type":"predict","option":1}`)
	wantReply(t, c.reply(), "ack", "")
	// Left alone but for the answers the guide asks for on the way, which
	// change nothing in the run.
	for c.state["sc.end"] != 1.0 {
		c.send(`{"type":"fast-forward","seconds":120}`)
		wantReply(t, c.reply(), "ack", "")
		c.until("the scenario to end or ask", 30*time.Second, func() bool { return c.state["sc.end"] == 1.0 || c.state["run.state"] == "asking" })
		if c.state["run.state"] == "asking" {
			c.send(fmt.Sprintf(`{"type":"predict","stage":%v,"option":0}`, c.state["sc.ask"]))
			wantReply(t, c.reply(), "ack", "")
			c.until("the run to go on", 10*time.Second, func() bool { return c.state["run.state"] != "asking" })
		}
	}
	if c.state["run.state"] != "paused" {
		t.Errorf("at the end the lab is %v, want paused", c.state["run.state"])
	}
	if c.at != 60000 {
		t.Errorf("the lab ended at %v ms, want the scenario's 60 s", c.at)
	}
	sc, _ := simulator.ScenarioBySlug("payment-outage")
	want := simulator.RunScenario(sc, reportSeed, 0)
	for i, v := range want.Checks {
		got := c.state[fmt.Sprintf("sc.c.%d.st", i)]
		if wantSt := map[bool]string{true: "pass", false: "fail"}[v.Pass]; got != wantSt {
			t.Errorf("check %q: live %v, recorded %s", v.Name, got, wantSt)
		}
		if d := c.state[fmt.Sprintf("sc.c.%d.d", i)]; d != v.Detail {
			t.Errorf("check %q: live detail %q, recorded %q", v.Name, d, v.Detail)
		}
	}
	if c.state["sc.s.0.st"] != "done" || c.state["sc.s.1.st"] != "done" {
		t.Errorf("steps: %v, %v; want both done", c.state["sc.s.0.st"], c.state["sc.s.1.st"])
	}
	found := false
	for _, e := range c.events {
		found = found || strings.HasPrefix(e, "breaker orders>payment") && strings.Contains(e, "OPEN")
	}
	if !found {
		t.Errorf("no breaker event for orders>payment among %d events", len(c.events))
	}
}

func TestLabLimits(t *testing.T) {
	t.Run("three labs per learner", func(t *testing.T) {
		_, hs := newLabTestServer(t, nil)
		alice := newLearner(t, hs.URL)
		for i := 0; i < 3; i++ {
			alice.start(t, "free-play")
		}
		res := alice.post(t, "/lab/dead-instance", url.Values{"_csrf": {alice.csrf(t, "/lab/dead-instance")}})
		if res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("a fourth lab = %d, want 429", res.StatusCode)
		}
		bob := newLearner(t, hs.URL)
		bob.start(t, "free-play")
	})
	t.Run("a total for the server", func(t *testing.T) {
		ts, hs := newLabTestServer(t, func(c *Config) { c.Labs.Total = 2 })
		newLearner(t, hs.URL).start(t, "free-play")
		newLearner(t, hs.URL).start(t, "free-play")
		carol := newLearner(t, hs.URL)
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/lab/free-play", strings.NewReader("_csrf="+carol.csrf(t, "/lab/free-play")))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		res, err := carol.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Error struct{ Message string }
		}
		json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body.Error.Message, "2 lab places") {
			t.Errorf("a third lab = %d %q, want 503 saying the server is full", res.StatusCode, body.Error.Message)
		}
		if n := ts.labs.Count(); n != 2 {
			t.Errorf("%d labs run, want 2", n)
		}
	})
	t.Run("a lab nobody watches stops", func(t *testing.T) {
		ts, hs := newLabTestServer(t, func(c *Config) { c.Labs.Idle = 300 * time.Millisecond })
		alice := newLearner(t, hs.URL)
		path := alice.start(t, "free-play")
		c := alice.connect(t, path)
		time.Sleep(600 * time.Millisecond) // watched: it lives
		if ts.labs.Get(strings.TrimPrefix(path, "/lab/s/")) == nil {
			t.Fatal("a watched lab was stopped")
		}
		c.conn.Close()
		deadline := time.Now().Add(3 * time.Second)
		for ts.labs.Count() > 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if res := alice.get(t, path); res.StatusCode != http.StatusNotFound {
			t.Errorf("an idle lab's page = %d, want 404 once it has stopped", res.StatusCode)
		}
	})
}

func TestLabCloseSaysGoingAway(t *testing.T) {
	ts, hs := newLabTestServer(t, nil)
	alice := newLearner(t, hs.URL)
	path := alice.start(t, "free-play")
	a, b := alice.connect(t, path), newLearner(t, hs.URL).connect(t, path)
	ts.Close()
	for _, c := range []*labConn{a, b} {
		if code := c.closeCode(); code != websocket.CloseGoingAway {
			t.Errorf("after Close the socket closed with %d, want 1001", code)
		}
	}
	if res := alice.post(t, "/lab/free-play", url.Values{"_csrf": {alice.csrf(t, "/lab/free-play")}}); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("starting a lab after Close = %d, want 503", res.StatusCode)
	}
}
