package web

import (
	"net"

	"github.com/labstack/echo/v4"
)

// clientIP says where a request comes from, for the per-address limits and
// the access log. With no trusted proxy the address is the connection's:
// a header is only a claim, and believing X-Forwarded-For from anyone lets
// one client be as many addresses as it likes. Behind trusted proxies, the
// address is the first one, from the right, of X-Forwarded-For that is not
// one of them.
func clientIP(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// clientKey is the key of the request's client for the per-address
// limits: its IPv4 address, or the /64 network of its IPv6 address. One
// IPv6 subscriber is given a /64 or more and may use any address in it,
// so a limit per IPv6 address would bound nothing.
func clientKey(c echo.Context) string {
	return addressKey(c.RealIP())
}

func addressKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}
