package web

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
)

// gzipSplice is a cached page in gzip, cut where the page is cut, so that
// serving it costs a few copies and no compression, with the request's
// own values in their places.
//
// Each fixed part is deflated by a compressor of its own and ends in a
// sync flush: its blocks end on a byte boundary, none is final, and no
// back-reference reaches before the part's first byte. So no reference
// ever reads the bytes of a per-request value, nor crosses one, and the
// parts can be laid end to end with anything between them. A value goes
// between them as a stored (uncompressed) deflate block. Being stored,
// its bytes take no part in compression either: the size of a response
// tells nothing about its CSRF token (BREACH needs a secret that the
// compressor matches against text an attacker chose).
//
// The gzip trailer needs the CRC-32 of the whole page. The parts' CRCs are
// computed once; a request's is made from them and the values' with
// crcMultiplier.combine, without reading the parts again.
type gzipSplice struct {
	segs   [][]byte        // segs[i] is parts[i] deflated, sync-flushed
	sums   []uint32        // CRC-32 of parts[i]
	shifts []crcMultiplier // by crcShift(len(parts[i]))
	plain  int             // total length of the parts
	fixed  int             // gzip header, segments, final block and trailer
}

// gzipHeader is a gzip member header: deflate, no name, no time, "best
// compression", unknown OS.
var gzipHeader = [10]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255}

// finalBlock is an empty stored deflate block marked final.
var finalBlock = [5]byte{1, 0, 0, 0xff, 0xff}

func newGzipSplice(parts [][]byte) *gzipSplice {
	g := &gzipSplice{fixed: len(gzipHeader) + len(finalBlock) + 8}
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.BestCompression) // a valid constant level
	for _, part := range parts {
		var seg []byte
		if len(part) > 0 {
			buf.Reset()
			zw.Reset(&buf)
			zw.Write(part) // writes to a bytes.Buffer do not fail
			zw.Flush()
			seg = bytes.Clone(buf.Bytes())
		}
		g.segs = append(g.segs, seg)
		g.sums = append(g.sums, crc32.ChecksumIEEE(part))
		g.shifts = append(g.shifts, newCRCMultiplier(crcShift(len(part))))
		g.plain += len(part)
		g.fixed += len(seg)
	}
	return g
}

// maxStored is the most a stored deflate block can hold.
const maxStored = 1<<16 - 1

// storedLen is the length of v as stored deflate blocks.
func storedLen(v string) int {
	blocks := (len(v) + maxStored - 1) / maxStored
	return len(v) + 5*blocks
}

// size is the length of the gzip stream with values[i] after parts[i].
func (g *gzipSplice) size(values []string) int {
	n := g.fixed
	for _, v := range values {
		n += storedLen(v)
	}
	return n
}

// appendTo appends the gzip stream of the page with values[i] after
// parts[i] to dst.
func (g *gzipSplice) appendTo(dst []byte, values []string) []byte {
	dst = append(dst, gzipHeader[:]...)
	crc := uint32(0)
	n := g.plain
	for i, seg := range g.segs {
		dst = append(dst, seg...)
		crc = g.shifts[i].combine(crc, g.sums[i])
		if i >= len(values) {
			continue
		}
		v := values[i]
		n += len(v)
		for len(v) > 0 {
			chunk := v[:min(len(v), maxStored)]
			l := uint16(len(chunk))
			// BFINAL 0, BTYPE 00 (stored), padded to the byte: we are
			// on a byte boundary after a sync flush or a stored block.
			dst = append(dst, 0, byte(l), byte(l>>8), byte(^l), byte(^l>>8))
			dst = append(dst, chunk...)
			crc = crc32.Update(crc, crc32.IEEETable, dst[len(dst)-len(chunk):])
			v = v[len(chunk):]
		}
	}
	dst = append(dst, finalBlock[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, crc)
	return binary.LittleEndian.AppendUint32(dst, uint32(n))
}

// CRC-32 arithmetic, after zlib's crc32_combine: a CRC is a polynomial
// over GF(2) in crc32.IEEE's reflected bit order, and appending n bytes
// to a message multiplies its CRC by x^(8n) before the CRC of the bytes
// is added.

// crcMultiplier multiplies by a constant a modulo the CRC-32 polynomial
// in eight table lookups rather than crcMul's 32 steps: the product is
// linear in the other factor, so it is the sum (XOR) of the products of
// its nibbles, each looked up.
type crcMultiplier [8][16]uint32

func newCRCMultiplier(a uint32) crcMultiplier {
	var m crcMultiplier
	for k := range m {
		for n := range m[k] {
			m[k][n] = crcMul(a, uint32(n)<<(4*k))
		}
	}
	return m
}

// combine is the CRC-32 of a message a followed by b, from their CRCs,
// for m the multiplier by crcShift(len(b)).
func (m *crcMultiplier) combine(crcA, crcB uint32) uint32 { return m.mul(crcA) ^ crcB }

func (m *crcMultiplier) mul(b uint32) uint32 {
	var p uint32
	for k := range m {
		p ^= m[k][b>>(4*k)&15]
	}
	return p
}

// crcMul is a·b modulo the CRC-32 polynomial.
func crcMul(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ crc32.IEEE
		} else {
			b >>= 1
		}
	}
	return p
}

// crcShift is x^(8n) modulo the CRC-32 polynomial, by squaring.
func crcShift(n int) uint32 {
	p := uint32(1) << 31 // x^0
	x := uint32(1) << 30 // x^1, then x^2, x^4…
	for e := uint64(n) * 8; e != 0; e >>= 1 {
		if e&1 != 0 {
			p = crcMul(x, p)
		}
		x = crcMul(x, x)
	}
	return p
}
