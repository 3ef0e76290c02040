package views

import (
	"testing"

	"microlab/simulator"
)

// Every node and line of the simulator's topology has a place on the
// drawing, and every call edge a place for its badge: a node or edge added
// to the shop cannot silently go undrawn.
func TestTopologyIsDrawable(t *testing.T) {
	topo := simulator.ShopTopology(simulator.DefaultConfig())
	lines := map[string]TopoEdge{}
	for _, e := range TopoEdges(topo) {
		lines[e.ID] = e
	}
	for _, l := range topo.Links {
		if _, ok := lines[l.ID]; !ok {
			t.Errorf("link %s is not drawn", l.ID)
		}
	}
	for _, e := range topo.Edges {
		got, ok := lines[e.ID]
		if !ok {
			t.Errorf("edge %s is not drawn", e.ID)
			continue
		}
		if got.Kind != "call" || got.BadgeAt <= 0 || got.LabelAt <= 0 {
			t.Errorf("edge %s: kind %q, badge at %v, label at %v; want a call with both placed", e.ID, got.Kind, got.BadgeAt, got.LabelAt)
		}
	}
	kinds := map[string]string{}
	for _, n := range TopoNodes(topo) {
		kinds[n.Name] = n.Kind
	}
	for _, s := range topo.Services {
		if kinds[s] != "service" {
			t.Errorf("service %s drawn as %q", s, kinds[s])
		}
	}
	for _, n := range []string{"clients", "gateway", "registry", "broker"} {
		if kinds[n] != n {
			t.Errorf("node %s drawn as %q", n, kinds[n])
		}
	}
}
