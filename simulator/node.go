package simulator

import (
	"encoding/json"
	"fmt"
)

// Nodes are the shop's nodes, each kind with a view of its own: the gateway,
// the registry, the broker, the five services and their live (or dead)
// instances. In JSON they are one list of objects told apart by "kind", in
// that order; the list is the snapshot's wire form and stays stable.
type Nodes struct {
	Gateway  GatewayNode
	Registry UpNode
	Broker   UpNode
	// Services are in ServiceNames order.
	Services []ServiceView
	// Instances are in service order, then by ordinal; absent slots (never
	// started, or scaled away) are left out.
	Instances []InstanceView
}

// GatewayNode is the gateway as a node: its rolling figures for client
// requests. The gateway never goes down.
type GatewayNode struct {
	Stats Stats
}

// UpNode is a node that is only up or down: the registry or the broker.
type UpNode struct {
	Up bool
}

// ServiceView is one service: its rolling job figures and injected faults.
type ServiceView struct {
	Name string
	// Up is set while at least one instance is alive.
	Up           bool
	Stats        Stats
	LatencyMS    float64
	JitterMS     float64
	SetErrorRate float64
	// Instances is how many instance slots the service runs (alive or not).
	Instances int
}

// State is the service's state as a viewer shows it: "up" or "down".
func (v *ServiceView) State() string { return upDown(v.Up) }

// InstanceView is one instance of a service.
type InstanceView struct {
	Name    string
	Service string
	// ServiceIndex is the service's place in ServiceNames (and in
	// Topology.Services).
	ServiceIndex int
	// Ordinal is the instance's number within its service, from 1 (catalog-2
	// has ordinal 2).
	Ordinal      int
	State        string // alive, dead or stopped
	Throughput   float64
	ErrorRate    float64
	Busy         int
	Queued       int
	Routed       uint64
	LastRoutedMS float64
}

// nodeJSON is one node on the wire.
type nodeJSON struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"` // gateway, registry, broker, service, instance
	Service string `json:"service,omitempty"`
	State   string `json:"state"` // up/down; instances: alive, dead, stopped
	// Stats are rolling figures (gateway: client requests; service: jobs).
	Stats *Stats `json:"stats,omitempty"`
	// Instances only.
	Throughput   float64 `json:"throughput,omitempty"`
	ErrorRate    float64 `json:"error_rate,omitempty"`
	Busy         int     `json:"busy,omitempty"`
	Queued       int     `json:"queued,omitempty"`
	Routed       uint64  `json:"routed,omitempty"`
	LastRoutedMS float64 `json:"last_routed_ms,omitempty"`
	// Services only: injected faults.
	LatencyMS    float64 `json:"latency_ms,omitempty"`
	JitterMS     float64 `json:"jitter_ms,omitempty"`
	SetErrorRate float64 `json:"set_error_rate,omitempty"`
	Instances    int     `json:"instances,omitempty"`
}

// MarshalJSON writes the nodes as one kind-tagged list.
func (n Nodes) MarshalJSON() ([]byte, error) {
	list := make([]nodeJSON, 0, 3+len(n.Services)+len(n.Instances))
	list = append(list,
		nodeJSON{Name: "gateway", Kind: "gateway", State: "up", Stats: &n.Gateway.Stats},
		nodeJSON{Name: "registry", Kind: "registry", State: upDown(n.Registry.Up)},
		nodeJSON{Name: "broker", Kind: "broker", State: upDown(n.Broker.Up)})
	for i := range n.Services {
		v := &n.Services[i]
		list = append(list, nodeJSON{Name: v.Name, Kind: "service", State: v.State(), Stats: &v.Stats,
			LatencyMS: v.LatencyMS, JitterMS: v.JitterMS, SetErrorRate: v.SetErrorRate, Instances: v.Instances})
	}
	for _, v := range n.Instances {
		list = append(list, nodeJSON{Name: v.Name, Kind: "instance", Service: v.Service, State: v.State,
			Throughput: v.Throughput, ErrorRate: v.ErrorRate, Busy: v.Busy, Queued: v.Queued, Routed: v.Routed,
			LastRoutedMS: v.LastRoutedMS})
	}
	return json.Marshal(list)
}

// UnmarshalJSON reads the list MarshalJSON writes.
func (n *Nodes) UnmarshalJSON(data []byte) error {
	var list []nodeJSON
	if err := json.Unmarshal(data, &list); err != nil {
		return err
	}
	*n = Nodes{}
	for _, v := range list {
		switch v.Kind {
		case "gateway":
			if v.Stats != nil {
				n.Gateway.Stats = *v.Stats
			}
		case "registry":
			n.Registry.Up = v.State == "up"
		case "broker":
			n.Broker.Up = v.State == "up"
		case "service":
			sv := ServiceView{Name: v.Name, Up: v.State == "up", LatencyMS: v.LatencyMS, JitterMS: v.JitterMS,
				SetErrorRate: v.SetErrorRate, Instances: v.Instances}
			if v.Stats != nil {
				sv.Stats = *v.Stats
			}
			n.Services = append(n.Services, sv)
		case "instance":
			i := instanceByName(v.Name)
			if i < 0 {
				return fmt.Errorf("simulator: node %q is not an instance of the shop", v.Name)
			}
			n.Instances = append(n.Instances, InstanceView{Name: v.Name, Service: v.Service, ServiceIndex: i / MaxInstances, Ordinal: i%MaxInstances + 1,
				State: v.State, Throughput: v.Throughput, ErrorRate: v.ErrorRate, Busy: v.Busy, Queued: v.Queued,
				Routed: v.Routed, LastRoutedMS: v.LastRoutedMS})
		default:
			return fmt.Errorf("simulator: unknown node kind %q", v.Kind)
		}
	}
	return nil
}
