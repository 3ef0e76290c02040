package views

import (
	"math"
	"strconv"
	"strings"

	"microlab/simulator"
)

// The topology drawing's fixed layout: the shop never changes shape, only
// state, so the server draws it once and the page's script colours it.

// TopoNode is a box on the drawing.
type TopoNode struct {
	Name       string
	Kind       string // clients, gateway, registry, broker, service
	X, Y, W, H float64
}

// TopoEdge is a line between two boxes; the six call edges carry their id
// ("orders>payment"), the dashed discovery and messaging lines do not.
type TopoEdge struct {
	ID, From, To   string
	Kind           string // call, client, discovery, messaging
	X1, Y1, X2, Y2 float64
	// Where the breaker badge and the figures sit: shares of the line, and
	// the figures' offset to its left (negative: right).
	BadgeAt, LabelAt, LabelOff float64
}

// TopoViewBox is the drawing's coordinate system.
const TopoViewBox = "0 40 960 560"

var topoNodes = []TopoNode{
	{"clients", "clients", 52, 250, 100, 64},
	{"gateway", "gateway", 212, 250, 184, 84},
	{"registry", "registry", 212, 520, 170, 70},
	{"catalog", "service", 490, 95, 170, 84},
	{"orders", "service", 490, 390, 170, 84},
	{"broker", "broker", 490, 552, 230, 64},
	{"inventory", "service", 868, 215, 170, 84},
	{"payment", "service", 868, 390, 170, 84},
	{"shipping", "service", 868, 545, 170, 84},
}

// TopoNodes returns the boxes.
func TopoNodes() []TopoNode { return topoNodes }

func topoNode(name string) TopoNode {
	for _, n := range topoNodes {
		if n.Name == name {
			return n
		}
	}
	return TopoNode{}
}

// TopoEdges returns the lines, clipped to the boxes' borders.
func TopoEdges() []TopoEdge {
	type pair struct {
		id, from, to, kind string
		badge, label, off  float64
	}
	pairs := []pair{
		{"clients>gateway", "clients", "gateway", "client", 0, 0, 0},
		{"registry>gateway", "registry", "gateway", "discovery", 0, 0, 0},
		{"registry>orders", "registry", "orders", "discovery", 0, 0, 0},
		{"orders>broker", "orders", "broker", "messaging", 0, 0, 0},
		{"broker>shipping", "broker", "shipping", "messaging", 0, 0, 0},
		{"gateway>catalog", "gateway", "catalog", "call", 0.28, 0.62, 13},
		{"gateway>inventory", "gateway", "inventory", "call", 0.2, 0.6, 11},
		{"gateway>orders", "gateway", "orders", "call", 0.25, 0.6, -20},
		{"orders>inventory", "orders", "inventory", "call", 0.28, 0.62, 13},
		{"orders>payment", "orders", "payment", "call", 0.22, 0.6, 12},
		{"orders>shipping", "orders", "shipping", "call", 0.28, 0.62, -18},
	}
	out := make([]TopoEdge, 0, len(pairs))
	for _, p := range pairs {
		a, b := topoNode(p.from), topoNode(p.to)
		x1, y1 := clip(a, b.X-a.X, b.Y-a.Y)
		x2, y2 := clip(b, a.X-b.X, a.Y-b.Y)
		out = append(out, TopoEdge{ID: p.id, From: p.from, To: p.to, Kind: p.kind, X1: x1, Y1: y1, X2: x2, Y2: y2,
			BadgeAt: p.badge, LabelAt: p.label, LabelOff: p.off})
	}
	return out
}

// clip returns where a line from n's centre in direction (dx, dy) leaves
// n's box, a few units outside it.
func clip(n TopoNode, dx, dy float64) (float64, float64) {
	t := math.Inf(1)
	if dx != 0 {
		t = math.Min(t, (n.W/2+4)/math.Abs(dx))
	}
	if dy != 0 {
		t = math.Min(t, (n.H/2+4)/math.Abs(dy))
	}
	return n.X + t*dx, n.Y + t*dy
}

// Along returns the point at share f of the edge, offset by off units to its
// left (negative: right).
func (e TopoEdge) Along(f, off float64) (float64, float64) {
	dx, dy := e.X2-e.X1, e.Y2-e.Y1
	l := math.Hypot(dx, dy)
	x, y := e.X1+f*dx, e.Y1+f*dy
	if l > 0 {
		x, y = x+off*dy/l, y-off*dx/l
	}
	return x, y
}

// Path is the edge as SVG path data, for traffic dots to follow.
func (e TopoEdge) Path() string {
	return "M" + num(e.X1) + " " + num(e.Y1) + "L" + num(e.X2) + " " + num(e.Y2)
}

func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// instanceDots lays out a service's ten instance slots.
func instanceDotX(n TopoNode, i int) string { return num(n.X - 69.75 + float64(i)*15.5) }

// DescribeCommand says what a simulator command does, for people.
func DescribeCommand(c simulator.Command) string {
	ms := func(p *int64) string {
		if p == nil {
			return "?"
		}
		return strconv.FormatInt(*p, 10) + " ms"
	}
	pct := func(p *float64) string {
		if p == nil {
			return "?"
		}
		return strconv.FormatFloat(*p*100, 'f', -1, 64) + "%"
	}
	onOff := func(p *bool, what string) string {
		if p == nil {
			return ""
		}
		if *p {
			return what + " on"
		}
		return what + " off"
	}
	switch c.Type {
	case "kill", "restart":
		return c.Type + " " + c.Target
	case "crash":
		return "crash every instance of " + c.Service
	case "restore":
		return "restore " + c.Service
	case "latency":
		if c.MS != nil && *c.MS == 0 {
			return c.Service + " back to normal speed"
		}
		s := c.Service + " takes " + ms(c.MS) + " longer"
		if c.JitterMS != nil && *c.JitterMS > 0 {
			s += " (± " + ms(c.JitterMS) + ")"
		}
		return s
	case "error-rate":
		return c.Service + " fails " + pct(c.Rate) + " of requests"
	case "slow-consumer":
		if c.MS != nil && *c.MS == 0 {
			return "consumer group " + c.Group + " back to normal speed"
		}
		return "consumer group " + c.Group + " takes " + ms(c.MS) + " more per message"
	case "burst":
		s := "a burst of " + strconv.FormatFloat(deref(c.Rate), 'f', -1, 64) + " requests/s for " + ms(c.MS)
		if c.Client != "" {
			s += " from " + c.Client
		}
		return s
	case "load":
		return "load " + strconv.FormatFloat(deref(c.Rate), 'f', -1, 64) + " requests/s"
	case "breaker", "bulkhead":
		var parts []string
		if c.State != "" {
			parts = append(parts, c.State)
		}
		if s := onOff(c.Enabled, "installed"); s != "" {
			parts = append(parts, s)
		}
		if c.MaxConcurrent != nil {
			parts = append(parts, strconv.Itoa(*c.MaxConcurrent)+" concurrent")
		}
		if len(parts) == 0 {
			parts = append(parts, "reconfigured")
		}
		return c.Type + " on " + strings.ReplaceAll(c.Edge, ">", "→") + ": " + strings.Join(parts, ", ")
	case "timeout":
		if c.MS != nil && *c.MS == 0 {
			return "no timeout on " + strings.ReplaceAll(c.Edge, ">", "→")
		}
		return "timeout " + ms(c.MS) + " on " + strings.ReplaceAll(c.Edge, ">", "→")
	case "retries":
		var parts []string
		if c.Retries != nil {
			parts = append(parts, strconv.Itoa(*c.Retries)+" retries")
		}
		if s := onOff(c.Budget, "budget"); s != "" {
			parts = append(parts, s)
		}
		return "retries on " + strings.ReplaceAll(c.Edge, ">", "→") + ": " + strings.Join(parts, ", ")
	case "cache":
		return onOff(c.Enabled, "gateway cache")
	case "sidecar":
		s := "sidecar for " + c.Service
		if c.OwnRetries != nil && *c.OwnRetries {
			s += ", owning retries"
		}
		if c.MTLS != nil && *c.MTLS {
			s += ", with mTLS"
		}
		return s
	}
	return strings.ReplaceAll(commandText(c), `"`, "")
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
