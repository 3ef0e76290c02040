package web

import "time"

// now is the server's clock, truncated to the millisecond the store keeps:
// a time shown on a page (a card's due time in the review form) then reads
// back from the store as the same value.
func (s *Server) now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
