// Package web is Microlab's HTTP face: the Echo server, its middleware,
// every route (listed in routes.go), the templ views and the embedded
// static assets.
//
// It declares the small interfaces it needs from the rest of the program
// next to where it uses them; only cmd/server builds the whole graph.
// Pages are rendered on the server and work without JavaScript; htmx
// swaps fragments where that makes the flow nicer.
//
// The live labs run in package lab; this package serves their pages
// (lab.go), turns the hub's refusals into statuses (labRefusal), and
// connects each viewer's websocket to it (labsocket.go). It must not be
// imported by lab, simulator, quiz, content or store.
package web
