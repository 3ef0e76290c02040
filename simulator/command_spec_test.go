package simulator

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// describeCases pin what Describe says. The ones for kill … sidecar are what the lab
// page printed before the descriptions moved here (every command of every scenario's
// timeline, then the corner cases); a field missing from a command reads "?".
var describeCases = []struct{ cmd, want string }{
	{`{"type":"kill","target":"catalog-2"}`, "kill catalog-2"},
	{`{"type":"restart","target":"catalog-2"}`, "restart catalog-2"},
	{`{"type":"burst","client":"client-07","ms":10000,"rate":200}`, "a burst of 200 requests/s for 10000 ms from client-07"},
	{`{"type":"latency","service":"payment","ms":2000,"jitter_ms":100}`, "payment takes 2000 ms longer (± 100 ms)"},
	{`{"type":"latency","service":"payment","ms":600,"jitter_ms":50}`, "payment takes 600 ms longer (± 50 ms)"},
	{`{"type":"latency","service":"payment","ms":0}`, "payment back to normal speed"},
	{`{"type":"breaker","edge":"gateway>inventory","enabled":false}`, "breaker on gateway→inventory: installed off"},
	{`{"type":"timeout","edge":"gateway>inventory","ms":10000}`, "timeout 10000 ms on gateway→inventory"},
	{`{"type":"retries","edge":"gateway>inventory","retries":0}`, "retries on gateway→inventory: 0 retries"},
	{`{"type":"latency","service":"inventory","ms":3000}`, "inventory takes 3000 ms longer"},
	{`{"type":"slow-consumer","group":"shipping","ms":400}`, "consumer group shipping takes 400 ms more per message"},
	{`{"type":"slow-consumer","group":"shipping","ms":0}`, "consumer group shipping back to normal speed"},
	{`{"type":"slow-consumer","group":"shipping","ms":2500}`, "consumer group shipping takes 2500 ms more per message"},
	{`{"type":"error-rate","service":"payment","rate":1}`, "payment fails 100% of requests"},
	{`{"type":"error-rate","service":"payment","rate":0}`, "payment fails 0% of requests"},
	{`{"type":"error-rate","service":"shipping","rate":1}`, "shipping fails 100% of requests"},
	{`{"type":"error-rate","service":"shipping","rate":0}`, "shipping fails 0% of requests"},
	{`{"type":"retries","edge":"orders>inventory","retries":2}`, "retries on orders→inventory: 2 retries"},
	{`{"type":"error-rate","service":"inventory","rate":0.1}`, "inventory fails 10% of requests"},
	{`{"type":"sidecar","service":"orders","enabled":true,"own_retries":true,"mtls":true,"metrics":true}`, "sidecar for orders, owning retries, with mTLS"},
	{`{"type":"sidecar","service":"inventory","enabled":true,"mtls":true}`, "sidecar for inventory, with mTLS"},
	{`{"type":"breaker","edge":"gateway>catalog","enabled":false}`, "breaker on gateway→catalog: installed off"},
	{`{"type":"breaker","edge":"gateway>orders","enabled":false}`, "breaker on gateway→orders: installed off"},
	{`{"type":"breaker","edge":"orders>inventory","enabled":false}`, "breaker on orders→inventory: installed off"},
	{`{"type":"bulkhead","edge":"gateway>inventory","enabled":false}`, "bulkhead on gateway→inventory: installed off"},
	{`{"type":"bulkhead","edge":"gateway>orders","enabled":false}`, "bulkhead on gateway→orders: installed off"},
	{`{"type":"bulkhead","edge":"orders>inventory","enabled":false}`, "bulkhead on orders→inventory: installed off"},
	{`{"type":"timeout","edge":"gateway>inventory","ms":0}`, "no timeout on gateway→inventory"},
	{`{"type":"timeout","edge":"gateway>orders","ms":0}`, "no timeout on gateway→orders"},
	{`{"type":"timeout","edge":"orders>inventory","ms":0}`, "no timeout on orders→inventory"},
	{`{"type":"latency","service":"inventory","ms":5000}`, "inventory takes 5000 ms longer"},
	{`{"type":"cache","enabled":false}`, "gateway cache off"},
	{`{"type":"bulkhead","edge":"gateway>catalog","enabled":false}`, "bulkhead on gateway→catalog: installed off"},
	{`{"type":"retries","edge":"gateway>catalog","retries":3,"budget":false}`, "retries on gateway→catalog: 3 retries, budget off"},
	{`{"type":"latency","service":"catalog","ms":700,"jitter_ms":600}`, "catalog takes 700 ms longer (± 600 ms)"},
	{`{"type":"retries","edge":"gateway>catalog","budget":true}`, "retries on gateway→catalog: budget on"},
	{`{"type":"restart","target":"payment-1"}`, "restart payment-1"},
	{`{"type":"crash","service":"payment"}`, "crash every instance of payment"},
	{`{"type":"restore","service":"payment"}`, "restore payment"},
	{`{"type":"latency","service":"payment","ms":0,"jitter_ms":50}`, "payment back to normal speed"},
	{`{"type":"latency","service":"payment","ms":2000}`, "payment takes 2000 ms longer"},
	{`{"type":"latency","service":"payment","ms":2000,"jitter_ms":0}`, "payment takes 2000 ms longer"},
	{`{"type":"latency","service":"payment"}`, "payment takes ? longer"},
	{`{"type":"error-rate","service":"payment","rate":0.5}`, "payment fails 50% of requests"},
	{`{"type":"error-rate","service":"payment","rate":0.125}`, "payment fails 12.5% of requests"},
	{`{"type":"error-rate","service":"payment"}`, "payment fails ? of requests"},
	{`{"type":"slow-consumer","group":"notifications","ms":250}`, "consumer group notifications takes 250 ms more per message"},
	{`{"type":"slow-consumer","group":"notifications"}`, "consumer group notifications takes ? more per message"},
	{`{"type":"burst","ms":10000,"rate":200}`, "a burst of 200 requests/s for 10000 ms"},
	{`{"type":"burst","client":"client-07","ms":10000,"rate":200.5}`, "a burst of 200.5 requests/s for 10000 ms from client-07"},
	{`{"type":"burst"}`, "a burst of 0 requests/s for ?"},
	{`{"type":"load","rate":100}`, "load 100 requests/s"},
	{`{"type":"load","rate":0}`, "load 0 requests/s"},
	{`{"type":"load","rate":1000000}`, "load 1000000 requests/s"},
	{`{"type":"load"}`, "load 0 requests/s"},
	{`{"type":"breaker","edge":"orders>payment"}`, "breaker on orders→payment: reconfigured"},
	{`{"type":"breaker","edge":"orders>payment","state":"forced-open"}`, "breaker on orders→payment: forced-open"},
	{`{"type":"breaker","edge":"orders>payment","enabled":true}`, "breaker on orders→payment: installed on"},
	{`{"type":"breaker","edge":"orders>payment","state":"disabled","enabled":false}`, "breaker on orders→payment: disabled, installed off"},
	{`{"type":"breaker","edge":"orders>payment","window":30,"min_calls":5,"failure_rate":0.4}`, "breaker on orders→payment: reconfigured"},
	{`{"type":"bulkhead","edge":"gateway>inventory"}`, "bulkhead on gateway→inventory: reconfigured"},
	{`{"type":"bulkhead","edge":"gateway>inventory","enabled":true,"max_concurrent":5}`, "bulkhead on gateway→inventory: installed on, 5 concurrent"},
	{`{"type":"bulkhead","edge":"gateway>inventory","max_concurrent":5,"max_queue":2,"max_wait_ms":50}`, "bulkhead on gateway→inventory: 5 concurrent"},
	{`{"type":"timeout","edge":"gateway>catalog","ms":0}`, "no timeout on gateway→catalog"},
	{`{"type":"timeout","edge":"gateway>catalog","ms":500}`, "timeout 500 ms on gateway→catalog"},
	{`{"type":"timeout","edge":"gateway>catalog"}`, "timeout ? on gateway→catalog"},
	{`{"type":"retries","edge":"gateway>catalog"}`, "retries on gateway→catalog: "},
	{`{"type":"retries","edge":"gateway>catalog","retries":3}`, "retries on gateway→catalog: 3 retries"},
	{`{"type":"retries","edge":"gateway>catalog","retries":0,"backoff_ms":10,"budget":false}`, "retries on gateway→catalog: 0 retries, budget off"},
	{`{"type":"cache"}`, ""},
	{`{"type":"cache","enabled":true}`, "gateway cache on"},
	{`{"type":"cache","enabled":false,"ttl_ms":1000}`, "gateway cache off"},
	{`{"type":"sidecar","service":"orders"}`, "sidecar for orders"},
	{`{"type":"sidecar","service":"orders","enabled":true,"own_retries":true}`, "sidecar for orders, owning retries"},
	{`{"type":"sidecar","service":"orders","enabled":true,"mtls":true}`, "sidecar for orders, with mTLS"},
	{`{"type":"sidecar","service":"orders","enabled":true,"own_retries":true,"own_timeouts":true,"mtls":true,"metrics":true}`, "sidecar for orders, owning retries, with mTLS"},
	{`{"type":"sidecar","service":"orders","enabled":false,"own_retries":false,"mtls":false}`, "sidecar for orders"},

	{`{"type":"scale","service":"catalog","instances":5}`, "scale catalog to 5 instances"},
	{`{"type":"scale","service":"payment","instances":1}`, "scale payment to 1 instance"},
	{`{"type":"cut-link","from":"gateway","to":"catalog-3"}`, "cut the link between gateway and catalog-3"},
	{`{"type":"heal-link","from":"gateway","to":"catalog-3"}`, "heal the link between gateway and catalog-3"},
	{`{"type":"registry-down"}`, "take the registry down"},
	{`{"type":"registry-up"}`, "bring the registry back up"},
	{`{"type":"broker-down"}`, "take the broker down"},
	{`{"type":"broker-up"}`, "bring the broker back up"},
	{`{"type":"rate-limit","enabled":true,"rate":10,"burst":5}`, "gateway rate limit: switched on, 10 requests/s per client, 5 at once"},
	{`{"type":"rate-limit","burst":40}`, "gateway rate limit: 40 at once"},
	{`{"type":"rate-limit"}`, "gateway rate limit: unchanged"},
	{`{"type":"auth","enabled":false}`, "gateway auth: switched off"},
	{`{"type":"auth","enabled":true,"share":0.01}`, "gateway auth: switched on, 1% of requests without a token"},
	{`{"type":"auth"}`, "gateway auth: unchanged"},
	{`{"type":"lb","edge":"gateway>catalog","mode":"least-outstanding"}`, "least-outstanding load balancing on gateway→catalog"},
	{`{"type":"saga-mode","mode":"choreographed"}`, "new sagas are choreographed"},
	{`{"type":"publish-mode","mode":"buffer"}`, "publishers buffer while the broker is down"},
	{`{"type":"publish-mode","mode":"fail"}`, "publishers fail while the broker is down"},
	{`{"type":"outbox","ms":1000,"enabled":true}`, "orders publishes OrderPlaced through a transactional outbox, relay polling every 1000 ms"},
	{`{"type":"outbox","enabled":false}`, "orders publishes OrderPlaced by a dual write"},
	{`{"type":"inbox","group":"shipping","enabled":true}`, "consumer group shipping drops duplicates with an inbox"},
	{`{"type":"inbox","group":"shipping","enabled":false}`, "consumer group shipping without an inbox"},
	{`{"type":"slow-consumer","group":"shipping","ms":2500}`, "consumer group shipping takes 2500 ms more per message"},
	{`{"type":"explode"}`, `unknown command "explode"`},
}

func TestDescribe(t *testing.T) {
	for _, tc := range describeCases {
		t.Run(tc.cmd, func(t *testing.T) {
			var c Command // not DecodeCommand: Describe must cope with commands it would refuse
			if err := json.Unmarshal([]byte(tc.cmd), &c); err != nil {
				t.Fatal(err)
			}
			if got := c.Describe(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDescribeCoversEveryScenarioStep(t *testing.T) {
	pinned := map[string]bool{}
	for _, tc := range describeCases {
		pinned[tc.cmd] = true
	}
	for _, sc := range Scenarios() {
		for _, st := range sc.Timeline {
			b, err := MarshalCommand(st.Command)
			if err != nil {
				t.Fatal(err)
			}
			if !pinned[string(b)] {
				t.Errorf("%s: step %s has no case in describeCases", sc.Slug, b)
			}
		}
	}
}

func TestDescribeEveryCommandType(t *testing.T) {
	described := map[string]bool{}
	for _, tc := range describeCases {
		var c Command
		if err := json.Unmarshal([]byte(tc.cmd), &c); err != nil {
			t.Fatal(err)
		}
		described[c.Type] = true
	}
	for _, ty := range CommandTypes() {
		if !described[ty] {
			t.Errorf("command type %q has no case in describeCases", ty)
		}
	}
}

func TestCommandSpecsNameRealFields(t *testing.T) {
	var names []string
	ct := reflect.TypeFor[Command]()
	for i := range ct.NumField() {
		names = append(names, strings.Split(ct.Field(i).Tag.Get("json"), ",")[0])
	}
	for _, ty := range CommandTypes() {
		spec := commandSpecs[ty]
		if spec.plan == nil || spec.describe == nil {
			t.Errorf("%s: spec without a plan or a describe function", ty)
		}
		for _, f := range spec.fields {
			if f.name == "type" || !slices.Contains(names, f.name) {
				t.Errorf("%s: field %q is not a field of Command", ty, f.name)
			}
			if f.ranged && f.lo > f.hi {
				t.Errorf("%s: field %q has the empty range %g..%g", ty, f.name, f.lo, f.hi)
			}
		}
	}
}
