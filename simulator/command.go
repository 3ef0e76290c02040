package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// MaxCommandSize is the largest JSON command DecodeCommand accepts, in bytes.
const MaxCommandSize = 4096

// Command is one instruction to a simulation, as the web layer and the headless runner
// send it. Type says what to do; the other fields are its arguments, and a field that
// Type does not use is an error. The package documentation lists every type.
type Command struct {
	Type string `json:"type"`

	Target  string `json:"target,omitempty"`  // an instance, e.g. "catalog-2"
	Service string `json:"service,omitempty"` // a service, e.g. "payment"
	From    string `json:"from,omitempty"`    // a node, for links
	To      string `json:"to,omitempty"`      // a node, for links
	Edge    string `json:"edge,omitempty"`    // an edge, e.g. "orders>payment"
	Group   string `json:"group,omitempty"`   // a consumer group, e.g. "shipping"
	Client  string `json:"client,omitempty"`  // a client, e.g. "client-07"
	Mode    string `json:"mode,omitempty"`    // a policy or mode name
	State   string `json:"state,omitempty"`   // a breaker state: closed, forced-open, disabled

	Instances     *int     `json:"instances,omitempty"`
	MS            *int64   `json:"ms,omitempty"`
	JitterMS      *int64   `json:"jitter_ms,omitempty"`
	Rate          *float64 `json:"rate,omitempty"`
	Burst         *int     `json:"burst,omitempty"`
	Share         *float64 `json:"share,omitempty"`
	Enabled       *bool    `json:"enabled,omitempty"`
	Fallback      *bool    `json:"fallback,omitempty"`
	Window        *int     `json:"window,omitempty"`
	MinCalls      *int     `json:"min_calls,omitempty"`
	FailureRate   *float64 `json:"failure_rate,omitempty"`
	SlowMS        *int64   `json:"slow_ms,omitempty"`
	SlowRate      *float64 `json:"slow_rate,omitempty"`
	WaitMS        *int64   `json:"wait_ms,omitempty"`
	HalfOpenCalls *int     `json:"half_open_calls,omitempty"`
	MaxConcurrent *int     `json:"max_concurrent,omitempty"`
	MaxQueue      *int     `json:"max_queue,omitempty"`
	MaxWaitMS     *int64   `json:"max_wait_ms,omitempty"`
	Retries       *int     `json:"retries,omitempty"`
	BackoffMS     *int64   `json:"backoff_ms,omitempty"`
	BackoffMaxMS  *int64   `json:"backoff_max_ms,omitempty"`
	Budget        *bool    `json:"budget,omitempty"`
	BudgetPercent *float64 `json:"budget_percent,omitempty"`
	TTLMS         *int64   `json:"ttl_ms,omitempty"`
	OwnRetries    *bool    `json:"own_retries,omitempty"`
	OwnTimeouts   *bool    `json:"own_timeouts,omitempty"`
	MTLS          *bool    `json:"mtls,omitempty"`
	Metrics       *bool    `json:"metrics,omitempty"`
}

// commandFields lists, per type, the fields it requires and the ones it allows.
var commandFields = map[string]struct{ required, optional []string }{
	"kill":          {[]string{"target"}, nil},
	"restart":       {[]string{"target"}, nil},
	"crash":         {[]string{"service"}, nil},
	"restore":       {[]string{"service"}, nil},
	"scale":         {[]string{"service", "instances"}, nil},
	"latency":       {[]string{"service", "ms"}, []string{"jitter_ms"}},
	"error-rate":    {[]string{"service", "rate"}, nil},
	"cut-link":      {[]string{"from", "to"}, nil},
	"heal-link":     {[]string{"from", "to"}, nil},
	"registry-down": {nil, nil},
	"registry-up":   {nil, nil},
	"broker-down":   {nil, nil},
	"broker-up":     {nil, nil},
	"slow-consumer": {[]string{"group", "ms"}, nil},
	"load":          {[]string{"rate"}, nil},
	"burst":         {[]string{"rate", "ms"}, []string{"client"}},
	"breaker": {[]string{"edge"}, []string{"state", "enabled", "fallback", "window", "min_calls", "failure_rate",
		"slow_ms", "slow_rate", "wait_ms", "half_open_calls"}},
	"bulkhead":     {[]string{"edge"}, []string{"enabled", "max_concurrent", "max_queue", "max_wait_ms"}},
	"retries":      {[]string{"edge"}, []string{"retries", "backoff_ms", "backoff_max_ms", "budget", "budget_percent"}},
	"timeout":      {[]string{"edge", "ms"}, nil},
	"lb":           {[]string{"edge", "mode"}, nil},
	"cache":        {nil, []string{"enabled", "ttl_ms"}},
	"rate-limit":   {nil, []string{"enabled", "rate", "burst"}},
	"auth":         {nil, []string{"enabled", "share"}},
	"sidecar":      {[]string{"service"}, []string{"enabled", "own_retries", "own_timeouts", "mtls", "metrics"}},
	"saga-mode":    {[]string{"mode"}, nil},
	"publish-mode": {[]string{"mode"}, nil},
}

// CommandTypes returns every command type, sorted.
func CommandTypes() []string {
	return []string{"auth", "breaker", "broker-down", "broker-up", "bulkhead", "burst", "cache", "crash",
		"cut-link", "error-rate", "heal-link", "kill", "latency", "lb", "load", "publish-mode", "rate-limit",
		"registry-down", "registry-up", "restart", "restore", "retries", "saga-mode", "scale", "sidecar",
		"slow-consumer", "timeout"}
}

// present lists the argument fields that are set, by JSON name, in a fixed order.
func (c *Command) present() []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	add(c.Target != "", "target")
	add(c.Service != "", "service")
	add(c.From != "", "from")
	add(c.To != "", "to")
	add(c.Edge != "", "edge")
	add(c.Group != "", "group")
	add(c.Client != "", "client")
	add(c.Mode != "", "mode")
	add(c.State != "", "state")
	add(c.Instances != nil, "instances")
	add(c.MS != nil, "ms")
	add(c.JitterMS != nil, "jitter_ms")
	add(c.Rate != nil, "rate")
	add(c.Burst != nil, "burst")
	add(c.Share != nil, "share")
	add(c.Enabled != nil, "enabled")
	add(c.Fallback != nil, "fallback")
	add(c.Window != nil, "window")
	add(c.MinCalls != nil, "min_calls")
	add(c.FailureRate != nil, "failure_rate")
	add(c.SlowMS != nil, "slow_ms")
	add(c.SlowRate != nil, "slow_rate")
	add(c.WaitMS != nil, "wait_ms")
	add(c.HalfOpenCalls != nil, "half_open_calls")
	add(c.MaxConcurrent != nil, "max_concurrent")
	add(c.MaxQueue != nil, "max_queue")
	add(c.MaxWaitMS != nil, "max_wait_ms")
	add(c.Retries != nil, "retries")
	add(c.BackoffMS != nil, "backoff_ms")
	add(c.BackoffMaxMS != nil, "backoff_max_ms")
	add(c.Budget != nil, "budget")
	add(c.BudgetPercent != nil, "budget_percent")
	add(c.TTLMS != nil, "ttl_ms")
	add(c.OwnRetries != nil, "own_retries")
	add(c.OwnTimeouts != nil, "own_timeouts")
	add(c.MTLS != nil, "mtls")
	add(c.Metrics != nil, "metrics")
	return out
}

// DecodeCommand parses one JSON command and checks its shape (known type, known
// fields, the fields the type needs). Whether it can apply to a given simulation is
// checked when it is applied.
func DecodeCommand(data []byte) (Command, error) {
	var c Command
	if len(data) > MaxCommandSize {
		return c, fmt.Errorf("command: %d bytes is more than the %d allowed", len(data), MaxCommandSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Command{}, fmt.Errorf("command: %w", err)
	}
	if dec.More() {
		return Command{}, errors.New("command: more than one JSON value")
	}
	if err := c.checkShape(); err != nil {
		return Command{}, err
	}
	return c, nil
}

// MarshalCommand encodes a command as compact JSON (edge ids keep their ">").
func MarshalCommand(c Command) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func (c *Command) checkShape() error {
	f, ok := commandFields[c.Type]
	if !ok {
		if c.Type == "" {
			return errors.New(`command: missing "type"`)
		}
		return fmt.Errorf("command: unknown type %q (known: %s)", c.Type, strings.Join(CommandTypes(), ", "))
	}
	have := c.present()
	for _, r := range f.required {
		if !contains(have, r) {
			return fmt.Errorf("command %s: missing %q", c.Type, r)
		}
	}
	for _, h := range have {
		if !contains(f.required, h) && !contains(f.optional, h) {
			return fmt.Errorf("command %s: field %q does not apply", c.Type, h)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func msArg(name string, v *int64, lo, hi time.Duration) (time.Duration, error) {
	d := time.Duration(*v) * time.Millisecond
	if *v < 0 || *v > int64(hi/time.Millisecond) || d < lo {
		return 0, fmt.Errorf("%s %d ms out of range %d..%d ms", name, *v, lo/time.Millisecond, hi/time.Millisecond)
	}
	return d, nil
}

func rateArg(name string, v *float64, lo, hi float64) (float64, error) {
	if math.IsNaN(*v) || *v < lo || *v > hi {
		return 0, fmt.Errorf("%s %g out of range %g..%g", name, *v, lo, hi)
	}
	return *v, nil
}

func intArg(name string, v *int, lo, hi int) (int, error) {
	if *v < lo || *v > hi {
		return 0, fmt.Errorf("%s %d out of range %d..%d", name, *v, lo, hi)
	}
	return *v, nil
}

// apply validates c against the current state and, only if it is valid, applies it.
func (s *Sim) apply(c Command) (err error) {
	if err := c.checkShape(); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("command %s: %w", c.Type, err)
		}
	}()
	change, msg, err := s.plan(&c)
	if err != nil {
		return err
	}
	change()
	s.logf("command", c.Type, "%s", msg)
	return nil
}

// plan checks c and returns the change to make and a message, without changing
// anything.
func (s *Sim) plan(c *Command) (func(), string, error) {
	switch c.Type {
	case "kill", "restart":
		i := instanceByName(c.Target)
		if i < 0 {
			return nil, "", fmt.Errorf("unknown instance %q (instances are named like catalog-1)", c.Target)
		}
		in := &s.instances[i]
		if in.ord > s.services[in.svc].count {
			return nil, "", fmt.Errorf("%s is not part of %s, which runs %d instance(s); scale it up instead",
				c.Target, serviceNames[in.svc], s.services[in.svc].count)
		}
		if c.Type == "kill" {
			if in.state != instAlive {
				return nil, "", fmt.Errorf("%s is already %s", c.Target, instStateNames[in.state])
			}
			return func() { s.kill(i) }, "killed " + c.Target, nil
		}
		if in.state == instAlive {
			return nil, "", fmt.Errorf("%s is alive; kill it before restarting it", c.Target)
		}
		return func() { s.restart(i); s.kickConsumers() }, "restarted " + c.Target, nil
	case "crash", "restore":
		svc, err := s.serviceArg(c.Service)
		if err != nil {
			return nil, "", err
		}
		want := instAlive
		if c.Type == "restore" {
			want = instDead
		}
		var list []int
		for o := 1; o <= s.services[svc].count; o++ {
			if s.instances[svc*MaxInstances+o-1].state == want {
				list = append(list, svc*MaxInstances+o-1)
			}
		}
		if len(list) == 0 {
			return nil, "", fmt.Errorf("%s has no %s instance", c.Service, instStateNames[want])
		}
		if c.Type == "crash" {
			return func() {
				for _, i := range list {
					s.kill(i)
				}
			}, "crashed every instance of " + c.Service, nil
		}
		return func() {
			for _, i := range list {
				s.restart(i)
			}
			s.kickConsumers()
		}, "restored every dead instance of " + c.Service, nil
	case "scale":
		svc, err := s.serviceArg(c.Service)
		if err != nil {
			return nil, "", err
		}
		n, err := intArg("instances", c.Instances, MinInstances, MaxInstances)
		if err != nil {
			return nil, "", err
		}
		if n == s.services[svc].count {
			return nil, "", fmt.Errorf("%s already runs %d instance(s)", c.Service, n)
		}
		return func() { s.scale(svc, n); s.kickConsumers() }, fmt.Sprintf("scaled %s to %d", c.Service, n), nil
	case "latency":
		svc, err := s.serviceArg(c.Service)
		if err != nil {
			return nil, "", err
		}
		d, err := msArg("ms", c.MS, 0, MaxLatency)
		if err != nil {
			return nil, "", err
		}
		var j time.Duration
		if c.JitterMS != nil {
			if j, err = msArg("jitter_ms", c.JitterMS, 0, MaxLatency); err != nil {
				return nil, "", err
			}
		}
		return func() { s.services[svc].latency, s.services[svc].jitter = d, j },
			fmt.Sprintf("%s latency +%v (jitter %v)", c.Service, d, j), nil
	case "error-rate":
		svc, err := s.serviceArg(c.Service)
		if err != nil {
			return nil, "", err
		}
		r, err := rateArg("rate", c.Rate, 0, 1)
		if err != nil {
			return nil, "", err
		}
		return func() { s.services[svc].cfg.ErrorRate = r }, fmt.Sprintf("%s error rate %g", c.Service, r), nil
	case "cut-link", "heal-link":
		a, b := nodeByName(c.From), nodeByName(c.To)
		if a < 0 || b < 0 {
			return nil, "", fmt.Errorf("unknown node %q or %q (nodes: gateway, registry, broker, a service or an instance)", c.From, c.To)
		}
		if a == b {
			return nil, "", fmt.Errorf("a link needs two different nodes, got %q twice", c.From)
		}
		cut := c.Type == "cut-link"
		if s.links[a][b] == cut {
			return nil, "", fmt.Errorf("link %s–%s is already %s", c.From, c.To, map[bool]string{true: "cut", false: "up"}[cut])
		}
		return func() {
			s.links[a][b], s.links[b][a] = cut, cut
			if !cut {
				s.kickConsumers()
			}
		}, fmt.Sprintf("link %s–%s %s", c.From, c.To, map[bool]string{true: "cut", false: "healed"}[cut]), nil
	case "registry-down", "registry-up":
		up := c.Type == "registry-up"
		if s.reg.up == up {
			return nil, "", fmt.Errorf("the registry is already %s", map[bool]string{true: "up", false: "down"}[up])
		}
		return func() { s.setRegistry(up) }, c.Type, nil
	case "broker-down", "broker-up":
		up := c.Type == "broker-up"
		if s.broker.up == up {
			return nil, "", fmt.Errorf("the broker is already %s", map[bool]string{true: "up", false: "down"}[up])
		}
		return func() { s.setBroker(up) }, c.Type, nil
	case "slow-consumer":
		gi := groupByName(c.Group)
		if gi < 0 {
			return nil, "", fmt.Errorf("unknown consumer group %q (groups: %s)", c.Group, groupList())
		}
		d, err := msArg("ms", c.MS, 0, MaxConsumerDelay)
		if err != nil {
			return nil, "", err
		}
		return func() { s.broker.groups[gi].extra = d }, fmt.Sprintf("consumer group %s: +%v per message", c.Group, d), nil
	case "load":
		r, err := rateArg("rate", c.Rate, 0, MaxRate)
		if err != nil {
			return nil, "", err
		}
		return func() { s.setRate(0, r, 0, -1) }, fmt.Sprintf("load %g req/s", r), nil
	case "burst":
		r, err := rateArg("rate", c.Rate, 1, MaxRate)
		if err != nil {
			return nil, "", err
		}
		d, err := msArg("ms", c.MS, time.Millisecond, MaxBurst)
		if err != nil {
			return nil, "", err
		}
		client := -1
		if c.Client != "" {
			if client = clientByName(&s.gw, c.Client); client < 0 {
				return nil, "", fmt.Errorf("unknown client %q (client-01..%s)", c.Client, s.gw.clients[len(s.gw.clients)-1])
			}
		}
		who := "random clients"
		if client >= 0 {
			who = c.Client
		}
		return func() { s.setRate(1, r, s.now+d, client) }, fmt.Sprintf("burst of %g req/s for %v from %s", r, d, who), nil
	case "breaker", "bulkhead", "retries", "timeout", "lb":
		return s.planEdge(c)
	case "cache":
		cc := s.gw.cache
		if c.Enabled != nil {
			cc.Enabled = *c.Enabled
		}
		if c.TTLMS != nil {
			d, err := msArg("ttl_ms", c.TTLMS, time.Millisecond, MaxCacheTTL)
			if err != nil {
				return nil, "", err
			}
			cc.TTL = d
		}
		return func() { s.gw.cache = cc }, fmt.Sprintf("cache enabled=%v ttl=%v", cc.Enabled, cc.TTL), nil
	case "rate-limit":
		rl := s.gw.rl
		if c.Enabled != nil {
			rl.Enabled = *c.Enabled
		}
		if c.Rate != nil {
			r, err := rateArg("rate", c.Rate, 1, MaxRateLimit)
			if err != nil {
				return nil, "", err
			}
			if r != math.Trunc(r) {
				return nil, "", fmt.Errorf("rate %g must be a whole number of tokens a second", r)
			}
			rl.Rate = int(r)
		}
		if c.Burst != nil {
			b, err := intArg("burst", c.Burst, 1, MaxRateLimit)
			if err != nil {
				return nil, "", err
			}
			rl.Burst = b
		}
		return func() {
			s.gw.rl = rl
			for i := range s.gw.buckets {
				s.gw.buckets[i] = NewTokenBucket(rl.Rate, rl.Burst)
				s.gw.buckets[i].last = s.now
			}
		}, fmt.Sprintf("rate limit enabled=%v %d/s burst %d", rl.Enabled, rl.Rate, rl.Burst), nil
	case "auth":
		a := s.gw.auth
		if c.Enabled != nil {
			a.Enabled = *c.Enabled
		}
		if c.Share != nil {
			r, err := rateArg("share", c.Share, 0, 1)
			if err != nil {
				return nil, "", err
			}
			a.NoTokenShare = r
		}
		return func() { s.gw.auth = a }, fmt.Sprintf("auth enabled=%v, %g of requests without a token", a.Enabled, a.NoTokenShare), nil
	case "sidecar":
		svc, err := s.serviceArg(c.Service)
		if err != nil {
			return nil, "", err
		}
		p := s.sidecars[svc]
		set := func(dst *bool, v *bool) {
			if v != nil {
				*dst = *v
			}
		}
		set(&p.Enabled, c.Enabled)
		set(&p.Retries, c.OwnRetries)
		set(&p.Timeouts, c.OwnTimeouts)
		set(&p.MTLS, c.MTLS)
		set(&p.Metrics, c.Metrics)
		if !p.Enabled {
			if c.Enabled != nil && (c.OwnRetries != nil && *c.OwnRetries || c.OwnTimeouts != nil && *c.OwnTimeouts ||
				c.MTLS != nil && *c.MTLS || c.Metrics != nil && *c.Metrics) {
				return nil, "", fmt.Errorf("a disabled sidecar cannot own policies")
			}
			if c.Enabled == nil && (p.Retries || p.Timeouts || p.MTLS || p.Metrics) {
				return nil, "", fmt.Errorf("%s has no sidecar; enable it first", c.Service)
			}
			p = SidecarPolicy{} // turning the sidecar off hands every policy back to the service
		}
		return func() { s.sidecars[svc] = p },
			fmt.Sprintf("%s sidecar enabled=%v retries=%s timeouts=%s mtls=%v metrics=%v", c.Service, p.Enabled,
				owner(p.Retries), owner(p.Timeouts), p.MTLS, p.Metrics), nil
	case "saga-mode":
		if c.Mode != Orchestrated && c.Mode != Choreographed {
			return nil, "", fmt.Errorf("mode %q is neither %q nor %q", c.Mode, Orchestrated, Choreographed)
		}
		if s.sagas.cfg.Mode == c.Mode {
			return nil, "", fmt.Errorf("sagas are already %s", c.Mode)
		}
		return func() { s.sagas.cfg.Mode = c.Mode }, "new sagas are " + c.Mode, nil
	case "publish-mode":
		if c.Mode != PublishFail && c.Mode != PublishBuffer {
			return nil, "", fmt.Errorf("mode %q is neither %q nor %q", c.Mode, PublishFail, PublishBuffer)
		}
		return func() { s.broker.cfg.PublishMode = c.Mode }, "publishers " + c.Mode + " while the broker is down", nil
	}
	return nil, "", fmt.Errorf("unknown type %q", c.Type)
}

func owner(inSidecar bool) string {
	if inSidecar {
		return "sidecar"
	}
	return "service"
}

func groupList() string {
	names := make([]string, numGroups)
	for i, d := range groupDefs {
		names[i] = d.name
	}
	return strings.Join(names, ", ")
}

func (s *Sim) serviceArg(name string) (int, error) {
	svc := serviceByName(name)
	if svc < 0 {
		return 0, fmt.Errorf("unknown service %q (services: %s)", name, strings.Join(serviceNames[:], ", "))
	}
	return svc, nil
}

// planEdge handles the commands that change an edge's policy.
func (s *Sim) planEdge(c *Command) (func(), string, error) {
	ed := edgeByName(c.Edge)
	if ed < 0 {
		return nil, "", fmt.Errorf("unknown edge %q (edges: %s)", c.Edge, edgeList())
	}
	e := &s.edges[ed]
	p := e.policy
	var err error
	switch c.Type {
	case "breaker":
		bc := p.Breaker
		reconf := false
		if c.Enabled != nil {
			bc.Enabled, reconf = *c.Enabled, true
		}
		if c.Fallback != nil {
			p.Fallback = *c.Fallback
		}
		for _, f := range []struct {
			v   *int
			dst *int
		}{{c.Window, &bc.Window}, {c.MinCalls, &bc.MinCalls}, {c.HalfOpenCalls, &bc.PermittedInHalfOpen}} {
			if f.v != nil {
				*f.dst, reconf = *f.v, true
			}
		}
		if c.FailureRate != nil {
			bc.FailureRate, reconf = *c.FailureRate, true
		}
		if c.SlowRate != nil {
			bc.SlowRate, reconf = *c.SlowRate, true
		}
		if c.SlowMS != nil {
			if bc.SlowCall, err = msArg("slow_ms", c.SlowMS, time.Millisecond, MaxTimeout); err != nil {
				return nil, "", err
			}
			reconf = true
		}
		if c.WaitMS != nil {
			if bc.WaitInOpen, err = msArg("wait_ms", c.WaitMS, time.Millisecond, MaxBreakerWait); err != nil {
				return nil, "", err
			}
			reconf = true
		}
		if math.IsNaN(bc.FailureRate) || math.IsNaN(bc.SlowRate) {
			return nil, "", errors.New("rates must be numbers")
		}
		if err := bc.validate(); err != nil {
			return nil, "", err
		}
		var to BreakerState
		switch c.State {
		case "":
		case "closed":
			to = Closed
		case "forced-open":
			to = ForcedOpen
		case "disabled":
			to = Disabled
		default:
			return nil, "", fmt.Errorf("state %q is not closed, forced-open or disabled", c.State)
		}
		if c.State != "" && !bc.Enabled && to != Disabled {
			return nil, "", errors.New("the breaker is not enabled; enable it first")
		}
		p.Breaker = bc
		return func() {
				before := e.breaker.State()
				e.policy = p
				if reconf {
					e.breaker.Configure(bc)
				}
				switch {
				case c.State == "closed":
					e.breaker.Reset()
				case c.State != "":
					e.breaker.Force(s.now, to)
				}
				if e.breaker.State() != before {
					s.breakerChanged(e)
				}
			}, fmt.Sprintf("breaker %s: enabled=%v window=%d min=%d failure≥%g slow>%v slow≥%g wait=%v half-open=%d fallback=%v state=%s",
				c.Edge, bc.Enabled, bc.Window, bc.MinCalls, bc.FailureRate, bc.SlowCall, bc.SlowRate, bc.WaitInOpen,
				bc.PermittedInHalfOpen, p.Fallback, orDefault(c.State, "unchanged")), nil
	case "bulkhead":
		bc := p.Bulkhead
		if c.Enabled != nil {
			bc.Enabled = *c.Enabled
		}
		if c.MaxConcurrent != nil {
			bc.MaxConcurrent = *c.MaxConcurrent
		}
		if c.MaxQueue != nil {
			bc.MaxQueue = *c.MaxQueue
		}
		if c.MaxWaitMS != nil {
			if bc.MaxWait, err = msArg("max_wait_ms", c.MaxWaitMS, 0, MaxBulkheadWait); err != nil {
				return nil, "", err
			}
		}
		if err := bc.validate(); err != nil {
			return nil, "", err
		}
		p.Bulkhead = bc
		return func() {
			e.policy = p
			s.reconfigureBulkhead(e, bc)
		}, fmt.Sprintf("bulkhead %s: enabled=%v max=%d queue=%d wait=%v", c.Edge, bc.Enabled, bc.MaxConcurrent, bc.MaxQueue, bc.MaxWait), nil
	case "retries":
		if c.Retries != nil {
			if p.Retries, err = intArg("retries", c.Retries, 0, MaxRetries); err != nil {
				return nil, "", err
			}
		}
		if c.BackoffMS != nil {
			if p.BackoffBase, err = msArg("backoff_ms", c.BackoffMS, time.Millisecond, MaxBackoff); err != nil {
				return nil, "", err
			}
		}
		if c.BackoffMaxMS != nil {
			if p.BackoffMax, err = msArg("backoff_max_ms", c.BackoffMaxMS, time.Millisecond, MaxBackoff); err != nil {
				return nil, "", err
			}
		}
		if p.BackoffMax < p.BackoffBase {
			return nil, "", fmt.Errorf("backoff_max_ms %v is below backoff_ms %v", p.BackoffMax, p.BackoffBase)
		}
		if c.Budget != nil {
			p.Budget.Enabled = *c.Budget
		}
		if c.BudgetPercent != nil {
			if p.Budget.Percent, err = rateArg("budget_percent", c.BudgetPercent, 0, 1); err != nil {
				return nil, "", err
			}
		}
		return func() { e.policy = p }, fmt.Sprintf("retries %s: %d, back-off %v..%v, budget=%v (%g%%)",
			c.Edge, p.Retries, p.BackoffBase, p.BackoffMax, p.Budget.Enabled, 100*p.Budget.Percent), nil
	case "timeout":
		if p.Timeout, err = msArg("ms", c.MS, 0, MaxTimeout); err != nil {
			return nil, "", err
		}
		return func() { e.policy = p }, fmt.Sprintf("timeout %s: %v (0 = none)", c.Edge, p.Timeout), nil
	case "lb":
		lb := LB(c.Mode)
		if lb != RoundRobin && lb != LeastOutstanding && lb != Random {
			return nil, "", fmt.Errorf("mode %q is not round-robin, least-outstanding or random", c.Mode)
		}
		p.LB = lb
		return func() { e.policy = p }, fmt.Sprintf("load balancing %s: %s", c.Edge, lb), nil
	}
	return nil, "", fmt.Errorf("unknown type %q", c.Type)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// reconfigureBulkhead applies a new bulkhead config; waiting calls that now fit (or
// every waiting call, when the bulkhead is turned off) go ahead.
func (s *Sim) reconfigureBulkhead(e *edge, bc BulkheadConfig) {
	b := &e.bulkhead
	if !bc.Enabled {
		var waiting []int32
		b.drain(func(id int32) { waiting = append(waiting, id) })
		b.Configure(bc)
		for _, ci := range waiting {
			s.calls.at(ci).bh = bhNone
			s.dispatch(ci)
		}
		return
	}
	b.Configure(bc)
	for b.qlen > 0 && b.inUse < bc.MaxConcurrent {
		ci := b.queue[b.qhead]
		b.qhead = (b.qhead + 1) % MaxBulkheadQueue
		b.qlen--
		b.inUse++
		b.AdmittedTotal++
		s.calls.at(ci).bh = bhHeld
		s.dispatch(ci)
	}
}
