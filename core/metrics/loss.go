package metrics

import (
	"fmt"
	"math"
)

// LossMeter accumulates mean target-token cross-entropy over batches of
// different sizes. The mean it reports weights every target token equally,
// as one cross-entropy over all of them would; it is not the mean of the
// batch means.
type LossMeter struct {
	sum    float64
	tokens int
}

// Add records a batch whose mean loss over its tokens target tokens is
// meanLoss (nats per token). A batch without target tokens adds nothing.
func (m *LossMeter) Add(meanLoss float64, tokens int) error {
	if tokens < 0 {
		return fmt.Errorf("metrics: %d target tokens; a batch cannot have fewer than 0", tokens)
	}
	if tokens == 0 {
		return nil
	}
	if math.IsNaN(meanLoss) || math.IsInf(meanLoss, 0) || meanLoss < 0 {
		return fmt.Errorf("metrics: batch loss %v; cross-entropy must be finite and non-negative (check the model for overflow)", meanLoss)
	}
	m.sum += meanLoss * float64(tokens)
	m.tokens += tokens
	return nil
}

// Tokens is the number of target tokens recorded.
func (m *LossMeter) Tokens() int { return m.tokens }

// Mean is the mean loss per target token over everything recorded.
func (m *LossMeter) Mean() (float64, error) {
	if m.tokens == 0 {
		return 0, fmt.Errorf("metrics: no target tokens recorded; evaluate on at least one example with a completion")
	}
	return m.sum / float64(m.tokens), nil
}

// Perplexity is exp(meanLoss), for a mean target-token loss in nats.
func Perplexity(meanLoss float64) float64 {
	return math.Exp(meanLoss)
}
