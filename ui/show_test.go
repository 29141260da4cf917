package main

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"prefixtune/core/protocol"
)

func TestFormat(t *testing.T) {
	for got, want := range map[string]string{
		Bytes(512): "512 B", Bytes(1536): "1.50 KB", Bytes(int64(124) << 20): "124 MB", Bytes(int64(3) << 30): "3.00 GB",
		Count(999): "999", Count(1234567): "1.23 M", Count(123200): "123,200", Count(0): "0",
		Percent(0): "0 %", Percent(0.25): "25 %", Percent(0.0123): "1.2 %", Percent(1.2e-5): "0.0012 %",
		Duration(0.42): "0.4 s", Duration(0.0483): "48 ms", Duration(12): "12 s", Duration(185): "3 min 5 s", Duration(7800): "2 h 10 min", Duration(math.NaN()): "–",
		Num(5e-5): "5e-05", Num(0.003): "0.003", Loss(2.345678): "2.346",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestNiceTicks(t *testing.T) {
	ticks, lo, hi := niceTicks(2.31, 3.97, 5)
	if !reflect.DeepEqual(ticks, []float64{2, 2.5, 3, 3.5, 4}) || lo != 2 || hi != 4 {
		t.Errorf("ticks %v from %g to %g", ticks, lo, hi)
	}
}

func TestLossChart(t *testing.T) {
	if c := lossChart(nil, 10); c.Points != 0 || c.Train != "" {
		t.Errorf("an empty run draws %+v", c)
	}
	v := 2.5
	log := []protocol.StepLog{{Step: 1, Loss: 4}, {Step: 2, Loss: 3}, {Step: 3, Loss: 2, ValLoss: &v}}
	c := lossChart(log, 6)
	if c.Points != 3 || len(c.ValDots) != 1 || c.FirstLoss != 4 || !(c.LastLoss < c.FirstLoss) {
		t.Errorf("chart %+v", c)
	}
	pts := strings.Fields(c.Train)
	if len(pts) != 3 || !strings.HasPrefix(pts[0], "56.0,") {
		t.Errorf("training points %q: the first step should sit on the left edge", c.Train)
	}
	// Lower loss is lower on the chart (SVG's y grows downwards), and
	// every point is inside the plot.
	var ys []float64
	for _, p := range pts {
		var x, y float64
		if _, err := fmt.Sscanf(p, "%g,%g", &x, &y); err != nil || x < c.X0 || x > c.X1 || y < c.Y0 || y > c.Y1 {
			t.Errorf("point %s outside the plot %v-%v × %v-%v", p, c.X0, c.X1, c.Y0, c.Y1)
		}
		ys = append(ys, y)
	}
	if !(ys[0] < ys[1] && ys[1] < ys[2]) {
		t.Errorf("falling losses drawn at heights %v", ys)
	}
}

func TestStepLogsMerge(t *testing.T) {
	v := 1.5
	var r RunState
	r.add(protocol.StepLog{Step: 1, Loss: 3})
	r.add(protocol.StepLog{Step: 2, Loss: 2})
	r.add(protocol.StepLog{Step: 2, Loss: 2, ValLoss: &v}) // sent again with its validation loss
	r.add(protocol.StepLog{Step: 1, Loss: 9})              // old news
	if len(r.Log) != 2 || r.Log[1].ValLoss == nil || r.Log[0].Loss != 3 {
		t.Errorf("log %+v", r.Log)
	}
}
