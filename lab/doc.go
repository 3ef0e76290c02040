// Package lab is the live-lab hub: it runs each learner's simulation of the
// shop in a goroutine of its own, paces it against the wall clock, carries
// out its owner's run controls and commands, and sends every viewer a frame
// of the state ten times a second. PROTOCOL.md beside this file describes
// the messages a viewer sends and receives.
//
// The pieces, each in the file named after it:
//   - Manager (manager.go) holds every running lab and its limits: labs per
//     learner, labs in all, how long a lab nobody watches lives. Its
//     refusals are the sentinel errors ErrTooMany, ErrFull, ErrClosing,
//     ErrEnded and ErrCrowded; the web layer maps them to HTTP statuses.
//   - Lab (lab.go) is one simulation and the one goroutine that owns it, in
//     the manner of etcd's raft node: the simulator is the pure core, and
//     this loop drives it with ticks, requests, joins and leaves.
//   - control.go decodes a viewer's messages with one table of run
//     controls (speed, pause, step, reset …) beside the simulator's own
//     command table, and answers them.
//   - Viewer (viewer.go) is one connection's end: the frames to write, the
//     messages it sends, its rate limit.
//   - vector.go defines the state vector, the flat list of scalars a frame
//     carries, as one table; frame.go builds and encodes the frames.
//
// A slow viewer loses frames and then gets a key frame with the whole state;
// it never holds up the simulation or anyone else.
//
// The package knows nothing of HTTP or websockets' framing: a viewer's
// frames (*Frame) and replies are JSON text messages as bytes, a Frame can
// keep the one encoding a transport makes of it for all its viewers, and
// the close codes it hands out (CloseNormal, CloseGoingAway) are the
// websocket protocol's numbers. It imports the simulator (and
// internal/humanize for its words) and nothing else of this project.
package lab
