package views

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"microlab/simulator"
)

// Every picker on the lab page holds one option, chosen, and it is an
// entry of the list the page carries for the picker's kind, with that
// entry's label: the script fills the picker from the list, and the
// server's choice must be one the list has.
func TestPickersHoldAChoiceFromTheirList(t *testing.T) {
	sc, _ := simulator.ScenarioBySlug("payment-outage")
	l := LabLive{ID: "lab", Title: sc.Title, Scenario: &sc, Owner: true, Topology: simulator.ShopTopology(simulator.DefaultConfig())}
	var html strings.Builder
	if err := LabLivePage(Frame{Asset: func(name string) string { return "/static/" + name }}, l).Render(context.Background(), &html); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html.String()))
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		V *string `json:"v"`
		L string  `json:"l"`
		G []entry `json:"g"`
	}
	var lists map[string][]entry
	if err := json.Unmarshal([]byte(doc.Find("#lab").AttrOr("data-pickers", "")), &lists); err != nil {
		t.Fatalf("the page's picker lists: %v", err)
	}
	label := func(kind, value string) (string, bool) {
		var find func([]entry) (string, bool)
		find = func(list []entry) (string, bool) {
			for _, e := range list {
				if e.G != nil {
					if s, ok := find(e.G); ok {
						return s, true
					}
				} else if e.V != nil && *e.V == value {
					if e.L == "" {
						return value, true
					}
					return e.L, true
				}
			}
			return "", false
		}
		return find(lists[kind])
	}

	// The folded parts of the controls are templates: the parser here
	// takes their markup as elements, so their pickers are found too.
	pickers := doc.Find("select[data-picker]")
	if pickers.Length() < 25 {
		t.Fatalf("the page has %d pickers; the controls alone have 26", pickers.Length())
	}
	pickers.Each(func(_ int, sel *goquery.Selection) {
		kind, name := sel.AttrOr("data-picker", ""), sel.AttrOr("name", sel.AttrOr("id", ""))
		if kind == "log-kind" {
			return // the script makes its list from the events it sees
		}
		opts := sel.Find("option")
		value := opts.AttrOr("value", "")
		want, ok := label(kind, value)
		if opts.Length() != 1 || !ok || opts.AttrOr("selected", "none") == "none" || strings.TrimSpace(opts.Text()) != want {
			t.Errorf("picker %s (%s) holds %d options, %q chosen with label %q; want one, chosen, labelled %q from its list", name, kind, opts.Length(), value, opts.Text(), want)
		}
	})
}
