//go:build race

package web

// raceEnabled: the race detector makes more values escape, so allocation
// bounds allow for it.
const raceEnabled = true
