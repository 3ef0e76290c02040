package simulator

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sim --replay re-runs a run file to the same result a straight replay
// reaches, and refuses files that do not replay.
func TestReplayCLI(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rec *Record) string {
		t.Helper()
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := RunCLI(args, &out, &errb)
		return code, out.String(), errb.String()
	}
	rec := &Record{Version: RecordVersion, Scenario: "dead-instance", Seed: 2, EndNS: 40e9, Prediction: 1,
		Commands: []RecordedCommand{{AtNS: 7_654_321_000, By: "owner", Command: Command{Type: "scale", Service: "catalog", Instances: pInt(4)}}}}
	good := write("run.json", rec)
	code, out, errs := run("--replay", good, "--json")
	var res Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || code > 1 {
		t.Fatalf("--replay --json: exit %d, %v, %s", code, err, errs)
	}
	p, _ := NewReplayer(rec)
	p.RunUntil(rec.End())
	want, _ := json.Marshal(p.Script().Result().Snapshot)
	got, _ := json.Marshal(res.Snapshot)
	if string(got) != string(want) || res.Snapshot.AtMS != 40000 {
		t.Errorf("--replay's final snapshot differs from a replay's (at %v ms)", res.Snapshot.AtMS)
	}
	if code, out, _ := run("--replay", good); code > 1 || !strings.Contains(out, "replaying ") || !strings.Contains(out, "1 commands") || !strings.Contains(out, "key figures:") {
		t.Errorf("--replay: exit %d\n%s", code, out)
	}
	bad := *rec
	bad.Commands = []RecordedCommand{{AtNS: 1e9, By: "owner", Command: Command{Type: "crash", Service: "billing"}}}
	for _, args := range [][]string{
		{"--replay", filepath.Join(dir, "missing.json")},
		{"--replay", write("bad.json", &bad)},
		{"--replay", good, "--scenario", "dead-instance"},
	} {
		if code, _, errs := run(args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d with %q, want 2 and a message", args, code, errs)
		}
	}
}

// Validate refuses what a crafted file could hold, each with a reason.
func TestRecordValidate(t *testing.T) {
	ok := func() Record {
		return Record{Version: RecordVersion, Seed: 1, EndNS: 10e9, Prediction: -1,
			Commands: []RecordedCommand{{AtNS: 1e9, By: "owner", Command: Command{Type: "kill", Target: "catalog-1"}}}}
	}
	r := ok()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(r *Record){
		"version":       func(r *Record) { r.Version = 2 },
		"scenario":      func(r *Record) { r.Scenario = "nope" },
		"seed":          func(r *Record) { r.Seed = MaxRecordSeed + 1 },
		"length":        func(r *Record) { r.EndNS = int64(MaxRecordLength) + 1 },
		"negative end":  func(r *Record) { r.EndNS = -1 },
		"prediction":    func(r *Record) { r.Prediction = 99 },
		"after the end": func(r *Record) { r.Commands[0].AtNS = 11e9 },
		"out of order": func(r *Record) {
			r.Commands = append(r.Commands, RecordedCommand{AtNS: 5e8, By: "owner", Command: r.Commands[0].Command})
		},
		"sender":        func(r *Record) { r.Commands[0].By = "root" },
		"unknown type":  func(r *Record) { r.Commands[0].Command.Type = "explode" },
		"missing field": func(r *Record) { r.Commands[0].Command.Target = "" },
		"too many":      func(r *Record) { r.Commands = make([]RecordedCommand, MaxRecordCommands+1) },
	} {
		r := ok()
		change(&r)
		if err := r.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := DecodeRecord(strings.NewReader(strings.Repeat(" ", MaxRecordBytes+1))); err == nil {
		t.Error("a file over the size bound was read")
	}
}

// A run's landmarks are its turning points in time order: here the
// scenario's kill, the eviction it leads to, and the learner's command.
func TestLandmarks(t *testing.T) {
	rec := &Record{Version: RecordVersion, Scenario: "dead-instance", Seed: 1, EndNS: 40e9, Prediction: -1,
		Commands: []RecordedCommand{{AtNS: 25e9, By: "owner", Command: Command{Type: "crash", Service: "payment"}}}}
	marks, err := Landmarks(rec)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for i, m := range marks {
		if i > 0 && m.At < marks[i-1].At {
			t.Errorf("landmark %d at %v s is before the one ahead of it", i, m.At)
		}
		texts = append(texts, m.Label)
	}
	all := strings.Join(texts, " | ")
	for _, want := range []string{"catalog-2", "evicted", "payment"} {
		if !strings.Contains(all, want) {
			t.Errorf("the landmarks do not mention %q: %s", want, all)
		}
	}
	if len(marks) > MaxLandmarks {
		t.Errorf("%d landmarks, over the bound", len(marks))
	}
}
