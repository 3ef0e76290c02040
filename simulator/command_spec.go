package simulator

import (
	"maps"
	"slices"
	"time"
)

// commandSpec is everything the package knows about one command type, so that adding
// a command means adding one entry to commandSpecs: the fields it takes (checkShape
// reads them, its plan reads their ranges), how it is planned, and how it reads to a
// person.
type commandSpec struct {
	fields   []field
	plan     planFunc
	describe func(c *Command) string
}

// planFunc checks a command against the simulation and returns the change to make and
// the event message. It changes nothing itself: apply runs change only when err is nil,
// which is how a rejected command leaves the state as it was.
type planFunc func(s *Sim, a *args) (change func(), msg string, err error)

// field is one argument a command type takes, by its JSON name. A number field may
// carry the range the command accepts, in the field's own unit (milliseconds for the
// *_ms fields), for its plan to check; a field without one is checked by the pattern's
// own validate, or is not a number.
type field struct {
	name     string
	required bool
	ranged   bool
	lo, hi   float64
}

func required(name string) field { return field{name: name, required: true} }
func optional(name string) field { return field{name: name} }

// within gives a rate or count field its range.
func (f field) within(lo, hi float64) field {
	f.ranged, f.lo, f.hi = true, lo, hi
	return f
}

// withinMS gives a *_ms field its range; lo and hi are whole milliseconds.
func (f field) withinMS(lo, hi time.Duration) field {
	return f.within(float64(lo/time.Millisecond), float64(hi/time.Millisecond))
}

// commandSpecs is the one list of command types. The order of each type's required
// fields is the order checkShape reports them missing in. Each group's plan and
// describe functions live in the file named beside it.
var commandSpecs = map[string]commandSpec{
	// instance.go
	"kill":    {[]field{required("target")}, onInstance((*Sim).planKill), describeKill},
	"restart": {[]field{required("target")}, onInstance((*Sim).planRestart), describeRestart},
	"crash":   {[]field{required("service")}, onService((*Sim).planCrash), describeCrash},
	"restore": {[]field{required("service")}, onService((*Sim).planRestore), describeRestore},
	"scale": {[]field{required("service"), required("instances").within(MinInstances, MaxInstances)},
		onService((*Sim).planScale), describeScale},
	"latency": {[]field{required("service"), required("ms").withinMS(0, MaxLatency),
		optional("jitter_ms").withinMS(0, MaxLatency)}, onService((*Sim).planLatency), describeLatency},
	"error-rate": {[]field{required("service"), required("rate").within(0, 1)},
		onService((*Sim).planErrorRate), describeErrorRate},

	// shop.go (links) and registry.go
	"cut-link":      {[]field{required("from"), required("to")}, (*Sim).planLink, describeLink},
	"heal-link":     {[]field{required("from"), required("to")}, (*Sim).planLink, describeLink},
	"registry-down": {nil, registryOutage.plan, registryOutage.describe},
	"registry-up":   {nil, registryOutage.plan, registryOutage.describe},

	// broker.go
	"broker-down": {nil, brokerOutage.plan, brokerOutage.describe},
	"broker-up":   {nil, brokerOutage.plan, brokerOutage.describe},
	"slow-consumer": {[]field{required("group"), required("ms").withinMS(0, MaxConsumerDelay)},
		(*Sim).planSlowConsumer, describeSlowConsumer},
	"publish-mode": {[]field{required("mode")}, (*Sim).planPublishMode, describePublishMode},

	// outbox.go and inbox.go
	"outbox": {[]field{optional("enabled"), optional("ms").withinMS(MinOutboxPoll, MaxOutboxPoll)},
		(*Sim).planOutbox, describeOutbox},
	"inbox": {[]field{required("group"), required("enabled")}, (*Sim).planInbox, describeInbox},

	// load.go
	"load": {[]field{required("rate").within(0, MaxRate)}, (*Sim).planLoad, describeLoad},
	"burst": {[]field{required("rate").within(1, MaxRate), required("ms").withinMS(time.Millisecond, MaxBurst),
		optional("client")}, (*Sim).planBurst, describeBurst},

	// breaker.go, bulkhead.go, and call.go for the call policy
	"breaker": {[]field{required("edge"), optional("state"), optional("enabled"), optional("fallback"),
		optional("window"), optional("min_calls"), optional("failure_rate"),
		optional("slow_ms").withinMS(time.Millisecond, MaxTimeout), optional("slow_rate"),
		optional("wait_ms").withinMS(time.Millisecond, MaxBreakerWait), optional("half_open_calls")},
		onEdge((*Sim).planBreaker), describeBreaker},
	"bulkhead": {[]field{required("edge"), optional("enabled"), optional("max_concurrent"), optional("max_queue"),
		optional("max_wait_ms").withinMS(0, MaxBulkheadWait)}, onEdge((*Sim).planBulkhead), describeBulkhead},
	"retries": {[]field{required("edge"), optional("retries").within(0, MaxRetries),
		optional("backoff_ms").withinMS(time.Millisecond, MaxBackoff),
		optional("backoff_max_ms").withinMS(time.Millisecond, MaxBackoff),
		optional("budget"), optional("budget_percent").within(0, 1)}, onEdge((*Sim).planRetries), describeRetries},
	"timeout": {[]field{required("edge"), required("ms").withinMS(0, MaxTimeout)},
		onEdge((*Sim).planTimeout), describeTimeout},
	"lb": {[]field{required("edge"), required("mode")}, onEdge((*Sim).planLB), describeLB},

	// gateway.go
	"cache": {[]field{optional("enabled"), optional("ttl_ms").withinMS(time.Millisecond, MaxCacheTTL)},
		(*Sim).planCache, describeCache},
	"rate-limit": {[]field{optional("enabled"), optional("rate").within(1, MaxRateLimit),
		optional("burst").within(1, MaxRateLimit)}, (*Sim).planRateLimit, describeRateLimit},
	"auth": {[]field{optional("enabled"), optional("share").within(0, 1)}, (*Sim).planAuth, describeAuth},

	// sidecar.go and saga.go
	"sidecar": {[]field{required("service"), optional("enabled"), optional("own_retries"), optional("own_timeouts"),
		optional("mtls"), optional("metrics")}, onService((*Sim).planSidecar), describeSidecar},
	"saga-mode": {[]field{required("mode")}, (*Sim).planSagaMode, describeSagaMode},
}

// CommandTypes returns every command type, sorted.
func CommandTypes() []string { return slices.Sorted(maps.Keys(commandSpecs)) }
