package views

import (
	"math"
	"strconv"
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
}

// TopoViewBox is the drawing's coordinate system.
const TopoViewBox = "0 0 960 600"

var topoNodes = []TopoNode{
	{"clients", "clients", 70, 290, 110, 64},
	{"gateway", "gateway", 250, 290, 170, 84},
	{"registry", "registry", 250, 80, 170, 64},
	{"catalog", "service", 540, 100, 180, 84},
	{"orders", "service", 540, 380, 180, 84},
	{"broker", "broker", 540, 540, 220, 64},
	{"inventory", "service", 860, 240, 180, 84},
	{"payment", "service", 860, 390, 180, 84},
	{"shipping", "service", 860, 530, 180, 84},
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
	type pair struct{ id, from, to, kind string }
	pairs := []pair{
		{"clients>gateway", "clients", "gateway", "client"},
		{"registry>gateway", "registry", "gateway", "discovery"},
		{"registry>orders", "registry", "orders", "discovery"},
		{"orders>broker", "orders", "broker", "messaging"},
		{"broker>shipping", "broker", "shipping", "messaging"},
		{"gateway>catalog", "gateway", "catalog", "call"},
		{"gateway>inventory", "gateway", "inventory", "call"},
		{"gateway>orders", "gateway", "orders", "call"},
		{"orders>inventory", "orders", "inventory", "call"},
		{"orders>payment", "orders", "payment", "call"},
		{"orders>shipping", "orders", "shipping", "call"},
	}
	out := make([]TopoEdge, 0, len(pairs))
	for _, p := range pairs {
		a, b := topoNode(p.from), topoNode(p.to)
		x1, y1 := clip(a, b.X-a.X, b.Y-a.Y)
		x2, y2 := clip(b, a.X-b.X, a.Y-b.Y)
		out = append(out, TopoEdge{ID: p.id, From: p.from, To: p.to, Kind: p.kind, X1: x1, Y1: y1, X2: x2, Y2: y2})
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
func instanceDotX(n TopoNode, i int) string { return num(n.X - 67.5 + float64(i)*15) }
