package simulator

import (
	"math/bits"
	"time"
)

// Latencies are kept in log-linear histograms: 8 linear buckets below 8 µs, then 8
// sub-buckets per power of two up to about 2^31 µs. Relative error is at most 12.5%.
const (
	histSub     = 8
	histOctaves = 28
	histBuckets = histSub + histOctaves*histSub
	// rollSlots one-second slots make the rolling window.
	rollSlots = 10
	rollSlot  = time.Second
)

// histIndex maps a latency to its bucket.
func histIndex(d time.Duration) int {
	us := uint64(d / time.Microsecond)
	if us < histSub {
		return int(us)
	}
	e := bits.Len64(us) // ≥ 4
	shift := e - 4
	i := histSub + shift*histSub + int((us>>shift)&(histSub-1))
	if i >= histBuckets {
		return histBuckets - 1
	}
	return i
}

// histValue returns a representative latency (the bucket's middle) for bucket i.
func histValue(i int) time.Duration {
	if i < histSub {
		return time.Duration(i)*time.Microsecond + time.Microsecond/2
	}
	shift := (i - histSub) / histSub
	sub := (i - histSub) % histSub
	lo := uint64(histSub+sub) << shift
	w := uint64(1) << shift
	return time.Duration(lo)*time.Microsecond + time.Duration(w)*time.Microsecond/2
}

// rollSlotData is one second of a rolling window.
type rollSlotData struct {
	sec   int64 // which virtual second the slot holds; -1 when empty
	count uint32
	errs  uint32
	hist  [histBuckets]uint32
}

// rolling is fixed-memory rolling statistics: throughput, errors and a latency
// histogram over the last rollSlots seconds of virtual time.
type rolling struct {
	slots [rollSlots]rollSlotData
	total uint64 // all-time count
	errs  uint64 // all-time errors
}

func (r *rolling) slot(now time.Duration) *rollSlotData {
	sec := int64(now / rollSlot)
	sl := &r.slots[sec%rollSlots]
	if sl.sec != sec {
		sl.sec = sec
		sl.count, sl.errs = 0, 0
		clear(sl.hist[:])
	}
	return sl
}

// record adds one observation.
func (r *rolling) record(now, lat time.Duration, failed bool) {
	sl := r.slot(now)
	sl.count++
	r.total++
	if failed {
		sl.errs++
		r.errs++
	}
	sl.hist[histIndex(lat)]++
}

// Stats are rolling figures over the last 10 s of virtual time.
type Stats struct {
	// Throughput is observations per second over the window.
	Throughput float64 `json:"throughput"`
	// ErrorRate is the failed share over the window (0 when there is no traffic).
	ErrorRate float64 `json:"error_rate"`
	// P50, P95 and P99 are latency percentiles in milliseconds.
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
	// Total and Errors are all-time counts.
	Total  uint64 `json:"total"`
	Errors uint64 `json:"errors"`
}

// stats summarises the window ending at now.
func (r *rolling) stats(now time.Duration) Stats {
	cur := int64(now / rollSlot)
	var merged [histBuckets]uint32
	var n, e uint64
	for i := range r.slots {
		sl := &r.slots[i]
		if !inWindow(sl.sec, sl.count, cur) {
			continue
		}
		n += uint64(sl.count)
		e += uint64(sl.errs)
		for b, c := range sl.hist {
			merged[b] += c
		}
	}
	st := Stats{Total: r.total, Errors: r.errs}
	win := windowSeconds(now)
	st.Throughput = round3(float64(n) / win)
	if n == 0 {
		return st
	}
	st.ErrorRate = round3(float64(e) / float64(n))
	st.P50 = ms(percentile(&merged, n, 0.50))
	st.P95 = ms(percentile(&merged, n, 0.95))
	st.P99 = ms(percentile(&merged, n, 0.99))
	return st
}

// windowCount returns the observations and failures in the window ending at now.
func (r *rolling) windowCount(now time.Duration) (n, e uint64) {
	cur := int64(now / rollSlot)
	for i := range r.slots {
		sl := &r.slots[i]
		if inWindow(sl.sec, sl.count, cur) {
			n += uint64(sl.count)
			e += uint64(sl.errs)
		}
	}
	return n, e
}

func percentile(h *[histBuckets]uint32, n uint64, q float64) time.Duration {
	rank := uint64(q*float64(n) + 0.5)
	if rank < 1 {
		rank = 1
	}
	var acc uint64
	for i, c := range h {
		acc += uint64(c)
		if acc >= rank {
			return histValue(i)
		}
	}
	return histValue(histBuckets - 1)
}

// ms converts a duration to milliseconds rounded to microseconds.
func ms(d time.Duration) float64 { return float64(d/time.Microsecond) / 1000 }

func round3(f float64) float64 {
	return float64(int64(f*1000+0.5)) / 1000
}

// inWindow reports whether a slot of second sec holding count
// observations lies in the rolling window that ends in second cur.
func inWindow(sec int64, count uint32, cur int64) bool {
	return count > 0 && sec <= cur && sec > cur-rollSlots
}

// windowSeconds is the length of the rolling window ending at now: rollSlots
// seconds, or less at the very start of a run.
func windowSeconds(now time.Duration) float64 {
	if el := (now + rollSlot - 1) / rollSlot; el > 0 && el < rollSlots {
		return float64(el)
	}
	return float64(rollSlots)
}

// counter is a rolling count without a histogram, for per-instance figures.
type counter struct {
	sec   [rollSlots]int64
	count [rollSlots]uint32
	errs  [rollSlots]uint32
}

func (c *counter) add(now time.Duration, failed bool) {
	sec := int64(now / rollSlot)
	i := sec % rollSlots
	if c.sec[i] != sec {
		c.sec[i], c.count[i], c.errs[i] = sec, 0, 0
	}
	c.count[i]++
	if failed {
		c.errs[i]++
	}
}

func (c *counter) rate(now time.Duration) (perSec, errRate float64) {
	cur := int64(now / rollSlot)
	var n, e uint32
	for i := range c.sec {
		if !inWindow(c.sec[i], c.count[i], cur) {
			continue
		}
		n += c.count[i]
		e += c.errs[i]
	}
	win := windowSeconds(now)
	if n > 0 {
		errRate = round3(float64(e) / float64(n))
	}
	return round3(float64(n) / win), errRate
}
