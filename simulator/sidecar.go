package simulator

import (
	"fmt"
	"time"
)

// Sidecars are per-instance proxies (Envoy in Istio or Linkerd's proxy). In the shop a
// service's sidecar policy applies to all its instances. A sidecar adds Overhead to
// every hop it sits on (the caller's side and the callee's side each count). When it
// owns retries or timeouts, the orders service's outgoing calls are retried or timed
// out by the sidecar instead of the service code: the policy's numbers stay the same,
// where it is applied changes, and the snapshot, the edge counters and the trace
// spans ("retry by sidecar") show it.

func (s *Sim) sidecar(svc int) *SidecarPolicy { return &s.sidecars[svc] }

// callerService returns the service that makes calls on edge e, or -1 (the gateway).
func callerService(e *edge) int {
	if e.def.caller == callerOrders {
		return svcOrders
	}
	return -1
}

// hopOverhead is the latency the sidecars on edge e add to one attempt.
func (s *Sim) hopOverhead(e *edge) time.Duration {
	var d time.Duration
	if cs := callerService(e); cs >= 0 && s.sidecar(cs).Enabled {
		d += s.cfg.Sidecar.Overhead
	}
	if s.sidecar(e.def.to).Enabled {
		d += s.cfg.Sidecar.Overhead
	}
	return d
}

// sidecarOwnsRetries reports whether the caller's sidecar applies e's retries.
func (s *Sim) sidecarOwnsRetries(e *edge) bool {
	cs := callerService(e)
	return cs >= 0 && s.sidecar(cs).Enabled && s.sidecar(cs).Retries
}

// sidecarOwnsTimeouts reports whether the caller's sidecar applies e's timeouts.
func (s *Sim) sidecarOwnsTimeouts(e *edge) bool {
	cs := callerService(e)
	return cs >= 0 && s.sidecar(cs).Enabled && s.sidecar(cs).Timeouts
}

// policyOwner names who applies a policy on edge e.
func (s *Sim) policyOwner(e *edge, inSidecar bool) string {
	switch {
	case inSidecar:
		return "sidecar"
	case e.def.caller == callerGateway:
		return "gateway"
	default:
		return "service"
	}
}

// mtls reports whether both ends of edge e run sidecars with mTLS.
func (s *Sim) mtls(e *edge) bool {
	cs := callerService(e)
	return cs >= 0 && s.sidecar(cs).MTLS && s.sidecar(e.def.to).MTLS
}

func (s *Sim) planSidecar(a *args, svc int) (func(), string, error) {
	p := s.sidecars[svc]
	setIfGiven(&p.Enabled, a.Enabled)
	setIfGiven(&p.Retries, a.OwnRetries)
	setIfGiven(&p.Timeouts, a.OwnTimeouts)
	setIfGiven(&p.MTLS, a.MTLS)
	setIfGiven(&p.Metrics, a.Metrics)
	if !p.Enabled {
		if a.Enabled != nil && (a.OwnRetries != nil && *a.OwnRetries || a.OwnTimeouts != nil && *a.OwnTimeouts ||
			a.MTLS != nil && *a.MTLS || a.Metrics != nil && *a.Metrics) {
			return nil, "", fmt.Errorf("a disabled sidecar cannot own policies")
		}
		if a.Enabled == nil && (p.Retries || p.Timeouts || p.MTLS || p.Metrics) {
			return nil, "", fmt.Errorf("%s has no sidecar; enable it first", a.Service)
		}
		p = SidecarPolicy{} // turning the sidecar off hands every policy back to the service
	}
	return func() { s.sidecars[svc] = p },
		fmt.Sprintf("%s sidecar enabled=%v retries=%s timeouts=%s mtls=%v metrics=%v", a.Service, p.Enabled,
			owner(p.Retries), owner(p.Timeouts), p.MTLS, p.Metrics), nil
}

func owner(inSidecar bool) string {
	if inSidecar {
		return "sidecar"
	}
	return "service"
}

func describeSidecar(c *Command) string {
	s := "sidecar for " + c.Service
	if c.OwnRetries != nil && *c.OwnRetries {
		s += ", owning retries"
	}
	if c.MTLS != nil && *c.MTLS {
		s += ", with mTLS"
	}
	return s
}
