package web

import (
	"net"
	"net/http/httptest"
	"testing"
)

func TestClientIP(t *testing.T) {
	_, proxies, _ := net.ParseCIDR("192.0.2.0/24")
	for _, tc := range []struct {
		name    string
		trusted []*net.IPNet
		xff     string
		want    string
	}{
		{"no proxy: the header is ignored", nil, "203.0.113.9", "192.0.2.1"},
		{"a trusted proxy's header is believed", []*net.IPNet{proxies}, "203.0.113.9", "203.0.113.9"},
		{"only up to the first untrusted hop", []*net.IPNet{proxies}, "203.0.113.9, 198.51.100.4", "198.51.100.4"},
		{"private networks are not trusted by default", []*net.IPNet{proxies}, "203.0.113.9, 10.1.2.3", "10.1.2.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = "192.0.2.1:4242"
			r.Header.Set("X-Forwarded-For", tc.xff)
			if got := clientIP(tc.trusted)(r); got != tc.want {
				t.Errorf("client IP %q, want %q", got, tc.want)
			}
		})
	}
}

// Per-address limits key IPv6 clients by their /64: a subscriber may use
// any of its addresses, so one address bounds nothing.
func TestAddressKey(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
		{"not an address", "not an address"},
	} {
		if got := addressKey(tc.addr); got != tc.want {
			t.Errorf("addressKey(%q) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}
