package main

import (
	"math"
	"strconv"
	"strings"

	"prefixtune/core/protocol"
)

// Chart is the geometry of the loss chart, in the units of its SVG
// viewBox: the plot area, the axes' ticks, and the lines as SVG points
// lists.
type Chart struct {
	W, H                float64
	X0, Y0, X1, Y1      float64 // the plot area
	XTicks, YTicks      []Tick
	Train, Smooth, Val  string // "x,y x,y …"
	ValDots             []Dot
	Points              int     // training steps drawn
	FirstLoss, LastLoss float64 // of the smoothed training loss
}

// Tick is one labelled position on an axis.
type Tick struct {
	Pos   float64
	Label string
}

// Dot is one validation loss.
type Dot struct {
	X, Y  float64
	Label string
}

// chartSize is the viewBox of the chart; it scales with its box.
const chartW, chartH = 720, 300

// lossChart lays out the training loss of every step (raw and smoothed)
// and the validation losses against steps, on an x axis that runs to
// steps (the run's length, when known) and a y axis that fits the losses.
// Steps that were undone (not finite) are left out.
func lossChart(all []protocol.StepLog, steps int) Chart {
	c := Chart{W: chartW, H: chartH, X0: 56, Y0: 14, X1: chartW - 18, Y1: chartH - 36}
	log := make([]protocol.StepLog, 0, len(all))
	for _, l := range all {
		if !l.Recovered {
			log = append(log, l)
		}
	}
	if len(log) == 0 {
		return c
	}
	last := log[len(log)-1].Step
	steps = max(steps, last, 2)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, l := range log {
		lo, hi = math.Min(lo, l.Loss), math.Max(hi, l.Loss)
		if l.ValLoss != nil {
			lo, hi = math.Min(lo, *l.ValLoss), math.Max(hi, *l.ValLoss)
		}
	}
	if hi-lo < 1e-6 {
		lo, hi = lo-0.5, hi+0.5
	}
	yt, ylo, yhi := niceTicks(lo, hi, 5)
	xt, _, _ := niceTicks(1, float64(steps), 6)
	x := func(step int) float64 { return c.X0 + (c.X1-c.X0)*float64(step-1)/float64(steps-1) }
	y := func(v float64) float64 { return c.Y1 - (c.Y1-c.Y0)*(v-ylo)/(yhi-ylo) }
	for _, v := range yt {
		c.YTicks = append(c.YTicks, Tick{y(v), strconv.FormatFloat(v, 'g', 4, 64)})
	}
	for _, v := range xt {
		if v >= 1 && v <= float64(steps) {
			c.XTicks = append(c.XTicks, Tick{x(int(v)), strconv.Itoa(int(v))})
		}
	}
	var train, smooth, val strings.Builder
	ema := log[0].Loss
	for i, l := range log {
		ema = 0.8*ema + 0.2*l.Loss
		if i == 0 {
			ema = l.Loss
		}
		point(&train, x(l.Step), y(l.Loss))
		point(&smooth, x(l.Step), y(ema))
		if i == 0 {
			c.FirstLoss = ema
		}
		c.LastLoss = ema
		if l.ValLoss != nil {
			point(&val, x(l.Step), y(*l.ValLoss))
			c.ValDots = append(c.ValDots, Dot{x(l.Step), y(*l.ValLoss), "step " + strconv.Itoa(l.Step) + ": validation loss " + Loss(*l.ValLoss)})
		}
	}
	c.Train, c.Smooth, c.Val, c.Points = train.String(), smooth.String(), val.String(), len(log)
	return c
}

func point(b *strings.Builder, x, y float64) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(strconv.FormatFloat(x, 'f', 1, 64))
	b.WriteByte(',')
	b.WriteString(strconv.FormatFloat(y, 'f', 1, 64))
}

// niceTicks returns about n round values covering [lo, hi] (steps of 1, 2
// or 5 times a power of ten) and the range they span.
func niceTicks(lo, hi float64, n int) (ticks []float64, from, to float64) {
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * mag; step >= raw {
			break
		}
	}
	from, to = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	for v := from; v <= to+step/2; v += step {
		ticks = append(ticks, math.Round(v/step)*step)
	}
	return ticks, from, to
}
