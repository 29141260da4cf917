// Package draw owns the seeded random draws whose results are part of
// Prefixtune's reproducibility contract: a data order or a bootstrap
// resample depends only on its seed, never on math/rand's own helpers,
// which may change between Go releases.
package draw
