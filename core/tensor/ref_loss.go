package tensor

import "math"

// crossEntropyRef uses a float64 log-sum-exp per row.
func crossEntropyRef(losses, logits []float32, targets []int32, N, V int) {
	for i := 0; i < N; i++ {
		if targets[i] < 0 {
			losses[i] = 0
			continue
		}
		row := logits[i*V:][:V]
		mx := row[0]
		for _, x := range row {
			mx = max(mx, x)
		}
		var s float64
		for _, x := range row {
			s += math.Exp(float64(x - mx))
		}
		losses[i] = float32(math.Log(s) - float64(row[targets[i]]-mx))
	}
}

func crossEntropyBackwardRef(dlogits, logits []float32, targets []int32, dlosses []float32, N, V int) {
	for i := 0; i < N; i++ {
		row := logits[i*V:][:V]
		drow := dlogits[i*V:][:V]
		g := dlosses[i]
		if targets[i] < 0 || g == 0 {
			clear(drow)
			continue
		}
		mx := row[0]
		for _, x := range row {
			mx = max(mx, x)
		}
		var s float64
		for _, x := range row {
			s += math.Exp(float64(x - mx))
		}
		inv := 1 / s
		tgt := int(targets[i])
		for j, x := range row {
			p := float32(math.Exp(float64(x-mx)) * inv)
			if j == tgt {
				p -= 1
			}
			drow[j] = g * p
		}
	}
}
