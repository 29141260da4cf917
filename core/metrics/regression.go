package metrics

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
)

var numberRE = regexp.MustCompile(`[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?`)

// ParseNumber reads the first number in generated text: an optional sign,
// ASCII digits with at most one decimal point, and an optional exponent.
// "1,234" reads as 1, "3/4" as 3, "−4" (a Unicode minus) as 4. It reports
// false when there is no number or the number overflows.
func ParseNumber(text string) (float64, bool) {
	m := numberRE.FindString(text)
	if m == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(m, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// Regression scores numeric answers: the errors of the predictions that
// hold a number, and how many did not.
type Regression struct {
	RMSE, MAE float64
	// N predictions held a number; Unparsed did not and are left out.
	N, Unparsed int
	// Errors are prediction minus gold for the N parsed predictions, in
	// input order (for bootstrapping).
	Errors []float64
}

// Regress parses every prediction with ParseNumber and scores the parsed
// ones against gold. It fails when no prediction holds a number, and
// still reports the counts.
func Regress(preds []string, gold []float64) (Regression, error) {
	var r Regression
	if err := checkPairs(len(preds), len(gold), "predictions", "gold values"); err != nil {
		return r, err
	}
	sq, ab := 0.0, 0.0
	for i, p := range preds {
		if math.IsNaN(gold[i]) || math.IsInf(gold[i], 0) {
			return Regression{}, fmt.Errorf("metrics: gold value %d is %v; numeric targets must be finite", i, gold[i])
		}
		v, ok := ParseNumber(p)
		if !ok {
			r.Unparsed++
			continue
		}
		e := v - gold[i]
		r.Errors = append(r.Errors, e)
		sq += e * e
		ab += math.Abs(e)
	}
	r.N = len(r.Errors)
	if r.N == 0 {
		return r, fmt.Errorf("metrics: none of the %d predictions holds a number; check the prompt asks for one", len(preds))
	}
	r.RMSE = math.Sqrt(sq / float64(r.N))
	r.MAE = ab / float64(r.N)
	return r, nil
}
