package views

import (
	"math"
	"slices"
	"strconv"

	"microlab/simulator"
)

// The topology drawing's fixed layout: the shop never changes shape, only
// state, so the server draws it once and the page's script colours it. The
// nodes and lines come from the simulator's topology; this file only says
// where each goes, keyed by the simulator's node and edge names.

// TopoNode is a box on the drawing.
type TopoNode struct {
	Name       string
	Kind       string // clients, gateway, registry, broker, service
	X, Y, W, H float64
}

// TopoEdge is a line between two boxes; the call edges carry their id
// ("orders>payment"), the dashed discovery and messaging lines theirs too.
type TopoEdge struct {
	ID, From, To   string
	Kind           string // call, client, discovery, messaging
	X1, Y1, X2, Y2 float64
	// Where the breaker badge and the figures sit: shares of the line; and
	// the figures' side of it, 1 for its left and -1 for its right.
	BadgeAt, LabelAt, LabelSide float64
}

// TopoViewBox is the drawing's coordinate system.
const TopoViewBox = "0 40 960 560"

// topoBoxes place each node by its centre and size, in drawing order.
var topoBoxes = []struct {
	name       string
	x, y, w, h float64
}{
	{"clients", 52, 250, 100, 64},
	{"gateway", 212, 250, 184, 84},
	{"registry", 212, 520, 170, 70},
	{"catalog", 490, 95, 170, 84},
	{"orders", 490, 390, 170, 84},
	{"broker", 490, 552, 230, 64},
	{"inventory", 868, 215, 170, 84},
	{"payment", 868, 390, 170, 84},
	{"shipping", 868, 545, 170, 84},
}

// callLabels place each call edge's breaker badge and figures: shares of
// the line, and the figures' side of it (1: left, -1: right).
var callLabels = map[string]struct{ badge, label, side float64 }{
	"gateway>catalog":   {0.28, 0.58, -1},
	"gateway>inventory": {0.2, 0.6, 1},
	"gateway>orders":    {0.22, 0.68, 1},
	"orders>inventory":  {0.28, 0.62, 1},
	"orders>payment":    {0.32, 0.58, 1},
	"orders>shipping":   {0.28, 0.62, -1},
}

// The widest an edge's figures read ("888.8/s · 100% · 30.0 s" at 14 px)
// and the breaker badge's half height, in drawing units.
const edgeLabelW, edgeLabelH, badgeHalfH = 172.0, 18.0, 11.0 // the badge is 116 wide

// TopoNodes returns the boxes of the nodes of t.
func TopoNodes(t simulator.Topology) []TopoNode {
	out := make([]TopoNode, 0, len(topoBoxes))
	for _, b := range topoBoxes {
		kind := b.name
		if slices.Contains(t.Services, b.name) {
			kind = "service"
		}
		out = append(out, TopoNode{Name: b.name, Kind: kind, X: b.x, Y: b.y, W: b.w, H: b.h})
	}
	return out
}

func topoNode(name string) (TopoNode, bool) {
	for _, b := range topoBoxes {
		if b.name == name {
			return TopoNode{Name: b.name, X: b.x, Y: b.y, W: b.w, H: b.h}, true
		}
	}
	return TopoNode{}, false
}

// TopoEdges returns the lines of t, clipped to the boxes' borders: the
// links first (drawn beneath), then the calls. A line whose ends have no
// box is left out; TestTopologyIsDrawable keeps that from happening.
func TopoEdges(t simulator.Topology) []TopoEdge {
	out := make([]TopoEdge, 0, len(t.Links)+len(t.Edges))
	add := func(e TopoEdge) {
		a, oka := topoNode(e.From)
		b, okb := topoNode(e.To)
		if !oka || !okb {
			return
		}
		e.X1, e.Y1 = clip(a, b.X-a.X, b.Y-a.Y)
		e.X2, e.Y2 = clip(b, a.X-b.X, a.Y-b.Y)
		out = append(out, e)
	}
	for _, l := range t.Links {
		add(TopoEdge{ID: l.ID, From: l.From, To: l.To, Kind: l.Kind})
	}
	for _, e := range t.Edges {
		p := callLabels[e.ID]
		add(TopoEdge{ID: e.ID, From: e.From, To: e.To, Kind: "call", BadgeAt: p.badge, LabelAt: p.label, LabelSide: p.side})
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

// LabelPoint is where the edge's figures are written (the middle of their
// baseline): at LabelAt along the line, on LabelSide, just far enough that
// the widest figures clear the line, whatever its slope, and the badge.
func (e TopoEdge) LabelPoint() (float64, float64) {
	dx, dy := e.X2-e.X1, e.Y2-e.Y1
	l := math.Hypot(dx, dy)
	if l == 0 {
		return e.X1, e.Y1
	}
	// How far the box's centre must be from the line: half its extent
	// across the line's normal, plus a margin.
	nx, ny := dy/l, dx/l
	clear := max(edgeLabelW/2*math.Abs(nx)+edgeLabelH/2*math.Abs(ny), badgeHalfH+edgeLabelH/2) + 3
	x, y := e.Along(e.LabelAt, clear*e.LabelSide)
	return x, y + 5 // from the box's centre to the text's baseline
}

// Path is the edge as SVG path data, for traffic dots to follow.
func (e TopoEdge) Path() string {
	return "M" + num(e.X1) + " " + num(e.Y1) + "L" + num(e.X2) + " " + num(e.Y2)
}

func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// instanceDots lays out a service's ten instance slots.
func instanceDotX(n TopoNode, i int) string { return num(n.X - 69.75 + float64(i)*15.5) }
