package simulator

import (
	"fmt"
	"strings"
)

// The shop's wiring in one place: nodes, callers, edges, request kinds and operations.
//
// Node ids index the link matrix: 0 gateway, 1 registry, 2 broker, 3..7 the services,
// 8.. the instances (service*MaxInstances + ordinal-1).
const (
	nodeGateway  = 0
	nodeRegistry = 1
	nodeBroker   = 2
	nodeServices = 3
	nodeInsts    = nodeServices + numServices
	numNodes     = nodeInsts + numServices*MaxInstances
)

func serviceNode(svc int) int { return nodeServices + svc }
func instNode(i int) int      { return nodeInsts + i }

// Callers are the nodes that make calls and keep a discovery cache.
const (
	callerGateway = iota
	callerOrders
	numCallers
)

var callerNames = [numCallers]string{"gateway", "orders"}
var callerNodes = [numCallers]int{nodeGateway, nodeServices + svcOrders}

// Edges are named "from>to" in ids (the web layer may draw them as "from→to").
const (
	edgeGatewayCatalog = iota
	edgeGatewayInventory
	edgeGatewayOrders
	edgeOrdersInventory
	edgeOrdersPayment
	edgeOrdersShipping
	numEdges
)

type edgeDef struct {
	name   string
	caller int
	to     int // service
	route  string
}

var edgeDefs = [numEdges]edgeDef{
	{"gateway>catalog", callerGateway, svcCatalog, "/catalog"},
	{"gateway>inventory", callerGateway, svcInventory, "/inventory"},
	{"gateway>orders", callerGateway, svcOrders, "/orders"},
	{"orders>inventory", callerOrders, svcInventory, ""},
	{"orders>payment", callerOrders, svcPayment, ""},
	{"orders>shipping", callerOrders, svcShipping, ""},
}

// EdgeNames returns the ids of the shop's edges, "from>to", in snapshot order.
func EdgeNames() []string {
	out := make([]string, numEdges)
	for i, d := range edgeDefs {
		out[i] = d.name
	}
	return out
}

func edgeByName(name string) int {
	for i, d := range edgeDefs {
		if d.name == name {
			return i
		}
	}
	return -1
}

func edgeList() string { return strings.Join(EdgeNames(), ", ") }

func serviceByName(name string) int {
	for i, n := range serviceNames {
		if n == name {
			return i
		}
	}
	return -1
}

// Request kinds of the load generator.
const (
	kindBrowse = iota // GET /catalog?page=N: gateway → catalog, cacheable
	kindView          // GET /catalog/items/N: gateway → catalog, then gateway → inventory (stock)
	kindOrder         // POST /orders: gateway → orders, which runs the saga
	numKinds
)

var kindNames = [numKinds]string{"browse", "view", "order"}

// Operations a job performs on an instance.
const (
	opBrowse = iota
	opItem
	opStock
	opPlace
	opReserve
	opCharge
	opShip
	opRelease
	opRefund
	opConsume
	numOps
)

var opNames = [numOps]string{
	"browse catalog", "view item", "check stock", "place order", "reserve inventory",
	"charge payment", "schedule shipping", "release inventory", "refund payment",
	"consume",
}

// nodeName names node n for events and snapshots.
func (s *Sim) nodeName(n int) string {
	switch {
	case n == nodeGateway:
		return "gateway"
	case n == nodeRegistry:
		return "registry"
	case n == nodeBroker:
		return "broker"
	case n < nodeInsts:
		return serviceNames[n-nodeServices]
	default:
		return s.instances[n-nodeInsts].name
	}
}

// nodeByName finds a node by name; instances must exist (within MaxInstances).
func nodeByName(name string) int {
	switch name {
	case "gateway":
		return nodeGateway
	case "registry":
		return nodeRegistry
	case "broker":
		return nodeBroker
	}
	if svc := serviceByName(name); svc >= 0 {
		return serviceNode(svc)
	}
	if i := instanceByName(name); i >= 0 {
		return instNode(i)
	}
	return -1
}

// cut reports whether the link between nodes a and b is cut.
func (s *Sim) cut(a, b int) bool { return s.links[a][b] }

// planLink plans cut-link and heal-link, which differ only in the state they leave.
func (s *Sim) planLink(a *args) (func(), string, error) {
	n, m := nodeByName(a.From), nodeByName(a.To)
	if n < 0 || m < 0 {
		return nil, "", fmt.Errorf("unknown node %q or %q (nodes: gateway, registry, broker, a service or an instance)", a.From, a.To)
	}
	if n == m {
		return nil, "", fmt.Errorf("a link needs two different nodes, got %q twice", a.From)
	}
	cut := a.Type == "cut-link"
	if s.links[n][m] == cut {
		return nil, "", fmt.Errorf("link %s–%s is already %s", a.From, a.To, map[bool]string{true: "cut", false: "up"}[cut])
	}
	return func() {
		s.links[n][m], s.links[m][n] = cut, cut
		if !cut {
			s.kickConsumers()
		}
	}, fmt.Sprintf("link %s–%s %s", a.From, a.To, map[bool]string{true: "cut", false: "healed"}[cut]), nil
}

func describeLink(c *Command) string {
	verb := "heal"
	if c.Type == "cut-link" {
		verb = "cut"
	}
	return verb + " the link between " + c.From + " and " + c.To
}
