// Package llama gives Go tests access to the PyTorch fixtures in this
// directory (made by make_fixtures.py; see README.md): one folder per
// random Llama configuration, with its model, initial adapter and the
// values of expected.json and expected.safetensors.
package llama

import "prefixtune/tests/reference/fixture"

// dir is this directory.
var dir = fixture.Here()

// Configs are the fixture configurations, each a folder of this directory: grouped
// queries (F32 weights), multi-query with three heads and an untied head
// (F16 weights), and llama3 rope scaling (BF16 weights).
var Configs = []string{"gqa", "mqa", "llama3"}

// Set is the folder of configuration cfg.
func Set(cfg string) fixture.Set { return fixture.Set(dir.Path(cfg)) }
