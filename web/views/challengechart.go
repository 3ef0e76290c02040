package views

import (
	"math"
	"strconv"
	"strings"

	"microlab/simulator"
)

// A chart of one figure of a challenge's run, drawn on the server as SVG:
// time across in simulated seconds, the figure up with its unit, gridlines,
// and a dashed line at each step of the fault script, numbered to match the
// list under the charts.

const (
	ccW, ccH        = 640.0, 170.0
	ccLeft, ccRight = 52.0, 12.0
	ccTop, ccBottom = 12.0, 30.0
)

type runChart struct {
	Title, Unit string
	// Paths are the lines, in SVG path syntax: one per run, on one scale.
	Paths   []string
	YTicks  []chartTick
	XTicks  []chartTick
	Marks   []chartTick // fault steps: X, and their number as Label
	Summary string      // the chart in words, for its accessible name
}

type chartTick struct {
	X, Y  float64
	Label string
}

// challengeChartsOf makes the three charts of a result, or of two results
// of one challenge laid over each other: throughput, error share and p99
// at the gateway.
func challengeChartsOf(runs ...*simulator.ChallengeResult) []runChart {
	if len(runs) == 0 || len(runs[0].Timeline) == 0 {
		return nil
	}
	r := runs[0]
	pick := []struct {
		title, unit string
		v           func(s simulator.Sample) float64
	}{
		{"Requests answered at the gateway", "req/s", func(s simulator.Sample) float64 { return float64(s.Requests) }},
		{"Share of them in error (5xx)", "%", func(s simulator.Sample) float64 { return s.ErrorPct }},
		{"Gateway p99 latency", "ms", func(s simulator.Sample) float64 { return s.P99MS }},
	}
	end := r.Timeline[len(r.Timeline)-1].At
	x := func(t float64) float64 { return ccLeft + (ccW-ccLeft-ccRight)*t/end }
	var out []runChart
	for _, p := range pick {
		top := 0.0
		var peaks []string
		for i, run := range runs {
			peak, peakAt := 0.0, 0.0
			for _, s := range run.Timeline {
				if v := p.v(s); v > peak {
					peak, peakAt = v, s.At
				}
			}
			top = max(top, peak)
			who := ""
			if len(runs) > 1 {
				who = "design " + string(rune('A'+i)) + " "
			}
			peaks = append(peaks, who+"peaks at "+fmtNum(peak)+" "+p.unit+" at "+fmtNum(peakAt)+" s")
		}
		top = niceCeil(top)
		y := func(v float64) float64 { return ccTop + (ccH-ccTop-ccBottom)*(1-v/top) }
		c := runChart{Title: p.title, Unit: p.unit,
			Summary: p.title + " over " + fmtNum(end) + " s: " + strings.Join(peaks, "; ") + "."}
		for _, run := range runs {
			var b strings.Builder
			for i, s := range run.Timeline {
				if i == 0 {
					b.WriteString("M")
				} else {
					b.WriteString("L")
				}
				b.WriteString(num1(x(s.At)) + " " + num1(y(p.v(s))))
			}
			c.Paths = append(c.Paths, b.String())
		}
		for k := 0; k <= 2; k++ {
			v := top * float64(k) / 2
			c.YTicks = append(c.YTicks, chartTick{Y: y(v), Label: fmtNum(v)})
		}
		for t := 0.0; t <= end; t += 10 {
			c.XTicks = append(c.XTicks, chartTick{X: x(t), Label: fmtNum(t) + " s"})
		}
		for i, m := range r.Marks {
			c.Marks = append(c.Marks, chartTick{X: x(m.At), Label: strconv.Itoa(i + 1)})
		}
		out = append(out, c)
	}
	return out
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten, and 1 for 0.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func fmtNum(v float64) string {
	if v >= 100 || v == math.Trunc(v) {
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func num1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
