package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"microlab/simulator"
	"microlab/store"
)

// uploadRun posts body as a run file to import; it returns the status,
// a refusal's message and where a success redirects.
func uploadRun(t *testing.T, le *learner, body []byte) (int, string, string) {
	t.Helper()
	res, msg := uploadFile(t, le, "/lab/runs/import", "run", body)
	return res.StatusCode, msg, res.Header.Get("Location")
}

// A live lab's run is kept when the lab ends: its replay page, socket and
// file work for anyone with the link; the file imports back; a fork starts
// a live lab of the visitor's own; only the owner deletes it, and a run
// that is gone answers 404.
func TestARecordedRunIsReplayedForkedExportedAndDeleted(t *testing.T) {
	ts, hs := newLabTestServer(t, nil)
	alice := newLearner(t, hs.URL)
	path := alice.start(t, "free-play")
	owner := alice.connect(t, path)
	owner.send(`{"type":"pause"}`)
	owner.reply()
	for _, msg := range []string{`{"type":"step","ms":1234}`, `{"type":"kill","target":"catalog-2"}`, `{"type":"step","ms":4321}`, `{"type":"crash","service":"payment"}`, `{"type":"step","ms":2000}`} {
		owner.send(msg)
		wantReply(t, owner.reply(), "ack", "")
	}
	stop := alice.post(t, path+"/stop", url.Values{"_csrf": {alice.csrf(t, path)}})
	if stop.StatusCode != http.StatusSeeOther {
		t.Fatalf("ending the lab: %d", stop.StatusCode)
	}
	var runID string
	deadline := time.Now().Add(5 * time.Second)
	for runID == "" && time.Now().Before(deadline) {
		runs, err := ts.db.LabRuns(context.Background(), alice.id(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 && runs[0].Commands == 2 && runs[0].EndNS == 7555e6 {
			runID = runs[0].ID
		}
		time.Sleep(20 * time.Millisecond)
	}
	if runID == "" {
		t.Fatal("the ended lab's run was not stored with its 2 commands and its 7.555 s")
	}
	// Stored gzipped, and small.
	stored, err := ts.db.GetLabRun(context.Background(), runID, time.Now())
	if err != nil || len(stored.Record) < 2 || stored.Record[0] != 0x1f || stored.Record[1] != 0x8b || len(stored.Record) > 400 {
		t.Errorf("the stored record is %d bytes, starting %x (%v); want gzip under 400 bytes", len(stored.Record), stored.Record[:min(2, len(stored.Record))], err)
	}
	// The page the end lands on links to the replay, and lists the run.
	if loc := stop.Header.Get("Location"); loc != "/lab?ended=free-play&run="+runID {
		t.Errorf("ending the lab lands on %q", loc)
	}
	index := mustDoc(t, wantStatus(t, alice.get(t, stop.Header.Get("Location")), 200))
	if href, _ := index.Find("[data-testid=ended-replay]").Attr("href"); href != "/lab/r/"+runID {
		t.Errorf("the ended notice links to %q, want the run's replay", href)
	}
	if got := index.Find("[data-testid=my-runs] li").Text(); !strings.Contains(got, "Free play") || !strings.Contains(got, "2 commands") || !strings.Contains(got, "7.6 s of simulated time") {
		t.Errorf("the recorded runs list says %q", got)
	}
	if index.Find(`[data-testid=import-run] input[type=file][name=run]`).Length() != 1 {
		t.Error("the lab index has no form to open a run file")
	}

	bob := newLearner(t, hs.URL)
	page := wantStatus(t, bob.get(t, "/lab/r/"+runID), 200)
	doc := mustDoc(t, page)
	if doc.Find("#replay-pos").Length() != 1 || doc.Find("[data-testid=replay-marks] li").Length() != 2 {
		t.Errorf("the replay page lacks its scrubber or its two commands")
	}
	if got := doc.Find("[data-testid=replay-landmarks]").Text(); !strings.Contains(got, "catalog-2") || !strings.Contains(got, "payment") {
		t.Errorf("the run's turning points do not show the kill and the crash: %q", got)
	}
	if doc.Find(`form[action$="/delete"]`).Length() != 0 {
		t.Errorf("someone else's replay offers to delete it")
	}
	if !strings.Contains(doc.Find("[data-testid=replay-marks]").Text(), "catalog-2") {
		t.Errorf("the command list does not name catalog-2: %q", doc.Find("[data-testid=replay-marks]").Text())
	}

	// The replay plays over its own socket, and seeks.
	rc := bob.connect(t, "/lab/r/"+runID)
	if rc.hello["role"] != "viewer" {
		t.Errorf("a replay's hello says role %v", rc.hello["role"])
	}
	rc.send(`{"type":"seek","ms":6000,"id":1}`)
	wantReply(t, rc.reply(), "ack", "")
	rc.until("the replay at 6 s with catalog-2 dead", 5*time.Second, func() bool {
		return rc.at == 6000 && rc.state["in.catalog-2.st"] == "dead"
	})
	rc.send(`{"type":"kill","target":"catalog-1","id":2}`)
	wantReply(t, rc.reply(), "error", "read-only")

	// The file, and back.
	res := wantStatus(t, bob.get(t, "/lab/r/"+runID+"/run.json"), 200)
	file, _ := io.ReadAll(res.Body)
	res.Body.Close()
	rec, err := simulator.DecodeRecord(bytes.NewReader(file))
	if err != nil || len(rec.Commands) != 2 || rec.Commands[0].AtNS != 1234e6 {
		t.Fatalf("the exported run: %v, %+v", err, rec)
	}
	code, msg, loc := uploadRun(t, bob, file)
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/lab/r/") || loc == "/lab/r/"+runID {
		t.Fatalf("importing the file: %d %q → %q", code, msg, loc)
	}
	wantStatus(t, bob.get(t, loc), 200)

	// Crafted files are refused with a reason, and nothing is kept.
	before, _ := ts.db.LabRuns(context.Background(), bob.id(), time.Now())
	for name, body := range map[string]string{
		"out of order":    strings.Replace(string(file), `"at_ns": 5555000000`, `"at_ns": 1000`, 1),
		"unknown command": strings.Replace(string(file), `"kill"`, `"explode"`, 1),
		"seed too big":    strings.Replace(string(file), `"seed": `, `"seed": 9999999999999999`, 1),
		"not applicable":  strings.Replace(string(file), `"payment"`, `"billing"`, 1),
		"unknown field":   strings.Replace(string(file), `"version": 1`, `"version": 1, "owner": "x"`, 1),
		"too many":        manyCommands(t, rec, simulator.MaxRecordCommands+1),
		"not JSON":        "hello",
	} {
		if body == string(file) {
			t.Fatalf("%s: the crafted file is the same as the real one", name)
		}
		code, msg, _ := uploadRun(t, bob, []byte(body))
		if code != http.StatusBadRequest || msg == "" {
			t.Errorf("%s: %d %q, want 400 with a reason", name, code, msg)
		}
	}
	if after, _ := ts.db.LabRuns(context.Background(), bob.id(), time.Now()); len(after) != len(before) {
		t.Errorf("refused imports kept runs: %d before, %d after", len(before), len(after))
	}

	// A fork is bob's own live lab, from 6 s on.
	forkPage := "/lab/r/" + runID
	for _, at := range []string{"-1", "8", "abc", ""} {
		if res := bob.post(t, forkPage+"/fork", url.Values{"_csrf": {bob.csrf(t, forkPage)}, "at": {at}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("fork at %q: %d, want 400", at, res.StatusCode)
		}
	}
	fork := bob.post(t, forkPage+"/fork", url.Values{"_csrf": {bob.csrf(t, forkPage)}, "at": {"6"}})
	if fork.StatusCode != http.StatusSeeOther || !strings.HasPrefix(fork.Header.Get("Location"), "/lab/s/") {
		t.Fatalf("fork: %d → %q", fork.StatusCode, fork.Header.Get("Location"))
	}
	fc := bob.connect(t, fork.Header.Get("Location"))
	if fc.hello["role"] != "owner" || fc.at != 6000 || fc.state["in.catalog-2.st"] != "dead" {
		t.Errorf("the fork: role %v at %v ms, catalog-2 %v; want owner at 6000 with catalog-2 dead", fc.hello["role"], fc.at, fc.state["in.catalog-2.st"])
	}

	// Only alice deletes it; then it is gone for everyone.
	if res := bob.post(t, forkPage+"/delete", url.Values{"_csrf": {bob.csrf(t, forkPage)}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("bob deleting alice's run: %d, want 404", res.StatusCode)
	}
	if res := alice.post(t, forkPage+"/delete", url.Values{"_csrf": {alice.csrf(t, forkPage)}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("alice deleting her run: %d, want 303", res.StatusCode)
	}
	for _, p := range []string{"/lab/r/" + runID, "/lab/r/" + runID + "/run.json", "/lab/r/nosuchrunnosuchrun", "/lab/r/x"} {
		res := wantStatus(t, bob.get(t, p), http.StatusNotFound)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), "no recorded run") {
			t.Errorf("%s: the 404 does not say the run is gone", p)
		}
	}
}

// manyCommands is rec's file with n copies of its first command.
func manyCommands(t *testing.T, rec *simulator.Record, n int) string {
	t.Helper()
	r := *rec
	r.Commands = nil
	for range n {
		r.Commands = append(r.Commands, rec.Commands[0])
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// SweepRuns deletes the runs past their time at once, and stops with its
// context.
func TestSweepRunsDeletesExpiredRuns(t *testing.T) {
	ts := newTestServer(t)
	now := ts.now() // the server's clock, which the sweep reads
	ctx := context.Background()
	for i, expires := range []time.Time{now.Add(-time.Minute), now.Add(time.Hour)} {
		run := store.LabRun{ID: strings.Repeat(strconv.Itoa(i), 22), Title: "Free play", EndNS: 1e9, Commands: 0,
			Record: []byte(`{}`), Created: now.Add(-time.Hour), Saved: now.Add(-time.Hour), Expires: expires}
		if err := ts.db.SaveLabRun(ctx, strings.Repeat("d", 32), run); err != nil {
			t.Fatal(err)
		}
	}
	sweep, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		ts.SweepRuns(sweep)
	}()
	var runs []store.LabRun
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var err error
		// Listed as of two hours ago, so an expired run still shows until it is deleted.
		if runs, err = ts.db.LabRuns(ctx, strings.Repeat("d", 32), now.Add(-2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 {
			break
		}
	}
	if len(runs) != 1 || runs[0].ID != strings.Repeat("1", 22) {
		t.Errorf("after the sweep: %+v; want only the run still in its time", runs)
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Error("SweepRuns did not stop with its context")
	}
}

// A scenario run with a command beside the same run as scripted: the
// same traffic, the checks and key figures of both, the figures'
// differences; an unknown run is a 404.
func TestARunComparedWithTheScript(t *testing.T) {
	ts, hs := newLabTestServer(t, nil)
	rec := simulator.Record{Version: simulator.RecordVersion, Scenario: "dead-instance", Seed: 3, EndNS: 40e9, Prediction: 1,
		Commands: []simulator.RecordedCommand{{AtNS: 5e9, By: "owner", Command: simulator.Command{Type: "crash", Service: "inventory"}}}}
	body, _ := json.Marshal(rec)
	now := ts.now()
	id := strings.Repeat("r", 22)
	if err := ts.db.SaveLabRun(context.Background(), strings.Repeat("e", 32), store.LabRun{ID: id, Title: "A catalog instance dies",
		Scenario: rec.Scenario, EndNS: rec.EndNS, Commands: 1, Record: body, Created: now, Saved: now, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	le := newLearner(t, hs.URL)
	doc := mustDoc(t, wantStatus(t, le.get(t, "/lab/r/"+id+"/compare"), http.StatusOK))
	plain := rec
	plain.Commands, plain.Prediction = nil, -1
	scripted, _ := simulator.Summarize(&plain)
	yours, _ := simulator.Summarize(&rec)
	if scripted.ArrivalDigest != yours.ArrivalDigest || !strings.Contains(doc.Find("[data-testid=compare-arrivals]").Text(), "the same "+strconv.FormatUint(yours.Arrivals, 10)+" requests") {
		t.Errorf("arrivals: %s and %s; the page says %q", scripted.ArrivalDigest, yours.ArrivalDigest, doc.Find("[data-testid=compare-arrivals]").Text())
	}
	if n := doc.Find("[data-testid=compare-checks] tbody tr").Length(); n != len(yours.Checks) || n == 0 {
		t.Errorf("%d check rows, want %d", n, len(yours.Checks))
	}
	// Crashing inventory costs answers: the figure for 2xx falls.
	row := doc.Find("[data-testid=compare-figures] tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find("th").Text() == "answered 2xx"
	})
	if diff := row.Find("td.diff").Text(); !strings.HasPrefix(diff, "−") {
		t.Errorf("answered 2xx: the difference reads %q, want a fall", diff)
	}
	if n := doc.Find(".challenge-chart svg path.line-b").Length(); n != 3 {
		t.Errorf("%d charts carry the second run, want 3", n)
	}
	wantStatus(t, le.get(t, "/lab/r/nosuchrunnosuchrunnn/compare"), http.StatusNotFound)
}

// A record is kept gzipped; one stored before that, as plain JSON, reads
// the same.
func TestRecordsReadGzippedOrPlain(t *testing.T) {
	rec := &simulator.Record{Version: simulator.RecordVersion, Seed: 5, EndNS: 600e9, Prediction: -1}
	for i := range 100 {
		ms := int64(100 + i)
		rec.Commands = append(rec.Commands, simulator.RecordedCommand{AtNS: int64(i) * 6e9, By: "owner",
			Command: simulator.Command{Type: "latency", Service: "inventory", MS: &ms}})
	}
	plain, _ := json.Marshal(rec)
	packed, err := encodeRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(packed)*4 > len(plain) {
		t.Errorf("a 10-minute run of 100 commands packs to %d bytes from %d", len(packed), len(plain))
	}
	for name, b := range map[string][]byte{"gzipped": packed, "plain": plain} {
		got, err := decodeRecord(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if back, _ := json.Marshal(got); string(back) != string(plain) {
			t.Errorf("%s: the record reads back differently", name)
		}
	}
	if _, err := decodeRecord([]byte{0x1f, 0x8b, 0, 1}); err == nil {
		t.Error("a broken gzip stream was read")
	}
}
