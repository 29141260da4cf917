// Package step times prefix-tuning steps of a model with random weights
// (Shapes: GPT-2 small's shape, or SmolLM2-135M's with BF16 matrices) on
// any tensor.Device: the measurement that `make bench`
// (tests/bench) runs natively on core/tensor.NewFast and in headless
// Chromium on the SIMD kernels (tests/bench/inwasm), so that both time the
// very same code (model.New, InitRandom, prefix, train.Trainer.TrainStep).
//
// Files: step.go (the model, the batch, Run and its Result) and profile.go
// (Profile, a Device wrapper that times every op, for each op's share of a
// step). The test runs a tiny model so that `go test ./...` stays fast.
package step
