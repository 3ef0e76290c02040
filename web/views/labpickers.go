package views

import (
	"encoding/json"
	"strconv"
)

// The lab page's pickers: the menus of instances, services, edges and the
// like that many command forms repeat. The page carries each list once, as
// JSON on the lab's root element, and renders a picker holding only its
// chosen option; static/js/lab/pickers.js fills a picker from its list
// while it has the focus or the pointer and empties it again after. Thirty
// menus of up to seventy options, each option a handful of nodes in the
// browser, were most of the page's DOM.

// pickOption is one entry of a picker's list: a value and its label, or,
// when Group is set, an option group labelled Label.
type pickOption struct {
	Value string
	Label string
	Group []pickOption
}

// MarshalJSON writes an option as {"v": value, "l": label}, leaving out
// the label when it is the value, and a group as {"l": label, "g": […]}:
// the lists travel in an attribute, every quote of it escaped.
func (o pickOption) MarshalJSON() ([]byte, error) {
	type option struct {
		Value *string      `json:"v,omitempty"`
		Label string       `json:"l,omitempty"`
		Group []pickOption `json:"g,omitempty"`
	}
	out := option{Label: o.Label, Group: o.Group}
	if o.Group == nil {
		out.Value = &o.Value
		if o.Label == o.Value {
			out.Label = ""
		}
	}
	return json.Marshal(out)
}

// Picker kinds, each the name of a list.
const (
	pickInstance = "instance" // every instance, grouped by service
	pickNode     = "node"     // what a link joins: a fixed node, a service or an instance
	pickService  = "service"
	pickEdge     = "edge" // the call edges
	pickGroup    = "group"
	pickClient   = "client"
	pickBool     = "bool"    // a setting left unchanged, or turned on or off
	pickSubject  = "subject" // what the charts show
)

// pickKinds are the kinds of picker, each the name of a list.
var pickKinds = []string{pickInstance, pickNode, pickService, pickEdge, pickGroup, pickClient, pickBool, pickSubject}

// pickList is the list of the pickers of kind.
func (l LabLive) pickList(kind string) []pickOption {
	opts := func(values []string, label func(string) string) []pickOption {
		out := make([]pickOption, len(values))
		for i, v := range values {
			out[i] = pickOption{Value: v, Label: label(v)}
		}
		return out
	}
	same := func(s string) string { return s }
	var out []pickOption
	switch kind {
	case pickInstance:
		for _, s := range l.Topology.Services {
			out = append(out, pickOption{Label: s, Group: opts(l.instances(s), same)})
		}
	case pickNode:
		out = opts([]string{"gateway", "registry", "broker"}, same)
		for _, s := range l.Topology.Services {
			all := pickOption{Value: s, Label: s + " (all)"}
			out = append(out, pickOption{Label: s, Group: append([]pickOption{all}, opts(l.instances(s), same)...)})
		}
	case pickService:
		out = opts(l.Topology.Services, same)
	case pickEdge:
		out = opts(l.edgeIDs(), arrow)
	case pickGroup:
		out = opts(l.groupNames(), same)
	case pickClient:
		out = append([]pickOption{{Value: "", Label: "random clients"}}, opts(clientNames(l.Topology.Clients), same)...)
	case pickBool:
		out = []pickOption{{Value: "", Label: "unchanged"}, {Value: "true", Label: "on"}, {Value: "false", Label: "off"}}
	case pickSubject:
		out = []pickOption{{Value: "gw", Label: "all requests, at the gateway"}}
		for _, e := range l.edgeIDs() {
			out = append(out, pickOption{Value: "e." + e, Label: "calls on " + arrow(e)})
		}
	}
	return out
}

// pickListsJSON is every picker's list, by kind, for the page's script.
func (l LabLive) pickListsJSON() string {
	lists := make(map[string][]pickOption, len(pickKinds))
	for _, k := range pickKinds {
		lists[k] = l.pickList(k)
	}
	b, err := json.Marshal(lists)
	if err != nil {
		panic("views: picker lists: " + err.Error()) // strings and slices always marshal
	}
	return string(b)
}

// pickLabel is the label of value in the list of kind, or value itself
// when the list has no such entry.
func (l LabLive) pickLabel(kind, value string) string {
	var find func([]pickOption) (string, bool)
	find = func(list []pickOption) (string, bool) {
		for _, o := range list {
			if o.Group != nil {
				if s, ok := find(o.Group); ok {
					return s, true
				}
			} else if o.Value == value {
				return o.Label, true
			}
		}
		return "", false
	}
	if s, ok := find(l.pickList(kind)); ok {
		return s
	}
	return value
}

func clientNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "client-" + twoDigits(i+1)
	}
	return out
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
