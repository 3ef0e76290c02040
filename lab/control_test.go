package lab

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestParseMessage(t *testing.T) {
	for _, tc := range []struct {
		in, code string
	}{
		{`{"type":"speed","value":2}`, ""},
		{`{"type":"speed"}`, "invalid"},
		{`{"type":"reset","seed":7}`, ""},
		{`{"type":"reset","seed":7,"new_seed":true}`, "invalid"},
		{`{"type":"reset","seed":-1}`, "invalid"},
		{`{"type":"reset","seed":9007199254740993}`, "invalid"},
		{`{"type":"trace","trace":3,"id":"x"}`, ""},
		{`{"type":"kill","target":"catalog-1","id":{"a":1}}`, "invalid"},
		{`{"type":"error-rate","service":"payment","rate":0.5}`, ""},
		{`{"type":"error-rate","service":"payment"}`, "invalid"},
		{`{"type":"pause","value":1}`, "invalid"},
		{`{"type":"teleport"}`, "unknown-type"},
		{`{"type":"kill"} {"type":"kill"}`, "bad-json"},
		{`null`, "bad-json"},
		{`{"type":7}`, "bad-message"},
	} {
		_, ref := parseMessage([]byte(tc.in))
		got := ""
		if ref != nil {
			got = ref.code
		}
		if got != tc.code {
			t.Errorf("parse %s: code %q, want %q (%v)", tc.in, got, tc.code, ref)
		}
	}
}

// Every run control's required field is one it allows, and every field it
// allows has a decoder: the table cannot promise what parseMessage can't do.
func TestControlTableIsConsistent(t *testing.T) {
	for typ, c := range controls {
		if c.run == nil {
			t.Errorf("%s: no handler", typ)
		}
		if c.required != "" && !slices.Contains(c.fields, c.required) {
			t.Errorf("%s requires %q but does not allow it", typ, c.required)
		}
		for _, f := range c.fields {
			if controlFields[f] == nil {
				t.Errorf("%s allows %q, which nothing decodes", typ, f)
			}
		}
	}
}

// Whatever a viewer sends, the parser answers with a message or a refusal
// with a code, never a panic; and whatever it accepts, a lab carries out
// without panicking and answers with one JSON object.
func FuzzParseMessage(f *testing.F) {
	for _, seed := range []string{
		`{"type":"speed","value":2}`, `{"type":"reset","seed":7,"new_seed":true}`, `{"type":"step","ms":-5}`,
		`{"type":"fast-forward","seconds":1e308}`, `{"type":"predict","option":99}`, `{"type":"trace","trace":-1}`,
		`{"type":"kill","target":"catalog-1","id":"x"}`, `{"type":"breaker","edge":"orders>payment","state":"forced-open"}`,
		`{"type":"scale","service":"catalog","instances":1000}`, `{"id":[1,2],"type":"pause"}`, `[]`, `"x"`, `{}`,
		`{"type":"speed","value":"fast"}`, `{"type":"speed","value":2} trailing`, "{\"type\":\"\xff\"}",
	} {
		f.Add([]byte(seed))
	}
	mgr := newTestManager(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		// A fresh lab each time: one input's state (a shop scaled up under
		// the heaviest load) must not slow every later one down.
		l, err := newLab(mgr, "owner", nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		m, ref := parseMessage(data)
		if ref != nil {
			if ref.code == "" || ref.message == "" {
				t.Fatalf("refusal without a code or message: %+v", ref)
			}
			return
		}
		var reply map[string]any
		if err := json.Unmarshal(l.handle(m), &reply); err != nil {
			t.Fatalf("reply to %q is not one JSON object: %v", data, err)
		}
		if reply["type"] == nil {
			t.Fatalf("reply to %q has no type: %v", data, reply)
		}
	})
}
