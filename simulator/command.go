package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
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
	if _, err := c.checkShape(); err != nil {
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

// checkShape finds c's spec and checks that c sets every field the type requires and
// no field it does not take.
func (c *Command) checkShape() (commandSpec, error) {
	spec, ok := commandSpecs[c.Type]
	if !ok {
		if c.Type == "" {
			return spec, errors.New(`command: missing "type"`)
		}
		return spec, fmt.Errorf("command: unknown type %q (known: %s)", c.Type, strings.Join(CommandTypes(), ", "))
	}
	have := c.present()
	for _, f := range spec.fields {
		if f.required && !contains(have, f.name) {
			return spec, fmt.Errorf("command %s: missing %q", c.Type, f.name)
		}
	}
	for _, h := range have {
		if !slices.ContainsFunc(spec.fields, func(f field) bool { return f.name == h }) {
			return spec, fmt.Errorf("command %s: field %q does not apply", c.Type, h)
		}
	}
	return spec, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// apply validates c against the current state and, only if it is valid, applies it.
func (s *Sim) apply(c Command) (err error) {
	spec, err := c.checkShape()
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("command %s: %w", c.Type, err)
		}
	}()
	change, msg, err := spec.plan(s, &args{Command: &c, fields: spec.fields})
	if err != nil {
		return err
	}
	change()
	s.logf("command", c.Type, "%s", msg)
	return nil
}

// args is a command as its plan reads it. The number readers check a field against
// the range in its spec and keep the first failure in err, doing nothing once it is
// set: a plan reads what it needs, in the order the checks must run, then looks at
// err once (or hands its result to done).
type args struct {
	*Command
	fields []field
	err    error
}

// bounds returns the range the spec gives field name; a plan that reads a number the
// spec gives no range is a bug in this package.
func (a *args) bounds(name string) (lo, hi float64) {
	for _, f := range a.fields {
		if f.name == name && f.ranged {
			return f.lo, f.hi
		}
	}
	panic(fmt.Sprintf("simulator: command %s: field %q has no range in its spec", a.Type, name))
}

// ms sets *dst from the *_ms field v when it is given.
func (a *args) ms(dst *time.Duration, name string, v *int64) {
	if a.err != nil || v == nil {
		return
	}
	lo, hi := a.bounds(name)
	d, err := msArg(name, v, time.Duration(lo)*time.Millisecond, time.Duration(hi)*time.Millisecond)
	keepArg(a, dst, d, err)
}

// rate sets *dst from the number field v when it is given.
func (a *args) rate(dst *float64, name string, v *float64) {
	if a.err != nil || v == nil {
		return
	}
	lo, hi := a.bounds(name)
	r, err := rateArg(name, v, lo, hi)
	keepArg(a, dst, r, err)
}

// count sets *dst from the whole-number field v when it is given.
func (a *args) count(dst *int, name string, v *int) {
	if a.err != nil || v == nil {
		return
	}
	lo, hi := a.bounds(name)
	n, err := intArg(name, v, int(lo), int(hi))
	keepArg(a, dst, n, err)
}

func keepArg[T any](a *args, dst *T, v T, err error) {
	if err != nil {
		a.err = err
		return
	}
	*dst = v
}

// mode checks that the mode field names one of two modes.
func (a *args) mode(either, or string) {
	if a.err == nil && a.Mode != either && a.Mode != or {
		a.err = fmt.Errorf("mode %q is neither %q nor %q", a.Mode, either, or)
	}
}

// done returns the plan's change and message, or the first argument error instead.
func (a *args) done(change func(), msg string) (func(), string, error) {
	if a.err != nil {
		return nil, "", a.err
	}
	return change, msg, nil
}

// setIfGiven overwrites *dst with the optional field v when the command gives it.
func setIfGiven[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
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

// outage is a part of the shop that a "-down" command takes down and the matching
// "-up" command brings back; the two differ only in the state they ask for.
type outage struct {
	name string
	isUp func(s *Sim) bool
	set  func(s *Sim, up bool)
}

func (o outage) plan(s *Sim, a *args) (func(), string, error) {
	up := strings.HasSuffix(a.Type, "-up")
	if o.isUp(s) == up {
		return nil, "", fmt.Errorf("the %s is already %s", o.name, map[bool]string{true: "up", false: "down"}[up])
	}
	return func() { o.set(s, up) }, a.Type, nil
}

func (o outage) describe(c *Command) string {
	if strings.HasSuffix(c.Type, "-up") {
		return "bring the " + o.name + " back up"
	}
	return "take the " + o.name + " down"
}

// The commands on a service, an instance or an edge check first that it exists;
// these wrap their plans so that each plan starts from what its command names.

func onService(plan func(s *Sim, a *args, svc int) (func(), string, error)) planFunc {
	return func(s *Sim, a *args) (func(), string, error) {
		svc := serviceByName(a.Service)
		if svc < 0 {
			return nil, "", fmt.Errorf("unknown service %q (services: %s)", a.Service, strings.Join(serviceNames[:], ", "))
		}
		return plan(s, a, svc)
	}
}

// onInstance also requires the instance to be one its service runs now.
func onInstance(plan func(s *Sim, a *args, i int) (func(), string, error)) planFunc {
	return func(s *Sim, a *args) (func(), string, error) {
		i := instanceByName(a.Target)
		if i < 0 {
			return nil, "", fmt.Errorf("unknown instance %q (instances are named like catalog-1)", a.Target)
		}
		if in := &s.instances[i]; in.ord > s.services[in.svc].count {
			return nil, "", fmt.Errorf("%s is not part of %s, which runs %d instance(s); scale it up instead",
				a.Target, serviceNames[in.svc], s.services[in.svc].count)
		}
		return plan(s, a, i)
	}
}

func onEdge(plan func(s *Sim, a *args, e *edge) (func(), string, error)) planFunc {
	return func(s *Sim, a *args) (func(), string, error) {
		ed := edgeByName(a.Edge)
		if ed < 0 {
			return nil, "", fmt.Errorf("unknown edge %q (edges: %s)", a.Edge, edgeList())
		}
		return plan(s, a, &s.edges[ed])
	}
}

// Describe says what c does, in a short phrase for people, as the lab's timeline
// shows it. It does not check c: a field a type requires but c lacks reads "?".
func (c Command) Describe() string {
	spec, ok := commandSpecs[c.Type]
	if !ok {
		return "unknown command " + strconv.Quote(c.Type)
	}
	return spec.describe(&c)
}

// The describe functions' pieces.

func msText(p *int64) string {
	if p == nil {
		return "?"
	}
	return strconv.FormatInt(*p, 10) + " ms"
}

func pctText(p *float64) string {
	if p == nil {
		return "?"
	}
	return strconv.FormatFloat(*p*100, 'f', -1, 64) + "%"
}

// numText reads a missing number as 0, as the load and burst descriptions always have.
func numText(p *float64) string {
	var v float64
	setIfGiven(&v, p)
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// onOff is "" when the switch p is not given, so that it drops out of a list.
func onOff(p *bool, what string) string {
	if p == nil {
		return ""
	}
	if *p {
		return what + " on"
	}
	return what + " off"
}

// edgeText draws an edge id the way the lab page does, "orders→payment".
func edgeText(id string) string { return strings.ReplaceAll(id, ">", "→") }

// countText is "" when p is not given, so that it drops out of describeParts.
func countText(p *int, unit string) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p) + " " + unit
}

// describeParts is "head: a, b" for the parts that are not "", or "head: none" when
// none is left.
func describeParts(head, none string, parts ...string) string {
	parts = slices.DeleteFunc(parts, func(p string) bool { return p == "" })
	if len(parts) == 0 && none != "" {
		parts = []string{none}
	}
	return head + ": " + strings.Join(parts, ", ")
}
