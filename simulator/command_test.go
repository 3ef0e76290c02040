package simulator

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestDecodeCommand(t *testing.T) {
	good := []string{
		`{"type":"kill","target":"catalog-2"}`,
		`{"type":"latency","service":"payment","ms":2000,"jitter_ms":100}`,
		`{"type":"breaker","edge":"orders>payment","state":"forced-open"}`,
		`{"type":"registry-down"}`,
	}
	for _, in := range good {
		c, err := DecodeCommand([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		out, _ := MarshalCommand(c)
		if string(out) != in {
			t.Fatalf("round trip: %s became %s", in, out)
		}
	}
	bad := map[string]string{
		`{"type":"kill"}`:    `missing "target"`,
		`{"type":"explode"}`: `unknown type "explode"`,
		`{}`:                 `missing "type"`,
		`{"type":"kill","target":"catalog-2","ms":5}`:   `field "ms" does not apply`,
		`{"type":"kill","target":"catalog-2","x":1}`:    `unknown field "x"`,
		`{"type":"load","rate":"fast"}`:                 `cannot unmarshal`,
		`{"type":"registry-up"} {"type":"registry-up"}`: `more than one JSON value`,
	}
	for in, want := range bad {
		if _, err := DecodeCommand([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", in, err, want)
		}
	}
	if _, err := DecodeCommand(bytes.Repeat([]byte(" "), MaxCommandSize+1)); err == nil {
		t.Error("an oversized command was accepted")
	}
}

func TestApplyRejectsImpossibleCommandsAndChangesNothing(t *testing.T) {
	cases := []struct {
		cmd  string
		want string
	}{
		{`{"type":"kill","target":"catalog-9"}`, "not part of catalog"},
		{`{"type":"kill","target":"cart-1"}`, `unknown instance "cart-1"`},
		{`{"type":"restart","target":"catalog-1"}`, "catalog-1 is alive"},
		{`{"type":"scale","service":"catalog","instances":11}`, "out of range 1..10"},
		{`{"type":"scale","service":"catalog","instances":3}`, "already runs 3"},
		{`{"type":"latency","service":"payment","ms":30001}`, "out of range 0..30000 ms"},
		{`{"type":"latency","service":"payment","ms":-1}`, "out of range"},
		{`{"type":"error-rate","service":"payment","rate":1.5}`, "out of range 0..1"},
		{`{"type":"error-rate","service":"billing","rate":0.5}`, `unknown service "billing"`},
		{`{"type":"cut-link","from":"gateway","to":"gateway"}`, "two different nodes"},
		{`{"type":"heal-link","from":"gateway","to":"catalog"}`, "already up"},
		{`{"type":"registry-up"}`, "already up"},
		{`{"type":"broker-up"}`, "already up"},
		{`{"type":"slow-consumer","group":"billing","ms":5}`, "unknown consumer group"},
		{`{"type":"load","rate":5001}`, "out of range 0..5000"},
		{`{"type":"burst","rate":100,"ms":1000,"client":"client-99"}`, `unknown client "client-99"`},
		{`{"type":"breaker","edge":"gateway>payment"}`, `unknown edge "gateway>payment"`},
		{`{"type":"breaker","edge":"orders>payment","window":0}`, "window 0 out of range"},
		{`{"type":"breaker","edge":"orders>payment","state":"ajar"}`, `state "ajar"`},
		{`{"type":"bulkhead","edge":"orders>payment","max_concurrent":1000}`, "out of range 1..200"},
		{`{"type":"retries","edge":"orders>payment","retries":6}`, "out of range 0..5"},
		{`{"type":"retries","edge":"orders>payment","backoff_ms":500,"backoff_max_ms":100}`, "below backoff_ms"},
		{`{"type":"lb","edge":"orders>payment","mode":"fastest"}`, "not round-robin"},
		{`{"type":"sidecar","service":"orders","own_retries":true}`, "enable it first"},
		{`{"type":"saga-mode","mode":"orchestrated"}`, "already orchestrated"},
		{`{"type":"rate-limit","rate":2.5}`, "whole number"},
		{`{"type":"outbox","enabled":false}`, "already off"},
		{`{"type":"outbox","enabled":true,"ms":5}`, "out of range 10..60000 ms"},
		{`{"type":"inbox","group":"payment-saga","enabled":true}`, "no inbox for consumer group"},
		{`{"type":"inbox","group":"shipping","enabled":false}`, "already off"},
	}
	s := MustNew(DefaultConfig())
	s.Advance(2 * time.Second)
	for _, c := range cases {
		cmd, err := DecodeCommand([]byte(c.cmd))
		if err != nil {
			t.Fatalf("%s: decode: %v", c.cmd, err)
		}
		before := snapshotJSON(t, s)
		err = s.Apply(s.Now(), cmd)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.cmd, err, c.want)
		}
		if after := snapshotJSON(t, s); !bytes.Equal(before, after) {
			t.Errorf("%s: a rejected command changed the snapshot", c.cmd)
		}
	}
}

func TestApplyEveryCommandType(t *testing.T) {
	script := []string{
		`{"type":"kill","target":"catalog-2"}`,
		`{"type":"restart","target":"catalog-2"}`,
		`{"type":"crash","service":"payment"}`,
		`{"type":"restore","service":"payment"}`,
		`{"type":"scale","service":"catalog","instances":5}`,
		`{"type":"latency","service":"payment","ms":200,"jitter_ms":10}`,
		`{"type":"error-rate","service":"payment","rate":0.1}`,
		`{"type":"cut-link","from":"gateway","to":"catalog-3"}`,
		`{"type":"heal-link","from":"gateway","to":"catalog-3"}`,
		`{"type":"registry-down"}`, `{"type":"registry-up"}`,
		`{"type":"broker-down"}`, `{"type":"broker-up"}`,
		`{"type":"slow-consumer","group":"notifications","ms":50}`,
		`{"type":"load","rate":200}`,
		`{"type":"burst","rate":100,"ms":500}`,
		`{"type":"breaker","edge":"orders>payment","window":30,"min_calls":5,"failure_rate":0.4,"slow_ms":800,"slow_rate":0.9,"wait_ms":2000,"half_open_calls":2,"fallback":false}`,
		`{"type":"breaker","edge":"orders>payment","state":"forced-open"}`,
		`{"type":"breaker","edge":"orders>payment","state":"closed"}`,
		`{"type":"bulkhead","edge":"gateway>inventory","max_concurrent":5,"max_queue":2,"max_wait_ms":50}`,
		`{"type":"bulkhead","edge":"gateway>inventory","enabled":false}`,
		`{"type":"retries","edge":"gateway>catalog","retries":3,"backoff_ms":10,"backoff_max_ms":100,"budget":false,"budget_percent":0.5}`,
		`{"type":"timeout","edge":"gateway>catalog","ms":500}`,
		`{"type":"lb","edge":"gateway>catalog","mode":"least-outstanding"}`,
		`{"type":"lb","edge":"gateway>inventory","mode":"random"}`,
		`{"type":"cache","enabled":false,"ttl_ms":1000}`,
		`{"type":"rate-limit","enabled":true,"rate":10,"burst":5}`,
		`{"type":"auth","enabled":false,"share":0.2}`,
		`{"type":"sidecar","service":"orders","enabled":true,"own_retries":true,"own_timeouts":true,"mtls":true,"metrics":true}`,
		`{"type":"sidecar","service":"orders","enabled":false}`,
		`{"type":"saga-mode","mode":"choreographed"}`,
		`{"type":"publish-mode","mode":"fail"}`,
		`{"type":"outbox","enabled":true,"ms":200}`,
		`{"type":"inbox","group":"shipping","enabled":true}`,
	}
	s := MustNew(DefaultConfig())
	seen := map[string]bool{}
	for i, in := range script {
		c, err := DecodeCommand([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		seen[c.Type] = true
		if err := s.Apply(time.Duration(i+1)*time.Second, c); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
	}
	for _, ty := range CommandTypes() {
		if !seen[ty] {
			t.Errorf("command type %q is not exercised", ty)
		}
	}
	s.Advance(10 * time.Second)
	snap := s.Snapshot()
	if snap.Edges[edgeOrdersPayment].Breaker.WindowSize != 30 || snap.Edges[edgeGatewayCatalog].Policy.LB != "least-outstanding" {
		t.Fatalf("policies not applied: %+v", snap.Edges[edgeOrdersPayment].Breaker)
	}
	if snap.Sidecars[svcOrders].Enabled || snap.Sagas.Mode != Choreographed || snap.Broker.PublishMode != "fail" {
		t.Fatalf("sidecar %+v saga %s broker %s", snap.Sidecars[svcOrders], snap.Sagas.Mode, snap.Broker.PublishMode)
	}
}

func snapshotJSON(t testing.TB, s *Sim) []byte {
	t.Helper()
	b, err := json.Marshal(s.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzDecodeCommand(f *testing.F) {
	for _, seed := range []string{
		`{"type":"kill","target":"catalog-2"}`,
		`{"type":"latency","service":"payment","ms":2000,"jitter_ms":100}`,
		`{"type":"breaker","edge":"orders>payment","window":5,"state":"disabled"}`,
		`{"type":"bulkhead","edge":"gateway>inventory","enabled":false}`,
		`{"type":"scale","service":"catalog","instances":10}`,
		`{"type":"burst","rate":5000,"ms":60000,"client":"client-50"}`,
		`{"type":"sidecar","service":"orders","enabled":true,"own_retries":true}`,
		`{"type":"retries","edge":"gateway>catalog","budget_percent":1e308}`,
		`{"type":"load","rate":-0}`,
		`{"type":"cut-link","from":"registry","to":"broker"}`,
		`not json`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeCommand(data)
		if err != nil {
			return
		}
		s := MustNew(DefaultConfig())
		s.Advance(500 * time.Millisecond)
		before := snapshotJSON(t, s)
		if err := s.Apply(s.Now(), c); err != nil {
			if after := snapshotJSON(t, s); !bytes.Equal(before, after) {
				t.Fatalf("rejected command %s changed the state: %v", data, err)
			}
			return
		}
		s.Advance(2 * time.Second) // an accepted command must leave a runnable shop
		_ = s.Snapshot()
	})
}
