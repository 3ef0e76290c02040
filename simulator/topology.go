package simulator

import "strconv"

// Topology is the shop's wiring as a viewer draws it: the nodes and every
// line between them. It is the same for every simulation of a config and
// never changes while one runs; snapshots then carry the state of each part
// in the same order (Snapshot.Edges in Edges order, and so on).
type Topology struct {
	// Services are the service names, in snapshot order.
	Services []string `json:"services"`
	// MaxInstances is how many instances a service may run.
	MaxInstances int `json:"max_instances"`
	// Edges are the calls between nodes, in snapshot order.
	Edges []EdgeInfo `json:"edges"`
	// Groups are the broker's consumer groups, in snapshot order.
	Groups []GroupInfo `json:"groups"`
	// Topics are the broker's topics, in snapshot order.
	Topics []string `json:"topics"`
	// Clients is how many clients send the load.
	Clients int `json:"clients"`
	// Callers are the nodes that keep a discovery cache, in snapshot order.
	Callers []string `json:"callers"`
	// Links are the lines that are not calls: clients to the gateway, the
	// registry to each caller it feeds, and the flow of the "orders" topic
	// from its publisher through the broker to the services consuming it.
	Links []LinkInfo `json:"links"`
}

// EdgeInfo is one call edge: ID is "from>to".
type EdgeInfo struct {
	ID    string `json:"id"`
	From  string `json:"from"`
	To    string `json:"to"`
	Route string `json:"route,omitempty"`
}

// GroupInfo is one consumer group and the topic it reads.
type GroupInfo struct {
	Name  string `json:"name"`
	Topic string `json:"topic"`
}

// LinkInfo is a line that is not a call: Kind is client, discovery or
// messaging, and ID is "from>to" like an edge's.
type LinkInfo struct {
	ID   string `json:"id"`
	From string `json:"from"`
	To   string `json:"to"`
	Kind string `json:"kind"`
}

// The node that stands for the load's clients in a drawing.
const clientsNode = "clients"

// ShopTopology returns the wiring of a shop built from cfg.
func ShopTopology(cfg Config) Topology {
	t := Topology{Services: ServiceNames(), MaxInstances: MaxInstances, Clients: cfg.Gateway.Clients}
	for _, d := range edgeDefs {
		t.Edges = append(t.Edges, EdgeInfo{ID: d.name, From: callerNames[d.caller], To: serviceNames[d.to], Route: d.route})
	}
	for _, d := range groupDefs {
		t.Groups = append(t.Groups, GroupInfo{Name: d.name, Topic: topicNames[d.topic]})
	}
	t.Topics = append(t.Topics, topicNames[:]...)
	t.Callers = append(t.Callers, callerNames[:]...)
	link := func(from, to, kind string) {
		t.Links = append(t.Links, LinkInfo{ID: from + ">" + to, From: from, To: to, Kind: kind})
	}
	link(clientsNode, "gateway", "client")
	for _, c := range callerNames {
		link("registry", c, "discovery")
	}
	// Completed sagas publish OrderPlaced from orders (see saga.go).
	link(serviceNames[svcOrders], "broker", "messaging")
	for _, d := range groupDefs {
		if d.topic == topicOrders && d.service >= 0 {
			link("broker", serviceNames[d.service], "messaging")
		}
	}
	return t
}

// InstanceName is the name of a service's instance with the given ordinal
// (from 1): InstanceName("catalog", 2) is "catalog-2".
func InstanceName(service string, ordinal int) string {
	return service + "-" + strconv.Itoa(ordinal)
}
