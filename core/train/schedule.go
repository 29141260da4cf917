package train

import (
	"fmt"
	"math"
	"strings"
)

// Schedule names a learning-rate schedule. Each is the lambda of the
// Hugging Face transformers function of the same name, applied by
// torch.optim.lr_scheduler.LambdaLR.
type Schedule string

const (
	// Constant is get_constant_schedule_with_warmup: a linear warm-up from
	// 0, then base. With no warm-up it is get_constant_schedule.
	Constant Schedule = "constant"
	// Linear is get_linear_schedule_with_warmup: a linear warm-up from 0 to
	// base, then a linear decay to 0 at step total.
	Linear Schedule = "linear"
	// Cosine is get_cosine_schedule_with_warmup with num_cycles 0.5: a
	// linear warm-up, then half a cosine from base to 0 at step total.
	Cosine Schedule = "cosine"
)

// ParseSchedule reads a schedule name, case-insensitively. It also accepts
// Hugging Face's "constant_with_warmup" as Constant.
func ParseSchedule(s string) (Schedule, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "constant", "constant_with_warmup":
		return Constant, nil
	case "linear":
		return Linear, nil
	case "cosine":
		return Cosine, nil
	}
	return "", fmt.Errorf("train: unknown learning-rate schedule %q (use %q, %q or %q)", s, Constant, Linear, Cosine)
}

// LR returns the learning rate of 0-based optimiser step step, for a run of
// total steps whose first warmup steps warm up: base times the schedule's
// factor, computed in float64 as Hugging Face's Python does (bit for bit,
// but that Go's math.Cos may differ from C's cos in the last bit). With
// warmup > 0 the first step has rate 0. As in Hugging Face, Linear stays at
// 0 after total while Cosine rises again; a schedule that ParseSchedule
// would not return acts as Constant.
func LR(s Schedule, base float64, step, warmup, total int) float64 {
	if step < warmup {
		return base * (float64(step) / float64(max(1, warmup)))
	}
	decay := float64(max(1, total-warmup))
	switch s {
	case Linear:
		return base * math.Max(0, float64(total-step)/decay)
	case Cosine:
		const numCycles = 0.5
		progress := float64(step-warmup) / decay
		return base * math.Max(0, 0.5*(1+math.Cos(math.Pi*numCycles*2*progress)))
	}
	return base
}
