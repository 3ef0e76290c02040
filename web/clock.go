package web

import "time"

// now is the server's clock, truncated to the millisecond the store keeps:
// a time shown on a page (a card's due time in the review form) then reads
// back from the store as the same value. Tests may set s.clock.
func (s *Server) now() time.Time {
	if s.clock != nil {
		return s.clock().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}
