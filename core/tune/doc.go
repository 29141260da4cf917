// Package tune is a prefix-tuning run as `prefixtune train` performs it,
// shared by the command and the browser engine so that both turn the same
// model, data, seed and options into the same adapter: the sequence length
// rule, tokenisation, prefix initialisation, the data loader, the order of
// optimiser steps, validation at the end of every epoch and of the run, and
// the mean loss of a data set. It also predicts a run's memory and work
// before it starts (estimate.go), describes tokenised data (describe.go),
// and says whether a browser tab can tune a model from its config.json
// alone (check.go).
//
// A Run is step-addressed, like data.Loader: its state is the trainer's
// (train.Checkpoint), so a run stopped at any step resumes to the same
// result.
package tune
