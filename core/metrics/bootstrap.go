package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"prefixtune/core/draw"
	"slices"
)

// BootstrapConfig sets up a percentile bootstrap.
type BootstrapConfig struct {
	Resamples int     // number of resamples, at least 2
	Level     float64 // confidence level, in (0, 1)
	Seed      uint64  // the same seed gives the same interval
}

// DefaultBootstrap is 1000 resamples for a 95% interval.
var DefaultBootstrap = BootstrapConfig{Resamples: 1000, Level: 0.95, Seed: 1}

// Interval is a bootstrap confidence interval around a statistic.
type Interval struct {
	Point  float64 // the statistic on the whole sample
	Lo, Hi float64
	Level  float64
	// Resamples is the number of resamples the interval rests on.
	Resamples int
}

// Bootstrap estimates a confidence interval for a statistic of n examples
// by the percentile method: it draws cfg.Resamples samples of n example
// indices with replacement (uniformly, from a PCG seeded with cfg.Seed),
// evaluates stat on each, and returns the (1-Level)/2 and (1+Level)/2
// quantiles of those values, interpolated linearly between order
// statistics (NumPy's default percentile). stat gets a slice of indices
// that it must not keep; a corpus statistic recomputes itself from the
// resampled examples, a per-example one averages them.
func Bootstrap(stat func(idx []int) float64, n int, cfg BootstrapConfig) (Interval, error) {
	if n < 1 {
		return Interval{}, fmt.Errorf("metrics: bootstrap over %d examples; it needs at least 1", n)
	}
	if cfg.Resamples < 2 {
		return Interval{}, fmt.Errorf("metrics: %d bootstrap resamples; use at least 2 (1000 is usual)", cfg.Resamples)
	}
	if err := checkLevel(cfg.Level); err != nil {
		return Interval{}, err
	}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	point := stat(all)
	if math.IsNaN(point) {
		return Interval{}, fmt.Errorf("metrics: the statistic is NaN on the whole sample")
	}
	src := rand.NewPCG(cfg.Seed, 0x6d6574726963730a)
	draw := func(_ int, idx []int) {
		for i := range idx {
			idx[i] = draw.Below(src, uint64(n))
		}
	}
	lo, hi, err := percentileInterval(stat, n, cfg.Resamples, draw, cfg.Level)
	if err != nil {
		return Interval{}, err
	}
	return Interval{Point: point, Lo: lo, Hi: hi, Level: cfg.Level, Resamples: cfg.Resamples}, nil
}

// percentileInterval evaluates stat on resamples samples of n indices,
// sample b filled in by draw(b, idx), and returns the percentile interval
// at level. One index slice is reused, so memory does not grow with the
// number of resamples.
func percentileInterval(stat func(idx []int) float64, n, resamples int, draw func(b int, idx []int), level float64) (lo, hi float64, err error) {
	if err := checkLevel(level); err != nil {
		return 0, 0, err
	}
	idx := make([]int, n)
	values := make([]float64, resamples)
	for b := range values {
		draw(b, idx)
		values[b] = stat(idx)
		if math.IsNaN(values[b]) {
			return 0, 0, fmt.Errorf("metrics: the statistic is NaN on bootstrap resample %d", b)
		}
	}
	slices.Sort(values)
	return quantile(values, (1-level)/2), quantile(values, (1+level)/2), nil
}

func checkLevel(level float64) error {
	if !(level > 0 && level < 1) {
		return fmt.Errorf("metrics: confidence level %v; it must be strictly between 0 and 1 (0.95 is usual)", level)
	}
	return nil
}

// quantile is NumPy's "linear" quantile q of sorted values.
func quantile(sorted []float64, q float64) float64 {
	h := q * float64(len(sorted)-1)
	i := int(math.Floor(h))
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	a, b, t := sorted[i], sorted[i+1], h-float64(i)
	if t >= 0.5 { // NumPy's _lerp, exact at t = 1
		return b - (b-a)*(1-t)
	}
	return a + (b-a)*t
}

// BootstrapMean is Bootstrap for the mean of per-example values (exact
// match, per-sentence ROUGE-L, a 0/1 correctness, an absolute error).
func BootstrapMean(values []float64, cfg BootstrapConfig) (Interval, error) {
	return Bootstrap(func(idx []int) float64 {
		sum := 0.0
		for _, i := range idx {
			sum += values[i]
		}
		return sum / float64(len(idx))
	}, len(values), cfg)
}

// BootstrapBLEU is Bootstrap for corpus BLEU: each resample of sentences
// adds up their statistics and recomputes the corpus score.
func BootstrapBLEU(stats []BLEUStats, cfg BootstrapConfig) (Interval, error) {
	return Bootstrap(func(idx []int) float64 {
		var s BLEUStats
		for _, i := range idx {
			s.Add(stats[i])
		}
		return BLEUFromStats(s).Score
	}, len(stats), cfg)
}
